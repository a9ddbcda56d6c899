#!/usr/bin/env python3
"""Load test: gunicorn on PostgreSQL under wrk, with a realistic data set.

    .venv/bin/python benchmarks/load.py [--duration 30] [--rounds 3] [--soak 300] [--workers 3] [--threads 4] [--think 1000]

Needs wrk (apt-get install wrk). Seeds (once; later runs reuse it) the database
`backtrack_load`: 1,000 patients with 90 days of check-ins and session logs, enrolled
in two programs, and 20 clinicians with 50 linked patients each (TOTP on). Every
simulated user has its own allauth app session token. Then it starts gunicorn with
the production settings (plus one route, the ceiling) and Redis as the shared cache
(REDIS_URL, default redis://127.0.0.1:6379/2), and, at 16 concurrent connections,
measures in turn:

- GET /api/v1/today/             (a random patient)
- GET /api/v1/summary/?days=28
- GET /api/v1/care/patients/     (a random clinician, 50 patients)
- POST /api/v1/sync/             (20 new entries; what it adds is deleted before the next phase)
- GET /bench/ceiling/            a minimal Django view doing one indexed query:
                                 the most this stack can serve on this machine

and prints req/s, p50/p95/p99 and each endpoint's ratio to the ceiling: that is
saturation, every connection sending its next request the moment an answer arrives,
where by Little's law p50 is about 16 / req/s. The endpoints are measured --rounds
times in turn (each round beside its own ceiling) and the medians are printed. A second table (--think, default
1000 ms) has the 16 connections behave like people, pausing 0.5-1.5 s between
requests, and shows the latency each of them sees. With --soak
it also runs all four endpoints mixed for that many seconds and counts errors.
Targets on the 2-core machine: p95 < 50 ms for today and sync, < 150 ms for the
clinician list, today at least half the ceiling's req/s, zero errors in the soak.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backtrack_load")
from _setup import ROOT, setup_django

PATIENTS = 1000
CLINICIANS = 20
PER_CLINICIAN = 50
DAYS = 90
CONNECTIONS = 16
# sync last: the entries it adds would grow the data the others read.
ENDPOINTS = ["today", "summary", "clinician_list", "sync", "ceiling"]
TARGETS_P95_MS = {"today": 50, "sync": 50, "clinician_list": 150}
RESET_SQL = [
    """DELETE FROM tracker_safetyalert WHERE checkin_id IN (SELECT id FROM tracker_checkin
       WHERE seq > %(seeded)s AND user_id IN (SELECT id FROM accounts_user WHERE email LIKE 'load-%%'))""",
    """DELETE FROM tracker_checkin WHERE seq > %(seeded)s
       AND user_id IN (SELECT id FROM accounts_user WHERE email LIKE 'load-%%')""",
    """DELETE FROM tracker_sessionlog WHERE seq > %(seeded)s
       AND user_id IN (SELECT id FROM accounts_user WHERE email LIKE 'load-%%')""",
    """DELETE FROM tracker_journalentry WHERE seq > %(seeded)s
       AND user_id IN (SELECT id FROM accounts_user WHERE email LIKE 'load-%%')""",
    """DELETE FROM care_accesslogentry
       WHERE clinician_id IN (SELECT id FROM accounts_user WHERE email LIKE 'load-%%')""",
    """UPDATE tracker_syncstate SET counter = %(seeded)s
       WHERE user_id IN (SELECT id FROM accounts_user WHERE email LIKE 'load-%%')""",
]


def seed() -> dict[str, list[str]]:
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import transaction
    from django.utils import timezone

    from backend.accounts.models import User
    from backend.accounts.session_store import SessionStore
    from backend.accounts.sessions import LAST_SEEN, STARTED
    from backend.care.models import CareLink
    from backend.programs.models import Enrollment, Program
    from backend.tracker.models import CheckIn, SessionLog, SyncState

    marker = "load-patient-0@example.com"
    today = dt.date.today()
    if not User.objects.filter(email=marker).exists():
        started = time.perf_counter()
        programs = list(Program.objects.filter(slug__in=["back-stretches", "breathing-relaxation"]))
        now = timezone.now()
        with transaction.atomic():
            patients = User.objects.bulk_create(
                User(email=f"load-patient-{n}@example.com", timezone="UTC", password="!")
                for n in range(PATIENTS)
            )
            Enrollment.objects.bulk_create(
                Enrollment(user=p, program=program, start_date=today - dt.timedelta(days=20))
                for p in patients
                for program in programs
            )
            for chunk in range(0, PATIENTS, 100):
                rows, logs = [], []
                for p in patients[chunk : chunk + 100]:
                    for n in range(DAYS):
                        day = today - dt.timedelta(days=n + 1)
                        rows.append(
                            CheckIn(
                                user=p,
                                client_id=uuid.uuid4(),
                                updated_at=now,
                                latest_updated_at=now,
                                seq=n + 1,
                                date=day,
                                pain=(n + p.pk) % 11,
                                stress=(2 * n + p.pk) % 11,
                                sleep_hours=7,
                            )
                        )
                        for k, key in enumerate(("cat-cow", "hamstring")):
                            logs.append(
                                SessionLog(
                                    user=p,
                                    client_id=uuid.uuid4(),
                                    updated_at=now,
                                    latest_updated_at=now,
                                    seq=DAYS + 2 * n + k + 1,
                                    date=day,
                                    item_id=f"back-stretches:{key}:{day.isoformat()}",
                                    program="back-stretches",
                                    status="done",
                                )
                            )
                CheckIn.objects.bulk_create(rows, batch_size=2000)
                SessionLog.objects.bulk_create(logs, batch_size=2000)
            SyncState.objects.bulk_create(SyncState(user=p, counter=3 * DAYS) for p in patients)
            clinicians = User.objects.bulk_create(
                User(email=f"load-clinician-{n}@example.com", role="clinician", timezone="UTC", password="!")
                for n in range(CLINICIANS)
            )
            for c in clinicians:
                TOTP.activate(c, generate_totp_secret())
            CareLink.objects.bulk_create(
                CareLink(
                    patient=patients[c * PER_CLINICIAN + n], clinician=clinician, scopes=["logs", "checkins"]
                )
                for c, clinician in enumerate(clinicians)
                for n in range(PER_CLINICIAN)
            )
        print(
            f"seeded {PATIENTS} patients x {DAYS} days and {CLINICIANS} clinicians in {time.perf_counter() - started:.0f} s"
        )
    # Every run starts from the same data set: drop what earlier runs' sync requests
    # and clinician reads added (seeded entries have seq <= 3 x DAYS).
    reset_data()

    tokens: dict[str, list[str]] = {"patients": [], "clinicians": []}
    now_ts = time.time()
    for user in User.objects.filter(email__startswith="load-").order_by("pk"):
        # An allauth app-client token is the key of a signed-in session.
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[STARTED] = session[LAST_SEEN] = now_ts
        if user.role == "clinician":
            session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "at": now_ts}]
            session["account_authentication_methods_user"] = str(user.pk)
        session.create()
        tokens["clinicians" if user.role == "clinician" else "patients"].append(session.session_key)
    return tokens


def reset_data() -> None:
    """Back to the seeded data set: drop what sync requests and clinician reads added
    (seeded entries have seq <= 3 x DAYS), so no phase measures a bigger data set."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for statement in RESET_SQL:
            cursor.execute(statement, {"seeded": 3 * DAYS})
    # Fresh planner statistics and visibility map, as autovacuum keeps them in production.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_wrk(url: str, endpoint: str, tokens_file: Path, seconds: int, think_ms: int = 0) -> dict:
    env = {**os.environ, "ENDPOINT": endpoint, "TOKENS": str(tokens_file), "THINK_MS": str(think_ms)}
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "benchmarks" / "load.lua"),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def median_of_rounds(rounds: list[dict[str, dict]]) -> tuple[dict[str, dict], dict[str, float]]:
    """Per endpoint, the median of each figure over the rounds, and the median of its
    ratio to the ceiling measured in the same round (the machine is shared and noisy:
    one round's ceiling can be half another's)."""
    results, ratios = {}, {}
    for endpoint in rounds[0]:
        runs = [r[endpoint] for r in rounds]
        results[endpoint] = {
            key: statistics.median(run[key] for run in runs) for key in ("rps", "p50_us", "p95_us", "p99_us")
        }
        results[endpoint]["errors"] = sum(run["status_errors"] + run["socket_errors"] for run in runs)
        ratios[endpoint] = statistics.median(r[endpoint]["rps"] / r["ceiling"]["rps"] for r in rounds)
    return results, ratios


def print_table(results: dict[str, dict], ratios: dict[str, float] | None) -> None:
    """One row per endpoint; ``ratios`` to the ceiling only where throughput was saturated."""
    print(
        f"{'endpoint':<16}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs ceiling':>12}  target"
    )
    for endpoint, r in results.items():
        errors = r["errors"] if "errors" in r else r["status_errors"] + r["socket_errors"]
        target = TARGETS_P95_MS.get(endpoint)
        verdict = ""
        if target:
            verdict = f"p95 < {target} ms: {'yes' if r['p95_us'] / 1000 < target else 'NO'}"
        if endpoint == "today" and ratios:
            verdict += f"; >= 0.5 x ceiling: {'yes' if ratios[endpoint] >= 0.5 else 'NO'}"
        ratio = f"{ratios[endpoint]:>12.2f}" if ratios else f"{'':>12}"
        print(
            f"{endpoint:<16}{r['rps']:>9.0f}{r['p50_us'] / 1000:>9.1f}{r['p95_us'] / 1000:>9.1f}"
            f"{r['p99_us'] / 1000:>9.1f}{errors:>8}{ratio}  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=30, help="seconds per endpoint")
    parser.add_argument(
        "--soak", type=int, default=0, help="seconds of mixed load afterwards (300 for the soak)"
    )
    parser.add_argument(
        "--endpoints",
        default=",".join(ENDPOINTS),
        help="comma-separated subset to measure (the ceiling always)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="saturation rounds over every endpoint; medians are printed (the machine is noisy)",
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (as in the Dockerfile)")
    parser.add_argument(
        "--threads",
        type=int,
        default=4,
        help="threads per worker, gthread (as in the Dockerfile); 1: sync workers",
    )
    parser.add_argument(
        "--think",
        type=int,
        default=1000,
        help="ms a user pauses between requests in the second table (0 skips it)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    setup_django()
    tokens = seed()
    workdir = Path(tempfile.mkdtemp(prefix="backtrack-load-"))
    tokens_file = workdir / "tokens.lua"
    tokens_file.write_text(
        "return {patients = {" + ",".join(f'"{t}"' for t in tokens["patients"]) + "}, "
        "clinicians = {" + ",".join(f'"{t}"' for t in tokens["clinicians"]) + "}}\n"
    )

    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "THROTTLE_SYNC": "100000/minute",
        "LOG_LEVEL": "WARNING",
        # As in production: sessions, throttles and today's plans in a shared Redis.
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "backend.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            *(["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads > 1 else []),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=2)  # noqa: S310 (our own server)
                break
            except OSError:
                time.sleep(0.2)
        endpoints = [e for e in ENDPOINTS if e in args.endpoints.split(",") or e == "ceiling"]
        for endpoint in endpoints:
            run_wrk(url, endpoint, tokens_file, 5)  # warm caches and connections
        rounds = []
        for n in range(args.rounds):
            if n:
                reset_data()
            rounds.append({e: run_wrk(url, e, tokens_file, args.duration) for e in endpoints})
        results, ratios = median_of_rounds(rounds)
        print(
            f"\ngunicorn {args.workers} workers x {args.threads} threads, PostgreSQL, wrk {CONNECTIONS} connections, "
            f"{args.duration} s each, median of {args.rounds} rounds"
        )
        print("saturation: each connection sends its next request as soon as the answer arrives")
        print_table(results, ratios)
        if args.rounds > 1:
            for endpoint in endpoints[:-1]:  # the ceiling is last
                each = ", ".join(f"{r[endpoint]['rps'] / r['ceiling']['rps']:.2f}" for r in rounds)
                print(f"  {endpoint} vs ceiling, each round: {each}")

        if args.think:
            reset_data()
            users = {e: run_wrk(url, e, tokens_file, args.duration, args.think) for e in endpoints}
            print(
                f"\n{CONNECTIONS} users, each pausing {args.think // 2}-{args.think * 3 // 2} ms between requests"
            )
            print_table(users, None)
        if args.soak:
            reset_data()
            soak = run_wrk(url, "mix", tokens_file, args.soak)
            errors = soak["status_errors"] + soak["socket_errors"]
            print(
                f"\nsoak {args.soak} s, all four endpoints mixed: {soak['requests']} requests, {soak['rps']:.0f} req/s, "
                f"p95 {soak['p95_us'] / 1000:.1f} ms, errors {errors} ({'zero' if errors == 0 else 'NOT ZERO'})"
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
