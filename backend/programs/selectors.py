from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    F,
    Field,
    IntegerField,
    JSONField,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast

from backend.accounts.models import User
from backend.core.lookups import among
from backend.programs.flare import flare_day, flare_plan
from backend.programs.models import (
    Enrollment,
    Exercise,
    PainRule,
    PlanChange,
    Prescription,
    Program,
    ProgramItem,
    SetAside,
)
from backend.programs.progression import PainLimits
from backend.programs.schedule import (
    NO_ADJUSTMENTS,
    Adjustments,
    PlannedDay,
    Prescribed,
    SetAsideSpan,
    plan_days,
)
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


# The columns of ``adjustments_for``'s one query: each kind of row fills its own and
# leaves the others empty (NULL).
_EXERCISE_FIELDS = {
    "slug": CharField(),
    "name": CharField(),
    "kind": CharField(),
    "summary": TextField(),
    "steps": JSONField(),
    "cautions": JSONField(),
    "pattern": JSONField(),
    "sources": JSONField(),
    "illustrations": JSONField(),
    "why": TextField(),
    "guide": JSONField(),
    "max_per_day": IntegerField(),
    "timer": BooleanField(),
}
_COLUMNS: dict[str, Field] = {
    "patient_id": IntegerField(),
    "id": IntegerField(),
    "starts_on": DateField(),
    "ends_on": DateField(),
    "exercise_id": IntegerField(),
    "time_of_day": CharField(),
    "weekdays": JSONField(),
    "prescription": JSONField(),
    "replaces": CharField(),
    "note": TextField(),
    "set_by_name": CharField(),
    "set_by__display_name": CharField(),
    "during_max": IntegerField(),
    "morning_rise_max": IntegerField(),
    "regress_after": IntegerField(),
    **{f"exercise__{name}": field for name, field in _EXERCISE_FIELDS.items()},
}
_RX, _ASIDE, _RULE = "rx", "aside", "rule"


def _rows(queryset: QuerySet, kind: str, filled: Iterable[str]) -> QuerySet:
    """``queryset`` as rows of ``_COLUMNS`` (``c_<n>``), ``kind`` first."""
    filled = set(filled)
    columns = {
        # Typed: PostgreSQL takes an untyped NULL for text, which then meets a number.
        f"c_{n}": F(name) if name in filled else Cast(Value(None), output_field=field)
        for n, (name, field) in enumerate(_COLUMNS.items())
    }
    # No ORDER BY: the rows meet in a UNION, where SQLite refuses one in each part.
    return (
        queryset.order_by()
        .annotate(c_kind=Value(kind, output_field=CharField()), **columns)
        .values_list("c_kind", *columns)
    )


def adjustments_for(*, user_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, Adjustments]:
    """Each user's prescriptions and exercises set aside that apply on any local date
    from ``start`` to ``end``, and their pain rule: one query for any number of users
    (users with none of them are left out: use ``.get(id, NO_ADJUSTMENTS)``)."""
    ids = list(user_ids)
    if not ids:
        return {}
    spans = Q(among("patient_id", ids), starts_on__lte=end) & (Q(ends_on__isnull=True) | Q(ends_on__gt=start))
    dated = (
        "patient_id",
        "id",
        "starts_on",
        "ends_on",
        "exercise_id",
        *(f"exercise__{f}" for f in _EXERCISE_FIELDS),
    )
    prescriptions = _rows(
        Prescription.objects.filter(spans),
        _RX,
        (
            *dated,
            "time_of_day",
            "weekdays",
            "prescription",
            "replaces",
            "note",
            "set_by_name",
            "set_by__display_name",
        ),
    )
    set_aside = _rows(
        SetAside.objects.filter(spans), _ASIDE, ("patient_id", "id", "starts_on", "ends_on", "exercise_id")
    )
    rules = _rows(
        PainRule.objects.filter(among("patient_id", ids)),
        _RULE,
        ("patient_id", "id", "during_max", "morning_rise_max", "regress_after"),
    )
    names = list(_COLUMNS)
    found: dict[int, tuple[list[Prescribed], list[SetAsideSpan], list[PainLimits]]] = {}
    exercises: dict[int, Exercise] = {}
    for kind, *values in prescriptions.union(set_aside, rules, all=True):
        row = dict(zip(names, values, strict=True))
        lists = found.setdefault(row["patient_id"], ([], [], []))
        if kind == _RULE:
            lists[2].append(PainLimits(row["during_max"], row["morning_rise_max"], row["regress_after"]))
            continue
        if kind == _ASIDE:
            lists[1].append(
                SetAsideSpan(exercise_id=row["exercise_id"], first=row["starts_on"], stop=row["ends_on"])
            )
            continue
        exercise_id = row["exercise_id"]
        if exercise_id not in exercises:
            exercises[exercise_id] = Exercise(
                id=exercise_id, **{name: row[f"exercise__{name}"] for name in _EXERCISE_FIELDS}
            )
        program, _, key = row["replaces"].partition(":")
        lists[0].append(
            Prescribed(
                id=row["id"],
                exercise=exercises[exercise_id],
                time_of_day=row["time_of_day"],
                weekdays=None if row["weekdays"] is None else tuple(row["weekdays"]),
                prescription=row["prescription"],
                replaces=(program, key) if row["replaces"] else None,
                note=row["note"],
                # The clinician's name as it is now ("Set by Dr Rao" once they set it).
                by=row["set_by__display_name"] or row["set_by_name"],
                first=row["starts_on"],
                stop=row["ends_on"],
            )
        )
    return {
        pid: Adjustments(
            prescriptions=tuple(sorted(rx, key=lambda p: p.id)),
            set_aside=tuple(aside),
            limits=rule[0] if rule else None,
        )
        for pid, (rx, aside, rule) in found.items()
    }


def adjustments_of(*, user: User, start: dt.date, days: int) -> Adjustments:
    """One user's adjustments for ``days`` local dates from ``start`` (one query)."""
    end = start + dt.timedelta(days=days - 1)
    return adjustments_for(user_ids=[user.pk], start=start, end=end).get(user.pk, NO_ADJUSTMENTS)


def pain_limits_for(user: User) -> PainLimits:
    """The pain rule this user's progression follows: their clinician's, else the defaults."""
    rule = PainRule.objects.filter(patient_id=user.pk).first()
    if rule is None:
        return PainLimits()
    return PainLimits(
        during_max=rule.during_max, morning_rise_max=rule.morning_rise_max, regress_after=rule.regress_after
    )


def pain_rule_of(*, user: User) -> PainRule | None:
    return PainRule.objects.filter(patient_id=user.pk).first()


def prescription_list(*, patient: User) -> QuerySet[Prescription]:
    """The patient's prescriptions still running (ended ones are in the history)."""
    return (
        Prescription.objects.filter(patient=patient, ends_on__isnull=True)
        .select_related("exercise", "set_by")
        .order_by("created_at", "id")
    )


def set_aside_list(*, patient: User) -> QuerySet[SetAside]:
    """The exercises set aside now ("not for me")."""
    return (
        SetAside.objects.filter(patient=patient, ends_on__isnull=True)
        .select_related("exercise")
        .order_by("created_at", "id")
    )


def plan_changes(*, patient: User, limit: int = 200) -> QuerySet[PlanChange]:
    """The history of the patient's plan, newest first."""
    return PlanChange.objects.filter(patient=patient).order_by("-at", "-id")[:limit]


def plan_for_user(
    *, user: User, start: dt.date, days: int, flare_days: Iterable[dt.date] = ()
) -> list[PlannedDay]:
    """The user's plan for ``days`` local dates from ``start``: their care team's and
    their own changes applied, each program item at the dose their pain reports allow
    under their pain rule (two queries once warm, and three for the pain history).

    ``flare_days`` are served the flare plan instead (one query more when there are any).
    """
    enrollments = enrollments_for_window(user=user, start=start, days=days)
    adjusted = adjustments_of(user=user, start=start, days=days)
    progress = (
        progress_for(
            user=user,
            enrollments=enrollments,
            last=start + dt.timedelta(days=days - 1),
            limits=adjusted.limits,
        )
        if enrollments
        else None
    )
    planned = plan_days(enrollments, start, days, user.daily_minutes, progress, adjusted)
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
    """Each user's plan for their own local date, for the users with something planned
    on it (a program running, not paused, left or finished, or a clinician's exercise);
    three queries at most, for many users.

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
    # A clinician's added exercise is a session to remind of, even with no program.
    adjustments = adjustments_for(user_ids=list(dates), start=min(dates.values()), end=max(dates.values()))
    plans = {
        user_id: plan_days(
            by_user.get(user_id, []),
            day,
            1,
            budgets.get(user_id),
            adjustments=adjustments.get(user_id, NO_ADJUSTMENTS),
        )[0]
        for user_id, day in dates.items()
        if user_id in by_user or user_id in adjustments
    }
    return {user_id: plan for user_id, plan in plans.items() if user_id in by_user or plan.items}
