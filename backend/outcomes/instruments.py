"""The validated questionnaires (``content/questionnaires.yaml``): reading the file
with every mistake named, and scoring an answer exactly as each instrument's authors
describe it.

No Django models here: the tracker's sync validation and the export read it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from backend.programs.sources import ContentError, render_sources, source_catalog

CONTENT_DIR = Path(__file__).resolve().parent / "content"
METHODS = ("mean", "sum", "startback")
STARTBACK_RISKS = ("low", "medium", "high")


@dataclass(frozen=True)
class Answer:
    value: int
    label: str
    points: int
    loinc: str = ""


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    answers: tuple[Answer, ...]
    min_label: str = ""
    max_label: str = ""
    reverse: bool = False
    loinc: str = ""

    def points(self, value: int) -> int:
        for answer in self.answers:
            if answer.value == value:
                return answer.points
        raise KeyError(value)


@dataclass(frozen=True)
class Band:
    label: str
    words: str
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class Score:
    """What an answer scores: the total, its band (or None), subscale scores, and
    whether it should open the support offer (issue 10's crisis path)."""

    score: float
    band: str | None
    subscores: dict[str, int]
    support: bool = False


@dataclass(frozen=True)
class Instrument:
    slug: str
    title: str
    short_title: str
    purpose: str
    recall: str
    instructions: str
    minutes: int
    sources: tuple[str, ...]
    licence: dict[str, Any]
    items: tuple[Item, ...]
    method: str
    decimals: int
    higher_is: str
    bands: tuple[Band, ...]
    subscales: tuple[dict[str, Any], ...]
    meaningful_change: dict[str, Any] | None
    every_days: int | None
    at_days: tuple[int, ...] | None
    loinc: dict[str, str] = field(default_factory=dict)
    support: dict[str, Any] | None = None
    norm: dict[str, Any] | None = None

    @property
    def commercial_use(self) -> bool:
        return bool(self.licence["commercial_use"])

    @property
    def score_range(self) -> tuple[float, float]:
        if self.method == "mean":
            return (
                min(min(a.points for a in i.answers) for i in self.items),
                max(max(a.points for a in i.answers) for i in self.items),
            )
        return (0, sum(max(a.points for a in i.answers) for i in self.items))

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def score(self, answers: dict[str, int]) -> Score:
        """The score of a complete, valid answer (``validate`` first)."""
        points = {item.id: item.points(answers[item.id]) for item in self.items}
        subscores = {s["id"]: sum(points[i] for i in s["items"]) for s in self.subscales}
        if self.method == "mean":
            total: float = round(sum(points.values()) / len(points), self.decimals)
        else:
            total = sum(points.values())
        if self.method == "startback":
            psychosocial = subscores["psychosocial"]
            band = "high" if psychosocial >= 4 else "low" if total <= 3 else "medium"
        else:
            band = next(
                (
                    b.label
                    for b in self.bands
                    if b.min is not None and b.max is not None and b.min <= total <= b.max
                ),
                None,
            )
        support = False
        if self.support:
            support = total >= self.support["total_at"] or any(
                subscores[s["id"]] >= s.get("positive_at", 10**6)
                for s in self.subscales
                if s["id"] == self.support["subscale"]
            )
        return Score(score=total, band=band, subscores=subscores, support=support)

    def validate(self, answers: Any) -> dict[str, str]:
        """Errors by item id ('' for the whole answer); empty when the answer is complete."""
        if not isinstance(answers, dict):
            return {"": "Send the answers as an object of item id to the chosen value."}
        errors: dict[str, str] = {}
        for key in answers:
            if self.item(str(key)) is None:
                errors[str(key)[:16]] = f"{self.short_title} has no question '{str(key)[:16]}'."
        for item in self.items:
            if item.id not in answers:
                errors[item.id] = "This question needs an answer."
                continue
            value = answers[item.id]
            allowed = [a.value for a in item.answers]
            if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
                errors[item.id] = f"Choose one of {allowed[0]}-{allowed[-1]}."
        return errors

    def band_words(self, label: str | None) -> str:
        return next((b.words for b in self.bands if b.label == label), "")

    def meaningful(self, baseline: float, latest: float) -> bool:
        """Whether the change from baseline reaches the published minimal important change."""
        change = self.meaningful_change
        if not change:
            return False
        if change["kind"] == "percent":
            if baseline <= 0:
                return False
            percent = (latest - baseline) / baseline * 100
            return (
                percent <= -change["value"] if change["direction"] == "fall" else percent >= change["value"]
            )
        delta = latest - baseline
        return delta <= -change["value"] if change["direction"] == "fall" else delta >= change["value"]

    def card(self) -> dict[str, Any]:
        """How the plan names a due questionnaire."""
        return {
            "slug": self.slug,
            "title": self.title,
            "short_title": self.short_title,
            "minutes": self.minutes,
            "purpose": self.purpose,
        }

    def render(self) -> dict[str, Any]:
        """The instrument as ``GET /api/v1/questionnaires/`` shows it (without the caller's state)."""
        low, high = self.score_range
        return {
            **self.card(),
            "recall": self.recall,
            "instructions": self.instructions,
            "items": [
                {
                    "id": item.id,
                    "text": item.text,
                    **({"min_label": item.min_label, "max_label": item.max_label} if item.min_label else {}),
                    # points: what the answer counts for (reverse-scored items, STarT Back's
                    # item 9), so the phone can show a score with no signal.
                    "answers": [
                        {"value": a.value, "label": a.label, "points": a.points} for a in item.answers
                    ],
                }
                for item in self.items
            ],
            "score": {
                "min": low,
                "max": high,
                "higher_is": self.higher_is,
                "decimals": self.decimals,
                "method": self.method,
            },
            "subscales": [
                {"id": s["id"], "items": list(s["items"]), "positive_at": s.get("positive_at")}
                for s in self.subscales
            ],
            "support": dict(self.support) if self.support else None,
            "bands": [{"min": b.min, "max": b.max, "label": b.label, "words": b.words} for b in self.bands],
            "meaningful_change": dict(self.meaningful_change) if self.meaningful_change else None,
            "licence": {
                "name": self.licence["name"],
                "text": self.licence["text"],
                **({"url": self.licence["url"]} if self.licence.get("url") else {}),
                "commercial_use": self.commercial_use,
            },
            "sources": render_sources(self.sources),
            "every_days": self.every_days,
            "at_days": list(self.at_days) if self.at_days else None,
        }


# --- Reading the file -----------------------------------------------------------------


def _text(raw: dict, key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: '{key}' must be a non-empty string")
    return " ".join(value.split())


def _int(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ContentError(f"{where}: must be a whole number")
    return raw


def _answers(raw: Any, where: str) -> tuple[Answer, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise ContentError(f"{where}: 'answers' must list at least two answers")
    found = []
    for index, answer in enumerate(raw):
        at = f"{where}: answers[{index}]"
        if not isinstance(answer, dict):
            raise ContentError(f"{at}: must be a mapping with value and label")
        value = _int(answer.get("value"), f"{at}: value")
        found.append(
            Answer(
                value=value,
                label=_text(answer, "label", at),
                points=_int(answer.get("points", value), f"{at}: points"),
                loinc=str(answer.get("loinc") or ""),
            )
        )
    values = [a.value for a in found]
    if values != sorted(set(values)):
        raise ContentError(f"{where}: answer values must be distinct and in rising order")
    return tuple(found)


def _item(raw: Any, shared: Any, where: str) -> Item:
    if not isinstance(raw, dict):
        raise ContentError(f"{where}: must be a mapping with id and text")
    item_id = raw.get("id")
    if not isinstance(item_id, str) or not item_id.isdigit():
        raise ContentError(f"{where}: 'id' must be a string of digits")
    where = f"{where} (item {item_id})"
    scale = raw.get("scale")
    if scale is not None:
        if not (isinstance(scale, list) and len(scale) == 2 and all(isinstance(v, int) for v in scale)):
            raise ContentError(f"{where}: 'scale' must be [low, high]")
        answers = tuple(Answer(value=v, label=str(v), points=v) for v in range(scale[0], scale[1] + 1))
        min_label, max_label = _text(raw, "min_label", where), _text(raw, "max_label", where)
    else:
        answers = _answers(raw.get("answers", shared), where)
        min_label = max_label = ""
    reverse = bool(raw.get("reverse", False))
    if reverse:
        top = answers[-1].points + answers[0].points
        answers = tuple(Answer(a.value, a.label, top - a.points, a.loinc) for a in answers)
    return Item(
        id=item_id,
        text=_text(raw, "text", where),
        answers=answers,
        min_label=min_label,
        max_label=max_label,
        reverse=reverse,
        loinc=str(raw.get("loinc") or ""),
    )


def parse_instrument(raw: Any, where: str, sources: set[str]) -> Instrument:
    if not isinstance(raw, dict):
        raise ContentError(f"{where}: must be a mapping")
    slug = _text(raw, "slug", where)
    where = f"{where} ({slug})"
    cited = raw.get("sources")
    if not isinstance(cited, list) or not cited:
        raise ContentError(f"{where}: 'sources' must name at least one source")
    unknown = [s for s in cited if s not in sources]
    if unknown:
        raise ContentError(f"{where}: unknown sources {unknown} (not in sources.yaml)")
    licence = raw.get("licence")
    if not isinstance(licence, dict) or not isinstance(licence.get("commercial_use"), bool):
        raise ContentError(f"{where}: 'licence' needs name, text and commercial_use (true or false)")
    _text(licence, "name", f"{where}: licence")
    _text(licence, "text", f"{where}: licence")
    items_raw = raw.get("items")
    if not isinstance(items_raw, list) or not items_raw:
        raise ContentError(f"{where}: 'items' must list the questions")
    items = tuple(_item(r, raw.get("answers"), f"{where}: items[{i}]") for i, r in enumerate(items_raw))
    if len({i.id for i in items}) != len(items):
        raise ContentError(f"{where}: item ids must be distinct")
    scoring = raw.get("scoring") or {}
    method = scoring.get("method")
    if method not in METHODS:
        raise ContentError(f"{where}: scoring.method must be one of {list(METHODS)}")
    if scoring.get("higher_is") not in ("worse", "better"):
        raise ContentError(f"{where}: scoring.higher_is must be 'worse' or 'better'")
    bands = []
    for index, band in enumerate(raw.get("bands") or []):
        at = f"{where}: bands[{index}]"
        low = band.get("min")
        high = band.get("max")
        if method != "startback" and (low is None or high is None):
            raise ContentError(f"{at}: needs min and max")
        bands.append(Band(label=_text(band, "label", at), words=_text(band, "words", at), min=low, max=high))
    if method == "startback" and [b.label for b in bands] != list(STARTBACK_RISKS):
        raise ContentError(f"{where}: the STarT Back bands are {list(STARTBACK_RISKS)}, in that order")
    subscales = tuple(raw.get("subscales") or ())
    item_ids = {i.id for i in items}
    for sub in subscales:
        if not set(sub.get("items") or ()) <= item_ids:
            raise ContentError(f"{where}: subscale {sub.get('id')!r} names items the instrument lacks")
    if method == "startback" and "psychosocial" not in {s["id"] for s in subscales}:
        raise ContentError(f"{where}: STarT Back scoring needs the psychosocial subscale")
    schedule = raw.get("schedule") or {}
    every = schedule.get("every_days")
    at = schedule.get("at_days")
    if (every is None) == (at is None):
        raise ContentError(f"{where}: schedule needs every_days or at_days (one of them)")
    if every is not None and (_int(every, f"{where}: every_days") < 1):
        raise ContentError(f"{where}: every_days must be at least 1")
    if at is not None and (not isinstance(at, list) or not at or at[0] != 0 or at != sorted(set(at))):
        raise ContentError(f"{where}: at_days must start at 0 (the baseline) and rise")
    change = raw.get("meaningful_change")
    if change is not None and (
        change.get("kind") not in ("percent", "points") or change.get("direction") not in ("fall", "rise")
    ):
        raise ContentError(f"{where}: meaningful_change needs kind percent|points and direction fall|rise")
    support = raw.get("support")
    if support is not None and support.get("subscale") not in {s["id"] for s in subscales}:
        raise ContentError(f"{where}: support names an unknown subscale")
    return Instrument(
        slug=slug,
        title=_text(raw, "title", where),
        short_title=_text(raw, "short_title", where),
        purpose=_text(raw, "purpose", where),
        recall=_text(raw, "recall", where),
        instructions=_text(raw, "instructions", where),
        minutes=_int(raw.get("minutes"), f"{where}: minutes"),
        sources=tuple(cited),
        licence=dict(licence),
        items=items,
        method=method,
        decimals=_int(scoring.get("decimals", 0), f"{where}: decimals"),
        higher_is=scoring["higher_is"],
        bands=tuple(bands),
        subscales=subscales,
        meaningful_change=dict(change) if change else None,
        every_days=every,
        at_days=tuple(at) if at else None,
        loinc=dict(raw.get("loinc") or {}),
        support=dict(support) if support else None,
        norm=dict(raw["norm"]) if raw.get("norm") else None,
    )


def parse_instruments(data: Any, where: str, sources: set[str]) -> dict[str, Instrument]:
    if not isinstance(data, dict) or not isinstance(data.get("questionnaires"), list):
        raise ContentError(f"{where}: expected a mapping with a 'questionnaires' list")
    found: dict[str, Instrument] = {}
    for index, raw in enumerate(data["questionnaires"]):
        instrument = parse_instrument(raw, f"{where}: questionnaires[{index}]", sources)
        if instrument.slug in found:
            raise ContentError(f"{where}: slug {instrument.slug!r} used twice")
        found[instrument.slug] = instrument
    return found


@cache
def all_instruments() -> dict[str, Instrument]:
    """Every shipped instrument, read once per process."""
    path = CONTENT_DIR / "questionnaires.yaml"
    return parse_instruments(
        yaml.safe_load(path.read_text(encoding="utf-8")), path.name, set(source_catalog())
    )


def instruments() -> dict[str, Instrument]:
    """The instruments this deployment offers: without the non-commercial ones when
    ``QUESTIONNAIRES_NONCOMMERCIAL`` is off (a commercial deployment)."""
    from django.conf import settings

    shown = all_instruments()
    if getattr(settings, "QUESTIONNAIRES_NONCOMMERCIAL", True):
        return shown
    return {slug: i for slug, i in shown.items() if i.commercial_use}
