"""Every read of the reminders app, scoped to a user or to the ids a task was given."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from backend.accounts.models import User
from backend.reminders.models import Delivery, PushReceipt, PushSubscription, ReminderRule


def reminder_rule_list(*, user: User) -> QuerySet[ReminderRule]:
    return ReminderRule.objects.filter(user=user).order_by("kind", "id")


def push_subscription_list(*, user: User) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user=user).order_by("id")


@dataclass
class SendBatch:
    deliveries: list[Delivery]
    subscriptions: dict[int, list[PushSubscription]]  # by user id
    receipts: set[tuple[int, int]]  # (delivery id, subscription id) already accepted


def deliveries_for_sending(*, delivery_ids: Iterable[int]) -> SendBatch:
    """The still-pending deliveries among ``delivery_ids``, their users' subscriptions
    and the receipts of earlier attempts: three queries, whatever the count."""
    # Only the columns sending reads: loading whole rows was a tenth of a worker's time.
    deliveries = list(
        Delivery.objects.filter(pk__in=list(delivery_ids), status=Delivery.Status.PENDING)
        .select_related("user")
        .only("pk", "user_id", "kind", "fire_at", "user__email")
        .order_by("pk")
    )
    subscriptions: dict[int, list[PushSubscription]] = defaultdict(list)
    receipts: set[tuple[int, int]] = set()
    if deliveries:
        for subscription in (
            PushSubscription.objects.filter(user_id__in={d.user_id for d in deliveries})
            .only("pk", "user_id", "endpoint", "p256dh", "auth")
            .order_by("pk")
        ):
            subscriptions[subscription.user_id].append(subscription)
        receipts = set(
            PushReceipt.objects.filter(delivery_id__in=[d.pk for d in deliveries]).values_list(
                "delivery_id", "subscription_id"
            )
        )
    return SendBatch(deliveries=deliveries, subscriptions=dict(subscriptions), receipts=receipts)
