"""The Redis cache carries on when Redis is down, and forgets on its return what was
changed meanwhile (backend/caching/redis_cache.py). Against a real Redis of the test's own, stopped,
paused and started at will."""

from __future__ import annotations

import datetime as dt
import shutil
import time

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings

from backend.caching import invalidation, user_cache
from backend.caching import redis_cache as cache_module
from backend.caching.redis_cache import RedisCache
from tests.faults.services import PrivateRedis

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")


@pytest.fixture
def server():
    process = PrivateRedis()
    process.start()
    cache_module._HEALTH.clear()
    yield process
    process.stop()
    cache_module._HEALTH.clear()


def backend_for(server: PrivateRedis, **options) -> RedisCache:
    return RedisCache(
        server.url,
        {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "RETRY_SECONDS": 0.2, **options}},
    )


def raw(server: PrivateRedis) -> redis.Redis:
    return redis.Redis.from_url(server.url)


def pause(server: PrivateRedis, seconds: float) -> None:
    """Redis stops answering for a while but keeps its data, as across a network cut.

    Pauses here last well beyond the backend's 0.5 s command timeout, so a command
    sent during one times out even on a busy machine."""
    raw(server).execute_command("CLIENT", "PAUSE", int(seconds * 1000), "ALL")


def test_with_redis_stopped_reads_miss_and_writes_do_not_raise(server):
    backend = backend_for(server)
    backend.set("plan", "cached")
    assert backend.get("plan") == "cached"
    server.stop()
    assert backend.get("plan", "default") == "default"
    assert backend.get_many(["plan", "other"]) == {}
    backend.set("plan", "new")
    backend.set_many({"a": 1})
    backend.delete("plan")
    backend.delete_many(["a", "b"])
    assert backend.has_key("plan") is False
    assert backend.add("lock", True) is True  # allauth waits on a lock it cannot add
    with pytest.raises(ValueError):
        backend.incr("counter")


def test_a_dead_redis_is_left_alone_between_retries(server):
    backend = backend_for(server, RETRY_SECONDS=30)
    server.stop()
    started = time.monotonic()
    for _ in range(200):
        backend.get("plan")
    # One refused connection, then no attempt at all: far below 200 connection attempts.
    assert time.monotonic() - started < 1


def test_rate_limit_counters_are_kept_in_this_process_while_redis_is_down(server):
    backend = backend_for(server)
    server.stop()
    backend.set("throttle_sync_1", [1.0, 2.0])
    assert backend.get("throttle_sync_1") == [1.0, 2.0]
    backend.set("allauth:rl:account:login_failed:x", [3.0])
    assert backend.get("allauth:rl:account:login_failed:x") == [3.0]
    # Nothing else: a session kept in one process's memory would miss a logout elsewhere.
    backend.set("django.contrib.sessions.cached_dbabc", {"_auth_user_id": "1"})
    assert backend.get("django.contrib.sessions.cached_dbabc") is None


def test_what_was_deleted_during_a_cut_is_deleted_when_redis_answers_again(server):
    backend = backend_for(server)
    backend.set("session", "signed in")
    backend.set("plan", "old plan")
    backend.set("untouched", "kept")
    pause(server, 2.0)
    backend.delete("session")  # a sign-out while Redis does not answer
    backend.set("plan", "new plan")  # a write that could not reach it
    assert backend.get("session") is None
    time.sleep(2.2)
    # Redis answers again with all its old data; the first call drops what changed.
    assert backend.get("untouched") == "kept"
    assert backend.get("session") is None
    assert backend.get("plan") is None
    assert not raw(server).exists(backend.make_key("session"), backend.make_key("plan"))


def test_the_first_call_after_recovery_waits_for_nothing_if_redis_is_still_down(server):
    backend = backend_for(server)
    pause(server, 2.0)
    backend.delete("session")
    server.stop()
    time.sleep(0.3)
    assert backend.get("session") is None  # recovery fails softly too
    assert cache_module._health_of(server.url).dirty  # and is tried again later


def test_a_generation_that_went_missing_never_matches_an_old_value(server, patient):
    """A rendering stamped before the cut must not match after the cache dropped the
    generation key it was stamped with."""
    caches = {
        "default": {
            "BACKEND": "backend.caching.redis_cache.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "RETRY_SECONDS": 0.2},
        }
    }
    with override_settings(CACHES=caches, USER_CACHE_SECONDS=3600):
        day = dt.date(2026, 11, 21)
        first = user_cache.cached(name="today", user_id=patient.pk, day=day, render=lambda: {"v": 1})
        assert first == b'{"v":1}'
        # A log is written while Redis does not answer: its generation replacement is dropped.
        pause(server, 2.0)
        invalidation.user_changed(patient.pk)
        time.sleep(2.2)
        # Redis is back with the old generation and value; the dropped key is deleted, a
        # new generation made, and the plan rendered again.
        again = user_cache.cached(name="today", user_id=patient.pk, day=day, render=lambda: {"v": 2})
        assert again == b'{"v":2}'
        cache.clear()
