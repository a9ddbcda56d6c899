"""What weighed on a day: the built-in factors (content/factors.yaml) and the rule for
the person's own labels.

A check-in stores factor slugs and custom labels side by side in one list: a built-in
slug means that factor, anything else is the person's own words. A label that spells a
slug (``work``) is that factor, so the two never split one thing in two.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

FACTORS_FILE = Path(__file__).resolve().parent / "content" / "factors.yaml"
MAX_FACTORS = 12
LABEL_MAX = 40
# The person's own labels that /factors/ offers again: the most used of this window.
CUSTOM_DAYS = 90
MAX_CUSTOM = 12


@dataclass(frozen=True)
class Factor:
    slug: str
    label: str
    sources: tuple[str, ...]


@cache
def builtin_factors() -> dict[str, Factor]:
    data = yaml.safe_load(FACTORS_FILE.read_text(encoding="utf-8"))
    factors: dict[str, Factor] = {}
    for item in data["factors"]:
        slug = item["slug"]
        if slug in factors:
            raise ValueError(f"factors.yaml: {slug} is listed twice")
        factors[slug] = Factor(slug=slug, label=item["label"], sources=tuple(item.get("sources", ())))
    return factors


def label_of(value: str) -> str:
    """What the person reads for a stored factor: the built-in label, or their own words."""
    factor = builtin_factors().get(value)
    return factor.label if factor else value


def _normalise(raw: str) -> str:
    return " ".join(raw.split())


def fold_factors(values: list[object]) -> list[str]:
    """A check-in's ``factors`` as stored: built-in slugs and the person's own labels,
    trimmed, each once (the first spelling of a label wins; a label that spells a
    built-in slug or label is that factor). Raises ``ValidationError`` for anything else.
    """
    from rest_framework.serializers import ValidationError

    if len(values) > MAX_FACTORS:
        raise ValidationError(f"At most {MAX_FACTORS} factors a day.")
    builtins = builtin_factors()
    by_name = {name.casefold(): f.slug for f in builtins.values() for name in (f.slug, f.label)}
    folded: dict[str, str] = {}
    for position, raw in enumerate(values, start=1):
        if not isinstance(raw, str):
            raise ValidationError(f"Factor {position} is not text: send a slug or a label.")
        label = _normalise(raw)
        if not label:
            raise ValidationError(f"Factor {position} is blank.")
        if len(label) > LABEL_MAX:
            raise ValidationError(f"Factor {position} is longer than {LABEL_MAX} characters.")
        value = by_name.get(label.casefold(), label)
        folded.setdefault(value.casefold(), value)
    return list(folded.values())
