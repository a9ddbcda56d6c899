#!/usr/bin/env python3
"""The clinician's patient list on PostgreSQL: what each linked patient costs.

    .venv/bin/python benchmarks/care.py [--patients 50,200] [--runs 15] [--profile] [--varied 200]

Seeds (once; re-runs reuse the data, its dates moved to today) one clinician per
size in ``--patients``, each linked to that many patients, each patient enrolled in two
programs with 365 days of check-ins and session logs, one in ten with an open alert.
Then it times GET /api/v1/care/patients/ through the whole Django stack, in process,
the sizes interleaved run by run (so a busy neighbour slows them alike), in CPU time
(``time.process_time``: ours) and wall time, and prints each size's medians, its
query count and the slope between the smallest and the largest size: the cost of one
more patient on the list. Target on the 2-core machine: 200 patients under 100 ms, a
constant number of queries.

It measures the list being computed: the cached list (backend/caching/patient_lists.py)
is turned off here; benchmarks/load.py measures the endpoint as served.
``--profile`` runs the largest list under cProfile and prints where its CPU goes;
``--varied N`` times the due counts alone for N patients unlike each other.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import statistics
import time
import uuid
import warnings

os.environ["PATIENT_LIST_CACHE_SECONDS"] = "0"
from _setup import setup_django

# whitenoise's warning about the unbuilt frontend, once per client: not about the list.
warnings.filterwarnings("ignore", message="No directory at")


def seed(patients: int):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.utils import timezone

    from backend.accounts.models import User
    from backend.care.models import CareLink
    from backend.programs.models import Enrollment, Program
    from backend.tracker.models import CheckIn, SafetyAlert, SessionLog

    email = f"bench-clinician-{patients}@example.com"
    clinician = User.objects.filter(email=email).first()
    if clinician:
        shift_to_today(clinician)
        return clinician
    clinician = User.objects.create_user(email, "bench-password-1", role="clinician")
    TOTP.activate(clinician, generate_totp_secret())
    programs = list(Program.objects.filter(slug__in=["back-stretches", "breathing-relaxation"]))
    now = timezone.now()
    for p in range(patients):
        user = User.objects.create_user(
            f"bench-patient-{patients}-{p}@example.com", "x", timezone="Europe/Paris"
        )
        today = dt.date.today()
        CareLink.objects.create(patient=user, clinician=clinician, scopes=["logs", "checkins"])
        for program in programs:
            Enrollment.objects.create(user=user, program=program, start_date=today - dt.timedelta(days=20))
        checkins = [
            CheckIn(
                user=user,
                client_id=uuid.uuid4(),
                updated_at=now,
                latest_updated_at=now,
                seq=n + 1,
                date=today - dt.timedelta(days=n),
                pain=(n + p) % 11,
                stress=(n * 3 + p) % 11,
                sleep_hours=7,
                safety_level="see_doctor" if n == 0 and p % 10 == 0 else "none",
            )
            for n in range(365)
        ]
        CheckIn.objects.bulk_create(checkins)
        SessionLog.objects.bulk_create(
            SessionLog(
                user=user,
                client_id=uuid.uuid4(),
                updated_at=now,
                latest_updated_at=now,
                seq=1000 + n * 2 + k,
                date=today - dt.timedelta(days=n),
                item_id=f"back-stretches:{key}:{(today - dt.timedelta(days=n)).isoformat()}",
                program="back-stretches",
                status="done",
            )
            for n in range(365)
            for k, key in enumerate(("cat-cow", "hamstring"))
        )
        if p % 10 == 0:
            first = checkins[0]
            SafetyAlert.objects.create(
                patient=user, checkin=first, level="see_doctor", red_flags=["fever"], date=first.date
            )
    return clinician


def shift_to_today(clinician) -> None:
    """Move a seed made on an earlier day to today, so the list counts the same weeks.

    The seed's newest check-in is dated the day it was made: every date of the
    clinician's patients (check-ins, sessions and the dates in their item ids,
    enrollments, alerts) moves by the days since then, in one UPDATE per table.
    """
    from django.db import connection, transaction
    from django.db.models import Max

    from backend.care.models import CareLink
    from backend.tracker.models import CheckIn

    ids = list(CareLink.objects.filter(clinician=clinician).values_list("patient_id", flat=True))
    newest = CheckIn.objects.filter(user_id__in=ids).aggregate(newest=Max("date"))["newest"]
    days = (dt.date.today() - newest).days if newest else 0
    if days <= 0:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in (
            "UPDATE tracker_checkin SET date = date + %(days)s WHERE user_id = ANY(%(ids)s)",
            "UPDATE tracker_sessionlog SET date = date + %(days)s, item_id = split_part(item_id, ':', 1)"
            " || ':' || split_part(item_id, ':', 2) || ':' || to_char(date + %(days)s, 'YYYY-MM-DD')"
            " WHERE user_id = ANY(%(ids)s)",
            "UPDATE programs_enrollment SET start_date = start_date + %(days)s WHERE user_id = ANY(%(ids)s)",
            "UPDATE tracker_safetyalert SET date = date + %(days)s WHERE patient_id = ANY(%(ids)s)",
        ):
            cursor.execute(sql, {"days": days, "ids": ids})
    print(f"moved the {len(ids)}-patient seed {days} day(s) forward to today")


def signed_in(clinician):
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
    from django.test import Client

    client = Client()
    client.force_login(clinician)
    session = client.session
    # As after allauth's sign-in with the authenticator code.
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "at": time.time()}]
    session["account_authentication_methods_user"] = str(clinician.pk)
    session.save()
    return client


def varied(patients: int, runs: int) -> None:
    """``due_counts`` alone for patients unlike the seed's: programs, start dates, pauses
    and budgets of their own (``tests/care/test_list_counts.py``'s generator), with an
    empty table (a process's first load, or after a catalog edit) and with the table
    an earlier load left (as ``care.selectors`` keeps it)."""
    from backend.programs.schedule import due_counts
    from tests.care import test_list_counts

    test_list_counts.TODAY = today = dt.date.today()
    made_up = test_list_counts._varied_patients(patients, seed=5)
    start = today - dt.timedelta(days=27)

    def one_load(table: dict, first: dt.date) -> float:
        started = time.process_time()
        for enrollments, budget in made_up:
            due_counts(enrollments, first, 28, table, budget)
        return (time.process_time() - started) * 1000

    empty = [one_load({}, start) for _ in range(runs)]
    kept: dict = {}
    one_load(kept, start)
    plans = sum(1 for key in kept if key[0] not in ("series", "dates"))
    again = [one_load(kept, start) for _ in range(runs)]
    next_day = one_load(kept, start + dt.timedelta(days=1))
    print(
        f"due_counts, {patients} varied patients x 28 days, {plans} distinct day plans, load average {loadavg()}"
    )
    print(f"  empty table      median {statistics.median(empty):6.1f} ms (min {min(empty):6.1f})")
    print(f"  table kept       median {statistics.median(again):6.1f} ms (min {min(again):6.1f})")
    print(f"  next day's window, table kept: {next_day:6.1f} ms")


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", default="50,200", help="list sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--profile", action="store_true", help="profile the largest list and stop")
    parser.add_argument(
        "--varied", type=int, metavar="N", help="time due_counts alone for N varied made-up patients and stop"
    )
    args = parser.parse_args()
    sizes = sorted({int(n) for n in args.patients.split(",")})
    setup_django()
    if args.varied:
        varied(args.varied, args.runs)
        return

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    clients = {size: signed_in(seed(size)) for size in sizes}
    # Fresh planner statistics and visibility map, as autovacuum keeps them in production.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"data ready in {time.perf_counter() - started:.0f} s")

    def get(size: int):
        response = clients[size].get("/api/v1/care/patients/")
        assert response.status_code == 200, response.content[:300]
        return response

    for size in sizes:  # warm: imports, the programs' caches, the connection
        get(size)

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.runs):
            get(sizes[-1])
        profiler.disable()
        print(f"cProfile, {args.runs} runs of the {sizes[-1]}-patient list")
        stats = pstats.Stats(profiler).strip_dirs()
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
        return

    load_before = loadavg()
    wall: dict[int, list[float]] = {size: [] for size in sizes}
    cpu: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(args.runs):
        for size in sizes:
            started, started_cpu = time.perf_counter(), time.process_time()
            get(size)
            wall[size].append((time.perf_counter() - started) * 1000)
            cpu[size].append((time.process_time() - started_cpu) * 1000)
    counts = {}
    for size in sizes:
        with CaptureQueriesContext(connection) as queries:
            rows = get(size).json()
        assert len(rows) == size, (len(rows), size)
        counts[size] = len(queries)

    print(f"PostgreSQL, {args.runs} runs interleaved, patients with 365 days of data each")
    print(f"load average {load_before} before, {loadavg()} after")
    for size in sizes:
        median = statistics.median(wall[size])
        target = f"   ({'meets' if median < 100 else 'MISSES'} the 100 ms target)" if size == 200 else ""
        print(
            f"GET /care/patients/ {size:4d} patients   wall median {median:6.1f} ms "
            f"(min {min(wall[size]):6.1f}, max {max(wall[size]):6.1f})   "
            f"CPU median {statistics.median(cpu[size]):6.1f} ms "
            f"(min {min(cpu[size]):6.1f}, max {max(cpu[size]):6.1f})   {counts[size]} queries{target}"
        )
    if len(sizes) > 1:
        low, high = sizes[0], sizes[-1]
        span = high - low
        # Each run's pair was measured back to back: its slope, then their median.
        slope_cpu = [(h - lo) / span for h, lo in zip(cpu[high], cpu[low], strict=True)]
        slope_wall = [(h - lo) / span for h, lo in zip(wall[high], wall[low], strict=True)]
        print(
            f"per patient ({low} to {high}): CPU median {statistics.median(slope_cpu):.3f} ms "
            f"(range {min(slope_cpu):.3f}-{max(slope_cpu):.3f}), wall median "
            f"{statistics.median(slope_wall):.3f} ms (range {min(slope_wall):.3f}-{max(slope_wall):.3f}); "
            f"queries {counts[low]} and {counts[high]}"
        )
        # The fastest run of each size is the least disturbed by neighbours.
        print(
            f"per patient from the fastest runs: CPU {(min(cpu[high]) - min(cpu[low])) / span:.3f} ms, "
            f"wall {(min(wall[high]) - min(wall[low])) / span:.3f} ms"
        )


if __name__ == "__main__":
    main()
