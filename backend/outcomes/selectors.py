"""Reading a person's questionnaire answers: what is due, the plan's questionnaire
items, and each instrument's scores against the baseline. One query each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.outcomes.instruments import Instrument, instruments
from backend.outcomes.schedule import answered_dates, due_date, is_due
from backend.tracker.models import QuestionnaireAnswer


def _answers(user: User) -> list[tuple[str, dt.date, float | None, str]]:
    """(questionnaire, date, score, band) of the live answers, oldest first, one query."""
    return list(
        QuestionnaireAnswer.objects.filter(user=user, deleted=False)
        .order_by("date", "seq")
        .values_list("questionnaire", "date", "score", "band")
    )


def catalogue_for(user: User) -> list[dict[str, Any]]:
    """``GET /api/v1/questionnaires/``: each instrument with the caller's due state,
    baseline and latest score."""
    rows = _answers(user)
    today = local_today(user.timezone)
    dates = answered_dates((slug, day) for slug, day, _, _ in rows)
    shown = []
    for slug, instrument in instruments().items():
        mine = [r for r in rows if r[0] == slug]
        due = due_date(instrument, dates.get(slug, []), today)
        shown.append(
            {
                **instrument.render(),
                "due": due is not None and due <= today and today not in dates.get(slug, []),
                "due_date": None if due is None else due.isoformat(),
                "baseline": None if not mine else {"date": mine[0][1].isoformat(), "score": mine[0][2]},
                "latest": None
                if not mine
                else {"date": mine[-1][1].isoformat(), "score": mine[-1][2], "band": mine[-1][3] or None},
            }
        )
    return shown


def _week(day: dt.date, first: dt.date | None) -> int:
    return 1 if first is None or day < first else (day - first).days // 7 + 1


def questionnaire_items(
    user: User, dates: list[dt.date], first: dt.date | None = None
) -> dict[dt.date, list[dict]]:
    """The questionnaire items of these dates of the plan: due ones (today and later)
    as pending, those answered that day as done. One query."""
    if not dates:
        return {}
    today = local_today(user.timezone)
    answered = answered_dates((slug, day) for slug, day, _, _ in _answers(user))
    items: dict[dt.date, list[dict]] = {}
    for day in dates:
        found = []
        for slug, instrument in instruments().items():
            mine = answered.get(slug, [])
            if day in mine:
                status = "done"
            elif day >= today and is_due(instrument, mine, day, today):
                status = "pending"
            else:
                continue
            found.append(_item(instrument, day, first, status))
        if found:
            items[day] = found
    return items


def _item(instrument: Instrument, day: dt.date, first: dt.date | None, status: str) -> dict:
    return {
        "id": f"questionnaire:{instrument.slug}",
        "kind": "questionnaire",
        "program": None,
        "programs": [],
        "week": _week(day, first),
        "time_of_day": "anytime",
        "questionnaire": instrument.card(),
        "status": status,
    }


def _words(instrument: Instrument, baseline: float, latest: float, meaningful: bool) -> str:
    if meaningful:
        return f"{instrument.short_title}: a meaningful change since you started."
    if latest == baseline:
        return f"{instrument.short_title}: the same as when you started."
    better = (latest < baseline) == (instrument.higher_is == "worse")
    return f"{instrument.short_title}: a little {'better' if better else 'higher'} than when you started."


def outcome_series(user: User, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Per instrument answered: its scores in the window, the baseline (the first answer
    ever), the latest, the change and whether it reaches the published minimal important
    change. One query."""
    rows = _answers(user)
    found = []
    for slug, instrument in instruments().items():
        mine = [r for r in rows if r[0] == slug]
        if not mine:
            continue
        first, last = mine[0], mine[-1]
        baseline, latest = float(first[2] or 0), float(last[2] or 0)
        change = round(latest - baseline, 1) if len(mine) > 1 else None
        percent = round(change / baseline * 100) if change is not None and baseline else None
        meaningful = len(mine) > 1 and instrument.meaningful(baseline, latest)
        found.append(
            {
                "questionnaire": slug,
                "title": instrument.title,
                "short_title": instrument.short_title,
                "points": [
                    {"date": day.isoformat(), "score": score, "band": band or None}
                    for _, day, score, band in mine
                    if start <= day <= end
                ],
                "baseline": {"date": first[1].isoformat(), "score": first[2]},
                "latest": {"date": last[1].isoformat(), "score": last[2], "band": last[3] or None},
                "change": change,
                "percent": percent,
                "meaningful": meaningful,
                "words": "" if change is None else _words(instrument, baseline, latest, meaningful),
            }
        )
    return found
