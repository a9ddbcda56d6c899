"""The daily plan, computed (never stored) from enrollments and per-week prescriptions.

Pure functions over already-fetched rows: callers fetch enrollments with their
program items and exercises in a constant number of queries (``selectors.py``).

A day is planned in three steps, the same for the plan, adherence and reminders:

1. **Due items**: each running enrollment's items for that date and week (a program
   enrolled twice, e.g. left and re-joined, plans each item once: the newest
   enrollment's week wins).
2. **Adjustments** (``Adjustments``): a care team's prescriptions replace program
   items (which keep their ids, so logs still count) or add items of their own
   (``rx:<prescription id>:<date>``); exercises set aside as "not for me" leave the day.
3. **Merge**: one item per exercise per time of day, whatever the number of programs
   (``_merge``); the item lists every program that planned it.
4. **Budget**: with a daily budget in minutes, what does not fit is optional
   (``apply_budget``). Optional items are shown but not due.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

from backend.programs.models import TIME_OF_DAY_ORDER, Enrollment, Exercise, ProgramItem
from backend.programs.progression import PainLimits, Progression

# What the person's pain reports did to a program item's dose on a date
# (``selectors.progress_for``); without one, the calendar's week is served.
Progress = Callable[[Enrollment, ProgramItem, dt.date], Progression]

# "<program slug>:<item key>:<YYYY-MM-DD>": stable for one program item on one date,
# readable in exports, and what session logs refer to.
ITEM_ID_RE = re.compile(
    r"^(?P<program>[a-z0-9-]{1,64}):(?P<key>[a-z0-9-]{1,64}):(?P<date>\d{4}-\d{2}-\d{2})$"
)

# The reserved pseudo-program of the flare plan (``flare.py``): its items are logged
# as "flare:<key>:<date>", and no program may take the slug.
FLARE_PROGRAM = "flare"
# The reserved pseudo-program of a clinician's added exercises: "rx:<prescription id>:<date>".
RX_PROGRAM = "rx"
RX_TITLE = "Set by your care team"
# Where an added exercise sorts in its session: after the programs' items.
RX_ORDER = "\uffff"

# How long things take, for a session's minutes and the daily budget. Rough on
# purpose: a guide to "about 12 minutes", not a stopwatch.
SECONDS_PER_REP = 4  # one slow repetition without a hold (cat-cow, dead bug)
SECONDS_BETWEEN_REPS = 2  # letting go of a hold and setting up the next one
REST_BETWEEN_SETS_SECONDS = 30
BREATH_SECONDS = 10  # one breath when the exercise has no pattern
HABIT_SECONDS = 60  # a habit or a dose-less item: a moment to do it or tick it
# The breathing kinds: at least one is kept whatever the budget, since calming the
# stress response is the point of the app.
CALMING_KINDS = frozenset({Exercise.Kind.BREATHING})


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


def item_seconds(exercise: Exercise, prescription: dict) -> int:
    """How long one item takes with this prescription, in seconds.

    - ``duration_seconds`` is the time itself;
    - ``breaths`` last one cycle of the exercise's pattern each (4-7-8: 19 s);
    - repetitions last their ``hold_seconds`` (plus setting up again between holds),
      or ``SECONDS_PER_REP`` without one; a hold without reps is one repetition;
      ``per_side`` doubles them; ``sets`` repeat them with a rest between;
    - anything else (habits, a note only) takes ``HABIT_SECONDS``.
    """
    if prescription.get("duration_seconds"):
        return int(prescription["duration_seconds"])
    if prescription.get("breaths"):
        cycle = sum(v for v in (exercise.pattern or {}).values() if isinstance(v, int | float))
        return math.ceil(int(prescription["breaths"]) * (cycle or BREATH_SECONDS))
    reps, hold = prescription.get("reps"), prescription.get("hold_seconds")
    if not reps and not hold:
        return HABIT_SECONDS
    reps = int(reps or 1)
    per_rep = int(hold) + SECONDS_BETWEEN_REPS if hold else SECONDS_PER_REP
    sides = 2 if prescription.get("per_side") else 1
    sets = max(int(prescription.get("sets") or 1), 1)
    return sets * reps * sides * per_rep + (sets - 1) * REST_BETWEEN_SETS_SECONDS


def minutes_of(seconds: int) -> int:
    """Whole minutes, rounded up: a 40-second session is "1 min", not "0 min"."""
    return math.ceil(seconds / 60)


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
    # Every program that planned this exercise at this time of day, in plan order.
    programs: tuple[str, ...] = ()
    # The ids the other programs' items had before the merge: a log made with one of
    # them (an older client, or before a second program was added) still counts.
    aliases: tuple[str, ...] = ()
    seconds: int = 0
    optional: bool = False
    # Where the item sorts: the earliest of the merged items, so a warm-up stays first.
    order: tuple = ()
    # Set by a clinician (``Prescribed``): their name, and the note the patient sees.
    prescribed_by: str | None = None
    note: str | None = None
    # Pain-guided progression: the week whose dose is served, and why (None: calendar).
    progression: Progression | None = None
    # The seconds of the calendar week's dose: what the merge and the daily budget go
    # by, so a dose stepped back or held never changes which items are due (adherence
    # and the clinician's counts stay the calendar's). 0: the same as ``seconds``.
    fit_seconds: int = 0

    @property
    def budget_seconds(self) -> int:
        return self.fit_seconds or self.seconds

    @property
    def sort_key(self) -> tuple:
        return self.order or (TIME_OF_DAY_ORDER.get(self.time_of_day, 99), self.program_title, self.position)

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)


@dataclass(frozen=True)
class Session:
    """The items of one time of day, with the minutes of those that are not optional."""

    time_of_day: str
    items: tuple[PlannedItem, ...]

    @property
    def minutes(self) -> int:
        return minutes_of(sum(i.seconds for i in self.items if not i.optional))

    @property
    def optional_minutes(self) -> int:
        return minutes_of(sum(i.seconds for i in self.items if i.optional))


@dataclass
class PlannedDay:
    date: dt.date
    items: list[PlannedItem] = field(default_factory=list)

    @property
    def sessions(self) -> list[Session]:
        """The items by time of day, in the order of the day (morning first)."""
        by_time: dict[str, list[PlannedItem]] = {}
        for item in self.items:  # already in day order
            by_time.setdefault(item.time_of_day, []).append(item)
        return [Session(time_of_day=t, items=tuple(items)) for t, items in by_time.items()]

    @property
    def minutes(self) -> int:
        """The day's total of items not optional, from their seconds: within the budget,
        though it may be a minute or two less than the sum of the sessions' rounded-up
        minutes."""
        return minutes_of(sum(item.seconds for item in self.due))

    @property
    def due(self) -> list[PlannedItem]:
        """The items that count for adherence and reminders: all but the optional ones."""
        return [item for item in self.items if not item.optional]


@dataclass(frozen=True)
class Prescribed:
    """A clinician's prescription as the plan applies it (``models.Prescription``)."""

    id: int
    exercise: Exercise
    time_of_day: str
    weekdays: tuple[int, ...] | None  # None: every day
    prescription: dict
    replaces: tuple[str, str] | None  # (program slug, item key)
    note: str
    by: str
    first: dt.date
    stop: dt.date | None  # the first date it no longer applies

    def on(self, day: dt.date) -> bool:
        """Whether it applies on this date (its days of the week included)."""
        return self.runs_on(day) and (self.weekdays is None or day.weekday() in self.weekdays)

    def runs_on(self, day: dt.date) -> bool:
        return self.first <= day and (self.stop is None or day < self.stop)

    @property
    def signature(self) -> tuple:
        """What the plan of a day depends on (not its id), for ``due_counts``' table."""
        return (
            self.exercise.pk,
            self.time_of_day,
            self.weekdays,
            tuple(sorted(self.prescription.items())),
            self.replaces,
        )


@dataclass(frozen=True)
class SetAsideSpan:
    """An exercise set aside as "not for me" (``models.SetAside``) and when."""

    exercise_id: int
    first: dt.date
    stop: dt.date | None

    def on(self, day: dt.date) -> bool:
        return self.first <= day and (self.stop is None or day < self.stop)


@dataclass(frozen=True)
class Adjustments:
    """One patient's changes to their plan: prescriptions and exercises set aside."""

    prescriptions: tuple[Prescribed, ...] = ()
    set_aside: tuple[SetAsideSpan, ...] = ()
    # The pain rule their clinician set (None: the defaults); not a change of what is due.
    limits: PainLimits | None = None

    def __bool__(self) -> bool:
        """Whether anything changes what is planned (the pain rule only doses)."""
        return bool(self.prescriptions or self.set_aside)

    def on(self, day: dt.date) -> tuple[list[Prescribed], dict[tuple[str, str], Prescribed], frozenset[int]]:
        """(added exercises, program items replaced, exercise ids set aside) on this date.

        A replacement counts while it runs, even on a day of the week it skips: the
        program item it stands for is then not planned that day.
        """
        added = [p for p in self.prescriptions if p.replaces is None and p.on(day)]
        replaced = {p.replaces: p for p in self.prescriptions if p.replaces is not None and p.runs_on(day)}
        aside = frozenset(s.exercise_id for s in self.set_aside if s.on(day))
        return added, replaced, aside

    def key_on(self, day: dt.date) -> tuple:
        """What of these changes shapes this date's plan, for ``due_counts``' table."""
        if not self:
            return ()
        added, replaced, aside = self.on(day)
        return (
            tuple(sorted((p.signature for p in added), key=repr)),
            tuple(sorted(((key, p.signature, p.on(day)) for key, p in replaced.items()), key=repr)),
            tuple(sorted(aside)),
        )


NO_ADJUSTMENTS = Adjustments()


def _prescribed_item(
    prescribed: Prescribed,
    day: dt.date,
    *,
    id: str,
    program: str,
    title: str,
    enrollment_id: int,
    week: int,
    position: int,
    order: tuple = (),
) -> PlannedItem:
    return PlannedItem(
        id=id,
        date=day,
        program=program,
        program_title=title,
        enrollment_id=enrollment_id,
        week=week,
        time_of_day=prescribed.time_of_day,
        exercise=prescribed.exercise,
        prescription=prescribed.prescription,
        position=position,
        programs=(program,),
        seconds=item_seconds(prescribed.exercise, prescribed.prescription),
        order=order,
        prescribed_by=prescribed.by,
        note=prescribed.note or None,
    )


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


def _served(item: ProgramItem, week: int, prescription: dict, decision: Progression) -> dict:
    """The dose of the week the progression serves; an item that only begins in a later
    week than that starts at its own first dose."""
    for served_week in range(max(1, decision.week), week + 1):
        served = item.prescription_for_week(served_week)
        if served is not None:
            return served
    return prescription


def _items_on(
    enrollment: Enrollment, items: Iterable[ProgramItem], day: dt.date, progress: Progress | None = None
) -> list[PlannedItem]:
    program = enrollment.program
    planned = []
    for item, week, prescription in _due_items(enrollment, items, day):
        decision = None if progress is None else progress(enrollment, item, day)
        served = prescription if decision is None else _served(item, week, prescription, decision)
        seconds = item_seconds(item.exercise, served)
        planned.append(
            PlannedItem(
                id=item_id(program.slug, item.key, day),
                date=day,
                program=program.slug,
                program_title=program.title,
                enrollment_id=enrollment.id,
                week=week,
                time_of_day=item.time_of_day,
                exercise=item.exercise,
                prescription=served,
                position=item.position,
                programs=(program.slug,),
                seconds=seconds,
                progression=decision,
                fit_seconds=seconds if served is prescription else item_seconds(item.exercise, prescription),
            )
        )
    return planned


def _merge(items: Sequence[PlannedItem]) -> list[PlannedItem]:
    """One item per (exercise, time of day); ``items`` in day order, the result too.

    When programs prescribe the same exercise at the same time, the gentlest dose is
    kept (fewest seconds; on a tie the first in day order), with its id, program and
    week: doing it once at the smaller dose keeps the person inside what every one of
    those programs asks at this stage, whereas the larger dose may be one a program
    only reaches in a later week, and for backs tensed by stress overdoing it is the
    commoner harm than doing a little less. The others' ids become aliases.
    """
    groups: dict[tuple[int, str], list[PlannedItem]] = {}
    for item in items:
        groups.setdefault((item.exercise.pk, item.time_of_day), []).append(item)
    merged = []
    for group in groups.values():
        if len(group) == 1:
            merged.append(group[0])
            continue
        # A clinician's dose is the one they chose for this person: it wins.
        prescribed = [i for i in group if i.prescribed_by is not None]
        kept = min(prescribed or group, key=lambda i: i.budget_seconds)  # min keeps the first of equals
        merged.append(
            replace(
                kept,
                programs=tuple(dict.fromkeys(i.program for i in group)),
                aliases=tuple(i.id for i in group if i.id != kept.id),
                order=group[0].sort_key,
            )
        )
    return sorted(merged, key=lambda p: p.sort_key)


def apply_budget(items: list[PlannedItem], budget_minutes: int | None) -> list[PlannedItem]:
    """Mark optional what does not fit a daily budget of minutes; ``items`` in day order.

    Deterministic, in this order, each item kept only if it still fits:
    1. the first calming (breathing) item of the day, kept even if it alone is over
       the budget: the day is never left without one;
    2. what a clinician prescribed, in day order, each if it fits: the care team
       chose it for this person;
    3. for each session in order, its first item that fits, so every time of day keeps
       something to start when it can;
    4. every other item in day order; one that does not fit is optional and a later,
       shorter one may still fit.
    Without a budget nothing is optional.
    """
    if budget_minutes is None or not items:
        return items
    left = budget_minutes * 60
    kept: set[int] = set()

    def keep(index: int, force: bool = False) -> None:
        nonlocal left
        if index in kept:
            return
        if force or items[index].budget_seconds <= left:
            kept.add(index)
            left -= items[index].budget_seconds

    calming = next((n for n, i in enumerate(items) if i.exercise.kind in CALMING_KINDS), None)
    if calming is not None:
        keep(calming, force=True)
    started: set[str] = set() if calming is None else {items[calming].time_of_day}
    for n, item in enumerate(items):
        if item.prescribed_by is not None and item.budget_seconds <= left:
            started.add(item.time_of_day)
            keep(n)
    for n, item in enumerate(items):
        if item.time_of_day not in started and item.budget_seconds <= left:
            started.add(item.time_of_day)
            keep(n)
    for n in range(len(items)):
        keep(n)
    return [item if n in kept else replace(item, optional=True) for n, item in enumerate(items)]


def _plan_day(
    enrollments: Sequence[Enrollment],
    day: dt.date,
    budget_minutes: int | None,
    progress: Progress | None = None,
    adjustments: Adjustments = NO_ADJUSTMENTS,
) -> PlannedDay:
    """One day; ``enrollments`` newest first (see ``plan_days``)."""
    added, replaced, aside = adjustments.on(day) if adjustments else ([], {}, frozenset())
    planned: dict[str, PlannedItem] = {}
    for enrollment in enrollments:
        slug = enrollment.program.slug
        items = enrollment.items
        if replaced:
            items = [i for i in items if (slug, i.key) not in replaced]
        for item in _items_on(enrollment, items, day, progress):
            planned.setdefault(item.id, item)
        if replaced and enrollment.runs_on(day):
            # The replaced items keep their ids (logs made before still count) and take
            # the clinician's dose, time and days.
            for program_item in enrollment.items:
                prescribed = replaced.get((slug, program_item.key))
                if prescribed is None or not prescribed.on(day):
                    continue
                planned.setdefault(
                    item_id(slug, program_item.key, day),
                    _prescribed_item(
                        prescribed,
                        day,
                        id=item_id(slug, program_item.key, day),
                        program=slug,
                        title=enrollment.program.title,
                        enrollment_id=enrollment.id,
                        week=enrollment.week_on(day),
                        position=program_item.position,
                    ),
                )
    for prescribed in added:
        planned[item_id(RX_PROGRAM, str(prescribed.id), day)] = _prescribed_item(
            prescribed,
            day,
            id=item_id(RX_PROGRAM, str(prescribed.id), day),
            program=RX_PROGRAM,
            title=RX_TITLE,
            enrollment_id=0,
            week=(day - prescribed.first).days // 7 + 1,
            position=prescribed.id,
            order=(TIME_OF_DAY_ORDER.get(prescribed.time_of_day, 99), RX_ORDER, prescribed.id),
        )
    kept = (p for p in planned.values() if p.exercise.pk not in aside) if aside else planned.values()
    ordered = sorted(kept, key=lambda p: p.sort_key)
    return PlannedDay(date=day, items=apply_budget(_merge(ordered), budget_minutes))


def _newest_first(enrollments: Iterable[Enrollment]) -> list[Enrollment]:
    # If a left enrollment and a new one of the same program overlap, the newer one's
    # week and prescription win.
    return sorted(enrollments, key=lambda e: (e.start_date, e.id), reverse=True)


def plan_days(
    enrollments: Iterable[Enrollment],
    start: dt.date,
    days: int,
    budget_minutes: int | None = None,
    progress: Progress | None = None,
    adjustments: Adjustments = NO_ADJUSTMENTS,
) -> list[PlannedDay]:
    """The plan for ``days`` consecutive local dates from ``start``.

    Each enrollment must come with ``program`` loaded and ``items`` attached
    (``selectors.attach_items``). ``budget_minutes`` is the user's ``daily_minutes``;
    ``progress`` chooses each item's dose from the person's pain reports (the plan a
    person sees); counting paths leave it out, since it never changes what is due.
    ``adjustments`` are their care team's and their own changes (``selectors.adjustments_for``):
    counting paths need them, since they change what is due. A prescribed dose is the
    clinician's: progression leaves it as it is.
    """
    ordered = _newest_first(enrollments)
    return [
        _plan_day(ordered, start + dt.timedelta(days=n), budget_minutes, progress, adjustments)
        for n in range(days)
    ]


@dataclass(frozen=True)
class DueDay:
    """A day's plan as adherence counts it."""

    due: int  # items due (not optional)
    # Every id a log may carry for a planned item (optional ones and aliases too) ->
    # the item's id: logs of one merged item count once.
    ids: dict[str, str]

    def counted(self, ids: Iterable[str]) -> int:
        """How many distinct planned items these logged ids are."""
        return len({self.ids[i] for i in ids if i in self.ids})


def due_days(
    enrollments: Iterable[Enrollment],
    start: dt.date,
    days: int,
    budget_minutes: int | None = None,
    adjustments: Adjustments = NO_ADJUSTMENTS,
) -> dict[dt.date, DueDay]:
    """Each day's due count and planned ids: the plan without its rendering, for counting."""
    return {
        day.date: DueDay(due=len(day.due), ids={alias: item.id for item in day.items for alias in item.ids})
        for day in plan_days(enrollments, start, days, budget_minutes, adjustments=adjustments)
    }


# ``due_counts``' table, shared by many patients: a day's key -> its due count, and a
# series key -> counts by position (see ``due_counts``).
DueTable = dict[tuple, Any]


def due_counts(
    enrollments: Iterable[Enrollment],
    start: dt.date,
    days: int,
    table: DueTable | None = None,
    budget_minutes: int | None = None,
    adjustments: Adjustments = NO_ADJUSTMENTS,
) -> dict[dt.date, int]:
    """How many items are due each day: the counting-only path for many patients.

    The same plan as ``plan_days`` (merged, adjusted, within the budget), but a day's
    count depends only on the budget, the weekday, which programs run in which week
    and the patient's adjustments that apply that day, so it is planned once per
    combination; pass the same ``table`` for many patients to share that work.

    Without adjustments the count goes further: while the same enrollments run, the
    weekday and every enrollment's week follow from the days since the newest one
    began, so patients whose enrollments began on the same weekday, at the same
    distances apart (most have one or two programs), read one series of counts by
    that number of days: a slice per stretch of days, not a lookup per day.

    Keys name each program's content hash: a table may outlive a request (the
    clinician list keeps one per process) as long as the items cached with
    ``selectors.attach_items`` do, and a catalog edit starts new keys.
    """
    table = {} if table is None else table
    last = start + dt.timedelta(days=days - 1)
    # Each enrollment's running span and pauses are worked out once, not per day
    # (``Enrollment.runs_on`` re-reads the program and re-parses the pauses).
    spans = []
    for e in _newest_first(enrollments):
        first = max(start, e.start_date)
        stop = min(last + dt.timedelta(days=1), e.end_date, e.ended_on or dt.date.max)
        if first >= stop:
            continue
        pauses = [
            (dt.date.fromisoformat(a), dt.date.fromisoformat(b) if b else dt.date.max) for a, b in e.pauses
        ]
        spans.append((e, first, stop, pauses))
    if adjustments:
        return _due_counts_by_day(spans, start, days, table, budget_minutes, adjustments)
    dates = table.get(("dates", start, days))
    if dates is None:
        dates = table["dates", start, days] = tuple(start + dt.timedelta(days=n) for n in range(days))
    if not spans:
        return dict.fromkeys(dates, 0)
    # Stretches of days over which the same enrollments run: cut where any begins,
    # ends or pauses.
    cuts = {0, days}
    for _, first, stop, pauses in spans:
        cuts.add((first - start).days)
        cuts.add((stop - start).days)
        for a, b in pauses:
            cuts.add(min(max((a - start).days, 0), days))
            cuts.add(min(max((b - start).days, 0), days) if b != dt.date.max else days)
    bounds = sorted(cuts)
    counts: list[int] = []
    for a, b in pairwise(bounds):
        day = dates[a]
        running = [
            e
            for e, first, stop, pauses in spans
            if first <= day < stop and not any(p <= day < q for p, q in pauses)
        ]
        if not running:
            counts.extend([0] * (b - a))
            continue
        anchor = running[0].start_date
        key = (
            "series",
            budget_minutes,
            anchor.weekday(),
            tuple((e.program_id, e.program.content_hash, (e.start_date - anchor).days) for e in running),
        )
        series = table.get(key)
        if series is None:
            series = table[key] = []
        at = (day - anchor).days
        if len(series) < at + b - a:
            series.extend([None] * (at + b - a - len(series)))
        part = series[at : at + b - a]
        if None in part:
            for n in range(a, b):
                if series[at + n - a] is None:
                    series[at + n - a] = _due_on(running, dates[n], table, budget_minutes, NO_ADJUSTMENTS)
            part = series[at : at + b - a]
        counts.extend(part)
    return dict(zip(dates, counts, strict=True))


def _due_on(
    running: list[Enrollment],
    day: dt.date,
    table: DueTable,
    budget_minutes: int | None,
    adjustments: Adjustments,
) -> int:
    """The due count of one day on which these enrollments run, planned once per key."""
    key = (
        budget_minutes,
        day.weekday(),
        tuple((e.program_id, e.program.content_hash, (day - e.start_date).days // 7 + 1) for e in running),
        adjustments.key_on(day),
    )
    due = table.get(key)
    if due is None:
        due = table[key] = len(_plan_day(running, day, budget_minutes, adjustments=adjustments).due)
    return due


def _due_counts_by_day(
    spans: list[tuple[Enrollment, dt.date, dt.date, list[tuple[dt.date, dt.date]]]],
    start: dt.date,
    days: int,
    table: DueTable,
    budget_minutes: int | None,
    adjustments: Adjustments,
) -> dict[dt.date, int]:
    """``due_counts`` day by day: the adjustments that apply change from day to day."""
    result = {}
    for n in range(days):
        day = start + dt.timedelta(days=n)
        running = [
            e
            for e, first, stop, pauses in spans
            if first <= day < stop and not any(a <= day < b for a, b in pauses)
        ]
        if not running and not adjustments:
            result[day] = 0
            continue
        result[day] = _due_on(running, day, table, budget_minutes, adjustments)
    return result
