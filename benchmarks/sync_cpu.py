#!/usr/bin/env python3
"""Sync CPU in process: a 20-entry batch beside an authenticated one-query DRF view.

    .venv/bin/python benchmarks/sync_cpu.py [--rounds 200] [--profile]

One patient, logged in with a session (the same cookie path the PWA uses). Round by
round, interleaved, through the whole Django stack in this process (middleware,
session, DRF authentication and permissions, validation, the service, JSON):
- POST /api/v1/sync/ with 20 NEW entries of mixed types (sessions, check-ins, journal,
  lessons read, questionnaire answers), as the PWA sends them (base_version 0, its
  device id, its cursor);
- POST /api/v1/sync/ with the same 20 replayed (every entry ``unchanged``);
- GET /bench/cpu-ceiling/: a DRF APIView with the default authentication and
  permission classes doing one indexed query (defined here, so this script depends on
  no other benchmark).
Each request's CPU (``time.process_time``: this process only; PostgreSQL's work is in
its own processes) and wall time are recorded; the medians, the spread and the ratios
sync/ceiling are printed, with the load average. DEBUG is off (no query logging).
``--profile`` prints instead the queries of one new and one replayed batch, and cProfile's top 25
(own CPU time, by own time and by cumulative time) for the new-entry and the replayed
sync requests.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backtrack_sync19_bench")
# The PWA syncs a few times a minute; this script posts hundreds of batches a minute.
os.environ["THROTTLE_SYNC"] = "100000000/minute"
from _setup import setup_django

# Filled in main(), after Django is set up: this module is the URLconf of the run.
urlpatterns: list[Any] = []

BATCH = 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--profile", action="store_true", help="cProfile's top 25 of the sync requests (new, replayed)"
    )
    args = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import clear_url_caches, path
    from django.utils import timezone
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from backend.accounts.models import User
    from backend.accounts.timezones import local_today
    from backend.outcomes.instruments import instruments
    from backend.programs.lessons import lesson_catalog
    from backend.tracker.models import SyncState
    from backend.urls import urlpatterns as app_urlpatterns

    class CpuCeiling(APIView):
        """The authenticated floor: DRF's default authentication and permission classes
        (the session and the user, as sync reads them), one indexed query, a Response."""

        def get(self, request: Request) -> Response:
            counter = SyncState.objects.filter(user=request.user).values_list("counter", flat=True).first()
            return Response({"counter": counter})

    urlpatterns[:] = [path("bench/cpu-ceiling/", CpuCeiling.as_view()), *app_urlpatterns]
    settings.ROOT_URLCONF = __name__
    clear_url_caches()
    assert not settings.DEBUG, "run with DEBUG off: query logging would be measured too"

    email = f"sync-cpu-{uuid.uuid4().hex[:8]}@example.com"
    user = User.objects.create_user(email, "bench-password-1", timezone="Europe/Paris")
    today = local_today(user.timezone)
    device = uuid.uuid4().hex
    lessons = list(lesson_catalog())[:3]
    phq4 = instruments()["phq4"]

    def stamp() -> str:
        return timezone.localtime(timezone.now()).isoformat()

    def new_batch(round_no: int) -> list[dict]:
        """20 new entries of the kinds a day's use of the PWA writes."""
        day = today - dt.timedelta(days=round_no % 300)
        date = day.isoformat()
        datas: list[tuple[str, dict]] = []
        for n, item in enumerate(
            ("cat-cow", "pelvic-tilt", "bridge", "child-pose", "knee-hug", "box-breathing")
        ):
            datas.append(
                (
                    "session",
                    {
                        "date": date,
                        "item_id": f"back-stretches:{item}:{date}",
                        "status": "done" if n % 3 else "skipped",
                        "sets": 2,
                        "reps": 10,
                        "effort": 4,
                    },
                )
            )
        for n in range(4):
            datas.append(
                (
                    "checkin",
                    {
                        "date": date,
                        "pain": (round_no + n) % 11,
                        "stress": (round_no * 3 + n) % 11,
                        "pain_areas": ["lower_back", "neck_shoulders"],
                        "sleep_hours": 6.5,
                        "sleep_quality": 3,
                        "mood": 4,
                        "red_flags": [],
                        "note": "Stiff after the commute.",
                        "factors": ["work", "Long drive"],
                    },
                )
            )
        for _ in range(4):
            datas.append(
                (
                    "journal",
                    {"date": date, "feeling": "tense", "gratitude": ["tea", "a walk"], "text": "A long day."},
                )
            )
        for slug in lessons:
            datas.append(("lesson", {"date": date, "lesson": slug, "status": "read"}))
        for n in range(3):
            answers = {item.id: (n + i) % 4 for i, item in enumerate(phq4.items)}
            datas.append(("questionnaire", {"date": date, "questionnaire": "phq4", "answers": answers}))
        assert len(datas) == BATCH, len(datas)
        return [
            {
                "client_id": str(uuid.uuid4()),
                "type": kind,
                "updated_at": stamp(),
                "deleted": False,
                "base_version": 0,
                "device": device,
                "data": data,
            }
            for kind, data in datas
        ]

    client = Client()
    client.force_login(user)
    cursor = ""

    def sync(entries: list[dict]) -> Any:
        nonlocal cursor
        body = json.dumps({"entries": entries, "cursor": cursor})
        response = client.post("/api/v1/sync/", body, content_type="application/json")
        assert response.status_code == 200, response.content[:300]
        answer = response.json()
        statuses = {r["status"] for r in answer["results"]}
        assert statuses <= {"created", "unchanged"}, answer["results"][:3]
        cursor = answer["cursor"]
        return statuses

    def ceiling() -> None:
        response = client.get("/bench/cpu-ceiling/")
        assert response.status_code == 200, response.content[:300]

    def measure(call: Callable[[], Any]) -> tuple[float, float, Any]:
        wall, cpu = time.perf_counter(), time.process_time()
        value = call()
        return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000, value

    batches = [new_batch(n) for n in range(args.warmup + args.rounds + 1)]
    for n in range(args.warmup):
        sync(batches[n])
        sync(batches[n])
        ceiling()
    queries_logged = len(connection.queries_log)

    if args.profile:
        from django.test.utils import CaptureQueriesContext

        for what in ("new entries", "replayed"):
            with CaptureQueriesContext(connection) as captured:
                sync(batches[args.warmup + args.rounds])
            print(f"--- the queries of one POST /sync/ of {BATCH} {what}: {len(captured)}")
            for query in captured.captured_queries:
                print(f"  {query['sql'][:160]}")
        # Own CPU, not wall: waiting for PostgreSQL is not this process's work.
        profilers = {
            "new entries": cProfile.Profile(time.process_time),
            "replayed": cProfile.Profile(time.process_time),
        }
        for n in range(args.warmup, args.warmup + args.rounds):
            for profiler in profilers.values():
                profiler.enable()
                sync(batches[n])
                profiler.disable()
        for what, profiler in profilers.items():
            for order in ("tottime", "cumulative"):
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats(order).print_stats(25)
                print(f"--- POST /sync/ {BATCH} {what}, {args.rounds} requests, top 25 by {order}")
                print(out.getvalue())
        return

    times: dict[str, tuple[list[float], list[float]]] = {
        "ceiling": ([], []),
        "new": ([], []),
        "replay": ([], []),
    }
    load_before = _loadavg()
    for n in range(args.warmup, args.warmup + args.rounds):
        batch = batches[n]
        # The order rotates each round so no endpoint always follows the same one.
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("ceiling", ceiling),
            ("new", lambda batch=batch: sync(batch)),
            ("replay", lambda batch=batch: sync(batch)),
        ]
        shift = n % 3
        if shift:
            # new must come before its replay: rotate the ceiling's place only.
            steps.insert(shift, steps.pop(0))
        for name, call in steps:
            cpu, wall, statuses = measure(call)
            if name != "ceiling":
                assert statuses == ({"created"} if name == "new" else {"unchanged"}), (name, statuses)
            times[name][0].append(cpu)
            times[name][1].append(wall)
    assert len(connection.queries_log) == queries_logged, "queries were logged: DEBUG is on"

    def med(values: list[float]) -> float:
        return statistics.median(values)

    def quartiles(values: list[float]) -> str:
        q = statistics.quantiles(values, n=4)
        return f"{q[0]:.2f}-{q[2]:.2f}"

    print(
        f"PostgreSQL, {args.rounds} interleaved rounds after {args.warmup} warm-up, "
        f"load average {load_before} -> {_loadavg()}"
    )
    print(f"{'request':<34} {'CPU ms median (IQR)':>22} {'wall ms median (IQR)':>22} {'CPU/ceiling':>12}")
    ceiling_cpu = med(times["ceiling"][0])
    ceiling_wall = med(times["ceiling"][1])
    names = {
        "ceiling": "GET one-query DRF view (auth)",
        "new": f"POST /sync/ {BATCH} new entries",
        "replay": f"POST /sync/ {BATCH} replayed",
    }
    for key, label in names.items():
        cpu, wall = times[key]
        print(
            f"{label:<34} {med(cpu):>8.2f} ({quartiles(cpu):>11}) {med(wall):>8.2f} ({quartiles(wall):>11})"
            f" {med(cpu) / ceiling_cpu:>11.2f}x"
        )
    print(
        f"sync new/ceiling: CPU {med(times['new'][0]) / ceiling_cpu:.2f}x, "
        f"wall {med(times['new'][1]) / ceiling_wall:.2f}x; "
        f"replay/ceiling: CPU {med(times['replay'][0]) / ceiling_cpu:.2f}x, "
        f"wall {med(times['replay'][1]) / ceiling_wall:.2f}x"
    )


def _loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


if __name__ == "__main__":
    main()
