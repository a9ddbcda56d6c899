"""Countries and who to call there: content/countries.yaml (ISO codes, each time zone's
country) and content/emergency_numbers.yaml (emergency, urgent and crisis lines)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError

CONTENT_DIR = Path(__file__).resolve().parent / "content"


@dataclass(frozen=True)
class Line:
    number: str
    label: str

    def as_call(self) -> dict[str, str]:
        return {"number": self.number, "label": self.label}


@dataclass(frozen=True)
class Lines:
    emergency: Line
    urgent: Line | None = None
    crisis_lines: tuple[dict[str, str], ...] = field(default=())


@dataclass(frozen=True)
class Directory:
    countries: dict[str, str]
    zones: dict[str, str]
    default: Lines
    lines: dict[str, Lines]


def _line(data: dict[str, Any] | None) -> Line | None:
    return Line(str(data["number"]), str(data["label"])) if data else None


@cache
def directory() -> Directory:
    codes = yaml.safe_load((CONTENT_DIR / "countries.yaml").read_text(encoding="utf-8"))
    numbers = yaml.safe_load((CONTENT_DIR / "emergency_numbers.yaml").read_text(encoding="utf-8"))
    sources = set(numbers["sources"])
    lines: dict[str, Lines] = {}
    for code, data in numbers["countries"].items():
        if code not in codes["countries"]:
            raise ValueError(f"emergency_numbers.yaml: {code} is not an ISO 3166-1 alpha-2 code")
        if not data.get("sources") or set(data["sources"]) - sources:
            raise ValueError(f"emergency_numbers.yaml: {code} must name its sources")
        emergency = _line(data["emergency"])
        assert emergency is not None
        crisis = tuple(
            {key: str(item[key]) for key in ("name", "phone", "url") if item.get(key)}
            for item in data.get("crisis_lines") or ()
        )
        lines[code] = Lines(emergency, _line(data.get("urgent")), crisis)
    default = _line(numbers["default"]["emergency"])
    assert default is not None
    return Directory(
        countries={str(k): str(v) for k, v in codes["countries"].items()},
        zones={str(k): str(v) for k, v in codes["zones"].items()},
        default=Lines(default),
        lines=lines,
    )


def validate_country(value: str) -> None:
    if value not in directory().countries:
        raise ValidationError(
            "%(value)s is not an ISO 3166-1 alpha-2 country code (for example FR or US).",
            code="invalid_country",
            params={"value": value[:8]},
        )


def country_of_zone(zone: str) -> str | None:
    """The country a time zone is in, when the tz database says (Europe/Paris: FR)."""
    return directory().zones.get(zone)


def lines_for(country: str | None) -> Lines:
    """Who to call in a country; 112 where it is unknown or not listed."""
    found = directory()
    return found.lines.get(country or "", found.default)


def call_for(level: str, country: str | None) -> dict[str, str] | None:
    """What a safety answer of ``level`` offers to call: the emergency number for an
    emergency, the country's urgent medical line (where it has one) for urgent."""
    lines = lines_for(country)
    if level == "emergency":
        return lines.emergency.as_call()
    if level == "urgent" and lines.urgent is not None:
        return lines.urgent.as_call()
    return None
