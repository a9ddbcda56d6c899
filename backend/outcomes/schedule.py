"""When each questionnaire is due, in the person's local dates.

The first answer of an instrument is its baseline, due from the start. After it:
``every_days`` instruments are due that many days after the last answer; ``at_days``
instruments (STarT Back: day 0 and day 42) are due on each listed day counted from the
baseline, until an answer on or after that day. Dates are calendar dates in the
person's time zone, so a clock change (DST) moves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from backend.outcomes.instruments import Instrument


def due_date(instrument: Instrument, answered: list[dt.date], today: dt.date) -> dt.date | None:
    """The date ``instrument`` falls due given the dates it was answered (any order);
    ``today`` for a baseline not yet given; None when nothing more is due."""
    if not answered:
        return today
    dates = sorted(answered)
    if instrument.every_days is not None:
        return dates[-1] + dt.timedelta(days=instrument.every_days)
    first = dates[0]
    for offset in (instrument.at_days or ())[1:]:
        target = first + dt.timedelta(days=offset)
        if not any(day >= target for day in dates):
            return target
    return None


def is_due(instrument: Instrument, answered: list[dt.date], day: dt.date, today: dt.date) -> bool:
    """Whether ``instrument`` is due on ``day`` (today or later) and not answered that day."""
    if day in answered:
        return False
    due = due_date(instrument, [d for d in answered if d < day] if day > today else answered, today)
    return due is not None and due <= day


def answered_dates(rows: Iterable[tuple[str, dt.date]]) -> dict[str, list[dt.date]]:
    found: dict[str, list[dt.date]] = defaultdict(list)
    for slug, day in rows:
        found[slug].append(day)
    return found
