"""Pain-guided progression as a table: pain histories and the decisions they give.

Each row is one history (sessions' pain during/after and before, next mornings'
check-in pain) for one program item that started on a Monday, and what the item's
dose is on the day asked: the week of the program it serves, the state and why.
"""

from __future__ import annotations

import datetime as dt

import pytest

from backend.programs import progression as p
from backend.programs.progression import PainLimits, Response, Timeline, responses_by_exercise

START = dt.date(2026, 11, 2)  # a Monday


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def steady_mornings(first: int, last: int, pain: int = 3) -> dict[dt.date, int]:
    return {day(n): pain for n in range(first, last + 1)}


def good_week(first: int, last: int) -> list[Response]:
    return [Response(date=day(n), before=3, after=3) for n in range(first, last + 1)]


CASES = [
    # (name, responses, mornings, step_backs, limits, asked day, state, week, reason)
    ("nothing reported yet: the first week", [], {}, [], PainLimits(), 0, "start", 1, p.START),
    ("no pain data: the calendar's week two", [], {}, [], PainLimits(), 7, "progress", 2, p.CALENDAR),
    ("no pain data: the calendar's week three", [], {}, [], PainLimits(), 20, "progress", 3, p.CALENDAR),
    (
        "a week within limits steps up",
        good_week(0, 6),
        steady_mornings(0, 7),
        [],
        PainLimits(),
        7,
        "progress",
        2,
        p.UP,
    ),
    (
        "pain during above 5 holds the next day",
        [Response(day(2), before=3, after=7)],
        {},
        [],
        PainLimits(),
        3,
        "hold",
        1,
        p.HOLD_DURING.format(limit=5),
    ),
    (
        "a sore last session holds the new week",
        [*good_week(0, 4), Response(day(5), before=3, after=7)],
        steady_mornings(0, 5),
        [],
        PainLimits(),
        7,
        "hold",
        1,
        p.HOLD_WEEK,
    ),
    (
        "pain not settled by the next morning holds",
        [Response(day(2), before=3, after=4)],
        {day(2): 3, day(3): 5},
        [],
        PainLimits(),
        3,
        "hold",
        1,
        p.HOLD_MORNING,
    ),
    (
        "a morning rise the rule allows is within limits",
        [Response(day(2), before=3, after=4)],
        {day(2): 3, day(3): 5},
        [],
        PainLimits(morning_rise_max=2),
        3,
        "start",
        1,
        p.START,
    ),
    (
        "two bad responses in a row step back a week",
        [*good_week(0, 13), Response(day(15), before=3, after=7), Response(day(16), before=3, after=8)],
        steady_mornings(0, 17),
        [],
        PainLimits(),
        17,
        "regress",
        2,
        p.BACK.format(count=2),
    ),
    (
        "bad, good, bad is a hold, not a step back",
        [
            *good_week(0, 13),
            Response(day(15), before=3, after=7),
            Response(day(16), before=3, after=3),
            Response(day(17), before=3, after=7),
        ],
        steady_mornings(0, 18),
        [],
        PainLimits(),
        18,
        "hold",
        3,
        p.HOLD_DURING.format(limit=5),
    ),
    (
        "two bad responses at the first week stay at the gentlest level",
        [Response(day(1), before=3, after=7), Response(day(2), before=3, after=7)],
        {},
        [],
        PainLimits(),
        3,
        "hold",
        1,
        p.GENTLEST.format(count=2),
    ),
    (
        "after a step back, a good week steps up again: a week behind the calendar",
        [
            *good_week(0, 13),
            Response(day(15), before=3, after=7),
            Response(day(16), before=3, after=7),
            *good_week(17, 20),
        ],
        steady_mornings(0, 21),
        [],
        PainLimits(),
        21,
        "progress",
        3,
        p.UP,
    ),
    (
        "the end of a flare-up steps back one week",
        [],
        {},
        [day(17)],
        PainLimits(),
        17,
        "regress",
        2,
        p.AFTER_FLARE,
    ),
    (
        "a clinician's stricter limit: 4 of 10 during is above 3",
        [Response(day(2), before=2, after=4)],
        {},
        [],
        PainLimits(during_max=3),
        3,
        "hold",
        1,
        p.HOLD_DURING.format(limit=3),
    ),
    (
        "pain of exactly 5 during is acceptable",
        [Response(day(2), before=3, after=5)],
        {day(3): 3},
        [],
        PainLimits(),
        3,
        "start",
        1,
        p.START,
    ),
    (
        "today's own session changes tomorrow's dose, not today's",
        [Response(day(3), before=3, after=9)],
        {},
        [],
        PainLimits(),
        3,
        "start",
        1,
        p.START,
    ),
    (
        "never past the program's last week",
        [],
        {},
        [],
        PainLimits(),
        60,
        "progress",
        6,
        p.CALENDAR,
    ),
    (
        "without 'before', that day's check-in is the baseline",
        [Response(day(2), after=4)],
        {day(2): 2, day(3): 4},
        [],
        PainLimits(),
        3,
        "hold",
        1,
        p.HOLD_MORNING,
    ),
    (
        "bad then good: the last sessions were within limits, so the week steps up",
        [Response(day(2), before=3, after=7), *good_week(3, 6)],
        steady_mornings(2, 7),
        [],
        PainLimits(),
        7,
        "progress",
        2,
        p.UP,
    ),
    (
        "a good session without a next morning yet still counts as within limits",
        [Response(day(5), after=2)],
        {},
        [],
        PainLimits(),
        7,
        "progress",
        2,
        p.UP,
    ),
]


@pytest.mark.parametrize(
    ("responses", "mornings", "step_backs", "limits", "asked", "state", "week", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_pain_history_gives_its_decision(
    responses, mornings, step_backs, limits, asked, state, week, reason
):
    timeline = Timeline(
        start=START, weeks=6, limits=limits, responses=responses, morning=mornings, step_backs=step_backs
    )
    decision = timeline.at(day(asked))
    assert (decision.state, decision.week, decision.reason) == (state, week, reason)


def test_the_table_holds_at_least_twelve_histories():
    assert len(CASES) >= 12


def test_a_days_logs_become_one_response_with_the_worst_after_and_lowest_before():
    exercise = 7
    logs = [
        (exercise, day(1), 4, 3),
        (exercise, day(1), 3, 6),
        (exercise, day(2), None, None),  # nothing reported: no response
        (8, day(1), None, 2),
    ]
    assert responses_by_exercise(logs) == {
        7: [Response(date=day(1), before=3, after=6)],
        8: [Response(date=day(1), before=None, after=2)],
    }
