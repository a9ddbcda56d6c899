"""A shared cache of each user's rendered plan for today (``GET /api/v1/today/``).

Today's plan is the app's front door: every open of the PWA asks for it, and it
changes only when the user logs a session, changes an enrollment, or the catalog is
reloaded, or when their local date turns. So the rendered day is kept in the cache
(Redis in production, shared by every web process), stamped with:

- the user's plan generation (``today-gen:<user id>``), replaced by ``plan_changed``
  whenever something the plan shows changes;
- the catalog generation (``today-gen:catalog``), replaced by ``catalog_changed``;
- the local date it was rendered for.

A hit costs one ``MGET`` of the value and both generations, and no query; the value
is the response body itself. A stamp
that does not match is a miss, so nothing is ever deleted and no reader can put back
an old rendering under a new generation: a generation is replaced only after the
writer's transaction commits (see ``plan_changed``), and a reader stamps its value
with the generation it read *before* reading the database.

The cache is an optimisation only: if it cannot be reached, the plan is computed
from the database as before, and the failure is logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from rest_framework.renderers import JSONRenderer

logger = logging.getLogger(__name__)

CATALOG_GEN = "today-gen:catalog"
# Generations outlive every value stamped with them (see the module docstring): a
# value whose generation key expired could otherwise match again.
GEN_SECONDS = 2 * 86400


def _value_key(user_id: int) -> str:
    return f"today:{user_id}"


def _gen_key(user_id: int) -> str:
    return f"today-gen:{user_id}"


def cached_today(*, user_id: int, day: dt.date, render: Callable[[], dict[str, Any]]) -> bytes:
    """The user's plan for ``day`` as JSON, from the cache or from ``render()``.

    Kept as the JSON bytes the API sends (rendered as DRF renders any response),
    so a hit neither rebuilds nor re-encodes it.
    """
    seconds = settings.TODAY_CACHE_SECONDS
    if not seconds:
        return _encode(render())
    key, gen_key = _value_key(user_id), _gen_key(user_id)
    try:
        found = cache.get_many([key, gen_key, CATALOG_GEN])
    except Exception:  # the cache is down or unreachable: serve from the database
        logger.warning("today cache unavailable; reading the plan from the database", exc_info=True)
        return _encode(render())
    stamp = (found.get(gen_key), found.get(CATALOG_GEN), day.isoformat())
    value = found.get(key)
    if isinstance(value, tuple) and len(value) == 2 and value[0] == stamp:
        return value[1]
    rendered = _encode(render())
    try:
        cache.set(key, (stamp, rendered), seconds)
    except Exception:
        logger.warning("today cache unavailable; plan not stored", exc_info=True)
    return rendered


def _encode(data: dict[str, Any]) -> bytes:
    return JSONRenderer().render(data)


def _replace(key: str) -> None:
    try:
        cache.set(key, uuid.uuid4().hex, GEN_SECONDS)
    except Exception:
        # Values expire after TODAY_CACHE_SECONDS, which bounds how stale they can be.
        logger.error("today cache unavailable; could not invalidate %s", key, exc_info=True)


def _changed(key: str) -> None:
    # Replaced at once, so reads later in the same transaction (and tests, which roll
    # back instead of committing) see the change; and again once the transaction
    # commits, because a reader that read the old rows between the two may have
    # stored them under the first replacement.
    _replace(key)
    transaction.on_commit(lambda: _replace(key))


def plan_changed(user_id: int) -> None:
    """Something the user's plan shows changed (a session log, an enrollment)."""
    _changed(_gen_key(user_id))


def catalog_changed() -> None:
    """The program catalog changed: every cached plan is out of date."""
    _changed(CATALOG_GEN)


def forget(user_id: int) -> None:
    """Drop what is cached for a user whose account is being erased, once that commits."""

    def drop() -> None:
        try:
            cache.delete_many([_value_key(user_id), _gen_key(user_id)])
        except Exception:
            logger.error("today cache unavailable; an erased user's plan expires on its own", exc_info=True)

    transaction.on_commit(drop)
