"""Short lessons (``content/lessons.yaml``): what stress does to a back, and what helps.

Content like the programs, checked as strictly at startup (``apps.ProgramsConfig.ready``)
and kept in memory: lessons change only with a deploy, so they need no table. What a
person has read is theirs and is stored (``tracker.models.LessonRead``, synced as type
``lesson``).

A lesson's ``minutes`` is its reading time, worked out from its words, so the number
shown can never drift from the text; a lesson outside 2-4 minutes is refused at load.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from backend.programs.sources import CONTENT_DIR, ContentError, Source, read_sources, render_sources

# An unhurried adult reading pace; a lesson is 2 to 4 minutes of it.
WORDS_PER_MINUTE = 180
MINUTES = (2, 4)
SLUG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")
LESSON_FIELDS = {"slug", "title", "summary", "sources", "try", "sections", "departure"}


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str
    summary: str
    sources: tuple[str, ...]
    tries: tuple[str, ...]
    sections: tuple[Section, ...]
    order: int
    words: int
    departure: str = ""

    @property
    def minutes(self) -> int:
        return max(1, round(self.words / WORDS_PER_MINUTE))

    def card(self) -> dict[str, Any]:
        """What a day's lesson item carries."""
        return {"slug": self.slug, "title": self.title, "minutes": self.minutes, "summary": self.summary}

    def listed(self) -> dict[str, Any]:
        return {**self.card(), "sources": render_sources(self.sources), "order": self.order}

    def detail(self) -> dict[str, Any]:
        return {
            **self.listed(),
            "sections": [{"heading": s.heading, "paragraphs": list(s.paragraphs)} for s in self.sections],
            "try": list(self.tries),
        }


def _fail(where: str, message: str) -> None:
    raise ContentError(f"{where}: {message}")


def _text(raw: dict, key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        _fail(where, f"'{key}' must be a non-empty string")
    # Folded YAML keeps line breaks in places; a paragraph is one line of text.
    return " ".join(value.split())


def _texts(raw: dict, key: str, where: str, *, allow_empty: bool = False) -> list[str]:
    value = raw.get(key, [] if allow_empty else None)
    if (
        not isinstance(value, list)
        or (not value and not allow_empty)
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        _fail(where, f"'{key}' must be a {'' if allow_empty else 'non-empty '}list of strings")
    return [" ".join(v.split()) for v in value]


def _words(*texts: str) -> int:
    return sum(len(text.split()) for text in texts)


def parse_lessons(data: Any, sources: dict[str, Source], exercises: set[str]) -> list[Lesson]:
    """The lessons in file order (which is the order they are offered in)."""
    if not isinstance(data, dict) or not isinstance(data.get("lessons"), list) or not data["lessons"]:
        raise ContentError("lessons.yaml: expected a mapping with a non-empty 'lessons' list")
    lessons: list[Lesson] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["lessons"]):
        where = f"lessons.yaml: lessons[{index}]"
        if not isinstance(raw, dict):
            _fail(where, "must be a mapping")
        slug = _text(raw, "slug", where)
        if not set(slug) <= SLUG_CHARS or len(slug) > 64:
            _fail(where, f"'slug' must be lowercase letters, digits and dashes (got {slug!r})")
        where = f"lessons.yaml: lesson {slug!r}"
        if slug in seen:
            _fail(where, "slug used twice")
        seen.add(slug)
        unknown = set(raw) - LESSON_FIELDS
        if unknown:
            _fail(where, f"unknown fields {sorted(unknown)} (allowed: {sorted(LESSON_FIELDS)})")
        cited = _texts(raw, "sources", where)
        missing = [s for s in cited if s not in sources]
        if missing:
            _fail(where, f"unknown sources {missing} (known: {', '.join(sources)})")
        departure = raw.get("departure", "")
        if not isinstance(departure, str):
            _fail(where, "'departure' must be a string: why the lesson departs from its sources")
        if "BACKTRACK" in cited and not departure.strip():
            _fail(where, "a lesson citing BACKTRACK must say why in 'departure'")
        tries = _texts(raw, "try", where, allow_empty=True)
        unknown_tries = [t for t in tries if t not in exercises]
        if unknown_tries:
            _fail(where, f"'try' names unknown exercises {unknown_tries}")
        raw_sections = raw.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            _fail(where, "'sections' must be a non-empty list of {heading, paragraphs}")
        sections = []
        for number, section in enumerate(raw_sections):
            section_where = f"{where}: sections[{number}]"
            if not isinstance(section, dict) or set(section) != {"heading", "paragraphs"}:
                _fail(section_where, "must be a mapping with exactly 'heading' and 'paragraphs'")
            sections.append(
                Section(
                    heading=_text(section, "heading", section_where),
                    paragraphs=tuple(_texts(section, "paragraphs", section_where)),
                )
            )
        title, summary = _text(raw, "title", where), _text(raw, "summary", where)
        words = _words(title, *(s.heading for s in sections), *(p for s in sections for p in s.paragraphs))
        low, high = MINUTES
        if not low * WORDS_PER_MINUTE <= words <= high * WORDS_PER_MINUTE:
            _fail(
                where,
                f"{words} words is {words / WORDS_PER_MINUTE:.1f} minutes of reading at "
                f"{WORDS_PER_MINUTE} words a minute: a lesson takes {low} to {high} minutes",
            )
        lessons.append(
            Lesson(
                slug=slug,
                title=title,
                summary=summary,
                sources=tuple(cited),
                tries=tuple(tries),
                sections=tuple(sections),
                order=index + 1,
                words=words,
                departure=" ".join(departure.split()),
            )
        )
    return lessons


def read_lessons(directory: Path = CONTENT_DIR) -> list[Lesson]:
    """Parse and check ``lessons.yaml`` against the sources and exercises beside it."""
    path = directory / "lessons.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        exercises_data = yaml.safe_load((directory / "exercises.yaml").read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(f"{path.name}: not valid YAML: {exc}") from exc
    exercises = {
        str(e.get("slug")) for e in (exercises_data or {}).get("exercises", []) if isinstance(e, dict)
    }
    return parse_lessons(data, read_sources(directory), exercises)


@cache
def lesson_catalog() -> dict[str, Lesson]:
    """The shipped lessons by slug, in order; read once per process."""
    return {lesson.slug: lesson for lesson in read_lessons()}
