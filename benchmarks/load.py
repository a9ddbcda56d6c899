#!/usr/bin/env python3
"""Load test: gunicorn on PostgreSQL under wrk, with a realistic data set.

    .venv/bin/python benchmarks/load.py [--seconds 30] [--rounds 3] [--soak 300] [--think 1000]
        [--patients 1000] [--clinicians 20] [--endpoints today,summary,clinician_list,sync]
        [--port N] [--workers 3] [--threads 4]

A short run: ``--patients 100 --clinicians 2 --seconds 2 --rounds 3 --think 0 --endpoints today,summary``.

Needs wrk (apt-get install wrk). Seeds the database of DATABASE_URL (by default
`backtrack_load`) once, and grows it when asked for more: patients with 90 days of
check-ins and session logs, enrolled in two programs, and clinicians with 50 linked
patients each (TOTP on). A seed from an earlier day has its dates moved to today
(``_setup.shift_seed_dates``). Every simulated user has its own allauth app session
token. Then it starts gunicorn with the production settings (plus one route, the
ceiling) and Redis as the shared cache (REDIS_URL, default redis://127.0.0.1:6379/2),
and, at 16 concurrent connections, measures:

- GET /api/v1/today/             (a random patient)
- GET /api/v1/summary/?days=28
- GET /api/v1/care/patients/     (a random clinician, 50 patients)
- POST /api/v1/sync/             (20 new entries, each client_id unique)
- GET /bench/ceiling/            an authenticated DRF view doing one indexed query for
                                 the caller (benchmarks/urls.py): the same
                                 authentication path as the others, so the most an
                                 API request can be served at on this machine

Each round starts from the seeded data (what sync and clinician reads added is
deleted once every request has been answered) with every user's cache filled (each
patient's /today/ and summary and each clinician's list are requested once), then
runs the ceiling and each endpoint in turn, the ceiling again after each endpoint:
an endpoint's ratio is to the mean of the two ceilings either side of it, measured
seconds apart, both by req/s and by CPU (the ceiling's web + database CPU per
request over the endpoint's: on a shared machine, what the requests cost moves far
less than how many of them the machine found time for). For every phase it prints req/s, p50/p95/p99, errors, and the CPU
per request of gunicorn's workers, of PostgreSQL's backends for this database and of
wrk (from /proc/<pid>/stat and getrusage, before and after), with how busy the whole
machine was; then the medians over the rounds. That is saturation, every connection
sending its next request the moment an answer arrives, where by Little's law p50 is
about 16 / req/s. A second table (--think, default 1000 ms) has the 16 connections
behave like people, pausing 0.5-1.5 s between requests, and shows the latency each
of them sees. With --soak it also runs all four endpoints mixed for that many
seconds and counts errors. Targets on the 2-core machine: p95 < 50 ms for today and
sync, < 150 ms for the clinician list, today at least half the ceiling's req/s, zero
errors everywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backtrack_load")
# The seeding process and the server share one Redis: sessions, cached responses and
# their generations (which the reset between rounds replaces).
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/2")
from _setup import ROOT, record_seed, seed_day, setup_django, shift_seed_dates

SEED_TAG = "load"
SEED_USERS = "email LIKE 'load-%'"
PATIENTS = 1000
CLINICIANS = 20
PER_CLINICIAN = 50
DAYS = 90
SEEDED_SEQ = 3 * DAYS  # a seeded patient's entries have seq 1..270
CONNECTIONS = 16
# sync last: the entries it adds would grow the data the others read.
ENDPOINTS = ["today", "summary", "clinician_list", "sync"]
TARGETS_P95_MS = {"today": 50, "sync": 50, "clinician_list": 150}
RESET_SQL = [
    # Wait for any sync still holding a patient's counter (none should be: the server
    # has answered everything before a reset), and keep new ones out until the counters
    # and the entries agree again: a counter set back below an entry's seq would give
    # the next batch a duplicate seq.
    """SELECT 1 FROM tracker_syncstate WHERE user_id IN (SELECT id FROM accounts_user
       WHERE email LIKE 'load-%%') FOR UPDATE""",
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
CLK_TCK = os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- The data set ------------------------------------------------------------------


def seed(patients: int, clinicians: int) -> dict[str, list[str]]:
    """Seed (or grow) the data set to at least ``patients`` and ``clinicians``, and
    sign each of the first ``patients`` patients and ``clinicians`` clinicians in."""
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db.models import Max

    from backend.accounts.models import User, UserSession
    from backend.accounts.session_store import SessionStore
    from backend.accounts.sessions import LAST_SEEN, STARTED
    from backend.tracker.models import CheckIn

    seeded = CheckIn.objects.filter(user__email="load-patient-0@example.com", seq__lte=SEEDED_SEQ)
    if seed_day(SEED_TAG) is None and seeded.exists():
        # Seeded before seeds recorded their day: its newest check-in is from the day
        # before it.
        record_seed(SEED_TAG, seeded.aggregate(Max("date"))["date__max"] + dt.timedelta(days=1))
    moved = shift_seed_dates(SEED_TAG, users=SEED_USERS)
    if moved:
        print(f"seed from {moved} day(s) ago: its dates moved to today")

    have_patients = User.objects.filter(email__startswith="load-patient-").count()
    have_clinicians = User.objects.filter(email__startswith="load-clinician-").count()
    need_patients = max(patients, clinicians * PER_CLINICIAN)
    if have_patients < need_patients or have_clinicians < clinicians:
        started = time.perf_counter()
        seed_users(range(have_patients, need_patients), range(have_clinicians, clinicians))
        record_seed(SEED_TAG)
        print(
            f"seeded patients {have_patients}..{need_patients - 1} x {DAYS} days and "
            f"clinicians {have_clinicians}..{clinicians - 1} in {time.perf_counter() - started:.0f} s"
        )

    wanted = [f"load-patient-{n}@example.com" for n in range(patients)]
    wanted += [f"load-clinician-{n}@example.com" for n in range(clinicians)]
    # Earlier runs' tokens: gone, so the session table stays the same size run after run.
    UserSession.objects.filter(
        user_id__in=User.objects.filter(email__startswith="load-").values("pk")
    ).delete()
    tokens: dict[str, list[str]] = {"patients": [], "clinicians": []}
    now_ts = time.time()
    for user in User.objects.filter(email__in=wanted).order_by("pk"):
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
        tokens["clinicians" if user.role == "clinician" else "patients"].append(str(session.session_key))
    return tokens


def seed_users(patient_numbers: range, clinician_numbers: range) -> None:
    """Patients and clinicians with these numbers; clinician c is linked to patients
    c x 50 .. c x 50 + 49, who must exist or be among ``patient_numbers``."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db import transaction
    from django.utils import timezone

    from backend.accounts.models import User
    from backend.care.models import CareLink
    from backend.programs.models import Enrollment, Program
    from backend.tracker.models import CheckIn, SessionLog, SyncState

    today = dt.date.today()
    programs = list(Program.objects.filter(slug__in=["back-stretches", "breathing-relaxation"]))
    now = timezone.now()
    with transaction.atomic():
        patients = User.objects.bulk_create(
            User(email=f"load-patient-{n}@example.com", timezone="UTC", password="!") for n in patient_numbers
        )
        Enrollment.objects.bulk_create(
            Enrollment(user=p, program=program, start_date=today - dt.timedelta(days=20))
            for p in patients
            for program in programs
        )
        for chunk in range(0, len(patients), 100):
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
        SyncState.objects.bulk_create(SyncState(user=p, counter=SEEDED_SEQ) for p in patients)
        clinicians = User.objects.bulk_create(
            User(email=f"load-clinician-{n}@example.com", role="clinician", timezone="UTC", password="!")
            for n in clinician_numbers
        )
        for c in clinicians:
            TOTP.activate(c, generate_totp_secret())
        by_number = {
            int(email.split("-")[2].split("@")[0]): pk
            for pk, email in User.objects.filter(email__startswith="load-patient-").values_list("pk", "email")
        }
        CareLink.objects.bulk_create(
            CareLink(
                patient_id=by_number[c * PER_CLINICIAN + n], clinician=clinician, scopes=["logs", "checkins"]
            )
            for c, clinician in zip(clinician_numbers, clinicians, strict=True)
            for n in range(PER_CLINICIAN)
        )


def reset_data() -> None:
    """Back to the seeded data set: drop what sync requests and clinician reads added
    (seeded entries have seq <= 3 x DAYS), so no phase measures a bigger data set, and
    drop every seeded user's cached responses (they may show what was deleted).

    Call it only when the server has answered every request (``wait_quiet``)."""
    from django.db import connection, transaction

    from backend.accounts.models import User
    from backend.caching import generations

    with transaction.atomic(), connection.cursor() as cursor:
        for statement in RESET_SQL:
            cursor.execute(statement, {"seeded": SEEDED_SEQ})
    # Fresh planner statistics and visibility map, as autovacuum keeps them in production.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    for pk in User.objects.filter(email__startswith="load-").values_list("pk", flat=True):
        generations.changed(generations.user_key(pk))


# --- Measuring ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def open_connections(port: int) -> int:
    """Sockets on the server's port that a request may still be using (established, or
    closed by the client while the server still works on its answer)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] in ("01", "08"):  # ESTABLISHED, CLOSE_WAIT
                count += 1
    return count


def wait_quiet(port: int, timeout: float = 60) -> None:
    """Until the server has answered every request: wrk stops at its deadline with up
    to 16 requests still being served, whose writes must land before a reset."""
    deadline = time.monotonic() + timeout
    while open_connections(port):
        if time.monotonic() > deadline:
            print(f"  (still {open_connections(port)} connection(s) open after {timeout:.0f} s)")
            return
        time.sleep(0.05)


def process_ticks(pid: int) -> int | None:
    """utime + stime of a process (all its threads), in clock ticks; None once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def backends() -> list[int]:
    """PostgreSQL's client backends for this database, but this process's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of every core since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


class Server:
    """gunicorn, with the CPU of its workers and of their database backends."""

    def __init__(self, args: argparse.Namespace, port: int) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "PYTHONPATH": str(ROOT),
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "THROTTLE_SYNC": "100000/minute",
            "LOG_LEVEL": "WARNING",
        }
        threads = ["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads > 1 else []
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "backend.wsgi:application"),
                *("--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)),
                *threads,
                *("--log-level", "warning"),
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=2)  # noqa: S310 (our own server)
                return
            except OSError:
                if self.process.poll() is not None:
                    sys.exit("gunicorn did not start")
                time.sleep(0.2)
        sys.exit("gunicorn did not answer /healthz")

    def cpu(self) -> dict:
        return {
            "web": {pid: process_ticks(pid) or 0 for pid in children(self.process.pid)},
            "pg": {pid: process_ticks(pid) or 0 for pid in backends()},
            "wrk": resource.getrusage(resource.RUSAGE_CHILDREN),
            "machine": machine_ticks(),
        }

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def spent_ms(before: dict[int, int], after: dict[int, int]) -> tuple[float, int]:
    """CPU ms the processes spent between two readings, and how many of them ended in
    between (their CPU since the first reading is lost)."""
    ticks = sum(t - before.get(pid, 0) for pid, t in after.items())
    return ticks * 1000 / CLK_TCK, len(set(before) - set(after))


def run_wrk(server: Server, endpoint: str, tokens_file: Path, seconds: int, think_ms: int = 0) -> dict:
    """One phase: wrk for ``seconds``, then until the server has answered the last
    request, and the CPU spent meanwhile, per request."""
    env = {
        **os.environ,
        "ENDPOINT": endpoint,
        "TOKENS": str(tokens_file),
        "THINK_MS": str(think_ms),
        "RUN": str(random.getrandbits(40)),
    }
    before = server.cpu()
    out = subprocess.run(
        [
            *("wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"),
            *("-s", str(ROOT / "benchmarks" / "load.lua"), server.url),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    wait_quiet(server.port)
    after = server.cpu()
    line = next((line for line in out.stdout.splitlines() if line.startswith("RESULT ")), None)
    if out.returncode or line is None:
        sys.exit(f"wrk failed on {endpoint} (exit {out.returncode}):\n{out.stdout}{out.stderr}")
    result = json.loads(line[len("RESULT ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = result["status_errors"] + result["socket_errors"]
    requests = max(result["requests"], 1)
    web_ms, web_lost = spent_ms(before["web"], after["web"])
    pg_ms, pg_lost = spent_ms(before["pg"], after["pg"])
    wrk = [after["wrk"].ru_utime - before["wrk"].ru_utime, after["wrk"].ru_stime - before["wrk"].ru_stime]
    busy = after["machine"][0] - before["machine"][0]
    total = after["machine"][1] - before["machine"][1]
    result.update(
        web_ms=web_ms / requests,
        pg_ms=pg_ms / requests,
        wrk_ms=sum(wrk) * 1000 / requests,
        busy=100 * busy / max(total, 1),
        lost=web_lost + pg_lost,
    )
    return result


def warm_caches(server: Server, tokens: dict[str, list[str]], threads: int = 8) -> None:
    """Request each patient's /today/ and summary and each clinician's list once, so that
    every phase is served from caches as full as production's, whoever wrk picks."""
    started = time.perf_counter()
    local = threading.local()
    opened: list[http.client.HTTPConnection] = []

    def get(path: str, token: str) -> int:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            opened.append(local.conn)
        local.conn.request("GET", path, headers={"X-Session-Token": token})
        response = local.conn.getresponse()
        response.read()
        return response.status

    def patient(token: str) -> list[int]:
        return [get("/api/v1/today/", token), get("/api/v1/summary/?days=28", token)]

    def clinician(token: str) -> list[int]:
        return [get("/api/v1/care/patients/", token)]

    with ThreadPoolExecutor(threads) as pool:
        answers = list(pool.map(patient, tokens["patients"])) + list(
            pool.map(clinician, tokens["clinicians"])
        )
    for conn in opened:  # or wait_quiet would wait for these keep-alive connections
        conn.close()
    filled = sum(all(status == 200 for status in statuses) for statuses in answers)
    failed = [s for statuses in answers for s in statuses if s != 200]
    print(
        f"warm-up: {filled} users' caches filled in {time.perf_counter() - started:.1f} s"
        + (f" ({len(answers) - filled} NOT: statuses {sorted(set(failed))})" if failed else "")
    )
    wait_quiet(server.port)


def fresh_round(server: Server, tokens: dict[str, list[str]]) -> None:
    """Seeded data, every seeded user's cache filled: where each round starts."""
    wait_quiet(server.port)
    reset_data()
    warm_caches(server, tokens)


# --- Reporting ---------------------------------------------------------------------

HEADER = (
    f"{'endpoint':<16}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>7}"
    f"{'web ms':>8}{'pg ms':>7}{'wrk ms':>7}{'busy':>6}{'vs ceiling':>11}{'by CPU':>8}  target"
)


def cpu_ms(r: dict) -> float:
    """The server's CPU per request: web workers and database backends."""
    return r["web_ms"] + r["pg_ms"]


def row(name: str, r: dict, ratio: float | None, by_cpu: float | None = None) -> str:
    target = TARGETS_P95_MS.get(name)
    verdict = ""
    if target:
        verdict = f"p95 < {target} ms: {'yes' if r['p95_us'] / 1000 < target else 'NO'}"
    if name == "today" and ratio is not None:
        verdict += f"; >= 0.5 x ceiling: {'yes' if ratio >= 0.5 else 'NO'}"
    shown = f"{ratio:>11.2f}" if ratio is not None else f"{'':>11}"
    shown += f"{by_cpu:>8.2f}" if by_cpu is not None else f"{'':>8}"
    return (
        f"{name:<16}{r['rps']:>8.0f}{r['p50_us'] / 1000:>8.1f}{r['p95_us'] / 1000:>8.1f}"
        f"{r['p99_us'] / 1000:>8.1f}{r['errors']:>7}{r['web_ms']:>8.2f}{r['pg_ms']:>7.2f}"
        f"{r['wrk_ms']:>7.2f}{r['busy']:>5.0f}%{shown}  {verdict}"
    )


def median_row(runs: list[dict]) -> dict:
    figures = ("rps", "p50_us", "p95_us", "p99_us", "web_ms", "pg_ms", "wrk_ms", "busy")
    merged = {key: statistics.median(run[key] for run in runs) for key in figures}
    merged["errors"] = sum(run["errors"] for run in runs)
    return merged


def run_round(server: Server, endpoints: list[str], tokens_file: Path, seconds: int) -> dict:
    """The ceiling, then each endpoint followed by the ceiling again; each endpoint's
    ratio is to the mean of the ceilings just before and just after it."""
    ceilings = [run_wrk(server, "ceiling", tokens_file, seconds)]
    print("  " + row("ceiling", ceilings[0], None))
    results, ratios, by_cpu = {}, {}, {}
    for endpoint in endpoints:
        results[endpoint] = run_wrk(server, endpoint, tokens_file, seconds)
        ceilings.append(run_wrk(server, "ceiling", tokens_file, seconds))
        ceiling = (ceilings[-2]["rps"] + ceilings[-1]["rps"]) / 2
        ratios[endpoint] = results[endpoint]["rps"] / ceiling
        # The same ratio from CPU: what the requests cost, whatever else ran meanwhile.
        ceiling_cpu = (cpu_ms(ceilings[-2]) + cpu_ms(ceilings[-1])) / 2
        by_cpu[endpoint] = ceiling_cpu / max(cpu_ms(results[endpoint]), 1e-9)
        print("  " + row(endpoint, results[endpoint], ratios[endpoint], by_cpu[endpoint]))
        print("  " + row("ceiling", ceilings[-1], None))
    return {"results": results, "ratios": ratios, "by_cpu": by_cpu, "ceilings": ceilings}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seconds", "--duration", dest="seconds", type=int, default=30, help="seconds per phase"
    )
    parser.add_argument("--rounds", type=int, default=3, help="saturation rounds; medians are printed")
    parser.add_argument("--patients", type=int, default=PATIENTS, help="patients signed in and requested")
    parser.add_argument(
        "--clinicians", type=int, default=CLINICIANS, help=f"clinicians, {PER_CLINICIAN} patients each"
    )
    parser.add_argument(
        "--endpoints",
        default=",".join(ENDPOINTS),
        help="comma-separated subset to measure (the ceiling always)",
    )
    parser.add_argument(
        "--think",
        type=int,
        default=1000,
        help="ms a user pauses between requests in the second table (0 skips it)",
    )
    parser.add_argument(
        "--soak", type=int, default=0, help="seconds of mixed load afterwards (300 for the soak)"
    )
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (as in the Dockerfile)")
    parser.add_argument(
        "--threads",
        type=int,
        default=4,
        help="threads per worker, gthread (as in the Dockerfile); 1: sync workers",
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # each phase as it ends, through a pipe too
    asked = [e.strip() for e in args.endpoints.split(",") if e.strip() and e.strip() != "ceiling"]
    unknown = sorted(set(asked) - set(ENDPOINTS))
    if unknown:
        parser.error(f"--endpoints: unknown {', '.join(unknown)} (known: {', '.join(ENDPOINTS)})")
    if args.patients < 1 or args.clinicians < 0 or args.rounds < 1 or args.seconds <= 0:
        parser.error("--patients and --rounds must be at least 1, --clinicians at least 0, --seconds above 0")
    endpoints = [e for e in ENDPOINTS if e in asked]
    if "clinician_list" in endpoints and not args.clinicians:
        parser.error("--endpoints clinician_list needs --clinicians of at least 1")
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    setup_django()
    tokens = seed(args.patients, args.clinicians)
    workdir = Path(tempfile.mkdtemp(prefix="backtrack-load-"))
    tokens_file = workdir / "tokens.lua"
    tokens_file.write_text(
        "return {patients = {" + ",".join(f'"{t}"' for t in tokens["patients"]) + "}, "
        "clinicians = {" + ",".join(f'"{t}"' for t in tokens["clinicians"]) + "}}\n"
    )
    print(
        f"{len(tokens['patients'])} patients, {len(tokens['clinicians'])} clinicians; "
        f"load average {loadavg()} before the server starts"
    )
    server = Server(args, args.port or free_port())
    try:
        rounds = []
        for n in range(args.rounds):
            fresh_round(server, tokens)
            if n == 0:
                run_wrk(server, "ceiling", tokens_file, 1)  # the workers' first requests
            print(f"round {n + 1} of {args.rounds} (load average {loadavg()})")
            print("  " + HEADER)
            rounds.append(run_round(server, endpoints, tokens_file, args.seconds))

        print(
            f"\ngunicorn {args.workers} workers x {args.threads} threads, PostgreSQL, wrk {CONNECTIONS} "
            f"connections, {args.seconds:g} s a phase, median of {args.rounds} round(s); load average {loadavg()}"
        )
        print("saturation: each connection sends its next request as soon as the answer arrives")
        print(
            "web, pg, wrk ms: CPU per request of gunicorn's workers, PostgreSQL's backends, wrk; busy: all cores"
        )
        print("vs ceiling: req/s over the ceiling's; by CPU: the ceiling's web + pg ms over the endpoint's")
        print(HEADER)
        for endpoint in endpoints:
            ratio = statistics.median(r["ratios"][endpoint] for r in rounds)
            by_cpu = statistics.median(r["by_cpu"][endpoint] for r in rounds)
            print(row(endpoint, median_row([r["results"][endpoint] for r in rounds]), ratio, by_cpu))
        print(row("ceiling", median_row([c for r in rounds for c in r["ceilings"]]), 1.0, 1.0))
        for endpoint in endpoints:
            for key, what in (("ratios", "req/s"), ("by_cpu", "CPU")):
                each = ", ".join(f"{r[key][endpoint]:.2f}" for r in rounds)
                median = statistics.median(r[key][endpoint] for r in rounds)
                print(
                    f"  {endpoint} vs the ceilings either side by {what}, each round: {each}; median {median:.2f}"
                )
        lost = sum(r["lost"] for rr in rounds for r in [*rr["results"].values(), *rr["ceilings"]])
        if lost:
            print(f"  ({lost} process(es) ended mid-phase: their CPU is missing from the figures)")

        if args.think:
            fresh_round(server, tokens)
            users = {
                e: run_wrk(server, e, tokens_file, args.seconds, args.think) for e in ["ceiling", *endpoints]
            }
            print(
                f"\n{CONNECTIONS} users, each pausing {args.think // 2}-{args.think * 3 // 2} ms between requests; "
                f"load average {loadavg()}"
            )
            print(HEADER)
            for endpoint, r in users.items():
                print(row(endpoint, r, None))
        if args.soak:
            fresh_round(server, tokens)
            soak = run_wrk(server, "mix", tokens_file, args.soak)
            print(
                f"\nsoak {args.soak} s, all four endpoints mixed: {soak['requests']} requests, {soak['rps']:.0f} req/s, "
                f"p95 {soak['p95_us'] / 1000:.1f} ms, web {soak['web_ms']:.2f} ms and pg {soak['pg_ms']:.2f} ms "
                f"CPU a request, errors {soak['errors']} ({'zero' if soak['errors'] == 0 else 'NOT ZERO'}); "
                f"load average {loadavg()}"
            )
        errors = sum(r["errors"] for rr in rounds for r in [*rr["results"].values(), *rr["ceilings"]])
        print(f"\nerrors in the saturation rounds: {errors} ({'zero' if errors == 0 else 'NOT ZERO'})")
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
