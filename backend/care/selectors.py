"""Every read of the care app, scoped to the calling patient or clinician."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.care.models import AccessLogEntry, CareLink, ClinicianNote
from backend.core.lookups import among
from backend.outcomes.selectors import outcomes_of_patients
from backend.programs.models import Enrollment, Program
from backend.programs.schedule import NO_ADJUSTMENTS, DueTable, due_counts
from backend.programs.selectors import adjustments_for, attach_items
from backend.tracker import adherence
from backend.tracker.models import CheckIn, Flare, SafetyAlert, SafetyHold, SessionLog
from backend.tracker.selectors import checkins, pauses, session_logs

# Due counts of plans without adjustments, shared by every load of every clinician's
# list in this process: a plan's count depends only on the catalog's content (in the
# keys: each program's content hash) and the key, and planning new combinations was
# most of the list's cost for patients whose programs began on different days.
# Counts with a patient's own adjustments are kept for one load only.
_DUE_TABLE: DueTable = {}
_DUE_TABLE_MAX = 100_000

ALERT_RANK = {"see_doctor": 1, "urgent": 2, "emergency": 3}
TREND_STEP = 1.0  # points of the 0-10 scale between two weeks that count as a change
LOW_ADHERENCE = 0.5


def active_links(*, user: User) -> QuerySet[CareLink]:
    side = "clinician" if user.role == User.Role.CLINICIAN else "patient"
    return (
        CareLink.objects.filter(**{side: user}, ended_at__isnull=True)
        .select_related("patient", "clinician")
        .order_by("-created_at")
    )


def linked_patient(*, clinician: User, patient_id: int) -> CareLink:
    """The clinician's active link to this patient; anything else is a 404 (no existence leak)."""
    link = (
        CareLink.objects.filter(clinician=clinician, patient_id=patient_id, ended_at__isnull=True)
        .select_related("patient")
        .first()
    )
    if link is None:
        raise Http404
    return link


def access_log(*, patient: User, limit: int = 500) -> QuerySet[AccessLogEntry]:
    return (
        AccessLogEntry.objects.filter(patient=patient)
        .select_related("clinician")
        .order_by("-at", "-id")[:limit]
    )


def alerts(*, patient: User, open_only: bool) -> QuerySet[SafetyAlert]:
    qs = SafetyAlert.objects.filter(patient=patient).select_related("acknowledged_by").order_by("-created_at")
    if open_only:
        qs = qs.filter(acknowledged_at__isnull=True, withdrawn_at__isnull=True)
    return qs


def safety_holds(*, patient: User, limit: int = 20) -> list[SafetyHold]:
    """The patient's recent safety holds, latest first: the open one (at most one, and
    always the latest) and the record of each release."""
    return list(SafetyHold.objects.filter(patient=patient).order_by("-since", "-pk")[:limit])


def flares(*, patient: User, limit: int = 20) -> list[Flare]:
    """The patient's recent flares, latest first (the running one, if any, is the latest)."""
    return list(Flare.objects.filter(patient=patient).order_by("-started_at", "-pk")[:limit])


def notes(*, clinician: User, patient: User) -> QuerySet[ClinicianNote]:
    return ClinicianNote.objects.filter(clinician=clinician, patient=patient).order_by("-created_at")


def _trend(recent: list[float], before: list[float]) -> str | None:
    if not recent or not before:
        return None
    change = sum(recent) / len(recent) - sum(before) / len(before)
    if change >= TREND_STEP:
        return "up"
    if change <= -TREND_STEP:
        return "down"
    return "flat"


def _scores(days: list[tuple[int | None, int | None]], index: int) -> list[float]:
    """Pain (0) or stress (1) of these days, leaving out any not answered."""
    values = (day[index] for day in days)
    return [float(value) for value in values if value is not None]


def overview_links(*, clinician: User) -> list[tuple[int, dt.datetime, list[str]]]:
    """(patient id, linked since, scopes) of the clinician's active links."""
    return list(
        CareLink.objects.filter(clinician=clinician, ended_at__isnull=True).values_list(
            "patient_id", "created_at", "scopes"
        )
    )


def overview(
    *, links: list[tuple[int, dt.datetime, list[str]]]
) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Rows for these links, who needs attention first, in a constant number of queries,
    and each patient's time zone (the rows depend on their local dates).

    Rows are plain JSON-ready dicts (``PatientRowSerializer`` documents them):
    running 200 rows through a DRF serializer cost as much as all the queries.

    Adherence is over the last 7 and 28 days up to each patient's own today, as
    ``backend/tracker/adherence.py`` defines it; trends compare the last 7 days of check-ins with the 7
    before; alerts are the open red-flag alerts.
    """
    # Plain values rather than model instances wherever rows are only read: for 200
    # patients, building instances cost more than all the queries.
    latest = CheckIn.objects.filter(user=OuterRef("pk"), deleted=False).order_by(
        "-date", "-updated_at", "-seq"
    )
    if not links:
        return [], {}
    ids = [patient_id for patient_id, _, _ in links]
    patients = {
        p["id"]: p
        for p in User.objects.filter(among("id", ids))
        .values("id", "email", "display_name", "timezone", "daily_minutes")
        .annotate(
            last_checkin=Subquery(latest.values("date")[:1]),
            latest_pain=Subquery(latest.values("pain")[:1]),
            latest_stress=Subquery(latest.values("stress")[:1]),
        )
    }
    today = {pid: local_today(p["timezone"]) for pid, p in patients.items()}
    first_day = min(today.values()) - dt.timedelta(days=28)
    last_day = max(today.values())

    recent = defaultdict(list)
    for user_id, day, pain, stress in (
        CheckIn.objects.filter(
            among("user_id", ids), deleted=False, date__gte=first_day + dt.timedelta(days=14)
        )
        .order_by("user_id", "date", "updated_at", "seq")
        .values_list("user_id", "date", "pain", "stress")
    ):
        recent[user_id].append((day, pain, stress))

    # Items done by day: one row per patient, a column per date (COUNT ... FILTER),
    # rather than a row per patient and day to convert one by one.
    dates = [first_day + dt.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    columns = {
        f"done_{n}": Count("item_id", distinct=True, filter=Q(date=day)) for n, day in enumerate(dates)
    }
    done: defaultdict[int, dict[dt.date, int]] = defaultdict(dict)
    for user_id, *counts in (
        SessionLog.objects.filter(
            among("user_id", ids), deleted=False, status="done", date__gte=first_day, date__lte=last_day
        )
        .values("user_id")
        .annotate(**columns)
        .order_by()
        .values_list("user_id", *columns)
    ):
        done[user_id] = dict(zip(dates, counts, strict=True))

    # Today is counted once logged (done or skipped): the few logs of the patients' today.
    logged_today = defaultdict(set)
    for user_id, day, item_id in SessionLog.objects.filter(
        among("user_id", ids), deleted=False, date__gte=min(today.values()), date__lte=last_day
    ).values_list("user_id", "date", "item_id"):
        if day == today[user_id]:
            logged_today[user_id].add(item_id)

    # Programs are few and shared: one instance each, not one per enrollment.
    enrollment_rows = list(
        Enrollment.objects.filter(among("user_id", ids), start_date__lte=last_day).only(
            "id", "user_id", "program_id", "start_date", "pauses", "ended_on"
        )
    )
    programs = Program.objects.in_bulk({e.program_id for e in enrollment_rows})
    for enrollment in enrollment_rows:
        enrollment.program = programs[enrollment.program_id]
    enrollments = defaultdict(list)
    for enrollment in attach_items(enrollment_rows):
        enrollments[enrollment.user_id].append(enrollment)
    # Prescriptions and exercises set aside change what is due: one query for everyone.
    adjustments = adjustments_for(user_ids=ids, start=first_day, end=last_day)

    open_alerts = defaultdict(list)
    for alert in (
        SafetyAlert.objects.filter(
            among("patient_id", ids), acknowledged_at__isnull=True, withdrawn_at__isnull=True
        )
        .order_by("-created_at")
        .values("id", "patient_id", "level", "date", "red_flags", "created_at")
    ):
        open_alerts[alert["patient_id"]].append({k: v for k, v in alert.items() if k != "patient_id"})

    # Flare days and held days are not due (backend/tracker/adherence.py).
    paused, flaring = pauses(zones={pid: p["timezone"] for pid, p in patients.items()}, start=first_day)

    # Questionnaire scores: latest and change since the baseline (issue 18), one query.
    outcomes = outcomes_of_patients(ids)

    rows = []
    if len(_DUE_TABLE) > _DUE_TABLE_MAX:
        _DUE_TABLE.clear()
    adjusted_table: DueTable = {}
    windows: dict[dt.date, tuple[dt.date, ...]] = {}  # today -> its 28 days, shared
    for patient_id, linked_since, scopes in links:
        patient = patients[patient_id]
        local = today[patient_id]
        window28 = windows.get(local)
        if window28 is None:
            window28 = windows[local] = tuple(local - dt.timedelta(days=n) for n in range(27, -1, -1))
        adjusted = adjustments.get(patient_id, NO_ADJUSTMENTS)
        due = due_counts(
            enrollments[patient_id],
            window28[0],
            28,
            adjusted_table if adjusted else _DUE_TABLE,
            patient["daily_minutes"],
            adjusted,
        )
        if patient_id in paused:
            due = adherence.not_due(due, adherence.paused_days(paused[patient_id], window28[0], local), 0)
        adherence_7, adherence_28 = adherence.trailing(
            window28, done[patient_id], due, local, len(logged_today[patient_id]), (7, 28)
        )
        # Ordered by date, then last edit: the latest check-in of each day wins.
        by_day = {day: (pain, stress) for day, pain, stress in recent[patient_id]}
        week_ago, two_weeks_ago = local - dt.timedelta(days=7), local - dt.timedelta(days=14)
        this_week = [v for d, v in by_day.items() if week_ago < d <= local]
        last_week = [v for d, v in by_day.items() if two_weeks_ago < d <= week_ago]
        row = {
            "id": patient_id,
            "email": patient["email"],
            "name": patient["display_name"] or patient["email"],
            "linked_since": linked_since.isoformat(),
            "scopes": scopes,
            "adherence_7": adherence_7,
            "adherence_28": adherence_28,
            "today": local.isoformat(),
            "last_checkin": patient["last_checkin"].isoformat() if patient["last_checkin"] else None,
            "latest_pain": patient["latest_pain"],
            "latest_stress": patient["latest_stress"],
            "pain_trend": _trend(_scores(this_week, 0), _scores(last_week, 0)),
            "stress_trend": _trend(_scores(this_week, 1), _scores(last_week, 1)),
            "open_alerts": open_alerts[patient_id],
            "flare": flaring.get(patient_id),
            # A safety hold pauses their exercises now (open holds have no last day).
            "on_hold": any(pause.last is None for pause in paused.get(patient_id, [])),
            "outcomes": outcomes.get(patient_id, []),
        }
        row["attention"] = _attention(row)
        rows.append(row)
    rows.sort(key=_attention_order)
    return rows, {pid: p["timezone"] for pid, p in patients.items()}


def _attention(row: dict[str, Any]) -> list[str]:
    reasons = []
    levels = {a["level"] for a in row["open_alerts"]}
    for level, text in (
        ("emergency", "emergency red flag"),
        ("urgent", "urgent red flag"),
        ("see_doctor", "red flag"),
    ):
        if level in levels:
            reasons.append(text)
            break
    if row["pain_trend"] == "up":
        reasons.append("pain rising")
    if row["stress_trend"] == "up":
        reasons.append("stress rising")
    if row["adherence_7"] is not None and row["adherence_7"] < LOW_ADHERENCE:
        reasons.append("few sessions this week")
    return reasons


def _attention_order(row: dict[str, Any]) -> tuple:
    alert_rank = max((ALERT_RANK.get(a["level"], 0) for a in row["open_alerts"]), default=0)
    rising = (row["pain_trend"] == "up") + (row["stress_trend"] == "up")
    adherence = row["adherence_7"] if row["adherence_7"] is not None else 2.0
    return (-alert_rank, -rising, adherence, -(row["latest_pain"] or 0), row["email"])


def clinician_logs(*, link: CareLink, start: dt.date, end: dt.date) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if "logs" in link.scopes:
        result["session_logs"] = list(session_logs(user=link.patient, start=start, end=end))
    if "checkins" in link.scopes:
        result["checkins"] = list(checkins(user=link.patient, start=start, end=end))
    return result
