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
from collections.abc import Iterable, Mapping
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
