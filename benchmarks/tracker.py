#!/usr/bin/env python3
"""Tracker speed on PostgreSQL: a 500-entry sync batch and the 90-day summary.

    .venv/bin/python benchmarks/tracker.py [--runs 15]

Seeds one patient with 365 days of check-ins, session logs and journal entries, then
times, through the whole Django stack (middleware, auth, validation, JSON):
- POST /api/v1/sync/ with 500 new mixed entries (and the same batch replayed);
- GET /api/v1/summary/?days=90.
Prints the median and the spread of the wall time, the median CPU time of this
process (``time.process_time``: Django and the app; PostgreSQL's share is the rest of
the wall time, less waiting on a busy machine), and the load average before and
after, as the machine is shared. Targets on the 2-core machine: sync of 500 under
300 ms, summary under 50 ms. It measures the summary being computed: the per-user
cache of responses (backend/caching/user_cache.py) is turned off here.

Its patient is seeded afresh on every run, dated from that run's today, so its dates
never go stale (a benchmark that reuses its seed calls ``_setup.shift_seed_dates``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ["USER_CACHE_SECONDS"] = "0"
from _setup import setup_django


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    setup_django()

    from django.test import Client
    from django.utils import timezone

    from backend.accounts.models import User
    from backend.accounts.timezones import local_today
    from backend.programs.models import Program
    from backend.programs.services import enrollment_create
    from backend.tracker.serializers import validate_entries
    from backend.tracker.services import sync_apply

    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    user = User.objects.create_user(email, "bench-password-1", timezone="Europe/Paris")
    today = local_today(user.timezone)
    for slug in ("core-strength", "back-stretches", "breathing-relaxation"):
        enrollment_create(
            user=user, program=Program.objects.get(slug=slug), start_date=today - dt.timedelta(days=40)
        )

    def stamp(minutes: int) -> str:
        return (timezone.now() - dt.timedelta(minutes=minutes)).isoformat()

    def mixed(day: dt.date, n: int) -> list[dict]:
        kinds = [
            (
                "checkin",
                {"date": day.isoformat(), "pain": n % 11, "stress": (n * 3) % 11, "sleep_hours": 7.0},
            ),
            (
                "session",
                {
                    "date": day.isoformat(),
                    "item_id": f"back-stretches:cat-cow:{day.isoformat()}",
                    "status": "done",
                },
            ),
            ("journal", {"date": day.isoformat(), "feeling": "calm", "gratitude": ["tea"]}),
        ]
        return [
            {
                "client_id": str(uuid.uuid4()),
                "type": kind,
                "updated_at": stamp(n),
                "deleted": False,
                "data": data,
            }
            for kind, data in kinds
        ]

    seed = [e for n in range(365) for e in mixed(today - dt.timedelta(days=n), n)]
    for start in range(0, len(seed), 500):
        checked = validate_entries(seed[start : start + 500], today=today, now=timezone.now())
        sync_apply(user=user, entries=checked)

    client = Client()
    client.force_login(user)

    def timed(call: Callable[[], Any]) -> tuple[float, float]:
        """Wall and CPU ms of one request."""
        started, cpu = time.perf_counter(), time.process_time()
        response = call()
        elapsed = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
        assert response.status_code == 200, response.content[:300]
        return elapsed

    load_before = loadavg()
    sync_times: list[tuple[float, float]] = []
    replay_times: list[tuple[float, float]] = []
    summary_times: list[tuple[float, float]] = []
    for run in range(args.runs):
        batch = [e for n in range(167) for e in mixed(today - dt.timedelta(days=(n + run) % 300), n)][:500]
        body = json.dumps({"entries": batch})
        post = lambda body=body: client.post("/api/v1/sync/", body, content_type="application/json")  # noqa: E731
        sync_times.append(timed(post))
        replay_times.append(timed(post))
        summary_times.append(timed(lambda: client.get("/api/v1/summary/?days=90")))

    def line(name: str, times: list[tuple[float, float]], target: float) -> str:
        values = [wall for wall, _ in times]
        median = statistics.median(values)
        cpu = statistics.median(cpu for _, cpu in times)
        verdict = "meets" if median < target else "MISSES"
        return (
            f"{name:<34} median {median:7.1f} ms   min {min(values):7.1f}   max {max(values):7.1f}   "
            f"CPU {cpu:6.1f} ms   ({verdict} the {target:.0f} ms target)"
        )

    print(
        f"PostgreSQL, {args.runs} runs, a patient with 365 days of data ({len(seed)} entries); "
        f"load average {load_before} before, {loadavg()} after"
    )
    print(line("POST /sync/ 500 new entries", sync_times, 300))
    print(line("POST /sync/ same 500 replayed", replay_times, 300))
    print(line("GET /summary/?days=90", summary_times, 50))


if __name__ == "__main__":
    main()
