"""The set-based dispatcher at scale: every rule exactly what the per-rule arithmetic says,
through DST, and two dispatchers at once never record a reminder twice."""

from __future__ import annotations

import datetime as dt
import os
import random
import threading
from collections import Counter

import pytest
from django.db import connection

from backend.reminders import dispatch as dispatcher
from backend.reminders import sql
from backend.reminders.deliveries import LATE_LIMIT
from backend.reminders.dispatch import reminders_dispatch
from backend.reminders.models import Delivery, ReminderRule
from backend.reminders.schedule import Schedule, latest_due, next_fire_after
from tests.reminders.seeds import ALL_DAYS, SeedRule, seed_rules

UTC = dt.UTC
# The 200,000-rule run takes about a minute (50 s here, beside other suites): out of
# the default run, in with SCALE_TESTS=1.
SCALE_TESTS = os.environ.get("SCALE_TESTS") == "1"
pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# Zones with DST in both hemispheres, half-hour DST (Lord Howe), 45-minute offsets
# (Chatham), transitions at midnight (Havana, Santiago), none at all (Kolkata).
ZONES = [
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Havana",
    "America/Santiago",
    "America/St_Johns",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "UTC",
]
# Around the hours the clocks change, at both ends of a night, and midday.
TIMES = ["00:00", "00:30", "01:00", "01:15", "01:30", "01:59", "02:00", "02:30", "03:00", "03:30"]
TIMES += ["06:45", "07:30", "12:00", "19:00", "22:15", "23:30", "23:59"]
KINDS = ["checkin", "breathing", "bedtime", "desk_break"]


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def schedule_pool(rng: random.Random, size: int) -> list[SeedRule]:
    """``size`` distinct-ish schedules (zone and fields; no due time yet)."""
    pool = []
    for _ in range(size):
        zone = rng.choice(ZONES)
        weekdays = ALL_DAYS if rng.random() < 0.6 else sorted(rng.sample(ALL_DAYS, rng.randint(1, 6)))
        quiet = rng.choice(
            [None, None, ["22:00", "07:00"], ["01:00", "02:00"], ["02:00", "03:00"], ["12:30", "23:45"]]
        )
        if rng.random() < 0.7:
            fields: dict = {"times": sorted(set(rng.sample(TIMES, rng.randint(1, 3))))}
        else:
            start, end = rng.choice(
                [("00:00", "04:00"), ("01:00", "03:30"), ("09:00", "17:00"), ("00:30", "23:30")]
            )
            fields = {"every_minutes": rng.choice([15, 20, 30, 45, 60, 90, 240]), "window": [start, end]}
        pool.append(
            SeedRule(
                zone=zone,
                due=dt.datetime.min.replace(tzinfo=UTC),
                weekdays=weekdays,
                quiet_hours=quiet,
                **fields,
            )
        )
    return pool


def as_schedule(rule: SeedRule) -> Schedule:
    return Schedule.from_fields(
        zone=rule.zone,
        times=rule.times,
        every_minutes=rule.every_minutes,
        window=rule.window,
        weekdays=rule.weekdays,
        quiet_hours=rule.quiet_hours,
    )


def due_rules(now: dt.datetime, count: int, *, seed: int = 19) -> list[SeedRule]:
    """``count`` rules due by ``now``: on one of their slots of the last three hours (some
    more than an hour late), or at a moment that is no slot of theirs (a rule edited, a
    clock moved), or exactly now."""
    rng = random.Random(seed)
    pool = schedule_pool(rng, 400)
    backs = [dt.timedelta(minutes=m) for m in (0, 1, 14, 30, 59, 60, 61, 75, 119, 150, 180)]
    slot_memo: dict[tuple[int, dt.timedelta], dt.datetime | None] = {}
    rules = []
    for n in range(count):
        index = rng.randrange(len(pool))
        back = rng.choice(backs)
        if rng.random() < 0.7:
            key = (index, back)
            if key not in slot_memo:
                slot = next_fire_after(as_schedule(pool[index]), now - back - dt.timedelta(minutes=30))
                slot_memo[key] = slot if slot is not None and slot <= now else None
            due = slot_memo[key] or now - back
        else:
            due = now - back
        rules.append(SeedRule(**{**pool[index].__dict__, "due": due, "kind": KINDS[n % len(KINDS)]}))
    return rules


def expected_outcome(rules: list[SeedRule], ids: list[int], now: dt.datetime):
    """What the per-rule arithmetic (the dispatcher before it went set-based) records
    and where it moves each rule: ({(rule, fire_at, status, reason)}, {rule: next})."""
    memo: dict[tuple, tuple] = {}
    deliveries, moved = set(), {}
    for rule_id, rule in zip(ids, rules, strict=True):
        key = (
            rule.zone,
            tuple(rule.times),
            rule.every_minutes,
            tuple(rule.window or ()),
            tuple(rule.weekdays),
            tuple(rule.quiet_hours or ()),
            rule.due,
        )
        if key not in memo:
            schedule = as_schedule(rule)
            slots = []
            due: dt.datetime | None = rule.due
            if now - rule.due > LATE_LIMIT:
                slots.append((rule.due, "skipped", "late"))
                recent = next_fire_after(schedule, now - LATE_LIMIT)
                due = recent if recent is not None and recent <= now else None
            if due is not None:
                slots.append((latest_due(schedule, due, now), "pending", ""))
            memo[key] = (slots, next_fire_after(schedule, now))
        slots, following = memo[key]
        deliveries.update((rule_id, *slot) for slot in slots)
        moved[rule_id] = following
    return deliveries, moved


@pytest.mark.parametrize(
    ("now", "count"),
    [
        # Europe springs forward at 01:00 UTC: 02:30 in Paris and 01:30 in London never happen.
        pytest.param(
            utc("2026-03-29T01:30:00"),
            200_000,
            marks=[
                pytest.mark.slow,
                pytest.mark.skipif(
                    not SCALE_TESTS,
                    reason="about a minute: run with SCALE_TESTS=1 (README, Reminders at scale)",
                ),
            ],
            id="spring-forward-200k",
        ),
        # New York falls back at 06:00 UTC (01:30 happens twice), Havana at 05:00.
        pytest.param(utc("2026-11-01T06:40:00"), 20_000, id="fall-back-20k"),
    ],
)
def test_every_rule_fires_and_moves_on_exactly_as_the_per_rule_arithmetic_says_through_dst(
    now, count, django_capture_on_commit_callbacks
):
    rules = due_rules(now, count)
    ids = seed_rules(rules)
    deliveries, moved = expected_outcome(rules, ids, now)

    queued: list[list[int]] = []
    with django_capture_on_commit_callbacks(execute=True):
        report = reminders_dispatch(enqueue=queued.extend, now=now)

    recorded = set(Delivery.objects.values_list("rule_id", "fire_at", "status", "reason"))
    assert len(recorded) == Delivery.objects.count()
    missing, extra = deliveries - recorded, recorded - deliveries
    assert (sorted(missing)[:5], sorted(extra)[:5]) == ([], [])
    assert dict(ReminderRule.objects.values_list("id", "next_fire_at")) == moved
    statuses = Counter((status, reason) for _, _, status, reason in deliveries)
    assert (report.claimed, report.queued, report.skipped_late) == (
        count,
        statuses["pending", ""],
        statuses["skipped", "late"],
    )
    # Every pending one queued once, in few send tasks (a publish costs milliseconds).
    assert sorted(i for chunk in queued for i in chunk) == sorted(report.delivery_ids)
    assert len(queued) <= report.batches * dispatcher.MAX_SEND_TASKS
    # What this data set is meant to cover did happen.
    assert statuses["skipped", "late"] > count / 20 and statuses["pending", ""] > count / 2
    # (Night-time slots inside their own quiet hours: some rules never fire again.)
    assert sum(1 for n in moved.values() if n is None) < count / 5


def test_a_rule_edited_after_the_tick_read_the_schedules_still_fires_by_its_new_fields(monkeypatch):
    now = utc("2026-11-23T08:50:00")  # Monday, 09:50 in Paris
    (edited, other) = seed_rules(
        [
            SeedRule(zone="Europe/Paris", due=utc("2026-11-23T08:30"), times=["09:30"]),
            SeedRule(zone="Europe/Paris", due=utc("2026-11-23T08:30"), times=["09:30"]),
        ]
    )
    real = sql.due_schedules

    def read_then_edit(**kwargs):
        schedules = real(**kwargs)
        # The person switches to desk breaks meanwhile (its next time is not recomputed yet).
        ReminderRule.objects.filter(pk=edited).update(times=[], every_minutes=15, window=["09:00", "17:00"])
        return schedules

    monkeypatch.setattr(sql, "due_schedules", read_then_edit)

    report = reminders_dispatch(enqueue=lambda chunks: None, now=now)

    assert report.claimed == report.queued == 2
    assert dict(Delivery.objects.values_list("rule_id", "fire_at")) == {
        edited: utc("2026-11-23T08:45"),  # the latest of its new slots, 09:45 in Paris
        other: utc("2026-11-23T08:30"),
    }
    assert dict(ReminderRule.objects.values_list("id", "next_fire_at")) == {
        edited: utc("2026-11-23T09:00"),
        other: utc("2026-11-24T08:30"),
    }


def test_two_dispatchers_at_once_record_each_reminder_exactly_once(transactional_db, monkeypatch):
    now = utc("2026-03-29T01:30:00")
    rules = due_rules(now, 3000, seed=7)
    ids = seed_rules(rules)
    deliveries, _ = expected_outcome(rules, ids, now)
    # Each dispatcher stops inside its first batch's transaction, rows locked, until the
    # other is in the same place: they hold their claims at the same moment, so the
    # second cannot have taken anything the first holds (it would wait, and the barrier
    # would break).
    both_hold_a_batch = threading.Barrier(2, timeout=30)
    real = sql.dispatch_claimed
    seen = threading.local()

    def claim_then_wait(**kwargs):
        batch = real(**kwargs)
        if not getattr(seen, "first", False):
            seen.first = True
            both_hold_a_batch.wait()
        return batch

    monkeypatch.setattr(sql, "dispatch_claimed", claim_then_wait)
    reports, errors = [], []

    def run() -> None:
        try:
            reports.append(reminders_dispatch(enqueue=lambda chunks: None, now=now, batch_size=1000))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert all(report.claimed >= 1000 for report in reports), [r.claimed for r in reports]
    assert sum(report.claimed for report in reports) == 3000
    queued = [i for report in reports for i in report.delivery_ids]
    assert len(queued) == len(set(queued)) == sum(1 for d in deliveries if d[2] == "pending")
    recorded = list(Delivery.objects.values_list("rule_id", "fire_at", "status", "reason"))
    assert sorted(recorded) == sorted(deliveries)
    assert not ReminderRule.objects.filter(next_fire_at__lte=now).exists()


def test_one_dispatcher_claims_on_two_connections_at_once_and_records_each_reminder_once(
    transactional_db, monkeypatch, settings
):
    settings.REMINDERS_DISPATCH_CONNECTIONS = 2
    now = utc("2026-10-25T00:30:00")
    rules = due_rules(now, 3000, seed=11)
    ids = seed_rules(rules)
    deliveries, _ = expected_outcome(rules, ids, now)
    # Each connection's first batch waits, rows locked, until the other holds one too:
    # both really claim at the same moment (on two PostgreSQL backends).
    both_hold_a_batch = threading.Barrier(2, timeout=30)
    real = sql.dispatch_claimed
    seen = threading.local()
    backends: Counter[int] = Counter()

    def claim_then_wait(**kwargs):
        batch = real(**kwargs)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backends[cursor.fetchone()[0]] += batch.claimed
        if not getattr(seen, "first", False):
            seen.first = True
            both_hold_a_batch.wait()
        return batch

    monkeypatch.setattr(sql, "dispatch_claimed", claim_then_wait)
    queued_chunks: list[list[int]] = []

    report = reminders_dispatch(enqueue=queued_chunks.extend, now=now, batch_size=500)

    assert len(backends) == 2 and all(backends.values()), backends
    assert report.claimed == sum(backends.values()) == 3000
    queued = [i for chunk in queued_chunks for i in chunk]
    pending = sum(1 for d in deliveries if d[2] == "pending")
    assert sorted(queued) == sorted(report.delivery_ids) and len(set(queued)) == report.queued == pending
    recorded = list(Delivery.objects.values_list("rule_id", "fire_at", "status", "reason"))
    assert sorted(recorded) == sorted(deliveries)
    assert not ReminderRule.objects.filter(next_fire_at__lte=now).exists()


def test_when_one_connection_fails_what_the_other_committed_stays_and_the_error_is_raised(
    transactional_db, monkeypatch, settings
):
    settings.REMINDERS_DISPATCH_CONNECTIONS = 2
    now = utc("2026-10-25T00:30:00")
    rules = due_rules(now, 2000, seed=5)
    ids = seed_rules(rules)
    deliveries, _ = expected_outcome(rules, ids, now)
    real = sql.dispatch_claimed

    def fail_on_the_second_connection(**kwargs):
        if threading.current_thread().name == "dispatch-1":
            raise RuntimeError("connection lost")
        return real(**kwargs)

    monkeypatch.setattr(sql, "dispatch_claimed", fail_on_the_second_connection)
    queued_chunks: list[list[int]] = []

    with pytest.raises(RuntimeError, match="connection lost"):
        reminders_dispatch(enqueue=queued_chunks.extend, now=now, batch_size=500)

    # The first connection went on alone and took every rule; each was recorded once, and queued.
    recorded = list(Delivery.objects.values_list("rule_id", "fire_at", "status", "reason"))
    assert sorted(recorded) == sorted(deliveries)
    assert not ReminderRule.objects.filter(next_fire_at__lte=now).exists()
    pending = set(Delivery.objects.filter(status="pending").values_list("id", flat=True))
    assert {i for chunk in queued_chunks for i in chunk} == pending


def test_a_batch_is_the_same_few_statements_however_many_rules_are_due(django_assert_max_num_queries):
    now = utc("2026-03-29T01:30:00")
    seed_rules(due_rules(now, 5000, seed=3))

    # the schedules due; then each batch: savepoint, its settings, the one statement,
    # release. Two batches: the small first one (FIRST_SET_BATCH, so sends start at
    # once), then one for the other 4,000: the same for 5,000 rules as for 51,000.
    with django_assert_max_num_queries(1 + 2 * 4):
        report = reminders_dispatch(enqueue=lambda chunks: None, now=now, batch_size=dispatcher.SET_BATCH)

    assert report.claimed == 5000
    assert report.batches == 2
