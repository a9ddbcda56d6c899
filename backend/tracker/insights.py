"""Progress summaries: adherence, streaks, the daily series, weekly averages and the
stress-pain insights. Pure functions over rows the selectors fetched.

The wording is kind and never claims more than the numbers show: a correlation is
stated only with at least ``MIN_PAIRS`` paired days and ``|r| >= MIN_R``, always with
the numbers behind it, and never as a cause.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from backend.programs.schedule import DueDay
from backend.tracker import adherence

NOTHING_DUE = DueDay(due=0, ids={})

MIN_PAIRS = 14
MIN_R = 0.3
INSIGHT_DAYS = 90


@dataclass(frozen=True)
class DayCheckIn:
    date: dt.date
    pain: int | None  # None: not answered (the person left the slider alone)
    stress: int | None
    sleep_hours: float | None


@dataclass(frozen=True)
class DayLog:
    date: dt.date
    item_id: str
    status: str


def latest_per_day(checkins: Iterable[DayCheckIn]) -> dict[dt.date, DayCheckIn]:
    """One check-in per date: callers pass them oldest edit first, so the last wins."""
    return {checkin.date: checkin for checkin in checkins}


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


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


def stress_pain_insights(by_day: dict[dt.date, DayCheckIn], today: dt.date) -> list[dict[str, Any]]:
    window = [today - dt.timedelta(days=n) for n in range(INSIGHT_DAYS - 1, -1, -1)]
    # A score not answered (null) is left out: it is not a 0.
    same = [
        (stress, pain)
        for d in window
        if d in by_day and (stress := by_day[d].stress) is not None and (pain := by_day[d].pain) is not None
    ]
    nxt = [
        (stress, pain)
        for d in window[:-1]
        if d in by_day
        and d + dt.timedelta(days=1) in by_day
        and (stress := by_day[d].stress) is not None
        and (pain := by_day[d + dt.timedelta(days=1)].pain) is not None
    ]
    insights: list[dict[str, Any]] = []
    for kind, pairs, when in (
        ("stress_pain_same_day", same, "on the same day"),
        ("stress_pain_next_day", nxt, "the next day"),
    ):
        n = len(pairs)
        if n < MIN_PAIRS:
            continue
        r = pearson([p[0] for p in pairs], [p[1] for p in pairs])
        if r is None:
            insights.append(
                {
                    "kind": "no_clear_link",
                    "about": kind,
                    "r": None,
                    "n": n,
                    "text": f"Over {n} days your stress or pain stayed the same, so there is no pattern to show yet.",
                }
            )
            continue
        r = round(r, 2)
        if abs(r) >= MIN_R:
            direction = "higher" if r > 0 else "lower"
            strength = "clearly" if abs(r) >= 0.5 else "somewhat"
            text = (
                f"On days when your stress was higher, your pain {when} tended to be {direction} "
                f"({strength}: r = {r:+.2f} over {n} days). This is a pattern, not proof of a cause"
            )
            text += ", but calming practices may ease both." if r > 0 else "."
            insights.append({"kind": kind, "r": r, "n": n, "text": text})
        else:
            insights.append(
                {
                    "kind": "no_clear_link",
                    "about": kind,
                    "r": r,
                    "n": n,
                    "text": f"Over {n} days, your stress and your pain {when} did not clearly move together "
                    f"(r = {r:+.2f}).",
                }
            )
    if not same or len(same) < MIN_PAIRS:
        have = len(same)
        insights.append(
            {
                "kind": "not_enough_data",
                "r": None,
                "n": have,
                "text": f"After {MIN_PAIRS} days of check-ins we can show how your stress and pain move together "
                f"({have} so far in the last {INSIGHT_DAYS} days).",
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
        "insights": stress_pain_insights(by_day, today),
    }
