"""Django's Redis cache backend, reusing its client, and carrying on when Redis is down.

Reusing the client: Django's ``RedisCacheClient.get_client`` builds a new
``redis.Redis`` around the same connection pool for every cache call, which costs
about 0.2 ms of CPU each time: with sessions, throttles and today's plans in the
cache, that was a quarter of a cached ``/today/``. A client is safe to share between
threads, and Django already keeps one backend instance per thread, so one client per
pool is kept instead.

Carrying on: everything kept in this cache can be done without it, so a Redis
restart or outage must not turn requests into 500s. When Redis cannot be reached:

- reads miss and writes are dropped, so sessions are read from the database (the
  ``cached_db`` engine's own fallback) and cached renderings are computed afresh;
- rate-limit counters (keys starting with one of ``LOCAL_FALLBACK_PREFIXES``: DRF's
  throttles and allauth's rate limits) are kept in this process's memory meanwhile,
  so a login flood is still slowed while Redis is away. Nothing else may live there:
  a session or a rendering kept in one process's memory would not hear of a logout
  or a new log handled by another;
- the keys whose write or delete was dropped are remembered, and deleted from Redis
  before anything else once it answers again. Redis may come back with its data (an
  append-only file, a network cut): without this, a session ended during the outage
  would be valid again from the cache. A deleted key is only ever a miss;
  ``backend/caching/generations.py`` never lets a missing generation match;
- after a failure Redis is left alone for ``RETRY_SECONDS``, so a dead server costs
  one timeout now and then, not one per request.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# Keys dropped during an outage that are remembered for deletion; beyond this many
# the oldest are forgotten (they still expire on their own).
MAX_DIRTY_KEYS = 100_000


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class _Health:
    """What this process knows of one Redis server: shared by the threads' backends."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.logged_at = 0.0
        # (key, version) pairs, in insertion order.
        self.dirty: dict[tuple[str, int | None], None] = {}

    def is_down(self) -> bool:
        return time.monotonic() < self.down_until

    def trip(self, seconds: float, exc: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            self.down_until = now + seconds
            quiet = now - self.logged_at < 60
            if not quiet:
                self.logged_at = now
        if not quiet:
            logger.warning(
                "Redis cache unreachable (%s); carrying on without it for now", exc.__class__.__name__
            )

    def remember(self, keys: list[tuple[str, int | None]]) -> None:
        with self.lock:
            for key in keys:
                self.dirty[key] = None
            while len(self.dirty) > MAX_DIRTY_KEYS:
                self.dirty.pop(next(iter(self.dirty)))


_HEALTH: dict[str, _Health] = {}
_HEALTH_LOCK = threading.Lock()


def _health_of(location: str) -> _Health:
    with _HEALTH_LOCK:
        return _HEALTH.setdefault(location, _Health())


class RedisCache(django_redis.RedisCache):
    """Django's RedisCache with the reused client, failing soft (see the module docstring).

    Extra ``OPTIONS`` (the rest go to redis-py's connection pool):
    ``LOCAL_FALLBACK_PREFIXES`` (default: DRF's and allauth's rate-limit keys) and
    ``RETRY_SECONDS`` (default 2).
    """

    def __init__(self, server, params) -> None:
        options = dict(params.get("OPTIONS", {}))
        self._local_prefixes = tuple(options.pop("LOCAL_FALLBACK_PREFIXES", ("throttle_", "allauth:rl:")))
        self._retry_seconds = float(options.pop("RETRY_SECONDS", 2.0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = RedisCacheClient
        self._health = _health_of(str(server))
        self._local = LocMemCache(f"redis-fallback:{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})

    # -- the guard every operation goes through --------------------------------------

    def _run(self, operation: str, keys: list[str], version: int | None, write: bool, default: Any, *args):
        """``operation`` on Redis; on the local fallback or ``default`` when it is down."""
        health = self._health
        if not health.is_down():
            try:
                if health.dirty:
                    self._recover()
                return getattr(super(), operation)(*args)
            except UNREACHABLE as exc:
                health.trip(self._retry_seconds, exc)
        if write:
            health.remember([(key, version) for key in keys])
        if keys and all(key.startswith(self._local_prefixes) for key in keys):
            return getattr(self._local, operation)(*args)
        return default

    def _recover(self) -> None:
        """Delete from Redis what was written or deleted while it could not be reached."""
        health = self._health
        with health.lock:
            dropped = list(health.dirty)
        by_version: dict[int | None, list[str]] = {}
        for key, version in dropped:
            by_version.setdefault(version, []).append(key)
        for version, keys in by_version.items():
            super().delete_many(keys, version=version)
        with health.lock:
            for key in dropped:
                health.dirty.pop(key, None)
        logger.warning("Redis cache reachable again; %d keys written meanwhile dropped from it", len(dropped))

    # -- Django's cache API ---------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True when Redis is down: allauth waits for a lock key it cannot add.
        return self._run("add", [key], version, True, True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._run("get", [key], version, False, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set", [key], version, True, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("touch", [key], version, True, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._run("delete", [key], version, True, False, key, version)

    def get_many(self, keys, version=None):
        keys = list(keys)
        return self._run("get_many", keys, version, False, {}, keys, version)

    def has_key(self, key, version=None):
        return self._run("has_key", [key], version, False, False, key, version)

    def incr(self, key, delta=1, version=None):
        found = self._run("incr", [key], version, True, None, key, delta, version)
        if found is None:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable)")
        return found

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        data = dict(data)
        return self._run("set_many", list(data), version, True, [], data, timeout, version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._run("delete_many", keys, version, True, None, keys, version)

    def clear(self):
        self._local.clear()
        with self._health.lock:
            self._health.dirty.clear()
        return self._run("clear", [], None, False, False)
