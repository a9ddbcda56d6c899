#!/usr/bin/env python3
"""The visit report's speed on PostgreSQL: gathering, charts and PDF for 28 and 90 days.

    .venv/bin/python benchmarks/report.py [--runs 9] [--out report.pdf]

Seeds one patient with 90 days of check-ins, sessions, questionnaires, a red flag, a
flare and a prescription (tests/reports/seed.py), then renders the report ``--runs``
times for each window and prints the median wall and CPU milliseconds, split into the
queries (``data``) and the drawing (``charts + pdf``). The first render of a process
(fonts, matplotlib's caches) is timed apart. The endpoint renders in a Celery task
above ``REPORT_SYNC_MAX_DAYS``: this is the number that decides it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backtrack_bench_report")
from _setup import setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--out", default="", help="Write the 90-day PDF here.")
    args = parser.parse_args()
    setup_django()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backend.accounts.models import User
    from backend.reports.data import report_data
    from backend.reports.pdf import render
    from tests.reports.seed import seed_patient

    clinician = User.objects.create_user(
        f"bench-dr-{uuid.uuid4().hex[:8]}@example.com", "bench-password-1", role="clinician"
    )
    user = User.objects.create_user(
        f"bench-{uuid.uuid4().hex[:8]}@example.com",
        "bench-password-1",
        timezone="Europe/Paris",
        display_name="Bench Patient",
    )
    started = time.perf_counter()
    seed_patient(user, clinician=clinician)
    print(f"seeded 90 days in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    render(report_data(user=user, days=90))
    print(f"first render of the process (fonts, caches): {(time.perf_counter() - started) * 1000:.0f} ms")

    for days in (28, 90):
        wall, cpu, gather = [], [], []
        for _ in range(args.runs):
            w0, c0 = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                data = report_data(user=user, days=days)
            g = time.perf_counter() - w0
            pdf = render(data)
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
            gather.append(g)
        print(
            f"{days} days: median {statistics.median(wall) * 1000:.0f} ms wall "
            f"(min {min(wall) * 1000:.0f}, max {max(wall) * 1000:.0f}), "
            f"{statistics.median(cpu) * 1000:.0f} ms CPU; data {statistics.median(gather) * 1000:.0f} ms "
            f"in {len(queries)} queries; {len(pdf) // 1024} KB"
        )
        if days == 90 and args.out:
            with open(args.out, "wb") as out:
                out.write(pdf)


if __name__ == "__main__":
    main()
