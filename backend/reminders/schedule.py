"""When a reminder rule fires: local wall-clock times in the user's IANA zone, in UTC.

Pure functions, no database. A rule fires at fixed local times (``times``) or every
``every_minutes`` from the start to the end of a daily local ``window``, on some
``weekdays`` (Monday=0), except inside ``quiet_hours`` (which may wrap midnight).

Daylight saving time follows the wall clock, as people do:
- a 07:30 reminder fires at 07:30 local on both sides of a change;
- a time the clocks skip (02:30 on a spring-forward night) fires once, at the
  moment the clock jumps (03:00 local);
- a time that occurs twice (02:30 on a fall-back night) fires once, the first time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = dt.UTC
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
ALL_WEEKDAYS = frozenset(range(7))
# Looking this many local days ahead finds the next slot of any rule that has one:
# a week for the weekdays, plus slack for a date the zone skipped entirely.
_HORIZON_DAYS = 9


def parse_hhmm(value: str) -> dt.time:
    if not isinstance(value, str) or not HHMM.match(value):
        raise ValueError(f"{value!r} is not a time of day HH:MM (00:00 to 23:59)")
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def format_hhmm(value: dt.time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def minutes_of(value: dt.time) -> int:
    return value.hour * 60 + value.minute


@dataclass(frozen=True)
class Schedule:
    zone: ZoneInfo
    times: tuple[dt.time, ...] = ()
    every_minutes: int | None = None
    window: tuple[dt.time, dt.time] | None = None
    weekdays: frozenset[int] = ALL_WEEKDAYS
    quiet_hours: tuple[dt.time, dt.time] | None = None

    @classmethod
    def from_fields(
        cls,
        *,
        zone: str,
        times: Iterable[str] = (),
        every_minutes: int | None = None,
        window: Iterable[str] | None = None,
        weekdays: Iterable[int] = ALL_WEEKDAYS,
        quiet_hours: Iterable[str] | None = None,
    ) -> Schedule:
        """From a rule's stored fields (strings "HH:MM"), already validated."""
        window_times = tuple(parse_hhmm(t) for t in window) if window else None
        quiet_times = tuple(parse_hhmm(t) for t in quiet_hours) if quiet_hours else None
        return cls(
            zone=ZoneInfo(zone),
            times=tuple(sorted({parse_hhmm(t) for t in times})),
            every_minutes=every_minutes,
            window=window_times,  # type: ignore[arg-type]
            weekdays=frozenset(weekdays),
            quiet_hours=quiet_times,  # type: ignore[arg-type]
        )

    def is_quiet(self, moment: dt.time) -> bool:
        if not self.quiet_hours:
            return False
        start, end = self.quiet_hours
        if start <= end:
            return start <= moment < end
        return moment >= start or moment < end  # e.g. 22:00-07:00 wraps midnight

    def daily_times(self) -> list[dt.time]:
        """The local times of a day this rule fires, quiet hours removed."""
        if self.times:
            slots = list(self.times)
        elif self.every_minutes and self.window:
            start, end = (minutes_of(t) for t in self.window)
            slots = [dt.time(m // 60, m % 60) for m in range(start, end + 1, self.every_minutes)]
        else:
            slots = []
        return [t for t in slots if not self.is_quiet(t)]

    def slots_on(self, day: dt.date) -> list[dt.time]:
        if day.weekday() not in self.weekdays:
            return []
        return self.daily_times()


def _offset_at(zone: ZoneInfo, instant: dt.datetime) -> dt.timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def to_instant(day: dt.date, moment: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant the local wall clock shows ``moment`` on ``day`` (see module doc)."""
    local = dt.datetime.combine(day, moment, tzinfo=zone)  # fold=0: the first occurrence
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant
    # The clocks skipped this wall time. fold=0 and fold=1 read it with the offsets
    # before and after the jump; the jump itself lies between the two instants.
    other = local.replace(fold=1).astimezone(UTC)
    low, high = min(instant, other), max(instant, other)
    after_jump = _offset_at(zone, high)
    step = dt.timedelta(seconds=1)
    while high - low > step:  # bisect to the second of the transition
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if _offset_at(zone, middle) == after_jump:
            high = middle
        else:
            low = middle
    return high


def next_fire_after(schedule: Schedule, after: dt.datetime) -> dt.datetime | None:
    """The first instant strictly after ``after`` the rule fires, in UTC; None if never."""
    if not schedule.daily_times() or not schedule.weekdays:
        return None
    first_day = after.astimezone(schedule.zone).date() - dt.timedelta(days=1)
    for offset in range(_HORIZON_DAYS):
        day = first_day + dt.timedelta(days=offset)
        candidates = [
            instant
            for moment in schedule.slots_on(day)
            if (instant := to_instant(day, moment, schedule.zone)) > after
        ]
        if candidates:
            return min(candidates)
    return None


def latest_due(schedule: Schedule, start: dt.datetime, now: dt.datetime) -> dt.datetime:
    """From a due slot ``start``, the last slot at or before ``now`` (collapses a backlog).

    After an outage a rule firing every 30 minutes has several missed slots; people
    want one reminder, not a burst, so only the most recent one is considered.
    """
    current = start
    while (following := next_fire_after(schedule, current)) is not None and following <= now:
        current = following
    return current


def recent_and_next(
    schedule: Schedule, *, since: dt.datetime, now: dt.datetime
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(the last slot in (``since``, ``now``], the first slot after ``now``), None where none.

    All the set-based dispatcher needs of a schedule, once per distinct schedule: for a
    rule due at ``due`` (``since`` = now - the late limit), ``latest_due(schedule, due,
    now)`` is the later of ``due`` and that last slot when ``due`` is after ``since``;
    when ``due`` is older, the slot sent instead is that last slot (none if None); and
    the rule's next firing is the second value. Both come from ``next_fire_after``, so
    they are exactly what the per-rule arithmetic gives, DST included.
    """
    last = None
    following = next_fire_after(schedule, since)
    while following is not None and following <= now:
        last = following
        following = next_fire_after(schedule, following)
    return last, next_fire_after(schedule, now)
