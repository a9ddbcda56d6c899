"""The daily plan, computed (never stored) from enrollments and per-week prescriptions.

Pure functions over already-fetched rows: callers fetch enrollments with their
program items and exercises in a constant number of queries (``selectors.py``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from backend.programs.models import TIME_OF_DAY_ORDER, Enrollment, Exercise, ProgramItem

# "<program slug>:<item key>:<YYYY-MM-DD>": stable for one program item on one date,
# readable in exports, and what session logs refer to.
ITEM_ID_RE = re.compile(
    r"^(?P<program>[a-z0-9-]{1,64}):(?P<key>[a-z0-9-]{1,64}):(?P<date>\d{4}-\d{2}-\d{2})$"
)


def item_id(program_slug: str, key: str, day: dt.date) -> str:
    return f"{program_slug}:{key}:{day.isoformat()}"


def parse_item_id(value: str) -> tuple[str, str, dt.date] | None:
    match = ITEM_ID_RE.match(value)
    if not match:
        return None
    try:
        day = dt.date.fromisoformat(match["date"])
    except ValueError:
        return None
    return match["program"], match["key"], day


@dataclass(frozen=True)
class PlannedItem:
    id: str
    date: dt.date
    program: str
    program_title: str
    enrollment_id: int
    week: int
    time_of_day: str
    exercise: Exercise
    prescription: dict
    position: int

    @property
    def sort_key(self) -> tuple:
        return (TIME_OF_DAY_ORDER.get(self.time_of_day, 99), self.program_title, self.position)


@dataclass
class PlannedDay:
    date: dt.date
    items: list[PlannedItem] = field(default_factory=list)


def _due_items(
    enrollment: Enrollment, items: Iterable[ProgramItem], day: dt.date
) -> Iterator[tuple[ProgramItem, int, dict]]:
    """The program items due on a local date, with the week and its prescription."""
    if not enrollment.runs_on(day):
        return
    week = enrollment.week_on(day)
    for item in items:
        prescription = item.prescription_for_week(week)
        if prescription is None:
            continue
        if item.weekdays and day.weekday() not in item.weekdays:
            continue
        yield item, week, prescription


def _items_on(enrollment: Enrollment, items: Iterable[ProgramItem], day: dt.date) -> list[PlannedItem]:
    program = enrollment.program
    return [
        PlannedItem(
            id=item_id(program.slug, item.key, day),
            date=day,
            program=program.slug,
            program_title=program.title,
            enrollment_id=enrollment.id,
            week=week,
            time_of_day=item.time_of_day,
            exercise=item.exercise,
            prescription=prescription,
            position=item.position,
        )
        for item, week, prescription in _due_items(enrollment, items, day)
    ]


def due_item_ids(enrollments: Iterable[Enrollment], start: dt.date, days: int) -> dict[dt.date, set[str]]:
    """The ids of the items due each day: the plan without its rendering, for counting."""
    enrollments = list(enrollments)
    result: dict[dt.date, set[str]] = {}
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        ids: set[str] = set()
        for enrollment in enrollments:
            slug = enrollment.program.slug
            ids.update(
                item_id(slug, item.key, day) for item, _, _ in _due_items(enrollment, enrollment.items, day)
            )
        result[day] = ids
    return result


def plan_days(enrollments: Iterable[Enrollment], start: dt.date, days: int) -> list[PlannedDay]:
    """The plan for ``days`` consecutive local dates from ``start``.

    Each enrollment must come with ``program`` loaded and ``items`` attached
    (``selectors.attach_items``).
    """
    # Newest first: if a left enrollment and a new one of the same program overlap,
    # the newer one's week and prescription win.
    enrollments = sorted(enrollments, key=lambda e: (e.start_date, e.id), reverse=True)
    result = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        planned: dict[str, PlannedItem] = {}
        for enrollment in enrollments:
            for item in _items_on(enrollment, enrollment.items, day):
                planned.setdefault(item.id, item)
        ordered = sorted(planned.values(), key=lambda p: p.sort_key)
        result.append(PlannedDay(date=day, items=ordered))
    return result


def due_counts(
    enrollments: Iterable[Enrollment],
    start: dt.date,
    days: int,
    table: dict[tuple[int, int, int], int] | None = None,
) -> dict[dt.date, int]:
    """How many items are due each day: the counting-only path for many patients.

    Items due depend only on (program, week, weekday), so they are counted once per
    combination; pass the same ``table`` for many patients to share that work.
    """
    table = {} if table is None else table
    counts = [0] * days
    last = start + dt.timedelta(days=days - 1)
    for enrollment in enrollments:
        first_day = max(start, enrollment.start_date)
        stop = min(last + dt.timedelta(days=1), enrollment.end_date, enrollment.ended_on or dt.date.max)
        if first_day >= stop:
            continue
        pauses = [
            (dt.date.fromisoformat(a), dt.date.fromisoformat(b) if b else dt.date.max)
            for a, b in enrollment.pauses
        ]
        items = None
        # Walk by offsets, not dates: this runs for every day of every patient in a
        # clinician's list.
        since_start, into_window, weekday = (
            (first_day - enrollment.start_date).days,
            (first_day - start).days,
            first_day.weekday(),
        )
        for n in range((stop - first_day).days):
            if pauses:
                day = first_day + dt.timedelta(days=n)
                if any(a <= day < b for a, b in pauses):
                    continue
            key = (enrollment.program_id, (since_start + n) // 7 + 1, (weekday + n) % 7)
            due = table.get(key)
            if due is None:
                items = items if items is not None else list(enrollment.items)
                week, on = key[1], key[2]
                due = table[key] = sum(
                    1
                    for item in items
                    if item.prescription_for_week(week) is not None
                    and (not item.weekdays or on in item.weekdays)
                )
            counts[into_window + n] += due
    return {start + dt.timedelta(days=offset): count for offset, count in enumerate(counts)}
