"""The sources the health content is written from (``content/sources.yaml``).

Every content file (exercises, programs, the flare plan, lessons, safety rules) names
source ids; each loader refuses an id this file does not list. The API never shows a
bare id: ``render_sources`` turns ids into ``{id, title, author?, url?}`` so every item
can say "Why this, from where".

No Django models here: the tracker's safety rules read it too, at import time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTENT_DIR = Path(__file__).resolve().parent / "content"
SOURCE_KINDS = ("article", "guideline", "study", "book", "program")
SOURCE_FIELDS = ("id", "title", "author", "url", "kind", "note")
ID_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class ContentError(ValueError):
    """A mistake in a content file, with the file and the place in it."""


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    kind: str
    author: str = ""
    url: str = ""
    note: str = ""

    def ref(self) -> dict[str, str]:
        """How an item cites it: keys with no value are left out."""
        rendered = {"id": self.id, "title": self.title}
        if self.author:
            rendered["author"] = self.author
        if self.url:
            rendered["url"] = self.url
        return rendered

    def listed(self) -> dict[str, str]:
        """As ``GET /api/v1/sources/`` lists it: the reference and its kind."""
        return {**self.ref(), "kind": self.kind}


def _text(raw: dict, key: str, where: str, *, required: bool) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: '{key}' must be a non-empty string")
    return " ".join(value.split())


def parse_sources(data: Any, where: str = "sources.yaml") -> dict[str, Source]:
    """The sources by id, in file order; raise ContentError on the first mistake."""
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list) or not data["sources"]:
        raise ContentError(f"{where}: expected a mapping with a non-empty 'sources' list")
    found: dict[str, Source] = {}
    for index, raw in enumerate(data["sources"]):
        item_where = f"{where}: sources[{index}]"
        if not isinstance(raw, dict):
            raise ContentError(f"{item_where}: must be a mapping with id, title and kind")
        unknown = set(raw) - set(SOURCE_FIELDS)
        if unknown:
            raise ContentError(
                f"{item_where}: unknown fields {sorted(unknown)} (allowed: {list(SOURCE_FIELDS)})"
            )
        source_id = _text(raw, "id", item_where, required=True)
        if not set(source_id) <= ID_CHARS:
            raise ContentError(
                f"{item_where}: 'id' must be capital letters, digits and _ (got {source_id!r})"
            )
        item_where = f"{where}: source {source_id!r}"
        if source_id in found:
            raise ContentError(f"{item_where}: id used twice")
        kind = _text(raw, "kind", item_where, required=True)
        if kind not in SOURCE_KINDS:
            raise ContentError(f"{item_where}: 'kind' must be one of {list(SOURCE_KINDS)}")
        url = _text(raw, "url", item_where, required=False)
        if url and not url.startswith("https://"):
            raise ContentError(f"{item_where}: 'url' must be an https:// address")
        found[source_id] = Source(
            id=source_id,
            title=_text(raw, "title", item_where, required=True),
            kind=kind,
            author=_text(raw, "author", item_where, required=False),
            url=url,
            note=_text(raw, "note", item_where, required=False),
        )
    return found


def read_sources(directory: Path = CONTENT_DIR) -> dict[str, Source]:
    path = directory / "sources.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(f"{path.name}: not valid YAML: {exc}") from exc
    return parse_sources(data, path.name)


@cache
def source_catalog() -> dict[str, Source]:
    """The shipped sources, read once per process (the file changes only with a deploy)."""
    return read_sources()


def render_sources(ids: Iterable[str]) -> list[dict[str, str]]:
    """Source ids as the API shows them. Content is checked at load, so every id is
    known; an id from rows stored before a content change still renders (as itself)
    rather than failing a whole plan."""
    catalog = source_catalog()
    return [catalog[i].ref() if i in catalog else {"id": i, "title": i} for i in ids]
