"""Delivery records: leases for the send tasks, the sweep, the test notification, outcomes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from backend.accounts.models import User
from backend.core.errors import BrokerUnavailable
from backend.reminders import sql
from backend.reminders.models import (
    Delivery,
    PushReceipt,
    PushSubscription,
)
from backend.reminders.notifications import TEST_KIND

logger = logging.getLogger(__name__)

# Queues send tasks for these chunks of delivery ids (``tasks.enqueue_sends``).
Enqueue = Callable[[list[list[int]]], None]

# A reminder this late (the workers were down) is recorded as skipped, not sent:
# "time for your morning stretches" at lunchtime helps nobody.
LATE_LIMIT = dt.timedelta(hours=1)

# Deliveries per send task. A busy tick's tasks hold 1,000 anyway (50 tasks per
# batch of 50,000); a small tick's were 250. At 250 the worker spent 4.5-4.7 s of CPU
# on 5,000 deliveries, at 1,000 3.5-4.1 s (the bare sender 3.1-4.2 s in the same
# runs): fewer per-task queries, round trips and moments with few requests in flight.
SEND_CHUNK = 1000
# Deliveries are history for support and tests; older rows are pruned daily.
DELIVERY_RETENTION = dt.timedelta(days=30)


def requeue_after() -> dt.timedelta:
    """How long a queued delivery may wait for a worker before it is queued again."""
    return dt.timedelta(seconds=settings.REMINDERS_REQUEUE_AFTER)


def deliveries_claim(*, delivery_ids: Iterable[int], owner: str, now: dt.datetime) -> list[int]:
    """Lease these pending deliveries to one send task; return the ids it may send.

    A queued delivery (owner "") or an expired lease goes to the first task that asks;
    a redelivery of the owning task keeps it. Any other copy gets nothing, so a
    delivery queued twice (the sweep below) is still sent once.
    """
    ids = list(delivery_ids)
    until = now + dt.timedelta(seconds=settings.REMINDERS_SEND_LEASE)
    Delivery.objects.filter(sql.AnyOf(F("pk"), ids), status=Delivery.Status.PENDING).filter(
        Q(lease_owner__in=["", owner]) | Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    ).update(lease_owner=owner, leased_until=until)
    return list(
        Delivery.objects.filter(
            sql.AnyOf(F("pk"), ids), status=Delivery.Status.PENDING, lease_owner=owner
        ).values_list("pk", flat=True)
    )


def deliveries_hold(*, delivery_ids: Iterable[int], owner: str, until: dt.datetime) -> None:
    """Keep a task's lease while it waits to retry, so the sweep does not queue them again."""
    Delivery.objects.filter(sql.AnyOf(F("pk"), delivery_ids), lease_owner=owner).update(leased_until=until)


@transaction.atomic
def deliveries_requeue_stuck(*, enqueue: Enqueue, now: dt.datetime | None = None) -> int:
    """Queue again the pending deliveries nobody is sending (a broker restart can lose
    queued messages); skip those that became more than an hour late. ``enqueue``: as
    for ``dispatch.reminders_dispatch``."""
    now = now or timezone.now()
    stuck = Delivery.objects.filter(status=Delivery.Status.PENDING).filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    )
    stuck.exclude(kind=TEST_KIND).filter(fire_at__lt=now - LATE_LIMIT).update(
        status=Delivery.Status.SKIPPED, reason=Delivery.Reason.LATE, finished_at=now
    )
    ids = list(
        Delivery.objects.filter(pk__in=stuck.values("pk"), status=Delivery.Status.PENDING)
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:5000]
    )
    if not ids:
        return 0
    Delivery.objects.filter(pk__in=ids).update(lease_owner="", leased_until=now + requeue_after())
    chunks = [ids[start : start + SEND_CHUNK] for start in range(0, len(ids), SEND_CHUNK)]
    transaction.on_commit(partial(enqueue, chunks))
    logger.warning("reminders: %d pending deliveries were queued again", len(ids))
    return len(ids)


@transaction.atomic
def reminder_test_send(*, user: User, enqueue: Enqueue) -> Delivery:
    """One test notification to all the user's devices, through the task queue."""
    now = timezone.now()
    delivery = Delivery.objects.create(
        user=user, rule=None, kind=TEST_KIND, fire_at=now, lease_owner="", leased_until=now + requeue_after()
    )
    transaction.on_commit(partial(notification_test_enqueue, enqueue, delivery.pk))
    return delivery


def notification_test_enqueue(enqueue: Enqueue, delivery_id: int) -> None:
    try:
        enqueue([[delivery_id]])
    except BrokerUnavailable:
        # The person is told to try again (503): the dispatcher must not also send this
        # one minutes later, when a test notification would mean nothing.
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).delete()
        raise


# --- Recording what the sender did ------------------------------------------------------------


@transaction.atomic
def deliveries_finish(*, delivery_ids: Iterable[int], status: str, reason: str = "", now: dt.datetime) -> int:
    """Close pending deliveries; ones already closed (by an earlier attempt) stay as they are."""
    ids = list(delivery_ids)
    if not ids:
        return 0
    return Delivery.objects.filter(sql.AnyOf(F("pk"), ids), status=Delivery.Status.PENDING).update(
        status=status, reason=reason, finished_at=now
    )


@transaction.atomic
def push_results_record(
    *,
    accepted: Sequence[tuple[int, int]],
    gone: Iterable[int],
    failed: Iterable[int],
    now: dt.datetime,
) -> None:
    """``accepted``: (delivery, subscription) pairs the push service took; ``gone``:
    subscriptions it says no longer exist; ``failed``: subscriptions that failed."""
    if accepted:
        _receipts_insert(accepted, now=now)
        PushSubscription.objects.filter(sql.AnyOf(F("pk"), {s for _, s in accepted})).update(
            last_success_at=now, failure_count=0
        )
    gone = set(gone)
    if gone:
        PushSubscription.objects.filter(pk__in=gone).delete()
    failed = set(failed) - gone
    if failed:
        PushSubscription.objects.filter(sql.AnyOf(F("pk"), failed)).update(
            failure_count=F("failure_count") + 1
        )


def _receipts_insert(accepted: Sequence[tuple[int, int]], *, now: dt.datetime) -> None:
    """One INSERT; an earlier attempt's receipt stays as it is. On PostgreSQL the ids
    go as two arrays in text form and the time once: psycopg adapting a list of
    datetimes, one per receipt, was over half of recording's CPU."""
    if connection.vendor != "postgresql":
        sql.bulk_insert(
            PushReceipt,
            ("delivery_id", "subscription_id", "created_at"),
            [(d, s, now) for d, s in accepted],
            ignore_conflicts=True,
        )
        return
    table = connection.ops.quote_name(PushReceipt._meta.db_table)
    deliveries_ids = "{" + ",".join(str(int(d)) for d, _ in accepted) + "}"
    subscription_ids = "{" + ",".join(str(int(s)) for _, s in accepted) + "}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (delivery_id, subscription_id, created_at) "  # noqa: S608 - table from the model
            "SELECT d, s, %s FROM unnest(%s::bigint[], %s::bigint[]) AS v(d, s) ON CONFLICT DO NOTHING",
            [now, deliveries_ids, subscription_ids],
        )


@transaction.atomic
def deliveries_prune(*, now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - DELIVERY_RETENTION
    deleted, _ = (
        Delivery.objects.filter(created_at__lt=cutoff).exclude(status=Delivery.Status.PENDING).delete()
    )
    return deleted
