"""A patient's plan changes in plain words: doses as a person says them, and the
history rows (``models.PlanChange``) as each reader sees them ("You set aside Side
plank", "Dr Rao changed Cat-cow to 2 sets of 6 reps")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from backend.programs.models import PlanChange

WHEN = {
    "morning": "in the morning",
    "midday": "at midday",
    "afternoon": "in the afternoon",
    "evening": "in the evening",
    "bedtime": "at bedtime",
}
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def dose_words(prescription: dict[str, Any]) -> str:
    """ "2 sets of 6 reps, holding 5 seconds, each side"; "5 minutes"; "no set dose"."""
    sets, reps = prescription.get("sets"), prescription.get("reps")
    hold, duration = prescription.get("hold_seconds"), prescription.get("duration_seconds")
    breaths = prescription.get("breaths")
    parts = []
    if reps:
        counted = _count(reps, "rep", "reps")
        parts.append(f"{_count(sets, 'set', 'sets')} of {counted}" if sets and sets > 1 else counted)
    elif sets:
        parts.append(_count(sets, "set", "sets"))
    if hold:
        parts.append(f"holding {_count(hold, 'second', 'seconds')}")
    if duration:
        minutes, seconds = divmod(duration, 60)
        parts.append(
            _count(minutes, "minute", "minutes")
            if minutes and not seconds
            else _count(duration, "second", "seconds")
        )
    if breaths:
        parts.append(_count(breaths, "breath", "breaths"))
    if prescription.get("per_side"):
        parts.append("each side")
    return ", ".join(parts) or "no set dose"


def when_words(time_of_day: str, weekdays: Iterable[int] | None) -> str:
    """ "in the morning, every day"; "in the evening on Mon, Wed and Fri"."""
    when = WHEN.get(time_of_day, time_of_day)
    days = sorted(set(weekdays)) if weekdays is not None else None
    if days is None or len(days) == 7:
        return f"{when}, every day"
    names = [DAY_NAMES[d] for d in days]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{when} on {listed}"


def render_change(change: PlanChange, viewer_id: int | None) -> dict[str, Any]:
    """A history row as ``viewer_id`` reads it: their own changes are "You ..."."""
    mine = viewer_id is not None and change.by_user_id == viewer_id
    return {
        "at": change.at.isoformat(),
        "by": {"name": change.by_name, "role": change.by_role},
        "kind": change.kind,
        "text": f"{'You' if mine else change.by_name} {change.text}",
    }


def render_changes(changes: Iterable[PlanChange], viewer_id: int | None) -> list[dict[str, Any]]:
    return [render_change(change, viewer_id) for change in changes]
