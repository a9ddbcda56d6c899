"""The flare plan (``content/flare.yaml``): what a day of flare-up mode holds.

Content like the programs, checked as strictly (an unknown exercise, field or source
fails loudly, with the place in the file): at startup (``apps.ProgramsConfig.ready``)
and by ``load_programs`` beside the catalog (which keeps the slug ``flare`` for it).

Flare items are plan items of the reserved pseudo-program ``FLARE_PROGRAM``: their ids
are ``flare:<key>:<date>``, logged through sync like any other item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from backend.programs.catalog import (
    CONTENT_DIR,
    ContentError,
    _fail,
    _item_head,
    _load_yaml,
    _prescription,
    _sources,
    _str,
)
from backend.programs.models import Exercise
from backend.programs.schedule import (
    FLARE_PROGRAM,
    PlannedDay,
    PlannedItem,
    apply_budget,
    item_id,
    item_seconds,
)
from backend.programs.sources import Source, parse_sources, render_sources

FLARE_TITLE = "Flare-up plan"
# keep_moving: rest, but no bed rest beyond a day or two; seek_help: when to see someone.
ADVICE_KINDS = ("keep_moving", "seek_help")


@dataclass(frozen=True)
class FlareItem:
    key: str
    exercise: str
    time_of_day: str
    prescription: dict[str, Any]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Advice:
    kind: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class FlarePlan:
    items: tuple[FlareItem, ...]
    advice: tuple[Advice, ...]

    @property
    def exercise_slugs(self) -> set[str]:
        return {item.exercise for item in self.items}


def parse_flare_plan(data: Any, exercises: set[str], known_sources: dict[str, Source]) -> FlarePlan:
    where = "flare.yaml"
    if not isinstance(data, dict) or not isinstance(data.get("items"), list) or not data["items"]:
        raise ContentError(f"{where}: expected a mapping with a non-empty 'items' list")
    items: list[FlareItem] = []
    keys: set[str] = set()
    for position, raw in enumerate(data["items"]):
        key, exercise, time_of_day, item_where = _item_head(raw, position, where, keys, exercises)
        prescription = _prescription(raw.get("prescription"), item_where)
        if not prescription or not prescription.get("note"):
            _fail(item_where, "needs a 'prescription' with a plain 'note' (such as 'only if comfortable')")
        assert prescription is not None
        items.append(
            FlareItem(
                key=key,
                exercise=exercise,
                time_of_day=time_of_day,
                prescription=prescription,
                sources=tuple(_sources(raw, item_where, known_sources)),
            )
        )
    raw_advice = data.get("advice")
    if not isinstance(raw_advice, list) or not raw_advice:
        raise ContentError(f"{where}: 'advice' must be a non-empty list")
    advice = []
    for index, raw in enumerate(raw_advice):
        advice_where = f"{where}: advice[{index}]"
        if not isinstance(raw, dict):
            _fail(advice_where, "must be a mapping")
        advice.append(
            Advice(
                kind=_advice_kind(raw, advice_where),
                text=" ".join(_str(raw, "text", advice_where).split()),
                sources=tuple(_sources(raw, advice_where, known_sources)),
            )
        )
    if {a.kind for a in advice} != set(ADVICE_KINDS):
        _fail(where, "'advice' must say to keep moving (keep_moving) and when to seek help (seek_help)")
    return FlarePlan(items=tuple(items), advice=tuple(advice))


def _advice_kind(raw: dict, where: str) -> str:
    kind = _str(raw, "kind", where)
    if kind not in ADVICE_KINDS:
        _fail(where, f"'kind' must be one of {list(ADVICE_KINDS)}")
    return kind


def read_flare_plan(directory: Path = CONTENT_DIR) -> FlarePlan:
    """Parse and check ``flare.yaml`` against the exercises and sources beside it."""
    sources_data, _ = _load_yaml(directory / "sources.yaml")
    exercises_data, _ = _load_yaml(directory / "exercises.yaml")
    sources = parse_sources(sources_data)
    exercises = {
        str(e.get("slug")) for e in (exercises_data or {}).get("exercises", []) if isinstance(e, dict)
    }
    data, _ = _load_yaml(directory / "flare.yaml")
    return parse_flare_plan(data, exercises, sources)


@cache
def flare_plan() -> FlarePlan:
    return read_flare_plan()


def flare_day(
    day: dt.date, exercises: dict[str, Exercise], budget_minutes: int | None, plan: FlarePlan | None = None
) -> PlannedDay:
    """A day of the flare plan, shaped like any planned day (``exercises`` by slug).

    The daily budget applies as to the usual plan; nothing of it is due in adherence.
    """
    plan = plan or flare_plan()
    items = [
        PlannedItem(
            id=item_id(FLARE_PROGRAM, item.key, day),
            date=day,
            program=FLARE_PROGRAM,
            program_title=FLARE_TITLE,
            enrollment_id=0,
            week=1,
            time_of_day=item.time_of_day,
            exercise=exercises[item.exercise],
            prescription=item.prescription,
            position=position,
            programs=(FLARE_PROGRAM,),
            seconds=item_seconds(exercises[item.exercise], item.prescription),
        )
        for position, item in enumerate(plan.items)
        if item.exercise in exercises  # only before the catalog is first loaded
    ]
    return PlannedDay(date=day, items=apply_budget(sorted(items, key=lambda i: i.sort_key), budget_minutes))


def render_advice(advice: Iterable[Advice]) -> list[dict[str, Any]]:
    return [{"kind": a.kind, "text": a.text, "sources": render_sources(a.sources)} for a in advice]
