"""IANA time zone names: validation and the user's local calendar."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.utils import timezone


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    # "localtime" and "Factory" are tzdata artefacts, not places.
    return frozenset(available_timezones() - {"localtime", "Factory"})


def validate_timezone(value: str) -> None:
    if value not in _known_zones():
        raise ValidationError(
            "%(value)s is not a known IANA time zone (for example Europe/Paris).",
            code="invalid_timezone",
            params={"value": value[:64]},
        )


def local_today(zone_name: str, *, now: dt.datetime | None = None) -> dt.date:
    """The calendar date it is now where the user lives."""
    now = now or timezone.now()
    return now.astimezone(ZoneInfo(zone_name)).date()
