"""Generations: how a cached rendering learns that what it shows has changed.

Rendered responses are cached in Redis (shared by every web process): each user's
plan for today and progress summary (``backend/caching/user_cache.py``) and each clinician's
patient list (``backend/caching/patient_lists.py``). A cached value is stamped with the
generations of everything it was read from:

- ``gen:user:<id>``: anything of that user's that a rendering shows (their logs,
  enrollments, alerts, profile); replaced by ``user_changed``;
- ``gen:links:<clinician id>``: which patients a clinician sees, and how;
  replaced by ``links_changed``;
- ``gen:catalog``: the program catalog; replaced by ``catalog_changed``.

A generation is a random token, replaced (never incremented, never deleted) when
what it covers changes. A value whose stamp differs from the current generations
is a miss. Writers replace a generation at once and again after their transaction
commits; readers read the generations *before* reading the database. So a reader
that read rows from before a commit has stamped them with a generation that the
post-commit replacement makes stale: no old rendering can be served under a new
generation.

The cache is only an optimisation: when Redis cannot be reached, readers fall back
to the database and the failure is logged. Values expire (settings
``USER_CACHE_SECONDS``, ``PATIENT_LIST_CACHE_SECONDS``), which bounds how long a
missed replacement could show an old rendering.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

CATALOG = "gen:catalog"
# Generations outlive every value stamped with them (``read`` also replaces a missing
# one before anything is stamped with it).
GEN_SECONDS = 2 * 86400


def user_key(user_id: int) -> str:
    return f"gen:user:{user_id}"


def links_key(clinician_id: int) -> str:
    return f"gen:links:{clinician_id}"


def read(keys: Iterable[str]) -> dict[str, Any] | None:
    """The cached values of ``keys`` (missing ones absent), or None if the cache is down.

    A generation is never missing from the answer: one that expired, or that the cache
    dropped after an outage (``backend/caching/redis_cache.py``), is replaced by a new token first.
    So no value can be stamped with a missing generation, and none can match a
    generation that went missing after it was stored.
    """
    keys = list(keys)
    try:
        found = cache.get_many(keys)
        missing = [key for key in keys if key.startswith("gen:") and key not in found]
        if missing:
            for key in missing:
                cache.add(key, uuid.uuid4().hex, GEN_SECONDS)
            # Another reader may have added its token first: stamp with the one kept.
            found.update(cache.get_many(missing))
            if any(key not in found for key in missing):
                return None  # the cache dropped out meanwhile
        return found
    except Exception:
        logger.warning("cache unavailable; reading from the database", exc_info=True)
        return None


def store(key: str, value: Any, seconds: int) -> None:
    try:
        cache.set(key, value, seconds)
    except Exception:
        logger.warning("cache unavailable; %s not stored", key.split(":", 1)[0], exc_info=True)


def forget(*keys: str) -> None:
    """Drop cached values (an erased account's), once the transaction commits."""

    def drop() -> None:
        try:
            cache.delete_many(list(keys))
        except Exception:
            logger.error("cache unavailable; cached values expire on their own", exc_info=True)

    transaction.on_commit(drop)


def _replace(key: str) -> None:
    try:
        cache.set(key, uuid.uuid4().hex, GEN_SECONDS)
    except Exception:
        logger.error("cache unavailable; could not invalidate %s", key, exc_info=True)


def changed(key: str) -> None:
    """Replace generation ``key`` (``backend/caching/invalidation.py`` says which, and when)."""
    # Replaced at once, so reads later in the same transaction (and tests, which roll
    # back instead of committing) see the change; and again once the transaction
    # commits, because a reader that read the old rows between the two may have
    # stored them under the first replacement.
    _replace(key)
    transaction.on_commit(lambda: _replace(key))
