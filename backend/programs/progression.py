"""Pain-guided progression: what a person's pain did to this week's dose.

The pain-monitoring model (Silbernagel et al. 2007, Am J Sports Med 35(6):897-906):
pain during or right after a session up to a limit (5 of 10) is acceptable; pain that
has not settled by the next morning, or morning pain above the person's baseline,
means the dose holds or steps back. The limits are a per-patient rule a clinician
with the ``prescribe`` scope may change (``PainLimits``). Source: ``SILBERNAGEL_2007``
in ``content/sources.yaml``; every decision names it.

A departure, and why: the model was tested in Achilles tendinopathy, not back pain. It is
used here because it is the simplest published rule a physiotherapist already knows for
"how much pain is acceptable while loading", it is cautious (it only ever holds or steps
back on pain, never pushes), and a clinician can tighten its limits for one patient.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from backend.programs.sources import render_sources

ONE_DAY = dt.timedelta(days=1)
# Where the rule comes from (ids in content/sources.yaml), named by every decision.
SOURCES = ("SILBERNAGEL_2007",)


@dataclass(frozen=True)
class PainLimits:
    """The pain rule one patient's plan follows (defaults: the published model)."""

    # Pain during or right after a session (0-10) that is still within limits.
    during_max: int = 5
    # How far the next morning's pain may rise above the baseline and still be
    # "settled" (0: any rise is a bad response).
    morning_rise_max: int = 0
    # Bad responses in a row that step the dose back a week.
    regress_after: int = 2


# How the decisions read, in plain words. ``{limit}`` is the rule's during_max.
START = "Starting gently: this is the program's first week."
CALENDAR = "A new week of the program: a little more than last week."
UP = "One step up: your sessions last week stayed within a comfortable level of pain."
SAME = "Staying the course: your last session stayed within a comfortable level of pain."
HOLD_DURING = "Staying at this level: pain during your last session went above {limit} of 10."
HOLD_MORNING = "Staying at this level: yesterday's session left your back sorer this morning."
HOLD_WEEK = "Staying at this level for now: your back needed more time to settle after a session."
BACK = (
    "One step easier: {count} sessions in a row left your back sorer. Going back a week "
    "gives it time to settle."
)
GENTLEST = (
    "Staying at the gentlest level: {count} sessions in a row left your back sorer. If it "
    "keeps happening, check with your physiotherapist or doctor."
)
AFTER_FLARE = "One step easier after your flare-up, to ease back in."


@dataclass(frozen=True)
class Response:
    """What one day's practice of an exercise was reported to do (0-10 pain).

    ``after``: the worst pain reported right after it that day; ``before``: the
    lowest reported just before it (the baseline when given).
    """

    date: dt.date
    after: int | None = None
    before: int | None = None


@dataclass(frozen=True)
class Progression:
    """What the pain history did to an item's dose on a date: the week of the program
    whose dose is served (never later than the calendar's), and why."""

    state: str  # start | progress | hold | regress
    reason: str
    week: int

    def render(self) -> dict[str, object]:
        return {
            "state": self.state,
            "reason": self.reason,
            "week": self.week,
            "sources": render_sources(SOURCES),
        }


@dataclass(frozen=True)
class _Verdict:
    bad: bool
    why: str = ""  # during | morning


def _judge(response: Response, morning: Mapping[dt.date, int], limits: PainLimits) -> _Verdict | None:
    """Within limits or not; None when nothing was reported that could tell.

    - Pain during or right after above ``during_max`` is a bad response.
    - The next day's check-in pain above the baseline (plus ``morning_rise_max``) is a
      bad response: the pain had not settled by the next morning. The baseline is the
      pain reported just before the session, else that day's check-in, else the day
      before's.
    """
    during_bad = response.after is not None and response.after > limits.during_max
    baseline = response.before
    if baseline is None:
        baseline = morning.get(response.date, morning.get(response.date - ONE_DAY))
    next_morning = morning.get(response.date + ONE_DAY)
    morning_known = baseline is not None and next_morning is not None
    morning_bad = morning_known and next_morning > baseline + limits.morning_rise_max  # type: ignore[operator]
    if during_bad:
        return _Verdict(bad=True, why="during")
    if morning_bad:
        return _Verdict(bad=True, why="morning")
    if response.after is None and not morning_known:
        return None
    return _Verdict(bad=False)


@dataclass
class Timeline:
    """The decisions for one program item of one enrollment, date by date.

    ``at(day)`` answers for any date from the enrollment's start; days after the last
    event keep the last state, except that week boundaries still come (by calendar
    when nothing new is reported, held while the last response was bad).
    """

    start: dt.date
    weeks: int  # the program's length
    limits: PainLimits
    responses: Sequence[Response] = ()
    morning: Mapping[dt.date, int] = field(default_factory=dict)
    step_backs: Sequence[dt.date] = ()
    _cache: dict[dt.date, Progression] = field(default_factory=dict, repr=False)

    def at(self, day: dt.date) -> Progression:
        found = self._cache.get(day)
        if found is None:
            self._replay(day)
            found = self._cache.get(day) or Progression(state="start", reason=START, week=1)
        return found

    def _replay(self, day: dt.date) -> None:
        """Replay every event up to ``day``, keeping each date's decision (the effect of
        a session is on the next day's dose, when its next morning is known too)."""
        limits = self.limits
        # date -> responses effective that date (the day after the session).
        responses: dict[dt.date, list[Response]] = {}
        for response in self.responses:
            if self.start <= response.date < day:
                responses.setdefault(response.date + ONE_DAY, []).append(response)
        step_backs = {d for d in self.step_backs if self.start < d <= day}
        level, streak, state, reason = 1, 0, "start", START
        good_since_boundary = False
        current = self.start
        while current <= day:
            # In order: the responses, a flare's end, the start of a week.
            for response in responses.get(current, ()):
                verdict = _judge(response, self.morning, limits)
                if verdict is None:
                    continue
                if not verdict.bad:
                    streak = 0
                    good_since_boundary = True
                    if state == "progress":
                        reason = SAME
                    continue
                streak += 1
                if streak >= limits.regress_after:
                    streak = 0
                    if level > 1:
                        level, state = level - 1, "regress"
                        reason = BACK.format(count=limits.regress_after)
                    else:
                        state, reason = "hold", GENTLEST.format(count=limits.regress_after)
                else:
                    state = "hold"
                    reason = (
                        HOLD_DURING.format(limit=limits.during_max)
                        if verdict.why == "during"
                        else HOLD_MORNING
                    )
            if current in step_backs:
                level, streak, state, reason = max(1, level - 1), 0, "regress", AFTER_FLARE
            offset = (current - self.start).days
            if offset and offset % 7 == 0:  # a new calendar week begins today
                calendar_week = min(offset // 7 + 1, self.weeks)
                if streak > 0:
                    state, reason = "hold", HOLD_WEEK
                elif level < calendar_week:
                    level, state = level + 1, "progress"
                    reason = UP if good_since_boundary else CALENDAR
                good_since_boundary = False
            self._cache[current] = Progression(state=state, reason=reason, week=level)
            current += ONE_DAY


def responses_by_exercise(
    logs: Iterable[tuple[int, dt.date, int | None, int | None]],
) -> dict[int, list[Response]]:
    """``(exercise pk, date, pain_before, pain_after)`` of done logs -> each exercise's
    responses by date: the worst pain after, the lowest before, of that day's logs."""
    days: dict[tuple[int, dt.date], list[int | None]] = {}
    for exercise, day, before, after in logs:
        if before is None and after is None:
            continue
        seen = days.setdefault((exercise, day), [None, None])
        if before is not None:
            seen[0] = before if seen[0] is None else min(seen[0], before)
        if after is not None:
            seen[1] = after if seen[1] is None else max(seen[1], after)
    result: dict[int, list[Response]] = {}
    for (exercise, day), (before, after) in sorted(days.items(), key=lambda kv: kv[0][1]):
        result.setdefault(exercise, []).append(Response(date=day, before=before, after=after))
    return result
