"""The time arithmetic: local wall-clock reminders in IANA zones, through DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.reminders.schedule import (
    Schedule,
    format_hhmm,
    latest_due,
    next_fire_after,
    parse_hhmm,
    recent_and_next,
)

UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)

# Zones with DST in both hemispheres, half-hour DST (Lord Howe), 45-minute offsets
# (Chatham), transitions at midnight (Havana, Santiago), none at all (Kolkata).
ZONES = [
    "Europe/Paris",
    "America/New_York",
    "America/Havana",
    "America/Santiago",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Europe/London",
    "America/St_Johns",
    "UTC",
]


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def daily(zone: str, *times: str, weekdays=range(7), quiet=None) -> Schedule:
    return Schedule.from_fields(zone=zone, times=times, weekdays=weekdays, quiet_hours=quiet)


def fires(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    found, current = [], start
    while (current := next_fire_after(schedule, current)) is not None and current < end:
        found.append(current)
    return found


def local(instant: dt.datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


# --- Readable cases ------------------------------------------------------------------


def test_a_0730_reminder_fires_at_0730_local_on_both_sides_of_spring_forward():
    paris = daily("Europe/Paris", "07:30")
    got = fires(paris, utc("2026-03-27T12:00"), utc("2026-03-31T00:00"))

    assert [local(t, "Europe/Paris") for t in got] == [
        "2026-03-28 07:30 CET",
        "2026-03-29 07:30 CEST",
        "2026-03-30 07:30 CEST",
    ]
    assert got[0] == utc("2026-03-28T06:30") and got[1] == utc("2026-03-29T05:30")


def test_a_0730_reminder_fires_at_0730_local_on_both_sides_of_fall_back():
    new_york = daily("America/New_York", "07:30")
    got = fires(new_york, utc("2026-10-31T00:00"), utc("2026-11-03T00:00"))

    assert [local(t, "America/New_York") for t in got] == [
        "2026-10-31 07:30 EDT",
        "2026-11-01 07:30 EST",
        "2026-11-02 07:30 EST",
    ]


def test_a_time_the_clocks_skip_fires_once_when_they_jump():
    # Paris, 29 March 2026: 02:00 becomes 03:00; 02:30 does not exist that night.
    paris = daily("Europe/Paris", "02:30")
    got = fires(paris, utc("2026-03-28T00:00"), utc("2026-03-31T00:00"))

    assert [local(t, "Europe/Paris") for t in got] == [
        "2026-03-28 02:30 CET",
        "2026-03-29 03:00 CEST",  # once, just after the gap
        "2026-03-30 02:30 CEST",
    ]


def test_interval_slots_inside_the_gap_collapse_into_one_reminder():
    paris = Schedule.from_fields(zone="Europe/Paris", every_minutes=15, window=["01:30", "03:15"])
    got = fires(paris, utc("2026-03-28T22:00"), utc("2026-03-29T12:00"))

    # 02:00, 02:15, 02:30 and 02:45 do not exist; they and 03:00 fire once, at 03:00.
    assert [local(t, "Europe/Paris")[11:] for t in got] == [
        "01:30 CET",
        "01:45 CET",
        "03:00 CEST",
        "03:15 CEST",
    ]


def test_a_time_that_happens_twice_fires_once_the_first_time():
    # Paris, 25 October 2026: 03:00 becomes 02:00 again; 02:30 happens twice.
    paris = daily("Europe/Paris", "02:30")
    got = fires(paris, utc("2026-10-24T12:00"), utc("2026-10-26T12:00"))

    assert got == [utc("2026-10-25T00:30"), utc("2026-10-26T01:30")]
    assert local(got[0], "Europe/Paris") == "2026-10-25 02:30 CEST"


def test_half_hour_dst_of_lord_howe():
    # Lord Howe Island moves its clocks by 30 minutes: 02:00 -> 02:30 on 4 Oct 2026.
    lord_howe = daily("Australia/Lord_Howe", "02:15", "07:30")
    got = fires(lord_howe, utc("2026-10-03T10:00"), utc("2026-10-04T12:00"))

    assert [local(t, "Australia/Lord_Howe")[11:16] for t in got] == ["02:30", "07:30"]


def test_weekdays_are_the_users_local_weekdays():
    # 23:30 on Sunday in Auckland is still Sunday morning in UTC... and Monday is 0.
    auckland = daily("Pacific/Auckland", "07:00", weekdays=[0])
    got = fires(auckland, utc("2026-11-20T00:00"), utc("2026-12-05T00:00"))

    assert [t.astimezone(ZoneInfo("Pacific/Auckland")).strftime("%a %d %H:%M") for t in got] == [
        "Mon 23 07:00",
        "Mon 30 07:00",
    ]


def test_desk_breaks_every_50_minutes_within_working_hours_on_working_days():
    desk = Schedule.from_fields(
        zone="Europe/Paris", every_minutes=50, window=["09:00", "17:00"], weekdays=[0, 1, 2, 3, 4]
    )
    week = fires(desk, utc("2026-11-22T23:00"), utc("2026-11-29T23:00"))  # Mon 23 to Sun 29, local

    per_day: dict[str, list[str]] = {}
    for instant in week:
        wall = instant.astimezone(ZoneInfo("Europe/Paris"))
        per_day.setdefault(wall.strftime("%a"), []).append(wall.strftime("%H:%M"))
    assert list(per_day) == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    assert per_day["Wed"] == [
        "09:00", "09:50", "10:40", "11:30", "12:20", "13:10", "14:00", "14:50", "15:40", "16:30"
    ]  # fmt: skip


def test_quiet_hours_across_midnight_silence_the_night():
    schedule = daily("Europe/Paris", "06:00", "12:00", "23:00", quiet=["22:00", "07:00"])
    got = fires(schedule, utc("2026-11-20T00:00"), utc("2026-11-22T00:00"))

    assert {local(t, "Europe/Paris")[11:16] for t in got} == {"12:00"}


def test_a_rule_whose_every_time_is_quiet_never_fires():
    assert next_fire_after(daily("UTC", "23:00", quiet=["22:00", "07:00"]), utc("2026-11-20T00:00")) is None


def test_after_an_outage_only_the_latest_missed_slot_is_considered():
    every_15 = Schedule.from_fields(zone="UTC", every_minutes=15, window=["09:00", "17:00"])

    assert latest_due(every_15, utc("2026-11-20T09:00"), utc("2026-11-20T09:50")) == utc("2026-11-20T09:45")
    assert latest_due(every_15, utc("2026-11-20T09:00"), utc("2026-11-20T09:05")) == utc("2026-11-20T09:00")


@pytest.mark.parametrize("text", ["24:00", "7:30", "07:60", "0730", "07:30:00", "", " 07:30"])
def test_times_of_day_are_strictly_hh_mm(text):
    with pytest.raises(ValueError):
        parse_hhmm(text)


# --- Properties against a brute-force walk, minute by minute --------------------------------------


def brute_force_next(schedule: Schedule, after: dt.datetime, days: int = 9) -> dt.datetime | None:
    """Walk UTC minutes and watch the wall clock, as a person with a watch would.

    A slot fires the first minute the wall clock shows it (never on the second pass
    of a repeated hour); a slot the clock jumps over fires at the minute of the jump.
    """
    zone = schedule.zone
    slots = set(schedule.daily_times())
    minute = after.replace(second=0, microsecond=0) + MINUTE
    previous_wall = (minute - MINUTE).astimezone(zone).replace(tzinfo=None)
    for _ in range(days * 24 * 60):
        wall_aware = minute.astimezone(zone)
        wall = wall_aware.replace(tzinfo=None)
        jumped = []
        skipped = previous_wall + MINUTE
        while skipped < wall:  # wall times the clock skipped (spring forward)
            jumped.append(skipped)
            skipped += MINUTE
        candidates = jumped if wall <= previous_wall else [*jumped, wall]
        if wall_aware.fold == 1:  # a repeated wall time: it already had its chance
            candidates = jumped
        for moment in candidates:
            if moment.weekday() in schedule.weekdays and moment.time() in slots:
                return minute
        previous_wall = max(previous_wall, wall)
        minute += MINUTE
    return None


hhmm = st.builds(
    lambda h, m: f"{h:02d}:{m:02d}", st.sampled_from([0, 1, 2, 3, 4, 7, 12, 22, 23]), st.integers(0, 59)
)


@st.composite
def schedules(draw) -> Schedule:
    zone = draw(st.sampled_from(ZONES))
    weekdays = draw(st.sets(st.integers(0, 6), min_size=1))
    quiet = draw(st.none() | st.lists(hhmm, min_size=2, max_size=2, unique=True))
    if draw(st.booleans()):
        return Schedule.from_fields(
            zone=zone,
            times=draw(st.lists(hhmm, min_size=1, max_size=5)),
            weekdays=weekdays,
            quiet_hours=quiet,
        )
    start = draw(st.integers(0, 23 * 60))
    end = draw(st.integers(start + 1, 24 * 60 - 1))
    window = [format_hhmm(dt.time(start // 60, start % 60)), format_hhmm(dt.time(end // 60, end % 60))]
    return Schedule.from_fields(
        zone=zone,
        every_minutes=draw(st.integers(15, 240)),
        window=window,
        weekdays=weekdays,
        quiet_hours=quiet,
    )


instants = st.datetimes(
    min_value=dt.datetime(2016, 1, 1), max_value=dt.datetime(2034, 12, 31), timezones=st.just(UTC)
)
# Instants within a day of a DST change in the zones above, where bugs live.
near_transitions = st.sampled_from(
    [
        utc("2026-03-28T20:00"),  # Europe, spring
        utc("2026-10-24T20:00"),  # Europe, autumn
        utc("2026-03-07T20:00"),  # US / Havana / St Johns, spring
        utc("2026-10-31T20:00"),  # US, autumn
        utc("2026-04-04T00:00"),  # Sydney, Lord Howe, Santiago, Chatham: autumn
        utc("2026-10-03T00:00"),  # Sydney, Lord Howe: spring
        utc("2026-09-05T12:00"),  # Santiago, Chatham: spring
    ]
) | st.builds(
    lambda base, minutes: base + dt.timedelta(minutes=minutes),
    st.sampled_from([utc("2026-03-28T22:00"), utc("2026-10-24T22:00"), utc("2026-03-08T04:00")]),
    st.integers(0, 8 * 60),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedule=schedules(), after=instants | near_transitions)
def test_next_fire_matches_a_person_watching_the_wall_clock(schedule, after):
    assert next_fire_after(schedule, after) == brute_force_next(schedule, after)


@settings(max_examples=60, deadline=None)
@given(schedule=schedules(), after=near_transitions)
def test_every_fire_is_on_an_allowed_weekday_outside_quiet_hours_and_never_twice(schedule, after):
    got = fires(schedule, after, after + dt.timedelta(days=3))

    assert got == sorted(set(got))
    for instant in got:
        assert instant > after
        wall = instant.astimezone(schedule.zone)
        assert wall.fold == 0, "fired on the second pass of a repeated hour"
        if wall.time() in schedule.daily_times():  # (else it is the moment of a jump)
            assert wall.weekday() in schedule.weekdays
            assert not schedule.is_quiet(wall.time())


def per_rule(schedule: Schedule, due: dt.datetime, now: dt.datetime, late: dt.timedelta):
    """What the dispatcher did a rule at a time: (skipped-late slot, slot sent, next)."""
    skipped = None
    sent: dt.datetime | None = due
    if now - due > late:
        skipped = due
        recent = next_fire_after(schedule, now - late)
        sent = recent if recent is not None and recent <= now else None
    if sent is not None:
        sent = latest_due(schedule, sent, now)
    return skipped, sent, next_fire_after(schedule, now)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    schedule=schedules(),
    now=instants | near_transitions,
    due_back=st.integers(0, 4 * 60 * 60),
    on_a_slot=st.booleans(),
)
def test_one_outlook_per_schedule_gives_each_rule_what_its_own_arithmetic_does(
    schedule, now, due_back, on_a_slot
):
    # The set-based dispatcher: per schedule, the last slot of the past hour and the
    # next one; per rule, the late limit and the later of its due time and that slot.
    late = dt.timedelta(hours=1)
    due = now - dt.timedelta(seconds=due_back)
    if on_a_slot:
        slot = next_fire_after(schedule, due - dt.timedelta(minutes=1))
        due = slot if slot is not None and slot <= now else due
    last, following = recent_and_next(schedule, since=now - late, now=now)

    if due < now - late:
        got = (due, last, following)
    else:
        got = (None, max(due, last) if last is not None else due, following)

    assert got == per_rule(schedule, due, now, late)
