"""Each user's rendered plan for today (``GET /api/v1/today/``), kept in the cache.

Today's plan is the app's front door: every open of the PWA asks for it, and it
changes only when the user logs something, changes an enrollment, the catalog is
reloaded, or their local date turns. The response body is cached, stamped with the
user's and the catalog's generations (``backend/generations.py``) and the local
date. A hit costs one ``MGET`` (the value and both generations) and no query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from rest_framework.renderers import JSONRenderer

from backend import generations


def value_key(user_id: int) -> str:
    return f"today:{user_id}"


def cached_today(*, user_id: int, day: dt.date, render: Callable[[], dict[str, Any]]) -> bytes:
    """The user's plan for ``day`` as JSON, from the cache or from ``render()``.

    Kept as the JSON bytes the API sends (rendered as DRF renders any response),
    so a hit neither rebuilds nor re-encodes it.
    """
    seconds = settings.TODAY_CACHE_SECONDS
    if not seconds:
        return _encode(render())
    key, gen_key = value_key(user_id), generations.user_key(user_id)
    found = generations.read([key, gen_key, generations.CATALOG])
    if found is None:
        return _encode(render())
    stamp = (found.get(gen_key), found.get(generations.CATALOG), day.isoformat())
    value = found.get(key)
    if isinstance(value, tuple) and len(value) == 2 and value[0] == stamp:
        return value[1]
    rendered = _encode(render())
    generations.store(key, (stamp, rendered), seconds)
    return rendered


def _encode(data: dict[str, Any]) -> bytes:
    return JSONRenderer().render(data)
