"""The per-minute dispatcher: claims due rules, records deliveries, queues sends."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from backend.accounts.models import User
from backend.programs.models import Enrollment, Program
from backend.programs.selectors import plan_for_user
from backend.reminders import dispatch as dispatcher
from backend.reminders.dispatch import reminders_dispatch
from backend.reminders.models import Delivery, ReminderRule
from backend.reminders.rules import reminder_rule_create
from backend.reminders.tasks import enqueue_sends
from tests.accounts.factories import UserFactory
from tests.programs.factories import EnrollmentFactory
from tests.tracker.helpers import entry, session, sync

UTC = dt.UTC
pytestmark = pytest.mark.django_db


def at(text: str):
    return time_machine.travel(text, tick=False)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def breathing_0730(patient):
    with at("2026-11-21T05:00:00Z"):  # Paris, 06:00
        return reminder_rule_create(user=patient, kind="breathing", times=["07:30", "19:00"])


def sent_chunks(callbacks) -> list[list[int]]:
    """The delivery ids each send_reminders task gets, from the on-commit callbacks."""
    return [chunk for callback in callbacks for chunk in callback.args[0]]


def dispatch(now: str, **kwargs):
    with at(now):
        return reminders_dispatch(enqueue=enqueue_sends, **kwargs)


def test_a_due_reminder_is_recorded_queued_and_moved_to_its_next_time(
    breathing_0730, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        report = dispatch("2026-11-21T06:30:20Z")

    (delivery,) = Delivery.objects.all()
    assert (delivery.kind, delivery.fire_at, delivery.status) == (
        "breathing",
        utc("2026-11-21T06:30"),
        "pending",
    )
    assert report.queued == 1
    assert sent_chunks(queued) == [[delivery.pk]]
    breathing_0730.refresh_from_db()
    assert breathing_0730.next_fire_at == utc("2026-11-21T18:00")  # 19:00 in Paris


def test_nothing_fires_before_its_time_and_a_slot_fires_once(breathing_0730):
    assert dispatch("2026-11-21T06:29:59Z").claimed == 0
    assert dispatch("2026-11-21T06:30:00Z").queued == 1
    assert dispatch("2026-11-21T06:30:59Z").claimed == 0
    assert dispatch("2026-11-21T06:31:30Z").claimed == 0
    assert Delivery.objects.count() == 1


def test_a_reminder_more_than_an_hour_late_is_skipped_not_sent(
    breathing_0730, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        report = dispatch("2026-11-21T07:31:00Z")  # the workers were down from 07:00 to 08:31 Paris

    (delivery,) = Delivery.objects.all()
    assert (delivery.status, delivery.reason) == ("skipped", "late")
    assert report.queued == 0 and queued == []
    breathing_0730.refresh_from_db()
    assert breathing_0730.next_fire_at == utc("2026-11-21T18:00")


def test_a_little_late_is_still_sent(breathing_0730):
    assert dispatch("2026-11-21T07:29:00Z").queued == 1  # 59 minutes late


@pytest.fixture
def desk_breaks(patient):
    with at("2026-11-23T07:00:00Z"):  # Monday 08:00 Paris
        return reminder_rule_create(
            user=patient, kind="desk_break", every_minutes=15, window=["09:00", "17:00"]
        )


def test_after_a_short_outage_an_interval_reminder_sends_one_not_a_burst(desk_breaks):
    report = dispatch("2026-11-23T08:50:00Z")  # 09:50 Paris: 09:00, 09:15, 09:30, 09:45 missed

    assert list(Delivery.objects.values_list("fire_at", "status")) == [(utc("2026-11-23T08:45"), "pending")]
    assert report.queued == 1
    desk_breaks.refresh_from_db()
    assert desk_breaks.next_fire_at == utc("2026-11-23T09:00")  # 10:00 Paris


def test_after_a_long_outage_stale_slots_are_skipped_and_only_the_latest_is_sent(desk_breaks):
    report = dispatch("2026-11-23T09:20:00Z")  # 10:20 Paris: 80 minutes of slots missed

    assert list(Delivery.objects.order_by("fire_at").values_list("fire_at", "status", "reason")) == [
        (utc("2026-11-23T08:00"), "skipped", "late"),  # the first missed, over an hour ago
        (utc("2026-11-23T09:15"), "pending", ""),  # only the latest
    ]
    assert (report.queued, report.skipped_late) == (1, 1)
    desk_breaks.refresh_from_db()
    assert desk_breaks.next_fire_at == utc("2026-11-23T09:30")


def log_all_due(client, user, day: dt.date, *, skip: int = 0) -> None:
    """Log (done, the last one skipped) every item due on ``day`` but the last ``skip``."""
    (plan,) = plan_for_user(user=user, start=day, days=1)
    due = [item.id for item in plan.due]
    due = due[: len(due) - skip]
    logs = [
        entry("session", {"date": day.isoformat(), "item_id": item, "status": "done"}) for item in due[:-1]
    ]
    logs.append(entry("session", {"date": day.isoformat(), "item_id": due[-1], "status": "skipped"}))
    sync(client, *logs)


def test_a_session_reminder_is_skipped_once_everything_due_today_is_logged(catalog, login):
    logged, partly, not_yet, yesterday = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    for user in (logged, partly, not_yet, yesterday):
        EnrollmentFactory(user=user, start_date=dt.date(2026, 11, 16))
    with at("2026-11-21T08:00:00Z"):
        rules = {
            user: reminder_rule_create(user=user, kind="session", times=["18:00"])
            for user in (logged, partly, not_yet, yesterday)
        }
        log_all_due(login(logged), logged, dt.date(2026, 11, 21))
        # The morning session logged, the afternoon walk not yet: worth a reminder.
        log_all_due(login(partly), partly, dt.date(2026, 11, 21), skip=1)
        log_all_due(login(yesterday), yesterday, dt.date(2026, 11, 20))

    report = dispatch("2026-11-21T17:00:10Z")  # 18:00 in Paris

    statuses = {
        user: (d.status, d.reason) for user in rules for d in Delivery.objects.filter(rule=rules[user])
    }
    assert statuses == {
        logged: ("skipped", "done"),
        partly: ("pending", ""),
        not_yet: ("pending", ""),
        yesterday: ("pending", ""),
    }
    assert (report.queued, report.skipped_done) == (3, 1)


def test_optional_items_are_not_needed_to_be_done(catalog, login):
    # With a 10-minute budget some of today's items are optional: logging the others is enough.
    person = UserFactory(daily_minutes=10)
    EnrollmentFactory(user=person, start_date=dt.date(2026, 11, 16))
    (plan,) = plan_for_user(user=person, start=dt.date(2026, 11, 21), days=1)
    assert any(item.optional for item in plan.items)
    with at("2026-11-21T08:00:00Z"):
        rule = reminder_rule_create(user=person, kind="session", times=["18:00"])
        log_all_due(login(person), person, dt.date(2026, 11, 21))

    dispatch("2026-11-21T17:00:10Z")

    assert Delivery.objects.get(rule=rule).reason == "done"


def test_skip_if_done_uses_the_users_own_date(catalog, login):
    # 06:30 in Auckland on the 22nd is still the 21st in UTC; a log for the 22nd counts.
    kiwi = UserFactory(timezone="Pacific/Auckland")
    EnrollmentFactory(user=kiwi, start_date=dt.date(2026, 11, 16))
    with at("2026-11-21T16:00:00Z"):
        reminder_rule_create(user=kiwi, kind="session", times=["07:30"])
        log_all_due(login(kiwi), kiwi, dt.date(2026, 11, 22))

    dispatch("2026-11-21T18:30:00Z")

    assert Delivery.objects.get().reason == "done"


@pytest.mark.parametrize("how", ["paused", "left", "finished", "never enrolled"])
def test_no_session_reminder_while_no_program_runs(catalog, how):
    person = UserFactory()
    if how != "never enrolled":
        enrollment = EnrollmentFactory(
            user=person, start_date=dt.date(2026, 9, 1) if how == "finished" else dt.date(2026, 11, 16)
        )
        if how == "paused":
            enrollment.status, enrollment.pauses = "paused", [["2026-11-20", None]]
        elif how == "left":
            enrollment.status, enrollment.ended_on = "left", dt.date(2026, 11, 20)
        enrollment.save()
    with at("2026-11-21T08:00:00Z"):
        session_rule = reminder_rule_create(user=person, kind="session", times=["18:00"])
        breathing_rule = reminder_rule_create(user=person, kind="breathing", times=["18:00"])

    dispatch("2026-11-21T17:00:10Z")

    assert Delivery.objects.get(rule=session_rule).reason == "no_program"
    # Breathing and other habits do not depend on a program: still sent.
    assert Delivery.objects.get(rule=breathing_rule).status == "pending"


def test_only_sessions_are_skipped_when_done(catalog, login):
    with at("2026-11-21T08:00:00Z"):
        person = UserFactory()
        reminder_rule_create(user=person, kind="checkin", times=["18:00"])
        sync(login(person), entry("session", session(day=dt.date(2026, 11, 21))))

    assert dispatch("2026-11-21T17:00:00Z").queued == 1


def test_disabled_rules_are_not_claimed(breathing_0730):
    ReminderRule.objects.filter(pk=breathing_0730.pk).update(enabled=False, next_fire_at=None)

    assert dispatch("2026-11-21T06:30:00Z").claimed == 0


def test_sends_are_queued_in_chunks(django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(dispatcher, "SEND_CHUNK", 50)
    with at("2026-11-21T05:00:00Z"):
        for user in UserFactory.create_batch(250):
            reminder_rule_create(user=user, kind="checkin", times=["07:30"])

    with django_capture_on_commit_callbacks() as queued:
        report = dispatch("2026-11-21T06:30:00Z", batch_size=120)

    assert [len(chunk) for chunk in sent_chunks(queued)] == [50, 50, 20, 50, 50, 20, 10]
    assert report.batches == 3
    assert sorted(i for chunk in sent_chunks(queued) for i in chunk) == sorted(
        Delivery.objects.values_list("pk", flat=True)
    )


def _due_rules(count: int, *, kind: str = "session") -> None:
    """``count`` users each with a rule due at 07:30 Paris on 21 November (in bulk, for
    speed); session reminders need a program to remind of, so those users follow one."""
    users = User.objects.bulk_create(
        [User(email=f"due{n}@example.com", timezone="Europe/Paris") for n in range(count)]
    )
    if kind == "session":
        program = Program.objects.get(slug="core-strength")
        Enrollment.objects.bulk_create(
            [Enrollment(user=user, program=program, start_date=dt.date(2026, 11, 16)) for user in users]
        )
    ReminderRule.objects.bulk_create(
        [
            ReminderRule(
                user=user,
                kind=kind,
                times=["07:30"],
                weekdays=list(range(7)),
                next_fire_at=utc("2026-11-21T06:30"),
            )
            for user in users
        ]
    )


# Up to 120: SQLite splits an INSERT of more rows (999 parameters); PostgreSQL does not.
@pytest.mark.parametrize("count", [10, 120])
def test_a_batch_takes_the_same_few_queries_however_many_are_due(
    catalog, count, django_assert_max_num_queries
):
    _due_rules(count)

    # savepoint, claim (with users), running programs, their items (unless this process
    # has them), prescriptions and exercises set aside, logged sessions, safety holds,
    # flares, deliveries, next times, release
    with django_assert_max_num_queries(11):
        report = dispatch("2026-11-21T06:30:00Z")

    assert report.queued == count


def test_a_slot_cannot_be_recorded_twice(breathing_0730):
    Delivery.objects.create(
        user=breathing_0730.user, rule=breathing_0730, kind="breathing", fire_at=utc("2026-11-21T06:30")
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            user=breathing_0730.user, rule=breathing_0730, kind="breathing", fire_at=utc("2026-11-21T06:30")
        )


@pytest.mark.postgres
def test_concurrent_dispatchers_never_record_a_reminder_twice(transactional_db):
    _due_rules(600, kind="checkin")
    reports, errors = [], []
    start = threading.Barrier(4)

    def run() -> None:
        try:
            start.wait()
            with at("2026-11-21T06:30:00Z"):
                reports.append(reminders_dispatch(batch_size=25, enqueue=enqueue_sends))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    queued = [i for report in reports for i in report.delivery_ids]
    assert len(queued) == len(set(queued)) == 600
    assert sum(1 for report in reports if report.claimed) >= 2, "the dispatchers did not overlap"
    assert Delivery.objects.count() == 600
    assert not ReminderRule.objects.filter(next_fire_at__lte=utc("2026-11-21T06:30")).exists()


def test_one_batch_moves_each_rule_by_its_own_zone_and_times():
    paris, tokyo = UserFactory(timezone="Europe/Paris"), UserFactory(timezone="Asia/Tokyo")
    with at("2026-11-20T12:00:00Z"):
        rules = [
            reminder_rule_create(user=paris, kind="checkin", times=["07:30"]),
            reminder_rule_create(user=tokyo, kind="checkin", times=["07:30"]),
            reminder_rule_create(user=paris, kind="bedtime", times=["07:30", "21:30"]),
        ]
    ReminderRule.objects.update(next_fire_at=utc("2026-11-21T06:00"))

    dispatch("2026-11-21T06:30:00Z")

    moved = [ReminderRule.objects.get(pk=rule.pk).next_fire_at for rule in rules]
    assert moved == [utc("2026-11-22T06:30"), utc("2026-11-21T22:30"), utc("2026-11-21T20:30")]
