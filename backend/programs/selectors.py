from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from backend.accounts.models import User
from backend.programs.flare import flare_day, flare_plan
from backend.programs.models import Enrollment, Exercise, Program, ProgramItem
from backend.programs.schedule import PlannedDay, plan_days
from backend.tracker.progress import progress_for


def program_list() -> QuerySet[Program]:
    return Program.objects.filter(is_active=True)


def program_detail_queryset() -> QuerySet[Program]:
    items = Prefetch("items", queryset=ProgramItem.objects.select_related("exercise").order_by("position"))
    return Program.objects.filter(is_active=True).prefetch_related(items)


def enrollment_list(*, user: User) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(user=user).select_related("program").order_by("-created_at", "-id")


# (program id, content hash) -> its items with their exercises. The catalog changes
# only when `load_programs` writes a new content hash, which is part of the key, so
# every process sees an edit on its next read; until then no request queries items.
_ITEMS: dict[tuple[int, str], list[ProgramItem]] = {}


def attach_items(enrollments: Iterable[Enrollment]) -> list[Enrollment]:
    """Give each enrollment its program's items (``enrollment.items``), from the cache.

    At most one query, and only for programs not cached yet in this process.
    """
    enrollments = list(enrollments)
    missing = {e.program_id for e in enrollments if (e.program_id, e.program.content_hash) not in _ITEMS}
    if missing:
        if len(_ITEMS) > 200:
            _ITEMS.clear()
        found: dict[int, list[ProgramItem]] = {pid: [] for pid in missing}
        for item in (
            ProgramItem.objects.filter(program_id__in=missing).select_related("exercise").order_by("position")
        ):
            found[item.program_id].append(item)
        hashes = {e.program_id: e.program.content_hash for e in enrollments}
        for pid, items in found.items():
            _ITEMS[(pid, hashes[pid])] = items
    for enrollment in enrollments:
        enrollment.items = _ITEMS[(enrollment.program_id, enrollment.program.content_hash)]
    return enrollments


def enrollments_for_window(*, user: User, start: dt.date, days: int) -> list[Enrollment]:
    """The enrollments that may have items between ``start`` and ``days`` later, with their items."""
    last = start + dt.timedelta(days=days - 1)
    enrollments = (
        Enrollment.objects.filter(user=user, start_date__lte=last)
        .exclude(ended_on__isnull=False, ended_on__lte=start)
        .select_related("program")
    )
    # The remaining date filtering is in Enrollment.runs_on.
    return attach_items(e for e in enrollments if e.end_date > start)


def plan_for_user(
    *, user: User, start: dt.date, days: int, flare_days: Iterable[dt.date] = ()
) -> list[PlannedDay]:
    """The user's plan for ``days`` local dates from ``start``, each item at the dose
    their pain reports allow (one query once warm, and three for the pain history).

    ``flare_days`` are served the flare plan instead (one query more when there are any).
    """
    enrollments = enrollments_for_window(user=user, start=start, days=days)
    progress = (
        progress_for(user=user, enrollments=enrollments, last=start + dt.timedelta(days=days - 1))
        if enrollments
        else None
    )
    planned = plan_days(enrollments, start, days, user.daily_minutes, progress)
    flare_days = set(flare_days)
    if not flare_days.intersection(day.date for day in planned):
        return planned
    plan = flare_plan()
    exercises = Exercise.objects.in_bulk(plan.exercise_slugs, field_name="slug")
    return [
        flare_day(day.date, exercises, user.daily_minutes, plan) if day.date in flare_days else day
        for day in planned
    ]


def plans_on(*, dates: dict[int, dt.date], budgets: dict[int, int | None]) -> dict[int, PlannedDay]:
    """Each user's plan for their own local date, for the users with a program running
    on it (not paused, left or finished); two queries at most, for many users.

    ``dates`` maps user id to that user's local date, ``budgets`` to their
    ``daily_minutes``. For the reminder dispatcher: nobody is reminded of a session
    when no program is running, nor once everything due is logged.
    """
    if not dates:
        return {}
    enrollments = Enrollment.objects.filter(
        user_id__in=list(dates), start_date__lte=max(dates.values())
    ).select_related("program")
    by_user: dict[int, list[Enrollment]] = {}
    for enrollment in attach_items(e for e in enrollments if e.runs_on(dates[e.user_id])):
        by_user.setdefault(enrollment.user_id, []).append(enrollment)
    return {
        user_id: plan_days(found, dates[user_id], 1, budgets.get(user_id))[0]
        for user_id, found in by_user.items()
    }
