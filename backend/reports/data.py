"""Everything a visit report shows, for one person and one window, gathered in a
constant number of queries (whatever the window's length or the amount logged).

The report reads only what the clinician's patient summary reads (logs, check-ins,
questionnaire scores, safety alerts and holds, flares and the plan's changes): never
the journal, which a link shares only on request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.programs.models import PlanChange, Prescription, SetAside
from backend.tracker import selectors as tracker_selectors
from backend.tracker.flares import running
from backend.tracker.models import CheckIn, Flare, QuestionnaireAnswer, SafetyAlert, SafetyHold, SessionLog

WINDOWS = (28, 90)
# Remote-monitoring billing counts the days with data in each 30-day period.
BILLING_PERIOD_DAYS = 30
MAX_ROWS = 20  # of each record (alerts, holds, flares, plan changes) a report lists


@dataclass(frozen=True)
class Period:
    """A stretch of the window and the number of its days with at least one entry."""

    start: dt.date
    end: dt.date
    days_with_data: int

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class ReportData:
    name: str
    days: int
    start: dt.date
    end: dt.date
    made_at: dt.datetime
    zone: str
    summary: dict[str, Any]
    outcomes: list[dict[str, Any]]
    periods: list[Period]
    alerts: list[SafetyAlert] = field(default_factory=list)
    holds: list[SafetyHold] = field(default_factory=list)
    flares: list[Flare] = field(default_factory=list)
    prescriptions: list[Prescription] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)
    plan_changes: list[PlanChange] = field(default_factory=list)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(ZoneInfo(self.zone))

    def flare_running(self, flare: Flare) -> bool:
        return running(flare, self.made_at)


def periods(start: dt.date, end: dt.date, dates: set[dt.date]) -> list[Period]:
    """The window cut into ``BILLING_PERIOD_DAYS`` from its first day (the last one may
    be shorter), each with its number of days with data."""
    found = []
    first = start
    while first <= end:
        last = min(first + dt.timedelta(days=BILLING_PERIOD_DAYS - 1), end)
        found.append(Period(first, last, sum(1 for day in dates if first <= day <= last)))
        first = last + dt.timedelta(days=1)
    return found


def _dates_with_data(user: User, start: dt.date, end: dt.date) -> set[dt.date]:
    """Local dates with a live session log, check-in or questionnaire answer (one query)."""
    window = {"user": user, "deleted": False, "date__gte": start, "date__lte": end}
    logs = SessionLog.objects.filter(**window).values_list("date")
    checkins = CheckIn.objects.filter(**window).values_list("date")
    answers = QuestionnaireAnswer.objects.filter(**window).values_list("date")
    return {day for (day,) in logs.union(checkins, answers)}


def report_data(*, user: User, days: int, today: dt.date | None = None) -> ReportData:
    """What the report of ``user`` over the ``days`` local dates ending ``today`` shows."""
    today = today or local_today(user.timezone)
    start = today - dt.timedelta(days=days - 1)
    zone = ZoneInfo(user.timezone)
    # The window's first local midnight and the instant after its last day, in UTC.
    opens = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    closes = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=zone)

    summary = tracker_selectors.summary(user=user, days=days, today=today)
    # Each instrument against its baseline, with its scores in the window, from what
    # the summary read (only the instruments this deployment offers).
    outcomes = [
        {
            **change,
            "points": [p for p in summary["outcomes"] if p["questionnaire"] == change["questionnaire"]],
        }
        for change in summary["outcome_changes"]
    ]
    alerts = list(
        SafetyAlert.objects.filter(patient=user, date__gte=start, date__lte=today, withdrawn_at__isnull=True)
        .select_related("acknowledged_by")
        .order_by("-date", "-created_at")[:MAX_ROWS]
    )
    holds = list(
        SafetyHold.objects.filter(patient=user, since__lt=closes)
        .filter(Q(released_at__isnull=True) | Q(released_at__gte=opens))
        .order_by("-since", "-pk")[:MAX_ROWS]
    )
    flares = list(
        Flare.objects.filter(patient=user, started_at__lt=closes, ends_at__gte=opens).order_by(
            "-started_at", "-pk"
        )[:MAX_ROWS]
    )
    prescriptions = list(
        Prescription.objects.filter(patient=user, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=start))
        .select_related("exercise", "set_by")
        .order_by("starts_on", "id")[:MAX_ROWS]
    )
    set_aside = list(
        SetAside.objects.filter(patient=user, ends_on__isnull=True)
        .select_related("exercise")
        .order_by("created_at", "id")[:MAX_ROWS]
    )
    plan_changes = list(
        PlanChange.objects.filter(patient=user, at__gte=opens, at__lt=closes).order_by("-at", "-id")[
            :MAX_ROWS
        ]
    )
    return ReportData(
        name=user.name,
        days=days,
        start=start,
        end=today,
        made_at=timezone.now(),
        zone=user.timezone,
        summary=summary,
        outcomes=outcomes,
        periods=periods(start, today, _dates_with_data(user, start, today)),
        alerts=alerts,
        holds=holds,
        flares=flares,
        prescriptions=prescriptions,
        set_aside=set_aside,
        plan_changes=plan_changes,
    )
