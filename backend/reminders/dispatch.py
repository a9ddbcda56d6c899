"""The dispatcher: claims the rules due now, records their deliveries, advances each rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db import connections as db_connections
from django.db.models import QuerySet
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
    Schedule,
    latest_due,
    next_fire_after,
    recent_and_next,
)
from backend.tracker.selectors import session_reminder_state, users_in_flare, users_on_safety_hold

logger = logging.getLogger(__name__)

# Rules claimed per transaction: row by row (SQLite), and in one statement (PostgreSQL),
# where a batch this size takes a few seconds (the sends of one batch go out while the
# next is claimed).
DISPATCH_BATCH = 500
SET_BATCH = 50_000
FIRST_SET_BATCH = 1_000
# A batch's sends go out in at most this many tasks, of SEND_CHUNK deliveries or more:
# a publish costs a few milliseconds (800 of them were 4 s of a 200,000-reminder tick).
MAX_SEND_TASKS = 50


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
    batch_size: int | None = None,
) -> DispatchReport:
    """Claim the rules due at ``now``, record their deliveries and queue the sends.

    ``enqueue(chunks)`` queues the send tasks (``tasks.enqueue_sends``): called once a
    batch commits, so the first reminders go out while later batches are claimed,
    and passed in, so this module never imports the tasks that import it.

    Every due rule is taken, however many: batches follow one another until none is
    left (a tick has no ceiling below what a minute holds). Each batch is one
    transaction. On PostgreSQL it is one statement (``sql.dispatch_claimed``): the
    rows are locked with ``FOR UPDATE SKIP LOCKED``, so concurrent dispatchers take
    disjoint batches, and the unique (rule, fire_at) of deliveries backs that up.
    Elsewhere (SQLite, the development database) a batch goes row by row.
    """
    now = now or timezone.now()
    report = DispatchReport()
    if connection.vendor == "postgresql":
        _dispatch_set_based(now=now, batch_size=batch_size or SET_BATCH, report=report, enqueue=enqueue)
        return report
    batch_size = batch_size or DISPATCH_BATCH
    conflicts = 0
    while True:
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


# --- PostgreSQL: one statement per batch, no object per row ----------------------------------


def _dispatch_set_based(
    *, now: dt.datetime, batch_size: int, report: DispatchReport, enqueue: Enqueue
) -> None:
    """What each distinct schedule does around ``now`` is worked out once, in Python
    (``schedule.recent_and_next``: the same arithmetic as a rule at a time); the
    statement applies it to every rule of that schedule.

    The schedules are those of the rules due when the tick starts. A rule edited
    meanwhile into a schedule not among them is done the row-by-row way.
    """
    since = now - LATE_LIMIT
    outlook: dict[str, tuple[dt.datetime | None, dt.datetime | None]] = {}
    for key, zone, fields in sql.due_schedules(now=now):
        outlook[key] = recent_and_next(Schedule.from_fields(zone=zone, **fields), since=since, now=now)
    if not outlook:
        return
    claim = partial(_claim_until_done, now=now, batch_size=batch_size, outlook=outlook, enqueue=enqueue)
    connections = int(settings.REMINDERS_DISPATCH_CONNECTIONS)
    if connections == 1 or connection.in_atomic_block:
        # Inside a transaction (a caller's, a test's) other connections would not see its rows.
        claim(report=report)
        return
    _claim_in_parallel(connections, claim, report)


def _claim_until_done(
    *,
    now: dt.datetime,
    batch_size: int,
    outlook: dict[str, tuple[dt.datetime | None, dt.datetime | None]],
    report: DispatchReport,
    enqueue: Enqueue,
) -> None:
    # The first batch is small, so the first reminders go out while the big ones are
    # claimed: no send starts before its batch commits, and one of 50,000 takes a second
    # or two (a third of a second for 10,000, 6 % of that benchmark's run).
    size = min(FIRST_SET_BATCH, batch_size)
    while True:
        claimed = _dispatch_set_batch(
            now=now, batch_size=size, outlook=outlook, report=report, enqueue=enqueue
        )
        report.batches += 1
        if claimed < size:
            break
        size = batch_size


def _claim_in_parallel(connections: int, claim: Callable[..., None], report: DispatchReport) -> None:
    """``claim(report=...)`` on ``connections`` database connections at once, a thread each.

    PostgreSQL does the dispatcher's work (a batch is one statement), one core per
    statement: with two connections a busy minute takes two of its cores. Each thread
    claims with ``SKIP LOCKED`` until nothing is left, so they never take the same rule
    (and the unique (rule, fire_at) would refuse it if they did). The threads wait for
    the database, not for Python, so the GIL is no bottleneck. An error in one is raised
    here once all have stopped; what the others committed stays committed and queued.
    """
    reports = [DispatchReport() for _ in range(connections)]
    errors: list[BaseException] = []

    def run(part: DispatchReport) -> None:
        try:
            claim(report=part)
        except BaseException as exc:  # raised again in the caller's thread
            errors.append(exc)
        finally:
            db_connections.close_all()

    threads = [
        threading.Thread(target=run, args=(part,), name=f"dispatch-{n}") for n, part in enumerate(reports)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for part in reports:
        for name in (f.name for f in dataclasses.fields(DispatchReport) if f.name != "delivery_ids"):
            setattr(report, name, getattr(report, name) + getattr(part, name))
        report.delivery_ids.extend(part.delivery_ids)
    if errors:
        raise errors[0]


@transaction.atomic
def _dispatch_set_batch(
    *,
    now: dt.datetime,
    batch_size: int,
    outlook: dict[str, tuple[dt.datetime | None, dt.datetime | None]],
    report: DispatchReport,
    enqueue: Enqueue,
) -> int:
    batch = sql.dispatch_claimed(
        now=now,
        late_before=now - LATE_LIMIT,
        leased_until=now + requeue_after(),
        limit=batch_size,
        outlook=outlook,
    )
    if not batch.claimed:
        return 0
    if batch.unknown_ids:
        # Rare (edited since the tick began): the row-by-row way, in this transaction.
        rules = list(_rule_rows(ReminderRule.objects.filter(pk__in=batch.unknown_ids)))
        _dispatch_rules(rules, now=now, report=report, enqueue=enqueue)
    pending = batch.pending_ids
    if batch.sessions:
        zones = {user_id: ZoneInfo(zone) for _, user_id, _, zone, _ in batch.sessions}
        dates = {
            user_id: fire_at.astimezone(zones[user_id]).date() for _, user_id, fire_at, _, _ in batch.sessions
        }
        budgets = {user_id: minutes for _, user_id, _, _, minutes in batch.sessions}
        reasons = _session_skip_reasons(dates=dates, budgets=budgets, now=now)
        skipped = [(pk, reasons[user_id]) for pk, user_id, _, _, _ in batch.sessions if user_id in reasons]
        if skipped:
            sql.skip_deliveries(skipped, now=now)
            _count_skips(report, [reason for _, reason in skipped])
        skipped_ids = {pk for pk, _ in skipped}
        pending = sorted([*pending, *(pk for pk, *_ in batch.sessions if pk not in skipped_ids)])
    chunks = _send_chunks(pending)
    if chunks:
        transaction.on_commit(partial(enqueue, chunks))
    report.claimed += batch.claimed - len(batch.unknown_ids)
    report.queued += len(pending)
    report.skipped_late += batch.late
    report.delivery_ids.extend(pending)
    return batch.claimed


def _send_chunks(ids: list[int]) -> list[list[int]]:
    size = max(SEND_CHUNK, -(-len(ids) // MAX_SEND_TASKS))
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _session_skip_reasons(
    *, dates: dict[int, dt.date], budgets: dict[int, int | None], now: dt.datetime
) -> dict[int, str]:
    """Why each of these users gets no session reminder now (absent: they get one).

    ``dates``: each user's local date of the reminder; ``budgets``: their daily minutes.
    """
    # Done when every item due today is logged; optional ones (beyond the budget) are not due.
    done, running = session_reminder_state(dates=dates, budgets=budgets)
    held = users_on_safety_hold(user_ids=list(dates))
    flaring = users_in_flare(user_ids=list(dates), now=now)
    reasons: dict[int, str] = {}
    for user_id in dates:
        if user_id in held:
            # The exercises are paused until someone has looked at what was
            # reported: no nudge to do them (check-in reminders still go).
            reasons[user_id] = Delivery.Reason.SAFETY_HOLD
        elif user_id in flaring:
            # A bad day: the flare plan is there when the person opens the app,
            # with no nudge to do the usual sessions (check-in reminders still go).
            reasons[user_id] = Delivery.Reason.FLARE
        elif user_id in done:
            reasons[user_id] = Delivery.Reason.DONE
        elif user_id not in running:
            # Every program is paused, left or finished: nothing to remind of.
            reasons[user_id] = Delivery.Reason.NO_PROGRAM
    return reasons


def _count_skips(report: DispatchReport, reasons: list[str]) -> None:
    report.skipped_done += reasons.count(Delivery.Reason.DONE)
    report.skipped_no_program += reasons.count(Delivery.Reason.NO_PROGRAM)
    report.skipped_held += reasons.count(Delivery.Reason.SAFETY_HOLD)
    report.skipped_flare += reasons.count(Delivery.Reason.FLARE)


# --- Elsewhere (SQLite): a batch of model rows ------------------------------------------------


def _rule_rows(rules: QuerySet[ReminderRule]) -> QuerySet[ReminderRule]:
    # What the arithmetic needs: whole user rows (password hashes...) cost time.
    return rules.select_related("user").only(
        *RULE_SCHEDULE_FIELDS, "kind", "next_fire_at", "user_id", "user__timezone", "user__daily_minutes"
    )


@transaction.atomic
def _dispatch_batch(*, now: dt.datetime, batch_size: int, report: DispatchReport, enqueue: Enqueue) -> int:
    rules = list(
        _rule_rows(ReminderRule.objects.select_for_update(skip_locked=True, of=("self",)))
        .filter(enabled=True, next_fire_at__lte=now)
        .order_by("next_fire_at")[:batch_size]
    )
    if not rules:
        return 0
    _dispatch_rules(rules, now=now, report=report, enqueue=enqueue)
    return len(rules)


def _dispatch_rules(
    rules: list[ReminderRule], *, now: dt.datetime, report: DispatchReport, enqueue: Enqueue
) -> None:
    """Record and queue these claimed rules' deliveries and move them on, a rule at a time."""
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
        reasons = _session_skip_reasons(dates=dates, budgets=budgets, now=now)
        for delivery in sessions:
            if delivery.user_id in reasons:
                delivery.status, delivery.reason, delivery.finished_at = (
                    Delivery.Status.SKIPPED,
                    reasons[delivery.user_id],
                    now,
                )
    sql.insert_deliveries(deliveries)
    sql.set_next_fire_at([(rule.pk, rule.next_fire_at) for rule in rules])

    pending = [d.pk for d in deliveries if d.status == Delivery.Status.PENDING]
    chunks = _send_chunks(pending)
    if chunks:
        transaction.on_commit(partial(enqueue, chunks))
    report.claimed += len(rules)
    report.queued += len(pending)
    report.skipped_late += sum(d.reason == Delivery.Reason.LATE for d in deliveries)
    _count_skips(report, [d.reason for d in deliveries if d.reason != Delivery.Reason.LATE])
    report.delivery_ids.extend(pending)


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
