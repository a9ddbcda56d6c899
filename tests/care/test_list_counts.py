"""The clinician list's counting shortcuts give the same numbers as the plan, day by day.

``due_counts`` reads a shared series of counts per stretch of days instead of planning
each day of each patient, and ``adherence.trailing`` sums counts by date instead of
building ``Day`` rows: both are checked here against the day-by-day definitions on a
varied set of patients (programs, start dates, pauses, programs left, budgets).
"""

from __future__ import annotations

import datetime as dt
import random

from backend.programs.models import Enrollment, Program
from backend.programs.schedule import NO_ADJUSTMENTS, _due_counts_by_day, _newest_first, due_counts, plan_days
from backend.programs.selectors import attach_items
from backend.tracker import adherence
from tests.conftest import signed_in
from tests.tracker.helpers import entry, session, sync

TODAY = dt.date(2026, 12, 4)


def _varied_patients(count: int, seed: int) -> list[tuple[list[Enrollment], int | None]]:
    """(enrollments, budget) of ``count`` made-up patients, unsaved."""
    rng = random.Random(seed)
    programs = list(Program.objects.all())
    patients = []
    for n in range(count):
        enrollments = []
        for k, program in enumerate(rng.sample(programs, rng.choice((1, 1, 2, 2, 3)))):
            start = TODAY - dt.timedelta(days=rng.randint(-5, 7 * program.weeks + 10))
            pauses = []
            if rng.random() < 0.25:
                first = start + dt.timedelta(days=rng.randint(0, 30))
                resumed = None if rng.random() < 0.3 else first + dt.timedelta(days=rng.randint(1, 12))
                pauses = [[first.isoformat(), resumed.isoformat() if resumed else None]]
            ended_on = TODAY - dt.timedelta(days=rng.randint(0, 20)) if rng.random() < 0.15 else None
            enrollments.append(
                Enrollment(
                    id=n * 10 + k + 1,
                    user_id=n + 1,
                    program=program,
                    start_date=start,
                    pauses=pauses,
                    ended_on=ended_on,
                )
            )
        # The same program twice (left and re-joined), now and then.
        if rng.random() < 0.1:
            again = enrollments[0]
            enrollments.append(
                Enrollment(
                    id=n * 10 + 9,
                    user_id=n + 1,
                    program=again.program,
                    start_date=again.start_date + dt.timedelta(days=rng.randint(1, 20)),
                    pauses=[],
                )
            )
        patients.append((attach_items(enrollments), rng.choice((None, None, 10, 20, 45))))
    return patients


def _spans(enrollments, start: dt.date, days: int):
    last = start + dt.timedelta(days=days - 1)
    spans = []
    for e in _newest_first(enrollments):
        first, stop = (
            max(start, e.start_date),
            min(last + dt.timedelta(days=1), e.end_date, e.ended_on or dt.date.max),
        )
        if first < stop:
            pauses = [
                (dt.date.fromisoformat(a), dt.date.fromisoformat(b) if b else dt.date.max)
                for a, b in e.pauses
            ]
            spans.append((e, first, stop, pauses))
    return spans


def test_due_counts_by_series_equal_the_count_day_by_day(catalog):
    start = TODAY - dt.timedelta(days=27)
    shared: dict = {}
    patients = _varied_patients(150, seed=19)
    for enrollments, budget in patients:
        by_series = due_counts(enrollments, start, 28, shared, budget)
        by_day = _due_counts_by_day(_spans(enrollments, start, 28), start, 28, {}, budget, NO_ADJUSTMENTS)
        assert by_series == by_day
    # Not a set of empty plans: most patients have something due on most days.
    assert sum(sum(due_counts(e, start, 28, shared, b).values()) > 0 for e, b in patients) > 100


def test_due_counts_by_series_equal_the_plan_over_a_year(catalog):
    """As the summary's streak counts it: 365 days, through programs' starts and ends."""
    start = TODAY - dt.timedelta(days=364)
    for enrollments, budget in _varied_patients(12, seed=7):
        plan = plan_days(enrollments, start, 365, budget)
        assert due_counts(enrollments, start, 365, {}, budget) == {day.date: len(day.due) for day in plan}


def test_trailing_adherence_equals_the_days_definition():
    rng = random.Random(3)
    dates = tuple(TODAY - dt.timedelta(days=n) for n in range(27, -1, -1))
    for _ in range(300):
        due = {day: rng.choice((0, 0, 2, 3, 5)) for day in dates if rng.random() < 0.9}
        done = {day: rng.randint(0, 6) for day in dates if rng.random() < 0.7}
        logged = rng.randint(0, 6)
        days = [
            adherence.Day(
                done=done.get(day, 0),
                due=due.get(day, 0),
                logged=logged if day == TODAY else 0,
                is_today=day == TODAY,
            )
            for day in dates
        ]
        assert adherence.trailing(dates, done, due, TODAY, logged, (7, 28)) == [
            adherence.adherence(days[-7:]),
            adherence.adherence(days),
        ]


def test_the_lists_due_counts_are_planned_once_per_process_and_anew_after_a_catalog_edit(
    catalog, patient, other_patient, doctor, monkeypatch
):
    """Every load of every clinician's list shares the planned counts (a second load
    plans nothing), and a program whose content changed is counted from its new items."""
    from backend.accounts.timezones import local_today
    from backend.care import selectors
    from backend.care.models import CareLink
    from backend.programs import schedule
    from backend.programs.models import ProgramItem
    from tests.programs.factories import EnrollmentFactory

    stretches = Program.objects.get(slug="back-stretches")
    for person in (patient, other_patient):
        CareLink.objects.create(patient=person, clinician=doctor[0], scopes=["logs"])
        EnrollmentFactory(
            user=person, program=stretches, start_date=local_today(person.timezone) - dt.timedelta(days=10)
        )
    planned = []
    real_plan_day = schedule._plan_day
    monkeypatch.setattr(schedule, "_plan_day", lambda *a, **k: planned.append(1) or real_plan_day(*a, **k))

    def first_row():
        rows, _ = selectors.overview(links=selectors.overview_links(clinician=doctor[0]))
        return next(row for row in rows if row["id"] == patient.pk)

    keep = stretches.items.order_by("position").first()
    yesterday = local_today(patient.timezone) - dt.timedelta(days=1)
    sync(signed_in(patient), entry("session", session(f"back-stretches:{keep.key}", yesterday)))
    before = first_row()
    assert planned  # the first load planned the days
    planned.clear()
    assert first_row() == before
    assert planned == []  # the second load counted from the shared table

    # A catalog edit: every item but the first leaves the program (a new content hash).
    ProgramItem.objects.filter(program=stretches).exclude(pk=keep.pk).delete()
    Program.objects.filter(pk=stretches.pk).update(content_hash="edited")
    after = first_row()
    assert planned  # planned anew
    assert after["adherence_7"] > before["adherence_7"]  # one item a day is due now, one was done
