"""Responses that show one user's own data, cached per user: ``/today/`` and the summary.

Today's plan is the app's front door (every open of the PWA asks for it) and the
summary is the Progress screen, also read by the user's clinicians. Both change only
when the user logs something or changes an enrollment, when the catalog is reloaded,
or when the user's local date turns. The response body is cached, stamped with the
user's and the catalog's generations (``backend/caching/generations.py``) and the local date.
A hit costs one ``MGET`` (the value and both generations) and no query.

A rendering that stops being true at a known instant with nothing written (a flare
that runs out mid-day) is returned by ``render`` as ``Until(data, instant)``, and a
hit after that instant renders again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from backend.caching import generations

# What is cached per user, with its variants (the summary's ``days``).
RESPONSES: dict[str, tuple[str, ...]] = {"today": ("",), "summary": ("7", "28", "90")}


@dataclass(frozen=True)
class Until:
    """A rendering true only until ``instant``."""

    data: Any
    instant: dt.datetime


def value_key(name: str, user_id: int, variant: str = "") -> str:
    return f"{name}:{user_id}:{variant}"


def value_keys(user_id: int) -> list[str]:
    """Every cached response of the user (to drop them when the account is erased)."""
    return [value_key(name, user_id, v) for name, variants in RESPONSES.items() for v in variants]


def cached(*, name: str, user_id: int, day: dt.date, render: Callable[[], Any], variant: str = "") -> bytes:
    """The response ``name`` of the user on their local ``day`` as JSON, from the cache or ``render()``.

    Kept as the JSON bytes the API sends (rendered as DRF renders any response),
    so a hit neither rebuilds nor re-encodes it.
    """
    assert variant in RESPONSES[name], f"{name} has no variant {variant!r}"
    seconds = settings.USER_CACHE_SECONDS
    if not seconds:
        return _encode(render())[0]
    key, gen_key = value_key(name, user_id, variant), generations.user_key(user_id)
    found = generations.read([key, gen_key, generations.CATALOG])
    if found is None:
        return _encode(render())[0]
    stamp = (found.get(gen_key), found.get(generations.CATALOG), day.isoformat())
    value = found.get(key)
    if (
        isinstance(value, tuple)
        and len(value) == 3
        and value[0] == stamp
        and (value[2] is None or timezone.now() < value[2])
    ):
        return value[1]
    rendered, until = _encode(render())
    generations.store(key, (stamp, rendered, until), seconds)
    return rendered


def _encode(data: Any) -> tuple[bytes, dt.datetime | None]:
    if isinstance(data, Until):
        return JSONRenderer().render(data.data), data.instant
    return JSONRenderer().render(data), None
