"""The dispatcher: claims the rules due now, records their deliveries, advances each rule."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.reminders import sql
from backend.reminders.deliveries import LATE_LIMIT, SEND_CHUNK, Enqueue, requeue_after
from backend.reminders.models import (
    Delivery,
    Kind,
    ReminderRule,
)
from backend.reminders.rules import schedule_of
from backend.reminders.schedule import (
    latest_due,
    next_fire_after,
)
from backend.tracker.selectors import session_reminder_state, users_in_flare, users_on_safety_hold

logger = logging.getLogger(__name__)

# Rules claimed per transaction.
DISPATCH_BATCH = 500


@dataclass
class DispatchReport:
    claimed: int = 0
    queued: int = 0
    skipped_late: int = 0
    skipped_done: int = 0
    skipped_no_program: int = 0
    skipped_held: int = 0
    skipped_flare: int = 0
    batches: int = 0
    delivery_ids: list[int] = field(default_factory=list)


def reminders_dispatch(
    *,
    enqueue: Enqueue,
    now: dt.datetime | None = None,
    batch_size: int = DISPATCH_BATCH,
    max_batches: int = 200,
) -> DispatchReport:
    """Claim the rules due at ``now``, record their deliveries and queue the sends.

    ``enqueue(chunks)`` queues the send tasks (``tasks.enqueue_sends``): called once a
    batch commits, so the first reminders go out while later batches are claimed,
    and passed in, so this module never imports the tasks that import it.

    Each batch is one transaction. On PostgreSQL the claimed rows are locked with
    ``FOR UPDATE SKIP LOCKED``, so concurrent dispatchers take disjoint batches;
    the unique (rule, fire_at) of deliveries backs that up on any database.
    """
    now = now or timezone.now()
    report = DispatchReport()
    conflicts = 0
    while report.batches < max_batches:
        try:
            claimed = _dispatch_batch(now=now, batch_size=batch_size, report=report, enqueue=enqueue)
        except IntegrityError:
            # Another dispatcher recorded one of these slots first (only possible
            # where rows cannot be locked, as on SQLite): the batch rolled back;
            # read again, the other dispatcher has moved those rules on.
            conflicts += 1
            if conflicts > 3:
                raise
            continue
        report.batches += 1
        if claimed < batch_size:
            break
    return report


@transaction.atomic
def _dispatch_batch(*, now: dt.datetime, batch_size: int, report: DispatchReport, enqueue: Enqueue) -> int:
    rules = list(
        ReminderRule.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        # What the arithmetic needs: whole user rows (password hashes...) cost time.
        .only(
            *RULE_SCHEDULE_FIELDS, "kind", "next_fire_at", "user_id", "user__timezone", "user__daily_minutes"
        )
        .filter(enabled=True, next_fire_at__lte=now)
        .order_by("next_fire_at")[:batch_size]
    )
    if not rules:
        return 0
    deliveries: list[Delivery] = []
    # Rules with the same fields in the same zone share their arithmetic: with the
    # defaults most of a batch does, so it is done once per distinct schedule.
    memo: dict[tuple, Any] = {}

    def remember(key: tuple, compute: Any) -> Any:
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    for rule in rules:
        key = _schedule_key(rule)
        schedule = remember(key, lambda rule=rule: schedule_of(rule, zone=rule.user.timezone))
        due: dt.datetime | None = rule.next_fire_at
        assert due is not None
        if now - due > LATE_LIMIT:
            deliveries.append(_delivery(rule, due, Delivery.Status.SKIPPED, Delivery.Reason.LATE, now))
            recent = remember((key, "recent"), lambda s=schedule: next_fire_after(s, now - LATE_LIMIT))
            due = recent if recent is not None and recent <= now else None
        if due is not None:
            fire_at = remember((key, "latest", due), lambda s=schedule, d=due: latest_due(s, d, now))
            deliveries.append(_delivery(rule, fire_at, Delivery.Status.PENDING, "", now))
        rule.next_fire_at = remember((key, "next"), lambda s=schedule: next_fire_after(s, now))

    sessions = [d for d in deliveries if d.kind == Kind.SESSION and d.status == Delivery.Status.PENDING]
    if sessions:
        zones = {rule.user_id: ZoneInfo(rule.user.timezone) for rule in rules}
        dates = {d.user_id: d.fire_at.astimezone(zones[d.user_id]).date() for d in sessions}
        budgets = {rule.user_id: rule.user.daily_minutes for rule in rules}
        # Done when every item due today is logged; optional ones (beyond the budget) are not due.
        done, running = session_reminder_state(dates=dates, budgets=budgets)
        held = users_on_safety_hold(user_ids=list(dates))
        flaring = users_in_flare(user_ids=list(dates), now=now)
        for delivery in sessions:
            if delivery.user_id in held:
                # The exercises are paused until someone has looked at what was
                # reported: no nudge to do them (check-in reminders still go).
                delivery.status, delivery.reason, delivery.finished_at = (
                    Delivery.Status.SKIPPED,
                    Delivery.Reason.SAFETY_HOLD,
                    now,
                )
            elif delivery.user_id in flaring:
                # A bad day: the flare plan is there when the person opens the app,
                # with no nudge to do the usual sessions (check-in reminders still go).
                delivery.status, delivery.reason, delivery.finished_at = (
                    Delivery.Status.SKIPPED,
                    Delivery.Reason.FLARE,
                    now,
                )
            elif delivery.user_id in done:
                delivery.status, delivery.reason, delivery.finished_at = (
                    Delivery.Status.SKIPPED,
                    Delivery.Reason.DONE,
                    now,
                )
            elif delivery.user_id not in running:
                # Every program is paused, left or finished: nothing to remind of.
                delivery.status, delivery.reason, delivery.finished_at = (
                    Delivery.Status.SKIPPED,
                    Delivery.Reason.NO_PROGRAM,
                    now,
                )
    sql.insert_deliveries(deliveries)
    sql.set_next_fire_at([(rule.pk, rule.next_fire_at) for rule in rules])

    pending = [d.pk for d in deliveries if d.status == Delivery.Status.PENDING]
    chunks = [pending[start : start + SEND_CHUNK] for start in range(0, len(pending), SEND_CHUNK)]
    if chunks:
        transaction.on_commit(partial(enqueue, chunks))
    report.claimed += len(rules)
    report.queued += len(pending)
    report.skipped_late += sum(d.reason == Delivery.Reason.LATE for d in deliveries)
    report.skipped_done += sum(d.reason == Delivery.Reason.DONE for d in deliveries)
    report.skipped_no_program += sum(d.reason == Delivery.Reason.NO_PROGRAM for d in deliveries)
    report.skipped_held += sum(d.reason == Delivery.Reason.SAFETY_HOLD for d in deliveries)
    report.skipped_flare += sum(d.reason == Delivery.Reason.FLARE for d in deliveries)
    report.delivery_ids.extend(pending)
    return len(rules)


RULE_SCHEDULE_FIELDS = ("times", "every_minutes", "window", "weekdays", "quiet_hours")


def _schedule_key(rule: ReminderRule) -> tuple:
    def frozen(value: list | None) -> tuple | None:
        return None if value is None else tuple(value)

    return (
        rule.user.timezone,
        frozen(rule.times),
        rule.every_minutes,
        frozen(rule.window),
        frozen(rule.weekdays),
        frozen(rule.quiet_hours),
    )


def _delivery(
    rule: ReminderRule, fire_at: dt.datetime, status: str, reason: str, now: dt.datetime
) -> Delivery:
    pending = status == Delivery.Status.PENDING
    return Delivery(
        user_id=rule.user_id,
        rule=rule,
        kind=rule.kind,
        fire_at=fire_at,
        status=status,
        reason=reason,
        finished_at=None if pending else now,
        lease_owner="",
        leased_until=now + requeue_after() if pending else None,
    )
