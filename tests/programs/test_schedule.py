import datetime as dt

import pytest

from backend.programs.models import Enrollment, Program
from backend.programs.schedule import item_id, parse_item_id
from backend.programs.selectors import plan_for_user
from tests.programs.factories import EnrollmentFactory

# A Monday, so weekday-limited items are easy to reason about.
START = dt.date(2026, 11, 2)


def plan(user, start=START, days=1):
    return plan_for_user(user=user, start=start, days=days)


def keys(day):
    return [item.id.split(":")[1] for item in day.items]


@pytest.fixture
def core(catalog, patient):
    return EnrollmentFactory(
        user=patient, program=Program.objects.get(slug="core-strength"), start_date=START
    )


def test_week_advances_every_seven_days_from_the_start(core, patient):
    days = plan(patient, days=15)

    assert {i.week for i in days[0].items} == {1}
    assert {i.week for i in days[6].items} == {1}
    assert {i.week for i in days[7].items} == {2}
    assert {i.week for i in days[14].items} == {3}


def test_prescriptions_come_from_the_week(core, patient):
    week1, week2 = plan(patient, days=8)[0], plan(patient, days=8)[7]

    plank1 = next(i for i in week1.items if i.exercise.slug == "plank")
    plank2 = next(i for i in week2.items if i.exercise.slug == "plank")
    assert plank1.prescription["hold_seconds"] == 15
    assert plank2.prescription["hold_seconds"] == 20


def test_an_item_starts_in_the_week_the_content_says(core, patient):
    days = plan(patient, days=15)

    assert "side-plank" not in keys(days[0])
    assert "side-plank" in keys(days[14])


def test_weekday_limited_items_rest_on_their_off_days(core, patient):
    days = plan(patient, days=7)
    sunday = days[6]

    assert sunday.date.weekday() == 6
    assert keys(sunday) == ["walk"]
    assert "bridge" in keys(days[0])


def test_items_are_ordered_through_the_day(catalog, patient):
    EnrollmentFactory(
        user=patient, program=Program.objects.get(slug="breathing-relaxation"), start_date=START
    )

    (day,) = plan(patient, start=START + dt.timedelta(days=7))

    order = ["morning", "midday", "afternoon", "evening", "bedtime"]
    times = [i.time_of_day for i in day.items]
    assert times == sorted(times, key=order.index)
    assert times[0] == "morning" and times[-1] == "bedtime"


def test_no_items_before_the_start_or_after_the_last_week(core, patient):
    assert plan(patient, start=START - dt.timedelta(days=1))[0].items == []
    last = plan(patient, start=START + dt.timedelta(weeks=6) - dt.timedelta(days=1))[0]
    assert {i.week for i in last.items} == {6}
    assert plan(patient, start=START + dt.timedelta(weeks=6))[0].items == []


def test_paused_days_have_no_items_and_resuming_brings_them_back(core, patient):
    core.pauses = [["2026-11-04", "2026-11-06"]]
    core.save()

    days = plan(patient, days=5)

    assert [bool(d.items) for d in days] == [True, True, False, False, True]


def test_leaving_removes_items_from_that_day_on(core, patient):
    core.status = Enrollment.Status.LEFT
    core.ended_on = START + dt.timedelta(days=2)
    core.save()

    assert [bool(d.items) for d in plan(patient, days=4)] == [True, True, False, False]


def test_item_ids_are_stable_and_readable():
    assert item_id("core-strength", "plank", START) == "core-strength:plank:2026-11-02"
    assert parse_item_id("core-strength:plank:2026-11-02") == ("core-strength", "plank", START)
    assert parse_item_id("core-strength:plank:2026-02-30") is None
    assert parse_item_id("CORE:plank:2026-11-02") is None


def test_the_same_program_twice_never_duplicates_an_item(core, patient):
    core.status = Enrollment.Status.LEFT
    core.ended_on = START + dt.timedelta(days=10)
    core.save()
    EnrollmentFactory(user=patient, program=core.program, start_date=START + dt.timedelta(days=7))

    (day,) = plan(patient, start=START + dt.timedelta(days=8))

    ids = [i.id for i in day.items]
    assert len(ids) == len(set(ids))
    assert {i.week for i in day.items} == {1}
