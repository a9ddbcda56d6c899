"""Every read of the reminders app, scoped to a user or to the ids a task was given."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import F, QuerySet

from backend.accounts.models import User
from backend.reminders.models import Delivery, PushReceipt, PushSubscription, ReminderRule
from backend.reminders.sql import AnyOf


def reminder_rule_list(*, user: User) -> QuerySet[ReminderRule]:
    return ReminderRule.objects.filter(user=user).order_by("kind", "id")


def push_subscription_list(*, user: User) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user=user).order_by("id")


class DeliveryToSend(NamedTuple):
    pk: int
    user_id: int
    kind: str
    fire_at: dt.datetime
    email: str  # the user's, for a reminder that goes by email


class PushTarget(NamedTuple):
    pk: int
    user_id: int
    endpoint: str
    p256dh: str
    auth: str


@dataclass
class SendBatch:
    deliveries: list[DeliveryToSend]
    subscriptions: dict[int, list[PushTarget]]  # by user id
    receipts: set[tuple[int, int]]  # (delivery id, subscription id) already accepted


def deliveries_for_sending(*, delivery_ids: Iterable[int]) -> SendBatch:
    """The still-pending deliveries among ``delivery_ids``, their users' subscriptions
    and the receipts of earlier attempts: three queries, whatever the count."""
    # Plain tuples of the columns sending reads: whole rows were a tenth of a worker's
    # time, model instances another fifth of a send task's own CPU.
    deliveries = [
        DeliveryToSend(*row)
        for row in Delivery.objects.filter(AnyOf(F("pk"), delivery_ids), status=Delivery.Status.PENDING)
        .order_by("pk")
        .values_list("pk", "user_id", "kind", "fire_at", "user__email")
    ]
    subscriptions: dict[int, list[PushTarget]] = defaultdict(list)
    receipts: set[tuple[int, int]] = set()
    if deliveries:
        for row in (
            PushSubscription.objects.filter(AnyOf(F("user_id"), {d.user_id for d in deliveries}))
            .order_by("pk")
            .values_list("pk", "user_id", "endpoint", "p256dh", "auth")
        ):
            target = PushTarget(*row)
            subscriptions[target.user_id].append(target)
        receipts = set(
            PushReceipt.objects.filter(AnyOf(F("delivery_id"), [d.pk for d in deliveries])).values_list(
                "delivery_id", "subscription_id"
            )
        )
    return SendBatch(deliveries=deliveries, subscriptions=dict(subscriptions), receipts=receipts)
