"""Reading and validating the program content files (``content/*.yaml``).

The files are the source of truth for the catalog; ``services.catalog_load`` writes
what this module parses. Every mistake in a file is reported with the file and the
path inside it, so a content editor can fix it without reading Python.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from backend.programs.models import PRESCRIPTION_FIELDS, Exercise, TimeOfDay
from backend.programs.schedule import FLARE_PROGRAM, RX_PROGRAM
from backend.programs.sources import ContentError, Source, parse_sources

CONTENT_DIR = Path(__file__).resolve().parent / "content"
# The drawn files (scripts/illustrations.py writes them; Vite copies public/ into the
# build, which Django serves at "/" and the service worker precaches).
ILLUSTRATIONS_DIR = Path(__file__).resolve().parents[2] / "frontend" / "public" / "illustrations"
ILLUSTRATIONS_URL = "/illustrations/"
# Kinds that move from one position to another: they need a start and an end picture.
MOVEMENT_KINDS = frozenset({"reps", "hold", "timed"})
SLUG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")
# A spoken cue waits at most this long before the next: a longer silence (heat, cold)
# is split into several cues, so the player never seems to have stopped.
GUIDE_SECONDS = (1, 600)


@dataclass(frozen=True)
class ExerciseSpec:
    slug: str
    name: str
    kind: str
    summary: str
    steps: list[str]
    cautions: list[str]
    pattern: dict[str, int] | None
    sources: list[str]
    illustrations: list[dict[str, str]] = field(default_factory=list)
    why: str = ""
    guide: list[dict[str, Any]] = field(default_factory=list)
    max_per_day: int | None = None
    timer: bool = False


@dataclass(frozen=True)
class ItemSpec:
    key: str
    exercise: str
    time_of_day: str
    position: int
    weekdays: list[int]
    weeks: list[dict[str, Any] | None]


@dataclass(frozen=True)
class ProgramSpec:
    slug: str
    title: str
    category: str
    weeks: int
    summary: str
    description: str
    sources: list[str]
    items: list[ItemSpec]
    content_hash: str


@dataclass(frozen=True)
class Catalog:
    sources: dict[str, Source]
    exercises: list[ExerciseSpec]
    programs: list[ProgramSpec]


def _fail(where: str, message: str) -> None:
    raise ContentError(f"{where}: {message}")


def _str(data: dict, key: str, where: str, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        _fail(where, f"'{key}' must be a non-empty string")
    return value.strip()


def _slug(data: dict, key: str, where: str) -> str:
    value = _str(data, key, where)
    if not set(value) <= SLUG_CHARS or len(value) > 64:
        _fail(where, f"'{key}' must be lowercase letters, digits and dashes (got {value!r})")
    return value


def _str_list(data: dict, key: str, where: str, *, required: bool = True) -> list[str]:
    value = data.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        _fail(where, f"'{key}' must be a non-empty list of strings")
    return [v.strip() for v in value]


def _sources(data: dict, where: str, known: dict[str, Source]) -> list[str]:
    sources = _str_list(data, "sources", where)
    for source in sources:
        if source not in known:
            _fail(where, f"unknown source {source!r} (known: {', '.join(sorted(known))})")
    return sources


def _guide(data: dict, where: str) -> list[dict[str, Any]]:
    """The spoken cues of a guided practice: [{text, seconds}, ...], or [] for none."""
    value = data.get("guide")
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(where, "'guide' must be a list of cues ({text, seconds})")
    low, high = GUIDE_SECONDS
    cues = []
    for index, cue in enumerate(value):
        cue_where = f"{where}: guide[{index}]"
        if not isinstance(cue, dict):
            _fail(cue_where, "a cue must be a mapping with 'text' and 'seconds'")
        unknown = set(cue) - {"text", "seconds"}
        if unknown:
            _fail(cue_where, f"unknown cue fields {sorted(unknown)} (allowed: ['seconds', 'text'])")
        seconds = cue.get("seconds")
        if not isinstance(seconds, int) or isinstance(seconds, bool) or not low <= seconds <= high:
            _fail(cue_where, f"'seconds' must be a whole number between {low} and {high}")
        cues.append({"text": _str(cue, "text", cue_where), "seconds": seconds})
    return cues


def _max_per_day(data: dict, where: str) -> int | None:
    value = data.get("max_per_day")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 24:
        _fail(where, "'max_per_day' must be a whole number between 1 and 24, or left out")
    return value


def _flag(data: dict, key: str, where: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        _fail(where, f"'{key}' must be true or false")
    return value


def _prescription(value: Any, where: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        _fail(where, "a week's prescription must be a mapping or null")
    allowed = set(PRESCRIPTION_FIELDS) | {"note"}
    unknown = set(value) - allowed
    if unknown:
        _fail(where, f"unknown prescription fields {sorted(unknown)} (allowed: {sorted(allowed)})")
    for name, amount in value.items():
        if name == "per_side":
            if not isinstance(amount, bool):
                _fail(where, "'per_side' must be true or false")
        elif name == "note":
            if not isinstance(amount, str) or not amount.strip():
                _fail(where, "'note' must be a non-empty string")
        elif not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= 7200:
            _fail(where, f"'{name}' must be a whole number between 1 and 7200")
    return dict(value)


def prescription_problem(value: Any) -> str | None:
    """What is wrong with a dose a clinician sends (the files' rules, without a note:
    theirs is the prescription's own), or None: one validator for both."""
    if isinstance(value, dict) and "note" in value:
        return "Put what you want to say in 'note' beside the prescription."
    try:
        _prescription(value, "prescription")
    except ContentError as error:
        return str(error).removeprefix("prescription: ")
    if value is None:
        return "Give a dose (an empty one, {}, for a habit)."
    return None


def _item_head(
    raw: Any, position: int, where: str, keys: set[str], exercises: set[str]
) -> tuple[str, str, str, str]:
    """What every planned item names, checked: its key (unique in ``keys``, which it
    joins), a known exercise and a time of day; and where errors point. Shared by the
    programs and the flare plan (``flare.py``)."""
    item_where = f"{where}: items[{position}]"
    if not isinstance(raw, dict):
        _fail(item_where, "must be a mapping")
    key = _slug(raw, "key", item_where)
    item_where = f"{where}: item {key!r}"
    if key in keys:
        _fail(item_where, "key used twice")
    keys.add(key)
    exercise = _slug(raw, "exercise", item_where)
    if exercise not in exercises:
        _fail(item_where, f"unknown exercise {exercise!r}")
    time_of_day = _str(raw, "time_of_day", item_where)
    if time_of_day not in TimeOfDay.values:
        _fail(item_where, f"'time_of_day' must be one of {TimeOfDay.values}")
    return key, exercise, time_of_day, item_where


def _load_yaml(path: Path) -> tuple[Any, str]:
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ContentError(f"{path.name}: not valid YAML: {exc}") from exc
    return data, text


def _parse_exercises(data: Any, known_sources: dict[str, Source]) -> list[ExerciseSpec]:
    if not isinstance(data, dict) or not isinstance(data.get("exercises"), list):
        raise ContentError("exercises.yaml: expected a mapping with an 'exercises' list")
    specs: list[ExerciseSpec] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["exercises"]):
        where = f"exercises.yaml: exercises[{index}]"
        if not isinstance(raw, dict):
            _fail(where, "must be a mapping")
        slug = _slug(raw, "slug", where)
        where = f"exercises.yaml: exercise {slug!r}"
        if slug in seen:
            _fail(where, "slug used twice")
        seen.add(slug)
        kind = _str(raw, "kind", where)
        if kind not in Exercise.Kind.values:
            _fail(where, f"'kind' must be one of {Exercise.Kind.values}")
        pattern = raw.get("pattern")
        if pattern is not None and (
            not isinstance(pattern, dict)
            or not pattern
            or not all(
                k in {"inhale", "hold", "exhale", "hold_after"} and isinstance(v, int) and 1 <= v <= 30
                for k, v in pattern.items()
            )
        ):
            _fail(where, "'pattern' maps inhale/hold/exhale/hold_after to seconds (1-30)")
        specs.append(
            ExerciseSpec(
                slug=slug,
                name=_str(raw, "name", where),
                kind=kind,
                summary=_str(raw, "summary", where),
                steps=_str_list(raw, "steps", where),
                cautions=_str_list(raw, "cautions", where),
                pattern=pattern,
                sources=_sources(raw, where, known_sources),
                why=_str(raw, "why", where),
                guide=_guide(raw, where),
                max_per_day=_max_per_day(raw, where),
                timer=_flag(raw, "timer", where),
            )
        )
    return specs


def _parse_illustrations(data: Any, exercises: list[ExerciseSpec], files: Path) -> list[ExerciseSpec]:
    """The exercises with their pictures; every exercise must have its own, and every
    picture its file, or the PWA would show a broken image."""
    if not isinstance(data, dict) or not isinstance(data.get("illustrations"), dict):
        raise ContentError("illustrations.yaml: expected a mapping with an 'illustrations' mapping")
    pictures = data["illustrations"]
    kinds = {e.slug: e.kind for e in exercises}
    unknown = sorted(set(pictures) - set(kinds))
    if unknown:
        raise ContentError(f"illustrations.yaml: pictures for unknown exercises {unknown}")
    result = []
    for exercise in exercises:
        where = f"illustrations.yaml: exercise {exercise.slug!r}"
        frames = pictures.get(exercise.slug)
        if not isinstance(frames, list) or not frames:
            _fail(where, "needs at least one picture")
        names = [frame.get("frame") if isinstance(frame, dict) else None for frame in frames]
        # A guided practice is done in one still position whatever its kind: one picture.
        if exercise.kind in MOVEMENT_KINDS and not exercise.guide and names[:2] != ["start", "end"]:
            _fail(where, f"a {exercise.kind} exercise needs a 'start' and an 'end' picture, in that order")
        illustrations = []
        for frame, name in zip(frames, names, strict=True):
            if not isinstance(name, str) or not set(name) <= SLUG_CHARS or not name:
                _fail(where, "each picture needs a 'frame' name (start, end or pose)")
            file_name = f"{exercise.slug}-{name}.svg"
            if not (files / file_name).is_file():
                _fail(where, f"{file_name} is missing: run python scripts/illustrations.py")
            illustrations.append({"url": ILLUSTRATIONS_URL + file_name, "alt": _str(frame, "alt", where)})
        result.append(replace(exercise, illustrations=illustrations))
    return result


def _parse_program(
    path: Path, exercises: set[str], known_sources: dict[str, Source], shared_hash: str
) -> ProgramSpec:
    data, text = _load_yaml(path)
    where = path.name
    if not isinstance(data, dict):
        _fail(where, "expected a mapping")
    slug = _slug(data, "slug", where)
    weeks = data.get("weeks")
    if not isinstance(weeks, int) or isinstance(weeks, bool) or not 1 <= weeks <= 52:
        _fail(where, "'weeks' must be a whole number between 1 and 52")
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        _fail(where, "'items' must be a non-empty list")
    items: list[ItemSpec] = []
    keys: set[str] = set()
    for position, raw in enumerate(raw_items):
        key, exercise, time_of_day, item_where = _item_head(raw, position, where, keys, exercises)
        weekdays = raw.get("weekdays", [])
        if not isinstance(weekdays, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in weekdays
        ):
            _fail(item_where, "'weekdays' must be a list of numbers 0-6 (Monday=0)")
        raw_weeks = raw.get("weeks")
        if not isinstance(raw_weeks, list) or len(raw_weeks) != weeks:
            _fail(item_where, f"'weeks' must list exactly {weeks} prescriptions (one per week, null to skip)")
        prescriptions = [
            _prescription(value, f"{item_where}: week {number}") for number, value in enumerate(raw_weeks, 1)
        ]
        if all(p is None for p in prescriptions):
            _fail(item_where, "is never practised: every week is null")
        items.append(
            ItemSpec(
                key=key,
                exercise=exercise,
                time_of_day=time_of_day,
                position=position,
                weekdays=sorted(set(weekdays)),
                weeks=prescriptions,
            )
        )
    return ProgramSpec(
        slug=slug,
        title=_str(data, "title", where),
        category=_slug(data, "category", where),
        weeks=weeks,
        summary=_str(data, "summary", where),
        description=_str(data, "description", where, required=False),
        sources=_sources(data, where, known_sources),
        items=items,
        # Covers the shared files too: an edited exercise changes every program's
        # hash, which is what readers cache the catalog by.
        content_hash=hashlib.sha256((shared_hash + text).encode()).hexdigest(),
    )


def read_catalog(directory: Path = CONTENT_DIR, illustrations_dir: Path = ILLUSTRATIONS_DIR) -> Catalog:
    """Parse and check every content file; raise ContentError on the first mistake."""
    sources_data, sources_text = _load_yaml(directory / "sources.yaml")
    sources = parse_sources(sources_data)
    exercises_data, exercises_text = _load_yaml(directory / "exercises.yaml")
    exercises = _parse_exercises(exercises_data, sources)
    illustrations_data, illustrations_text = _load_yaml(directory / "illustrations.yaml")
    exercises = _parse_illustrations(illustrations_data, exercises, illustrations_dir)
    exercise_slugs = {e.slug for e in exercises}
    shared_hash = hashlib.sha256((sources_text + exercises_text + illustrations_text).encode()).hexdigest()
    programs = [
        _parse_program(path, exercise_slugs, sources, shared_hash)
        for path in sorted((directory / "programs").glob("*.yaml"))
    ]
    slugs = [p.slug for p in programs]
    duplicates = {s for s in slugs if slugs.count(s) > 1}
    if duplicates:
        raise ContentError(f"programs/: slug used by more than one file: {sorted(duplicates)}")
    if FLARE_PROGRAM in slugs:
        raise ContentError(f"programs/: the slug {FLARE_PROGRAM!r} is reserved for the flare plan")
    if RX_PROGRAM in slugs:
        raise ContentError(f"programs/: the slug {RX_PROGRAM!r} is reserved for a clinician's exercises")
    return Catalog(sources=sources, exercises=exercises, programs=programs)


def canonical(value: Any) -> str:
    """A stable text form for comparing stored JSON with file content."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
