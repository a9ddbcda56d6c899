"""The guided plan (issue 15): one exercise once per time of day, sessions with their
minutes, and the daily budget (backend/programs/schedule.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from backend.programs.models import Exercise, Program
from backend.programs.schedule import (
    HABIT_SECONDS,
    REST_BETWEEN_SETS_SECONDS,
    SECONDS_BETWEEN_REPS,
    SECONDS_PER_REP,
    item_seconds,
    minutes_of,
)
from backend.programs.selectors import plan_for_user
from tests.programs.factories import EnrollmentFactory

# A Monday: every weekday-limited item of the four programs but Sunday's is planned.
MONDAY = dt.date(2026, 11, 2)
ALL = ("core-strength", "back-stretches", "breathing-relaxation", "sleep-hygiene")


def enroll(user, *slugs: str) -> None:
    for slug in slugs:
        EnrollmentFactory(user=user, program=Program.objects.get(slug=slug), start_date=MONDAY)


def today(user, budget: int | None = None):
    user.daily_minutes = budget
    (day,) = plan_for_user(user=user, start=MONDAY, days=1)
    return day


def unmerged_count(user) -> int:
    return sum(len(today_of(user, slug).items) for slug in ALL)


def today_of(user, slug):
    from backend.programs.schedule import plan_days
    from backend.programs.selectors import enrollments_for_window

    (day,) = plan_days(
        [e for e in enrollments_for_window(user=user, start=MONDAY, days=1) if e.program.slug == slug],
        MONDAY,
        1,
    )
    return day


# --- merge -------------------------------------------------------------------------


def test_all_four_programs_on_a_monday_plan_no_exercise_twice_in_a_time_of_day(catalog, patient):
    enroll(patient, *ALL)

    day = today(patient)

    counts = Counter((item.time_of_day, item.exercise.slug) for item in day.items)
    assert max(counts.values()) == 1
    assert len(day.items) < unmerged_count(patient)
    # Knee-to-chest is the core program's morning cool-down and the stretches' evening
    # stretch: two times of day, two items.
    assert Counter(i.exercise.slug for i in day.items)["knee-to-chest"] == 2


def test_the_merged_item_lists_both_programs_and_keeps_the_gentler_dose(catalog, patient):
    enroll(patient, "core-strength", "back-stretches")

    (cat_cow,) = [i for i in today(patient).items if i.exercise.slug == "cat-cow"]

    assert set(cat_cow.programs) == {"core-strength", "back-stretches"}
    # Week 1: the core program asks 6 reps, the stretches 8: the 6 are kept, with their id.
    assert cat_cow.prescription == {"reps": 6}
    assert (cat_cow.id, cat_cow.program) == ("core-strength:warm-up:2026-11-02", "core-strength")
    assert cat_cow.aliases == ("back-stretches:cat-cow:2026-11-02",)
    # Still the warm-up: first of the morning.
    assert today(patient).items[0].exercise.slug == "cat-cow"


def test_the_merge_is_the_same_whatever_the_order_of_enrolling(catalog, patient, other_patient):
    enroll(patient, "core-strength", "back-stretches")
    enroll(other_patient, "back-stretches", "core-strength")

    assert [i.id for i in today(patient).items] == [i.id for i in today(other_patient).items]


# --- sessions and minutes ------------------------------------------------------------


def test_sessions_follow_the_day_and_hold_every_item_once(catalog, patient):
    enroll(patient, *ALL)

    day = today(patient)

    assert [s.time_of_day for s in day.sessions] == ["morning", "midday", "afternoon", "evening", "bedtime"]
    assert [i.id for s in day.sessions for i in s.items] == [i.id for i in day.items]
    assert day.minutes == 93  # from the seconds: a little less than the sessions rounded up
    # Afternoon: the walk starts at five minutes (S5), plus belly breathing (3) and the caffeine cut-off (1).
    assert sum(s.minutes for s in day.sessions) == 15 + 3 + 9 + 50 + 18


def exercise(kind="reps", pattern=None) -> Exercise:
    return Exercise(slug="x", name="X", kind=kind, pattern=pattern)


@pytest.mark.parametrize(
    ("kind", "pattern", "prescription", "seconds"),
    [
        ("reps", None, {"reps": 6}, 6 * SECONDS_PER_REP),
        ("reps", None, {"sets": 2, "reps": 8, "hold_seconds": 3}, 2 * 8 * (3 + SECONDS_BETWEEN_REPS) + 30),
        (
            "reps",
            None,
            {"sets": 2, "reps": 5, "per_side": True},
            2 * 5 * 2 * SECONDS_PER_REP + REST_BETWEEN_SETS_SECONDS,
        ),
        ("hold", None, {"sets": 3, "hold_seconds": 15}, 3 * (15 + SECONDS_BETWEEN_REPS) + 2 * 30),
        (
            "hold",
            None,
            {"reps": 2, "hold_seconds": 30, "per_side": True},
            2 * 2 * (30 + SECONDS_BETWEEN_REPS),
        ),
        ("timed", None, {"duration_seconds": 600}, 600),
        ("breathing", {"inhale": 4, "hold": 7, "exhale": 8}, {"breaths": 4}, 4 * 19),
        ("breathing", {"inhale": 4, "exhale": 6}, {"duration_seconds": 120}, 120),
        ("habit", None, {"note": "Last caffeine before 16:00."}, HABIT_SECONDS),
        ("habit", None, {}, HABIT_SECONDS),
    ],
    ids=[
        "reps",
        "sets of held reps",
        "per side",
        "sets of holds",
        "held per side",
        "timed",
        "breaths of 4-7-8",
        "breathing for a time",
        "habit with a note",
        "habit",
    ],
)
def test_an_items_time_follows_its_prescription(kind, pattern, prescription, seconds):
    assert item_seconds(exercise(kind, pattern), prescription) == seconds


def test_minutes_round_up():
    assert [minutes_of(s) for s in (0, 1, 60, 61, 600)] == [0, 1, 1, 2, 10]


# --- budget --------------------------------------------------------------------------


def test_without_a_budget_nothing_is_optional(catalog, patient):
    enroll(patient, *ALL)

    day = today(patient, None)

    assert not any(item.optional for item in day.items)
    assert day.minutes > 30  # all four programs on a Monday: well over half an hour


@pytest.mark.parametrize("budget", [10, 20, 30])
def test_what_is_due_fits_the_budget_and_the_rest_is_optional(catalog, patient, budget):
    enroll(patient, *ALL)
    whole = today(patient, None)

    day = today(patient, budget)

    due_seconds = sum(i.seconds for i in day.items if not i.optional)
    assert due_seconds <= budget * 60
    assert any(item.optional for item in day.items)
    # Nothing dropped: the same items, some of them optional.
    assert [i.id for i in day.items] == [i.id for i in whole.items]
    assert day.minutes <= budget
    assert day.minutes <= sum(s.minutes for s in day.sessions) <= day.minutes + len(day.sessions)
    # Every time of day keeps something to start, and a breathing item is always kept.
    assert all(any(not i.optional for i in s.items) for s in day.sessions)
    assert any(i.exercise.kind == "breathing" and not i.optional for i in day.items)


def test_a_budget_larger_than_the_day_leaves_nothing_optional(catalog, patient):
    enroll(patient, "core-strength")
    whole = today(patient, None)
    assert whole.minutes < 90

    assert not any(item.optional for item in today(patient, 90).items)


def test_a_ten_minute_budget_on_a_monday_keeps_these_items(catalog, patient):
    """The rule, spelled out: the first breathing item (4-7-8, 76 s), then for each
    session its first item that fits (the evening's heat, 15 min, does not: child's
    pose does), then the others in day order as long as they fit (the warm-up)."""
    enroll(patient, *ALL)

    day = today(patient, 10)

    kept = [i.id.rsplit(":", 1)[0] for i in day.items if not i.optional]
    assert kept == [
        "breathing-relaxation:breathing-478-morning",
        "core-strength:warm-up",
        "breathing-relaxation:long-exhale-midday",
        "breathing-relaxation:belly-breathing",
        "back-stretches:childs-pose",
        "breathing-relaxation:breathing-478-evening",
    ]
    assert sum(i.seconds for i in day.items if not i.optional) == 76 + 24 + 120 + 180 + 96 + 76
    assert day.minutes == 10
    assert [(s.time_of_day, s.minutes) for s in day.sessions] == [
        ("morning", 2),
        ("midday", 2),
        ("afternoon", 3),
        ("evening", 2),
        ("bedtime", 2),
    ]


def test_breathing_is_kept_even_when_it_alone_is_over_the_budget(catalog, patient):
    enroll(patient, "breathing-relaxation")
    # Week 1 heat therapy alone is 15 minutes: over a 10-minute budget.
    day = today(patient, 10)

    breathing = [i for i in day.items if i.exercise.kind == "breathing"]
    assert breathing and not breathing[0].optional


@pytest.mark.parametrize("budget", [None, 10, 30])
def test_due_counts_count_the_same_merged_plan_as_the_plan(catalog, patient, budget):
    from backend.programs.schedule import due_counts, due_days, plan_days
    from backend.programs.selectors import enrollments_for_window

    enroll(patient, "core-strength", "back-stretches")
    # One program joins later and another pauses for a while: the combinations change.
    EnrollmentFactory(
        user=patient,
        program=Program.objects.get(slug="breathing-relaxation"),
        start_date=MONDAY + dt.timedelta(9),
    )
    stretches = patient.enrollments.get(program__slug="back-stretches")
    stretches.pauses = [["2026-11-05", "2026-11-08"]]
    stretches.save()
    enrollments = enrollments_for_window(user=patient, start=MONDAY, days=21)

    plan = plan_days(enrollments, MONDAY, 21, budget)
    counts = due_counts(enrollments, MONDAY, 21, {}, budget)

    assert counts == {day.date: len(day.due) for day in plan}
    assert {d: v.due for d, v in due_days(enrollments, MONDAY, 21, budget).items()} == counts
    assert len(set(counts.values())) > 2
