"""Every read of the tracker, scoped to one user, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from heapq import merge
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import CharField, DateField, DateTimeField, F, Min, Q, QuerySet, Value
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.core.lookups import among
from backend.outcomes.selectors import summary_outcomes
from backend.programs.models import Enrollment, Program
from backend.programs.schedule import due_counts, due_days
from backend.programs.selectors import adjustments_of, enrollments_for_window, plans_on
from backend.tracker import adherence
from backend.tracker.factors import CUSTOM_DAYS, MAX_CUSTOM, builtin_factors
from backend.tracker.flares import instant
from backend.tracker.insights import NOTHING_DUE, DayCheckIn, DayLog, summarise
from backend.tracker.models import (
    CheckIn,
    Flare,
    JournalEntry,
    LessonRead,
    QuestionnaireAnswer,
    SafetyHold,
    SessionLog,
)

STREAK_DAYS = 365
MAX_HISTORY_DAYS = 366


def item_statuses(*, user: User, start: dt.date, end: dt.date) -> dict[str, str]:
    """Plan item id -> 'done' or 'skipped', from the latest live log of each item (one query)."""
    rows = (
        SessionLog.objects.filter(user=user, date__gte=start, date__lte=end, deleted=False)
        .order_by("updated_at", "seq")
        .values_list("item_id", "status")
    )
    return dict(rows)


def pauses(
    *, zones: dict[int, str], start: dt.date, now: dt.datetime | None = None
) -> tuple[dict[int, list[adherence.Pause]], dict[int, dict[str, str]]]:
    """Each user's flares and safety holds that may cover local dates from ``start`` on,
    as the dates adherence leaves out (``adherence.paused_days``), and which users are
    in a flare ``now`` (with that flare, as ``flares.render_flare`` shows it); one query
    for any number of users (``zones``: user id -> time zone)."""
    if not zones:
        return {}, {}
    now = now or timezone.now()
    flaring: dict[int, dict[str, str]] = {}
    # A day early: the earliest zone's midnight is before UTC's.
    floor = dt.datetime.combine(start - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    ids = list(zones)
    flares = (
        Flare.objects.filter(among("patient_id", ids), ends_at__gte=floor)
        .annotate(reported=Value(None, output_field=DateField()))
        .values_list("patient_id", "started_at", "ends_at", "ended_at", "reported")
    )
    holds = (
        SafetyHold.objects.filter(among("patient_id", ids))
        .filter(Q(released_at__isnull=True) | Q(released_at__gte=floor))
        .annotate(ends=Value(None, output_field=DateTimeField()), reported=F("check_in__date"))
        .values_list("patient_id", "since", "ends", "released_at", "reported")
    )
    found: dict[int, list[adherence.Pause]] = {}
    for user_id, began, ends_at, ended_at, reported in flares.union(holds, all=True):
        tz = ZoneInfo(zones[user_id])
        first = began.astimezone(tz).date()
        if ends_at is not None:  # a flare: the dates it covered, in part or whole
            until = ends_at if ended_at is None else min(ended_at, ends_at)
            if ended_at is None and began <= now < ends_at:
                flaring[user_id] = {"started_at": instant(began), "ends_at": instant(ends_at)}
            pause = adherence.Pause(first, (until - dt.timedelta(microseconds=1)).astimezone(tz).date())
        else:  # a safety hold: from held_from (holds.held_from) to its release
            first = min(first, reported or first)
            pause = adherence.Pause(first, None if ended_at is None else ended_at.astimezone(tz).date())
        found.setdefault(user_id, []).append(pause)
    return found, flaring


def users_in_flare(*, user_ids: Iterable[int], now: dt.datetime | None = None) -> set[int]:
    """Which of these users are in flare-up mode now (one indexed query)."""
    now = now or timezone.now()
    return set(
        Flare.objects.filter(
            patient_id__in=list(user_ids), ended_at__isnull=True, started_at__lte=now, ends_at__gt=now
        ).values_list("patient_id", flat=True)
    )


def users_on_safety_hold(*, user_ids: Iterable[int]) -> set[int]:
    """Which of these users have an open safety hold (one indexed query)."""
    return set(
        SafetyHold.objects.filter(patient_id__in=list(user_ids), released_at__isnull=True).values_list(
            "patient_id", flat=True
        )
    )


def session_reminder_state(
    *, dates: dict[int, dt.date], budgets: dict[int, int | None]
) -> tuple[set[int], set[int]]:
    """(done, running) among these users, for the session reminders (three queries at most).

    ``running``: a program runs on the user's local date (``dates``: user id -> date).
    ``done``: every item due that day is logged (done or skipped); optional items
    (beyond the ``daily_minutes`` in ``budgets``) are not due, and a user with nothing
    due is not done (nothing was done).
    """
    if not dates:
        return set(), set()
    plans = plans_on(dates=dates, budgets=budgets)
    logged: dict[int, set[str]] = {}
    if plans:
        for user_id, day, item in (
            SessionLog.objects.filter(user_id__in=list(plans), deleted=False, date__in=set(dates.values()))
            .values_list("user_id", "date", "item_id")
            .distinct()
        ):
            if dates.get(user_id) == day:
                logged.setdefault(user_id, set()).add(item)
    done = {
        user_id
        for user_id, plan in plans.items()
        if plan.due and all(not logged.get(user_id, set()).isdisjoint(i.ids) for i in plan.due)
    }
    return done, set(plans)


def _history(
    model: type[SessionLog]
    | type[CheckIn]
    | type[JournalEntry]
    | type[LessonRead]
    | type[QuestionnaireAnswer],
    user: User,
    start: dt.date | None,
    end: dt.date | None,
) -> QuerySet:
    qs = model.objects.filter(user=user, deleted=False)
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    return qs.order_by("date", "updated_at", "seq")


def session_logs(
    *, user: User, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[SessionLog]:
    return _history(SessionLog, user, start, end)


def checkins(*, user: User, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[CheckIn]:
    return _history(CheckIn, user, start, end)


def journal_entries(
    *, user: User, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[JournalEntry]:
    return _history(JournalEntry, user, start, end)


def sync_changes(*, user: User, after: int, limit: int) -> tuple[list[Any], int, bool]:
    """The user's entries changed after cursor ``after``, oldest change first (a query per type).

    Returns the rows, the cursor to continue from, and whether more remain.
    """
    streams = [
        model.objects.filter(user=user, seq__gt=after).order_by("seq")[: limit + 1]
        for model in (SessionLog, CheckIn, JournalEntry, LessonRead, QuestionnaireAnswer)
    ]
    rows = list(merge(*(list(s) for s in streams), key=lambda row: row.seq))
    has_more = len(rows) > limit
    rows = rows[:limit]
    cursor = rows[-1].seq if rows else after
    return rows, cursor, has_more


def summary(*, user: User, days: int, today: dt.date | None = None) -> dict[str, Any]:
    """The progress summary over the ``days`` local dates ending today (nine queries)."""
    today = today or local_today(user.timezone)
    start = today - dt.timedelta(days=days - 1)
    streak_first = today - dt.timedelta(days=STREAK_DAYS - 1)
    insight_start = today - dt.timedelta(days=max(days, 90) - 1)

    enrollments = enrollments_for_window(user=user, start=streak_first, days=STREAK_DAYS)
    # What the care team prescribed and what the person set aside are planned too.
    adjusted = adjustments_of(user=user, start=streak_first, days=STREAK_DAYS)
    # Flare days and held days are not due (backend/tracker/adherence.py).
    paused = adherence.paused_days(
        pauses(zones={user.pk: user.timezone}, start=streak_first)[0].get(user.pk, []), streak_first, today
    )
    # Item ids only for the window; for a year of streak, counting is enough.
    due_by_day = adherence.not_due(
        due_days(enrollments, start, days, user.daily_minutes, adjusted), paused, NOTHING_DUE
    )
    due_counts_by_day = adherence.not_due(
        due_counts(
            enrollments, streak_first, STREAK_DAYS, budget_minutes=user.daily_minutes, adjustments=adjusted
        ),
        paused,
        0,
    )
    logs = [
        DayLog(day, item, status)
        for day, item, status in SessionLog.objects.filter(
            user=user, deleted=False, date__gte=start, date__lte=today
        )
        .order_by("updated_at", "seq")
        .values_list("date", "item_id", "status")
    ]
    practised = set(
        SessionLog.objects.filter(
            user=user, deleted=False, status="done", date__gte=streak_first, date__lte=today
        )
        .values_list("date", flat=True)
        .distinct()
    )
    day_checkins = [
        DayCheckIn(day, pain, stress, float(sleep) if sleep is not None else None, tuple(tapped or ()))
        for day, pain, stress, sleep, tapped in CheckIn.objects.filter(
            user=user, deleted=False, date__gte=insight_start, date__lte=today
        )
        .order_by("updated_at", "seq")
        .values_list("date", "pain", "stress", "sleep_hours", "factors")
    ]
    found = summarise(
        today=today,
        days=days,
        due=due_by_day,
        logs=logs,
        checkins=day_checkins,
        practised=practised,
        streak_due_days={day for day, count in due_counts_by_day.items() if count},
        streak_first=streak_first,
        seed_key=user.pk,
    )
    # Questionnaire scores in the window and each against its baseline (issue 18).
    found.update(summary_outcomes(user, start, today))
    return found


# Program slugs this process has seen in the catalog. Programs are retired, never
# deleted (session logs name them), so a slug once known stays valid: only a batch
# naming one not seen yet reads the catalog again.
_KNOWN_PROGRAMS: set[str] = set()


def program_slugs(named: set[str]) -> set[str]:
    """The catalog's program slugs, read only when ``named`` has one not known yet."""
    if not named <= _KNOWN_PROGRAMS:
        _KNOWN_PROGRAMS.update(Program.objects.values_list("slug", flat=True))
    return _KNOWN_PROGRAMS


# --- Lessons read (issue 17) ---------------------------------------------------------


def lesson_reads(*, user: User) -> QuerySet[LessonRead]:
    """The live lesson reads, for the person's own export."""
    return _history(LessonRead, user, None, None)


def questionnaire_answers(*, user: User) -> QuerySet[QuestionnaireAnswer]:
    """The live questionnaire answers, oldest first (exports; one query)."""
    return _history(QuestionnaireAnswer, user, None, None)


def lessons_read(*, user: User) -> dict[str, dt.date]:
    """Lesson slug -> the local date it was first read, from the live reads (one query)."""
    rows = (
        LessonRead.objects.filter(user=user, deleted=False)
        .values("lesson")
        .annotate(first=Min("date"))
        .values_list("lesson", "first")
    )
    return dict(rows)


@dataclass(frozen=True)
class LessonHistory:
    """What a plan needs to offer lessons: every live read (slug, date), and the first
    day of the person's first program (their first six weeks count from it)."""

    reads: list[tuple[str, dt.date]]
    first_start: dt.date | None


def lesson_history(*, user: User) -> LessonHistory:
    """The user's lesson reads and earliest enrollment start, in one query."""
    reads = LessonRead.objects.filter(user=user, deleted=False).order_by().values_list("lesson", "date")
    # The start as one more row, marked by an empty slug (a live read always names one).
    start = (
        Enrollment.objects.filter(user=user)
        .order_by()  # the model's ordering would join the grouping
        .annotate(marker=Value("", output_field=CharField()))
        .values("marker")
        .annotate(first=Min("start_date"))
        .values_list("marker", "first")
    )
    found: list[tuple[str, dt.date]] = []
    first_start = None
    for lesson, day in reads.union(start, all=True):
        if lesson:
            found.append((lesson, day))
        else:
            first_start = day
    return LessonHistory(reads=sorted(found, key=lambda r: (r[1], r[0])), first_start=first_start)


# --- Issue 17: stress factors ---------------------------------------------------


def factor_choices(*, user: User, today: dt.date) -> list[dict[str, Any]]:
    """The check-in's factor list: the built-in ones, then the person's own labels of the
    last ``CUSTOM_DAYS`` days, most used first (then most recent), at most ``MAX_CUSTOM``
    (one query, on the (user, date) index)."""
    first = today - dt.timedelta(days=CUSTOM_DAYS - 1)
    builtins = builtin_factors()
    used: dict[str, list[Any]] = {}
    for day, tapped in CheckIn.objects.filter(user=user, deleted=False, date__gte=first).values_list(
        "date", "factors"
    ):
        for value in tapped or ():
            if value in builtins:
                continue
            count = used.setdefault(value, [0, day])
            count[0] += 1
            count[1] = max(count[1], day)
    own = sorted(used, key=lambda value: (-used[value][0], -used[value][1].toordinal(), value))
    return [{"slug": f.slug, "label": f.label, "custom": False} for f in builtins.values()] + [
        {"slug": value, "label": value, "custom": True} for value in own[:MAX_CUSTOM]
    ]
