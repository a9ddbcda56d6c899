"""Reading a person's questionnaire answers: what is due, the plan's questionnaire
items, and each instrument's scores against the baseline. One query each."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.core.lookups import among
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


def _number(instrument: Instrument, value: float) -> str:
    return f"{value:.{instrument.decimals}f}" if instrument.decimals else f"{value:g}"


def _words(
    instrument: Instrument,
    baseline: float,
    latest: float,
    percent: int | None,
    bands: tuple[str | None, str | None],
) -> str:
    """The change since the baseline in plain words, with the numbers, naming a
    meaningful change only where the instrument publishes one."""
    then, now = _number(instrument, baseline), _number(instrument, latest)
    head = f"{instrument.short_title}: {then} when you started, {now} now"
    first_band, last_band = bands
    if latest == baseline:
        return f"{head}, the same."
    better = (latest < baseline) == (instrument.higher_is == "worse")
    size = f" ({abs(percent)}% {'lower' if latest < baseline else 'higher'})" if percent else ""
    change = instrument.meaningful_change
    threshold = ""
    if change:
        unit = "%" if change["kind"] == "percent" else " points"
        threshold = f"a {change['direction']} of {change['value']}{unit}"
    if instrument.meaningful(baseline, latest):
        return f"{head}{size}. That is a meaningful change: {threshold} or more is what the research counts as real."
    if first_band and last_band and first_band != last_band:
        moved = f", from {first_band} to {last_band}"
    else:
        moved = ""
    if better:
        tail = f" A meaningful change starts at {threshold}." if threshold else ""
        return f"{head}{size}{moved}, a little better.{tail}"
    return (
        f"{head}{size}{moved}. Scores go up and down; if yours stays higher, "
        "tell your physiotherapist or doctor."
    )


def outcome_series(user: User, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Per instrument answered: its scores in the window, the baseline (the first answer
    ever), the latest, the change and whether it reaches the published minimal important
    change. One query."""
    return _series(_answers(user), start, end)


def _series(
    rows: list[tuple[str, dt.date, float | None, str]], start: dt.date | None, end: dt.date | None
) -> list[dict[str, Any]]:
    found = []
    for slug, instrument in instruments().items():
        mine = [r for r in rows if r[0] == slug]
        if not mine:
            continue
        first, last = mine[0], mine[-1]
        baseline, latest = float(first[2] or 0), float(last[2] or 0)
        change = round(latest - baseline, instrument.decimals) if len(mine) > 1 else None
        percent = round(change / baseline * 100) if change is not None and baseline else None
        meaningful = len(mine) > 1 and instrument.meaningful(baseline, latest)
        bands = (first[3] or None, last[3] or None)
        if change is None:
            words = (
                f"{instrument.short_title}: {_number(instrument, baseline)} when you started. "
                "Your next answer will show the change."
            )
        else:
            words = _words(instrument, baseline, latest, percent, bands)
        found.append(
            {
                "questionnaire": slug,
                "title": instrument.title,
                "short_title": instrument.short_title,
                "points": [
                    {"date": day.isoformat(), "score": score, "band": band or None}
                    for _, day, score, band in mine
                    if start is not None and end is not None and start <= day <= end
                ],
                "baseline": {"date": first[1].isoformat(), "score": first[2], "band": first[3] or None},
                "latest": {"date": last[1].isoformat(), "score": last[2], "band": last[3] or None},
                "change": change,
                "percent": percent,
                "meaningful": meaningful,
                "words": words,
            }
        )
    return found


def summary_outcomes(user: User, start: dt.date, end: dt.date) -> dict[str, list[dict[str, Any]]]:
    """The summary's ``outcomes`` (each score in the window) and ``outcome_changes``
    (each instrument against its baseline). One query."""
    series = outcome_series(user, start, end)
    return {
        "outcomes": sorted(
            ({"questionnaire": s["questionnaire"], **point} for s in series for point in s["points"]),
            key=lambda row: (row["date"], row["questionnaire"]),
        ),
        "outcome_changes": [{k: v for k, v in s.items() if k != "points"} for s in series],
    }


def outcomes_of_patients(user_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The clinician list's ``outcomes`` per patient: latest score and change since the
    baseline of each instrument answered. One query for the whole list."""
    rows: dict[int, list[tuple[str, dt.date, float | None, str]]] = defaultdict(list)
    for user_id, slug, day, score, band in (
        QuestionnaireAnswer.objects.filter(among("user_id", user_ids), deleted=False)
        .order_by("user_id", "date", "seq")
        .values_list("user_id", "questionnaire", "date", "score", "band")
    ):
        rows[user_id].append((slug, day, score, band))
    return {
        user_id: [
            {
                "questionnaire": s["questionnaire"],
                "short_title": s["short_title"],
                "latest": s["latest"],
                "baseline": s["baseline"],
                "change": s["change"],
                "percent": s["percent"],
                "meaningful": s["meaningful"],
            }
            for s in _series(found, None, None)
        ]
        for user_id, found in rows.items()
    }
