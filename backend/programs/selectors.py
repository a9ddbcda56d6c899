from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet

from backend.accounts.models import User
from backend.programs.models import Enrollment, Program, ProgramItem
from backend.programs.schedule import PlannedDay, plan_days


def _items_with_exercises() -> Prefetch:
    return Prefetch("items", queryset=ProgramItem.objects.select_related("exercise").order_by("position"))


def program_list() -> QuerySet[Program]:
    return Program.objects.filter(is_active=True)


def program_detail_queryset() -> QuerySet[Program]:
    return Program.objects.filter(is_active=True).prefetch_related(_items_with_exercises())


def enrollment_list(*, user: User) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(user=user).select_related("program").order_by("-created_at", "-id")


def enrollments_for_window(*, user: User, start: dt.date, days: int) -> list[Enrollment]:
    """The enrollments that may have items between ``start`` and ``days`` later (two queries)."""
    last = start + dt.timedelta(days=days - 1)
    enrollments = (
        Enrollment.objects.filter(user=user, start_date__lte=last)
        .exclude(ended_on__isnull=False, ended_on__lte=start)
        .select_related("program")
        .prefetch_related(Prefetch("program__items", queryset=ProgramItem.objects.select_related("exercise")))
    )
    # The remaining date filtering is in Enrollment.runs_on.
    return [e for e in enrollments if e.end_date > start]


def plan_for_user(*, user: User, start: dt.date, days: int) -> list[PlannedDay]:
    """The user's plan for ``days`` local dates from ``start``, in two queries."""
    return plan_days(enrollments_for_window(user=user, start=start, days=days), start, days)
