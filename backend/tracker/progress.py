"""The pain history a plan's progression reads (``backend/programs/progression.py``).

Three queries for a person, whatever the length of the window: the done session logs
that carry a pain answer, the check-ins' pain by date, and the flare-ups that ended
(each one steps the dose back a week on the day it ended).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import User
from backend.programs.models import Enrollment, ProgramItem
from backend.programs.progression import PainLimits, Progression, Timeline, responses_by_exercise
from backend.programs.schedule import FLARE_PROGRAM, parse_item_id
from backend.tracker.models import CheckIn, Flare, SessionLog


def _mornings(user: User, first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """Each date's check-in pain: the latest edit of that day's check-ins that answered it."""
    rows = (
        CheckIn.objects.filter(user=user, deleted=False, date__gte=first, date__lte=last, pain__isnull=False)
        .order_by("date", "updated_at", "id")
        .values_list("date", "pain")
    )
    return {day: pain for day, pain in rows if pain is not None}  # the last row of a date wins


def _step_backs(user: User, first: dt.date) -> list[dt.date]:
    """The local dates flare-ups ended on (ended by the person or run out), since ``first``."""
    now = timezone.now()
    tz = ZoneInfo(user.timezone)
    ended = Flare.objects.filter(patient=user).filter(Q(ended_at__isnull=False) | Q(ends_at__lte=now))
    dates = []
    for flare in ended.only("ends_at", "ended_at", "started_at"):
        day = flare.until.astimezone(tz).date()
        if day >= first:
            dates.append(day)
    return dates


def progress_for(
    *, user: User, enrollments: Iterable[Enrollment], last: dt.date, limits: PainLimits | None = None
) -> Callable[[Enrollment, ProgramItem, dt.date], Progression]:
    """A ``schedule.Progress`` for the user's plan up to ``last``: each program item's
    decision on a date, from the pain the person reported doing that exercise (in any
    program) and the next mornings' check-ins."""
    enrollments = list(enrollments)  # callers plan only when there is at least one
    limits = limits or PainLimits()
    first = min(e.start_date for e in enrollments)
    exercise_of = {(e.program.slug, item.key): item.exercise_id for e in enrollments for item in e.items}
    logs = (
        SessionLog.objects.filter(
            user=user, deleted=False, status=SessionLog.Status.DONE, date__gte=first, date__lte=last
        )
        .filter(Q(pain_before__isnull=False) | Q(pain_after__isnull=False))
        .values_list("item_id", "date", "pain_before", "pain_after")
    )
    found = []
    for logged, day, before, after in logs:
        parsed = parse_item_id(logged)
        if parsed is None or parsed[0] == FLARE_PROGRAM:
            continue  # a flare day's gentle practice says nothing of the usual dose
        exercise = exercise_of.get((parsed[0], parsed[1]))
        if exercise is not None:
            found.append((exercise, day, before, after))
    responses = responses_by_exercise(found)
    mornings = _mornings(user, first, last)
    step_backs = _step_backs(user, first)
    timelines: dict[tuple[int, str], Timeline] = {}

    def progress(enrollment: Enrollment, item: ProgramItem, day: dt.date) -> Progression:
        key = (enrollment.id, item.key)
        timeline = timelines.get(key)
        if timeline is None:
            timeline = timelines[key] = Timeline(
                start=enrollment.start_date,
                weeks=enrollment.program.weeks,
                limits=limits,
                responses=responses.get(item.exercise_id, ()),
                morning=mornings,
                step_backs=step_backs,
            )
        return timeline.at(day)

    return progress
