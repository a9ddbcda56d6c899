"""Adherence: one definition for the summary, its weeks and the clinician's patient list.

Adherence over a window of days is the share of the exercise items due on those days
that were logged done:

- an item counts once a day, however often it was logged: each day's done items are
  capped by what was due that day;
- the person's own today, still under way, counts only the items already logged (done
  or skipped): what is still pending this morning is not missed yet;
- a window with nothing due has no adherence (``None``), not 0;
- a *paused* day has nothing due, so it neither counts nor breaks a streak: a day of
  flare-up mode (any local date a flare covered, in part or whole) and a day the
  safety hold paused (from its ``held_from`` date to the date it was released, both
  included, or to today while it is open). ``paused_days`` is the one rule; the
  callers zero what was due on those days (``not_due``).

Every window ends on the person's today (in their own time zone). Rounded to 3 places.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Day:
    done: int  # distinct items logged done that day
    due: int  # items the plan held that day
    logged: int = 0  # distinct due items logged done or skipped (only read for today)
    is_today: bool = False

    @property
    def counted_due(self) -> int:
        return min(self.logged, self.due) if self.is_today else self.due

    @property
    def counted_done(self) -> int:
        return min(self.done, self.counted_due)


def adherence(days: Iterable[Day]) -> float | None:
    """Done over due for these days, as the module docstring defines them."""
    done = due = 0
    for day in days:
        done += day.counted_done
        due += day.counted_due
    return round(done / due, 3) if due else None


def trailing(
    dates: Sequence[dt.date],
    done: Mapping[dt.date, int],
    due: Mapping[dt.date, int],
    today: dt.date,
    logged_today: int,
    lengths: Sequence[int],
) -> list[float | None]:
    """``adherence`` of the last ``lengths`` days of ``dates`` (oldest first, ending on
    ``today``), from the counts by date rather than ``Day`` rows: the clinician's list
    counts every patient's weeks this way. ``logged_today``: today's ``Day.logged``;
    each length at most ``len(dates)``."""
    results: list[float | None] = []
    done_sum = due_sum = 0
    wanted = sorted(lengths)
    for counted, day in enumerate(reversed(dates), start=1):
        planned = due.get(day, 0)
        if day == today:
            planned = min(logged_today, planned)
        done_sum += min(done.get(day, 0), planned)
        due_sum += planned
        while wanted and counted == wanted[0]:
            results.append(round(done_sum / due_sum, 3) if due_sum else None)
            wanted.pop(0)
    by_length = dict(zip(sorted(lengths), results, strict=True))
    return [by_length[n] for n in lengths]


def totals(days: Iterable[Day]) -> tuple[int, int]:
    """(done, due) as counted for adherence."""
    days = list(days)
    return sum(d.counted_done for d in days), sum(d.counted_due for d in days)


@dataclass(frozen=True)
class Pause:
    """Local dates on which nothing is due: a flare or a safety hold."""

    first: dt.date
    last: dt.date | None  # None: still paused (a hold not yet released)


def paused_days(pauses: Iterable[Pause], start: dt.date, end: dt.date) -> set[dt.date]:
    """The dates from ``start`` to ``end`` that any of ``pauses`` covers."""
    days: set[dt.date] = set()
    for pause in pauses:
        day, last = max(pause.first, start), min(pause.last or end, end)
        while day <= last:
            days.add(day)
            day += dt.timedelta(days=1)
    return days


def not_due(due: Mapping[dt.date, T], paused: set[dt.date], nothing: T) -> dict[dt.date, T]:
    """``due`` by date with the paused dates' entries replaced by ``nothing``."""
    return {day: nothing if day in paused else value for day, value in due.items()}
