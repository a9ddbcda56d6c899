"""Progress summaries: adherence, streaks, the daily series, weekly averages and the
stress-pain insights. Pure functions over rows the selectors fetched.

The wording is kind and never claims more than the numbers show: a pattern is stated
only with at least ``MIN_PAIRS`` paired days, as "could be chance" when its bootstrap
interval includes zero, never with numbers (clinicians read those from the keys) and
never as a cause (backend/tracker/patterns.py has the statistics).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from backend.programs.schedule import DueDay
from backend.tracker import adherence, factors, patterns
from backend.tracker.patterns import MIN_EACH, MIN_PAIRS

NOTHING_DUE = DueDay(due=0, ids={})

INSIGHT_DAYS = 90
__all__ = ["INSIGHT_DAYS", "MIN_EACH", "MIN_PAIRS"]


@dataclass(frozen=True)
class DayCheckIn:
    date: dt.date
    pain: int | None  # None: not answered (the person left the slider alone)
    stress: int | None
    sleep_hours: float | None
    factors: tuple[str, ...] = ()


@dataclass(frozen=True)
class DayLog:
    date: dt.date
    item_id: str
    status: str


def latest_per_day(checkins: Iterable[DayCheckIn]) -> dict[dt.date, DayCheckIn]:
    """One check-in per date: callers pass them oldest edit first, so the last wins."""
    return {checkin.date: checkin for checkin in checkins}


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 1) if present else None


def streaks(
    practised: set[dt.date], due_days: set[dt.date], today: dt.date, first: dt.date
) -> dict[str, int]:
    """Days in a row with at least one exercise done.

    A day with nothing due and nothing done (a rest day) neither breaks nor extends a
    streak, and today does not break it while it is still going on.
    """
    best = run = 0
    day = first
    while day <= today:
        if day in practised:
            run += 1
            best = max(best, run)
        elif day in due_days and day != today:
            run = 0
        day += dt.timedelta(days=1)
    current = 0
    day = today
    while day >= first:
        if day in practised:
            current += 1
        elif day in due_days and day != today:
            break
        day -= dt.timedelta(days=1)
    return {"current": current, "best": best}


def _pairs(xs: dict[dt.date, float], ys: dict[dt.date, float], lag: int) -> list[tuple[float, float]]:
    step = dt.timedelta(days=lag)
    return [(x, ys[day + step]) for day, x in sorted(xs.items()) if day + step in ys]


def _sentence(kind: str, higher: bool, chance: bool, label: str = "") -> str:
    """Plain words for a pattern: no numbers, never a cause, kind about chance."""
    way = "higher" if higher else "lower"
    if kind == "stress_pain_same_day":
        if chance:
            return "So far your stress and your pain on the same day have not clearly moved together: what shows could be chance."
        return f"On days you felt more stressed, your pain tended to be {way} that day."
    if kind == "stress_pain_next_day":
        if chance:
            return "So far your stress and your pain the next day have not clearly moved together: what shows could be chance."
        return f"On days after you felt more stressed, your pain tended to be {way}."
    if kind == "sleep_pain_next_day":
        if chance:
            return "So far how long you slept and your pain the next day have not clearly moved together: what shows could be chance."
        return f"After nights you slept longer, your pain the next day tended to be {way}."
    if kind == "practice_pain_next_day":
        if chance:
            return "So far your pain on days after you practised has been much like on other days: any difference could be chance."
        return f"On days after you practised, your pain tended to be {way} than on other days."
    if chance:
        return f"So far your pain on days with \u201c{label}\u201d has been much like on other days: any difference could be chance."
    return f"On days with \u201c{label}\u201d, your pain tended to be {way} than on days without it."


def _insight(
    kind: str, pattern: patterns.Pattern, lag_days: int, factor: dict[str, str] | None = None
) -> dict[str, Any]:
    correlation = pattern.method == patterns.SPEARMAN_METHOD
    insight: dict[str, Any] = {
        "kind": kind,
        "text": _sentence(kind, pattern.effect > 0, pattern.chance, factor["label"] if factor else ""),
        "n": pattern.n,
        "effect": round(pattern.effect, 2),
        "ci": [round(pattern.ci[0], 2), round(pattern.ci[1], 2)],
        "ci_level": patterns.CORRELATION_CI if correlation else patterns.DIFFERENCE_CI,
        "lag_days": lag_days,
        "method": pattern.method,
        "chance": pattern.chance,
        "r": round(pattern.effect, 2) if correlation else None,
    }
    if pattern.with_days is not None:
        insight["with_days"] = pattern.with_days
    if factor is not None:
        insight["factor"] = factor
    return insight


def pattern_insights(
    by_day: dict[dt.date, DayCheckIn], practised: set[dt.date], today: dt.date, seed_key: object
) -> list[dict[str, Any]]:
    """What the last ``INSIGHT_DAYS`` days show (backend/tracker/patterns.py has the method).

    A kind with fewer than ``MIN_PAIRS`` paired days is left out; a factor needs at
    least ``MIN_EACH`` days with it and without it.
    """
    first = today - dt.timedelta(days=INSIGHT_DAYS - 1)
    # A score not answered (null) is left out: it is not a 0.
    days = {d: c for d, c in by_day.items() if first <= d <= today}
    pain = patterns.detrend({d: c.pain for d, c in days.items() if c.pain is not None})
    stress = patterns.detrend({d: c.stress for d, c in days.items() if c.stress is not None})
    sleep = patterns.detrend({d: c.sleep_hours for d, c in days.items() if c.sleep_hours is not None})
    # A check-in's sleep is the night before it, so its own pain is the next day's.
    sleep_by_night = {d - dt.timedelta(days=1): v for d, v in sleep.items()}

    insights: list[dict[str, Any]] = []
    for kind, xs, lag in (
        ("stress_pain_same_day", stress, 0),
        ("stress_pain_next_day", stress, 1),
        ("sleep_pain_next_day", sleep_by_night, 1),
    ):
        found = patterns.correlation(_pairs(xs, pain, lag), patterns.seed_for(seed_key, kind))
        if found is not None:
            insights.append(_insight(kind, found, lag))

    one = dt.timedelta(days=1)
    after = {d: p for d, p in pain.items() if d - one >= first}
    found = patterns.difference(
        [p for d, p in after.items() if d - one in practised],
        [p for d, p in after.items() if d - one not in practised],
        patterns.seed_for(seed_key, "practice_pain_next_day"),
    )
    if found is not None:
        insights.append(_insight("practice_pain_next_day", found, 1))

    tapped: dict[str, int] = {}
    for d in pain:
        for value in days[d].factors:
            tapped[value] = tapped.get(value, 0) + 1
    # The most frequent first; a factor ties by its name so the order is stable.
    for value, _count in sorted(tapped.items(), key=lambda item: (-item[1], item[0])):
        found = patterns.difference(
            [p for d, p in pain.items() if value in days[d].factors],
            [p for d, p in pain.items() if value not in days[d].factors],
            patterns.seed_for(seed_key, "factor_pain", value),
        )
        if found is not None:
            insights.append(
                _insight("factor_pain", found, 0, factor={"slug": value, "label": factors.label_of(value)})
            )

    have = sum(1 for d in pain if d in stress)
    if have < MIN_PAIRS:
        insights.append(
            {
                "kind": "not_enough_data",
                "about": "stress_pain_same_day",
                "text": "After two weeks of check-ins we can start to show how your stress and your pain move together.",
                "n": have,
                "effect": None,
                "ci": None,
                "ci_level": None,
                "lag_days": 0,
                "method": patterns.SPEARMAN_METHOD,
                "chance": True,
                "r": None,
            }
        )
    return insights


def summarise(
    *,
    today: dt.date,
    days: int,
    due: dict[dt.date, DueDay],
    logs: Iterable[DayLog],
    checkins: Iterable[DayCheckIn],
    practised: set[dt.date],
    streak_due_days: set[dt.date],
    streak_first: dt.date,
    seed_key: object = 0,
) -> dict[str, Any]:
    """The summary document of the API: see ../shared/API.md (``/api/v1/summary/``)."""
    start = today - dt.timedelta(days=days - 1)
    window = [start + dt.timedelta(days=n) for n in range(days)]
    statuses: dict[dt.date, dict[str, str]] = {}
    for log in logs:  # oldest edit first: the latest status of each item wins
        statuses.setdefault(log.date, {})[log.item_id] = log.status
    by_day = latest_per_day(checkins)

    series = []
    counted: list[adherence.Day] = []
    for day in window:
        planned = due.get(day, NOTHING_DUE)
        # Any planned item done counts (an optional one in place of another too, as in
        # the clinician's list); a merged item logged under two of its ids counts once.
        on_day = statuses.get(day, {})
        done = planned.counted(item for item, status in on_day.items() if status == "done")
        logged = planned.counted(on_day)
        counted.append(adherence.Day(done=done, due=planned.due, logged=logged, is_today=day == today))
        checkin = by_day.get(day)
        series.append(
            {
                "date": day.isoformat(),
                "pain": checkin.pain if checkin else None,
                "stress": checkin.stress if checkin else None,
                "sleep_hours": checkin.sleep_hours if checkin else None,
                "done": done,
                "due": planned.due,
            }
        )

    weekly = []
    for block_end in range(len(window), 0, -7):
        block = series[max(0, block_end - 7) : block_end]
        block_days = counted[max(0, block_end - 7) : block_end]
        weekly.append(
            {
                "start": block[0]["date"],
                "end": block[-1]["date"],
                "days": len(block),
                "pain": _mean(d["pain"] for d in block),
                "stress": _mean(d["stress"] for d in block),
                "sleep_hours": _mean(d["sleep_hours"] for d in block),
                "adherence": adherence.adherence(block_days),
            }
        )
    weekly.reverse()
    done_total, due_total = adherence.totals(counted)

    change = None
    with_data = [w for w in weekly if w["pain"] is not None]
    if len(with_data) >= 2:
        first, last = with_data[0], with_data[-1]
        change = {
            "from": first["start"],
            "to": last["end"],
            **{
                name: round(last[name] - first[name], 1)
                if last[name] is not None and first[name] is not None
                else None
                for name in ("pain", "stress", "sleep_hours")
            },
        }

    return {
        "days": days,
        "start": start.isoformat(),
        "end": today.isoformat(),
        "adherence": adherence.adherence(counted),
        "done": done_total,
        "due": due_total,
        "streak": streaks(practised, streak_due_days, today, streak_first),
        "series": series,
        "weekly": weekly,
        "change_since_first_week": change,
        "insights": pattern_insights(by_day, practised, today, seed_key),
    }
