"""The database restarts under sync load; the web process dies mid-batch. Clients get
clear errors, then recover, and every entry ends up stored exactly once."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid

import psycopg
import pytest

from tests.faults.services import PG_BIN, Gunicorn, PrivatePostgres, request

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(PG_BIN is None, reason="PostgreSQL server binaries not installed"),
]


def call(
    url: str, method: str = "GET", body: dict | None = None, token: str | None = None, timeout: float = 30
):
    status, parsed, _headers = request(url, method, body, token, timeout=timeout)
    return status, parsed


def batch(size: int) -> list[dict]:
    today = time.strftime("%Y-%m-%d", time.gmtime())
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return [
        {
            "client_id": str(uuid.uuid4()),
            "type": "checkin",
            "updated_at": stamp,
            "data": {"date": today, "pain": n % 11, "stress": (n * 3) % 11},
        }
        for n in range(size)
    ]


@pytest.fixture(scope="module")
def stack():
    pg = PrivatePostgres()
    pg.start()
    pg.create_database()
    # Throttles counted per process here; no Redis needed for these tests.
    web = Gunicorn({"DATABASE_URL": pg.url, "THROTTLE_SYNC": "100000/minute", "REDIS_URL": ""}, workers=2)
    web.manage("migrate", "--noinput")
    web.manage("load_programs")
    web.start()
    try:
        yield pg, web
    finally:
        # Shown by pytest only when a test here failed.
        print("--- gunicorn log ---", web.log_tail(), "--- postgres log ---", pg.log_tail(), sep="\n")
        web.stop()
        pg.destroy()


def signup(web: Gunicorn) -> str:
    status, body = call(
        f"{web.url}/_allauth/app/v1/auth/signup",
        "POST",
        {
            "email": f"fault-{uuid.uuid4().hex[:8]}@example.com",
            "password": "calm-steady-42!",
            "timezone": "UTC",
        },
    )
    assert status == 200, body
    return body["meta"]["session_token"]


def stored(pg: PrivatePostgres, client_ids: list[str]) -> dict[str, int]:
    with psycopg.connect(pg.url) as conn:
        rows = conn.execute(
            "SELECT client_id::text, count(*) FROM tracker_checkin WHERE client_id::text = ANY(%s) GROUP BY 1",
            (client_ids,),
        ).fetchall()
    return dict(rows)


def test_a_database_restart_under_sync_load_loses_and_doubles_nothing(stack):
    pg, web = stack
    tokens = [signup(web) for _ in range(4)]
    sent: list[dict] = []
    failures: list[tuple[int, object]] = []
    pending: list[tuple[str, list[dict]]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(token: str) -> None:
        while not stop.is_set():
            entries = batch(20)
            try:
                status, body = call(
                    f"{web.url}/api/v1/sync/", "POST", {"entries": entries}, token, timeout=60
                )
            except OSError as exc:  # the connection itself failed
                status, body = 0, repr(exc)
            with lock:
                sent.extend(entries)
                if status != 200:
                    failures.append((status, body))
                    pending.append((token, entries))

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    time.sleep(2)
    pg.stop()
    # While the database is down, health says so and sync answers 503, not 500.
    status, health = call(f"{web.url}/healthz")
    assert status == 503 and health["database"] == "down"
    time.sleep(2)
    pg.start()
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)

    assert failures, "the restart should have refused some batches"
    assert {status for status, _ in failures} <= {503}, [f for f in failures if f[0] != 503][:3]
    assert all("try again" in body["detail"] for _, body in failures)

    # The clients replay what was refused: every refused batch was wholly absent.
    for token, entries in pending:
        status, body = call(f"{web.url}/api/v1/sync/", "POST", {"entries": entries}, token)
        assert status == 200
        assert {r["status"] for r in body["results"]} in ({"created"}, {"unchanged"})
    counts = stored(pg, [e["client_id"] for e in sent])
    assert len(counts) == len(sent)
    assert set(counts.values()) == {1}
    assert call(f"{web.url}/healthz")[0] == 200


# Holds the insert of one marked entry until the test lets go: the sync request is then
# provably mid-batch, its earlier entries written in a transaction not yet committed.
HOLD_SQL = """
CREATE TABLE fault_hold (client_id uuid PRIMARY KEY);
CREATE FUNCTION fault_hold_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM fault_hold WHERE client_id = NEW.client_id) THEN
        PERFORM pg_advisory_xact_lock(4242);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER fault_hold BEFORE INSERT ON tracker_checkin
    FOR EACH ROW EXECUTE FUNCTION fault_hold_insert();
"""
UNHOLD_SQL = """
DROP TRIGGER fault_hold ON tracker_checkin;
DROP FUNCTION fault_hold_insert();
DROP TABLE fault_hold;
"""


def test_a_web_worker_killed_mid_batch_loses_and_doubles_nothing(stack):
    pg, web = stack
    token = signup(web)
    entries = batch(500)
    outcome: dict = {}

    def send() -> None:
        try:
            outcome["result"] = call(
                f"{web.url}/api/v1/sync/", "POST", {"entries": entries}, token, timeout=60
            )
        except OSError as exc:
            outcome["error"] = exc

    with psycopg.connect(pg.url, autocommit=True) as admin:
        admin.execute(HOLD_SQL)
        admin.execute("INSERT INTO fault_hold VALUES (%s)", (entries[250]["client_id"],))
        admin.execute("SELECT pg_advisory_lock(4242)")
        sender = threading.Thread(target=send)
        try:
            sender.start()
            # Wait until the request is stuck on entry 250, entries 0-249 written.
            deadline = time.monotonic() + 60
            while not admin.execute(
                "SELECT 1 FROM pg_stat_activity WHERE wait_event = 'advisory' AND query LIKE '%%tracker_checkin%%'"
            ).fetchone():
                assert time.monotonic() < deadline, "the sync request never reached the held entry"
                time.sleep(0.05)
            for pid in web.worker_pids():
                os.kill(pid, signal.SIGKILL)
            sender.join(timeout=60)
        finally:
            admin.execute("SELECT pg_advisory_unlock(4242)")
            # Waits for the dead request's transaction to roll back.
            admin.execute(UNHOLD_SQL)
    assert "error" in outcome, f"the client should have seen its connection drop: {outcome}"
    assert stored(pg, [e["client_id"] for e in entries]) == {}, "a half-applied batch was committed"

    # gunicorn starts new workers; the client retries until it gets an answer.
    deadline = time.monotonic() + 120
    while True:
        try:
            status, body = call(f"{web.url}/api/v1/sync/", "POST", {"entries": entries}, token)
            if status == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "the web process did not come back"
        time.sleep(0.5)

    assert {r["status"] for r in body["results"]} in ({"created"}, {"unchanged"})
    counts = stored(pg, [e["client_id"] for e in entries])
    assert len(counts) == 500 and set(counts.values()) == {1}
