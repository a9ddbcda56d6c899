"""A patient with three months of use, for the report's tests and its benchmark: a
check-in most days from 90 days ago, three programs started 42 days ago (the furthest
back the app allows) (pain falling, stress and sleep varying,
some days skipped), most sessions done, PEG weekly (a 30% fall from 7), PHQ-4
fortnightly, PSS-4 monthly, a red flag that held the exercises for two days, a flare
that ran its 48 hours, and an exercise a clinician prescribed."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.outcomes.instruments import all_instruments
from backend.programs.models import Program
from backend.programs.selectors import plan_for_user
from backend.programs.services import enrollment_create, prescription_create
from backend.tracker.holds import safety_hold_release
from backend.tracker.models import Flare, SafetyHold
from backend.tracker.serializers import validate_entries
from backend.tracker.services import sync_apply

DAYS = 90
PROGRAMS = ("core-strength", "back-stretches", "breathing-relaxation")
# Days (counted back from today) with no check-in and no session: gaps in the charts.
QUIET = {3, 4, 17, 30, 31, 32, 55, 71}
RED_FLAG_DAY = 40  # leg weakness answered: urgent, the exercises held
FLARE_DAY = 20


@dataclass(frozen=True)
class Seeded:
    user: User
    today: dt.date
    peg_baseline: float
    peg_latest: float


def _entry(kind: str, data: dict, minutes: int) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "type": kind,
        "updated_at": (timezone.now() - dt.timedelta(minutes=minutes)).isoformat(),
        "deleted": False,
        "data": data,
    }


def _answers(slug: str, values: list[int]) -> dict:
    items = all_instruments()[slug].items
    return {item.id: value for item, value in zip(items, values, strict=True)}


def _apply(user: User, entries: list[dict]) -> None:
    today = local_today(user.timezone)
    for first in range(0, len(entries), 400):
        checked = validate_entries(entries[first : first + 400], today=today, now=timezone.now())
        sync_apply(user=user, entries=checked, cursor=None)


def seed_patient(user: User, *, clinician: User | None = None, seed: int = 18) -> Seeded:
    rng = random.Random(seed)
    today = local_today(user.timezone)
    first = today - dt.timedelta(days=DAYS - 1)
    for slug in PROGRAMS:
        enrollment_create(
            user=user, program=Program.objects.get(slug=slug), start_date=today - dt.timedelta(days=42)
        )
    plan = {day.date: day for day in plan_for_user(user=user, start=first, days=DAYS)}
    entries: list[dict] = []
    for back in range(DAYS - 1, -1, -1):
        day = today - dt.timedelta(days=back)
        if back in QUIET:
            continue
        trend = 7 - 4 * (DAYS - 1 - back) / (DAYS - 1)  # pain from about 7 down to about 3
        stress = min(10, max(0, round(trend - 1 + rng.gauss(0, 1.5))))
        pain = min(10, max(0, round(trend + 0.4 * (stress - trend + 1) + rng.gauss(0, 0.8))))
        checkin = {
            "date": day.isoformat(),
            "pain": pain,
            "stress": stress,
            "sleep_hours": round(min(10.0, max(4.0, rng.gauss(7, 1))) * 2) / 2,
            "factors": ["work"] if rng.random() < 0.3 else [],
        }
        if back == RED_FLAG_DAY:
            checkin["red_flags"] = ["leg_weakness"]
        entries.append(_entry("checkin", checkin, back * 1440 + 30))
        for item in plan[day].due if day in plan else []:
            if back == 0 or rng.random() < 0.75:
                status = "done" if back or rng.random() < 0.9 else "skipped"
                session = {"date": day.isoformat(), "item_id": item.id, "status": status}
                entries.append(_entry("session", session, back * 1440 + 20))
    peg = {}
    for back in range(DAYS - 1, -1, -7):
        day = today - dt.timedelta(days=back)
        level = round(7 - 3 * (DAYS - 1 - back) / (DAYS - 1))
        values = [level, max(0, level - 1), level]
        peg[day] = round(sum(values) / 3, 1)
        entries.append(
            _entry(
                "questionnaire",
                {"date": day.isoformat(), "questionnaire": "peg", "answers": _answers("peg", values)},
                back * 1440 + 10,
            )
        )
    for back, values in ((DAYS - 1, [2, 1, 1, 1]), (61, [1, 1, 1, 0]), (33, [1, 0, 1, 0]), (5, [0, 0, 1, 0])):
        day = today - dt.timedelta(days=back)
        data = {"date": day.isoformat(), "questionnaire": "phq4", "answers": _answers("phq4", values)}
        entries.append(_entry("questionnaire", data, back * 1440 + 9))
    for back, values in ((DAYS - 1, [3, 1, 1, 3]), (33, [2, 2, 2, 2])):
        day = today - dt.timedelta(days=back)
        data = {"date": day.isoformat(), "questionnaire": "pss4", "answers": _answers("pss4", values)}
        entries.append(_entry("questionnaire", data, back * 1440 + 8))
    _apply(user, entries)

    # The red flag's hold, released two days later: the person had been seen.
    hold = SafetyHold.objects.filter(patient=user, released_at__isnull=True).first()
    if hold is not None:
        SafetyHold.objects.filter(pk=hold.pk).update(since=timezone.now() - dt.timedelta(days=RED_FLAG_DAY))
        safety_hold_release(patient=user, reason=SafetyHold.Reason.SEEN_PROFESSIONAL, by=user)
        SafetyHold.objects.filter(pk=hold.pk).update(
            released_at=timezone.now() - dt.timedelta(days=RED_FLAG_DAY - 2)
        )
    started = timezone.now() - dt.timedelta(days=FLARE_DAY)
    Flare.objects.create(
        patient=user,
        started_at=started,
        ends_at=started + dt.timedelta(hours=48),
        ended_at=started + dt.timedelta(hours=48),
        ended_by=Flare.EndedBy.EXPIRED,
        check_in_feeling=Flare.Feeling.BETTER,
        checked_in_at=started + dt.timedelta(hours=50),
    )
    if clinician is not None:
        prescription_create(
            patient=user,
            by=clinician,
            exercise="bird-dog",
            time_of_day="morning",
            prescription={"sets": 2, "reps": 8},
            note="Slowly, keep the back level.",
        )
    dates = sorted(peg)
    return Seeded(user=user, today=today, peg_baseline=peg[dates[0]], peg_latest=peg[dates[-1]])
