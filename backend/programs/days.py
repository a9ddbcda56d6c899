"""A planned day as the API shows it: the plan with its logs' statuses, the safety
hold and flare-up mode (``render_day``), for the patient's own plan and for the
clinicians they share it with (``plan_response``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.outcomes.selectors import questionnaire_items
from backend.programs import selectors
from backend.programs.flare import flare_plan, render_advice
from backend.programs.lessons import Lesson, lesson_catalog
from backend.programs.models import Exercise
from backend.programs.schedule import PlannedDay, PlannedItem
from backend.programs.serializers import ExerciseSerializer, PlanQuerySerializer
from backend.tracker.flares import flare_dates, flares_between, render_flare, running
from backend.tracker.holds import held_from, open_hold, render_hold
from backend.tracker.selectors import LessonHistory, item_statuses, lesson_history


@dataclass(frozen=True)
class Hold:
    """The open safety hold as a plan shows it: from which local date, and its JSON."""

    held_from: dt.date
    rendered: dict

    @classmethod
    def of(cls, user: User) -> Hold | None:
        hold = open_hold(user.pk)
        if hold is None:
            return None
        rendered = render_hold(hold)
        assert rendered is not None
        return cls(held_from=held_from(hold, user.timezone), rendered=rendered)


@dataclass(frozen=True)
class FlareMode:
    """The days of a plan that flare-up mode serves, with the flare each one shows.

    A flare's days are the local dates it covers, in part or whole; once it is over
    (ended, or run out), today and later are usual days again, so a flare ended at
    noon gives the afternoon back its plan. ``until``: when the running flare stops,
    so a cached today is kept no longer than that.
    """

    days: dict[dt.date, dict]
    until: dt.datetime | None

    @classmethod
    def of(cls, user: User, start: dt.date, end: dt.date) -> FlareMode:
        now = timezone.now()
        today = local_today(user.timezone, now=now)
        days: dict[dt.date, dict] = {}
        until = None
        for flare in flares_between(user=user, start=start, end=end):
            first, last = flare_dates(flare, user.timezone)
            is_running = running(flare, now)
            if is_running:
                until = flare.ends_at
            shown = {**(render_flare(flare) or {}), "advice": render_advice(flare_plan().advice)}
            day = max(first, start)
            while day <= min(last, end):
                if is_running or day < today:
                    days[day] = shown
                day += dt.timedelta(days=1)
        return cls(days=days, until=until)


# --- Lessons in the plan (issue 17) -------------------------------------------------

# Lessons are offered while a person is new: their first six weeks from the day their
# first program started.
LESSON_WEEKS = 6


def lesson_offers(history: LessonHistory, dates: list[dt.date], today: dt.date) -> dict[dt.date, dict]:
    """The lesson item of each date that has one (``render_day`` puts it in ``items``).

    A day a lesson was read shows it as read (the first in lesson order, if several);
    from today on, each day without a read offers the next unread lesson in order while
    the person is in their first six weeks; an earlier day without a read shows none.
    """
    catalog = lesson_catalog()
    read_on: dict[dt.date, list[Lesson]] = {}
    read: set[str] = set()
    for slug, day in history.reads:
        lesson = catalog.get(slug)
        if lesson is not None:  # a lesson since retired from the content stays read, unshown
            read.add(slug)
            read_on.setdefault(day, []).append(lesson)
    unread = [lesson for lesson in catalog.values() if lesson.slug not in read]
    first = history.first_start
    wanted = set(dates)
    offers = {
        day: _lesson_item(min(lessons, key=lambda lesson: lesson.order), day, first, "read")
        for day, lessons in read_on.items()
        if day in wanted
    }
    if first is None or not dates:
        return offers
    # Counted from today whatever range is asked, so a week ahead offers what it will
    # offer then; bounded by the six weeks, so a far-off start costs nothing.
    day = max(today, first)
    stop = min(max(dates), first + dt.timedelta(weeks=LESSON_WEEKS, days=-1))
    while day <= stop and unread:
        if day not in read_on:
            lesson = unread.pop(0)
            if day in wanted:
                offers[day] = _lesson_item(lesson, day, first, "pending")
        day += dt.timedelta(days=1)
    return offers


def _lesson_item(lesson: Lesson, day: dt.date, first: dt.date | None, status: str) -> dict:
    week = 1 if first is None or day < first else (day - first).days // 7 + 1
    return {
        "id": f"lesson:{lesson.slug}",
        "kind": "lesson",
        "program": None,
        "programs": [],
        "week": week,
        "time_of_day": "anytime",
        "lesson": lesson.card(),
        "status": status,
    }


def lessons_for(user: User, dates: list[dt.date]) -> dict[dt.date, dict]:
    """The lesson items of these dates of ``user``'s plan (one query)."""
    return lesson_offers(lesson_history(user=user), dates, local_today(user.timezone))


# ---------------------------------------------------------------------------------


def _exercise_json(exercise: Exercise) -> dict:
    """The exercise as the API shows it, rendered once per cached catalog object.

    Plan items share the exercise instances cached by ``selectors.attach_items``, which
    are replaced when the content changes, so the rendering goes with them.
    """
    rendered = getattr(exercise, "_api_json", None)
    if rendered is None:
        rendered = exercise._api_json = dict(ExerciseSerializer(exercise).data)
    return rendered


def _status(item: PlannedItem, statuses: dict[str, str], pending: str) -> str:
    # The item's own id first; then an id it had before programs were merged.
    for logged in item.ids:
        if logged in statuses:
            return statuses[logged]
    return pending


def render_day(
    day: PlannedDay,
    statuses: dict[str, str],
    hold: Hold | None = None,
    flare: FlareMode | None = None,
    lessons: dict[dt.date, dict] | None = None,
    questionnaires: dict[dt.date, list[dict]] | None = None,
) -> dict:
    """A day of the plan, JSON-ready (``DaySerializer`` documents the shape).

    On a day a safety hold pauses, every exercise not yet done or skipped is ``held``
    (the flare plan's too: the hold is the more serious). A flare day (``day`` is then
    the flare plan) carries ``mode: flare`` and the flare. The day's lesson, if it has
    one (``lesson_offers``), comes last in ``items``: in no session, not in minutes,
    never held (reading is not exercise), and never due.
    """
    lesson = None if lessons is None else lessons.get(day.date)
    held = hold is not None and day.date >= hold.held_from
    pending = "held" if held else "pending"
    shown = None if flare is None else flare.days.get(day.date)
    return {
        "date": day.date.isoformat(),
        "mode": "usual" if shown is None else "flare",
        "flare": shown,
        "safety_hold": hold.rendered if held and hold is not None else None,
        "minutes": day.minutes,
        "sessions": [
            {
                "time_of_day": session.time_of_day,
                "minutes": session.minutes,
                "optional_minutes": session.optional_minutes,
                "items": [item.id for item in session.items],
            }
            for session in day.sessions
        ],
        "items": [
            {
                "id": item.id,
                "kind": "exercise",
                "program": item.program,
                "programs": list(item.programs),
                "week": item.week,
                "time_of_day": item.time_of_day,
                "exercise": _exercise_json(item.exercise),
                "prescription": item.prescription,
                "optional": item.optional,
                "progression": None if item.progression is None else item.progression.render(),
                "status": _status(item, statuses, pending),
                # Set by the care team (a prescription): who, and what they wrote.
                "prescribed_by": None if item.prescribed_by is None else {"name": item.prescribed_by},
                "note": item.note,
            }
            for item in day.items
        ]
        + ([] if lesson is None else [lesson])
        # Due questionnaires (issue 18) last: like a lesson, in no session and never held.
        # Only on a day with a plan: someone with no program is asked from /questionnaires/.
        + ([] if questionnaires is None or not day.items else questionnaires.get(day.date, [])),
    }


def plan_response(user: User, query_params) -> Response:
    """``user``'s plan for the dates the query asks (the patient's own, or a clinician's view of it)."""
    query = PlanQuerySerializer(data=query_params)
    query.is_valid(raise_exception=True)
    start = query.validated_data.get("start") or local_today(user.timezone)
    count = query.validated_data["days"]
    flare = FlareMode.of(user, start, start + dt.timedelta(days=count - 1))
    days = selectors.plan_for_user(user=user, start=start, days=count, flare_days=flare.days)
    statuses = item_statuses(user=user, start=days[0].date, end=days[-1].date)
    hold = Hold.of(user)
    lessons = lessons_for(user, [day.date for day in days])
    asked = questionnaire_items(user, [day.date for day in days])
    return Response({"days": [render_day(day, statuses, hold, flare, lessons, asked) for day in days]})


PLAN_PARAMETERS = [
    OpenApiParameter("start", str, description="YYYY-MM-DD; defaults to today (local)."),
    OpenApiParameter("days", int, description="1 to 28; defaults to 7."),
]
