"""Redis dies while people sync, read their plan, sign in and ask for a test reminder.

The app runs as in production (gunicorn, DEBUG off, PostgreSQL, Redis for sessions,
throttles, cached responses and the task queue). While Redis is gone every request
answers as usual or, at worst, 503 with Retry-After: never a 500. Sessions are read
from the database meanwhile, so people stay signed in; every entry synced ends up
stored exactly once; and once Redis is back (empty) everything carries on.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections import Counter

import pytest

from backend.reminders.models import Delivery
from tests.faults.services import Gunicorn, PrivateRedis, request
from tests.faults.test_database_faults import batch
from tests.reminders.worker import test_database_url as database_url_of_the_tests

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed"),
]

PASSWORD = "calm-steady-42!"


def call(url: str, method: str = "GET", body: dict | None = None, token: str | None = None):
    """(status, body); a 503 without Retry-After is reported as status 0."""
    status, parsed, headers = request(url, method, body, token, timeout=60)
    if status == 503 and not headers.get("Retry-After"):
        return 0, parsed
    return status, parsed


def signup(web: Gunicorn, email: str) -> tuple[int, dict]:
    return call(
        f"{web.url}/_allauth/app/v1/auth/signup",
        "POST",
        {"email": email, "password": PASSWORD, "timezone": "Europe/Paris"},
    )


def login(web: Gunicorn, email: str) -> tuple[int, dict]:
    return call(f"{web.url}/_allauth/app/v1/auth/login", "POST", {"email": email, "password": PASSWORD})


def test_a_redis_outage_is_never_a_500_and_loses_nothing(transactional_db, catalog):
    from backend.tracker.models import CheckIn

    redis = PrivateRedis()
    redis.start()
    web = Gunicorn(
        {
            "DATABASE_URL": database_url_of_the_tests(),
            "CONN_MAX_AGE": "0",
            "REDIS_URL": redis.url,
            "THROTTLE_SYNC": "100000/minute",
            "THROTTLE_REMINDERS_TEST": "100000/hour",
        },
        workers=2,
    )
    web.start()
    answers: Counter[tuple[str, int]] = Counter()
    bad: list[tuple[str, int, object, object]] = []
    sent: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    phase = {"now": "before"}

    def record(what: str, status: int, body: object) -> None:
        with lock:
            answers[(phase["now"], status)] += 1
            if status not in (200, 201, 202, 503):
                bad.append((what, status, body, phase["now"]))

    def send(token: str, entries: list[dict]) -> bool:
        """One sync of the phone's outbox; True once the server has it all."""
        status, body = call(f"{web.url}/api/v1/sync/", "POST", {"entries": entries}, token)
        record("sync", status, body)
        if status == 200:
            with lock:
                sent.extend(e["client_id"] for e in entries)
        return status == 200

    def patient(token: str) -> None:
        pending: list[dict] = []
        while not stop.is_set():
            entries = pending or batch(5)
            # The phone keeps its outbox and sends it again until the server answers.
            pending = [] if send(token, entries) else entries
            for path in ("/api/v1/today/", "/api/v1/summary/?days=7"):
                status, body = call(f"{web.url}{path}", token=token)
                record(path, status, body)
            time.sleep(0.05)
        while pending and not send(token, pending):  # the outbox empties once the server answers
            time.sleep(0.5)

    try:
        tokens = []
        for n in range(3):
            status, body = signup(web, f"redis-{n}-{uuid.uuid4().hex[:6]}@example.com")
            assert status == 200, body
            tokens.append(body["meta"]["session_token"])
        threads = [threading.Thread(target=patient, args=(token,)) for token in tokens]
        for thread in threads:
            thread.start()
        time.sleep(2)

        redis.stop()
        phase["now"] = "outage"
        outage_started = time.monotonic()
        # Sign-up, sign-in and the test reminder while Redis is gone.
        email = f"during-{uuid.uuid4().hex[:6]}@example.com"
        status, body = signup(web, email)
        record("signup", status, body)
        assert status in (200, 503), body
        if status == 200:
            status, body = login(web, email)
            record("login", status, body)
            assert status in (200, 503), body
            if status == 200:
                fresh = body["meta"]["session_token"]
                status, body = call(f"{web.url}/api/v1/me/", token=fresh)
                assert status == 200, body
        status, body = call(f"{web.url}/api/v1/reminders/test/", "POST", {}, tokens[0])
        record("reminder test", status, body)
        assert status == 503, body  # the queue is down: say so, and queue nothing for later
        assert not Delivery.objects.filter(status="pending").exists()
        while time.monotonic() - outage_started < 6:
            time.sleep(0.2)

        redis.start()
        phase["now"] = "after"
        time.sleep(3)
        status, body = call(f"{web.url}/api/v1/reminders/test/", "POST", {}, tokens[0])
        record("reminder test", status, body)
        assert status == 202, body
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        # Signed in before, during and after: the same sessions still work.
        for token in tokens:
            assert call(f"{web.url}/api/v1/me/", token=token)[0] == 200
    finally:
        stop.set()
        log = web.log_tail(60)
        web.stop()
        redis.stop()

    assert not bad, f"{bad[:5]}\n{log}"
    # People kept working while Redis was gone, not merely told to wait.
    assert answers[("outage", 200)] > 10, (answers, log)
    assert "Internal Server Error" not in log, log
    stored = Counter(
        str(c) for c in CheckIn.objects.filter(client_id__in=sent).values_list("client_id", flat=True)
    )
    assert len(sent) == len(set(sent)) and len(stored) == len(sent), (len(sent), len(stored))
    assert set(stored.values()) == {1}
