"""Dispatch N due reminders through a real Celery worker to the local push service.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backtrack REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python benchmarks/reminders_dispatch.py [--reminders 10000]

Creates a scratch database (<name>_reminders_bench) next to DATABASE_URL's and drops it at the
end, and uses a queue of its own on REDIS_URL (nothing else there is touched).
N users each have one subscription on tests/pushservice (which verifies the VAPID
signature and decrypts every payload, as a push service and browser would) and one
rule due now. The dispatcher runs here, timed, with its queries counted; a worker
(prefork, 2 processes, as on this 2-core machine) sends. Prints deliveries per
second from the dispatcher's start to the last message the push service accepted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def scratch_database(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("needs PostgreSQL: DATABASE_URL=postgres://...")
    name = parts.path.lstrip("/") + "_reminders_bench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    return urlunsplit(parts._replace(path=f"/{name}")), admin


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("needs Redis: REDIS_URL=redis://...")
    bench_url, admin_url = scratch_database(os.environ.get("DATABASE_URL", ""))
    bench_name = urlsplit(bench_url).path.lstrip("/")

    import psycopg

    with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{bench_name}"')
        admin.execute(f'CREATE DATABASE "{bench_name}"')

    from backend.reminders.vapid import generate_key_pair

    public_key, private_key = generate_key_pair()
    env = {
        "DATABASE_URL": bench_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "VAPID_PRIVATE_KEY": private_key,
        "VAPID_PUBLIC_KEY": public_key,
        "VAPID_SUBJECT": "mailto:bench@example.org",
        "WEBPUSH_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    import django

    django.setup()
    try:
        run(args, env, public_key)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{bench_name}" WITH (FORCE)')


def run(args: argparse.Namespace, env: dict[str, str], public_key: str) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from backend.accounts.models import User
    from backend.celery import app
    from backend.reminders.dispatch import reminders_dispatch
    from backend.reminders.models import Delivery, PushSubscription, ReminderRule
    from backend.reminders.tasks import enqueue_sends
    from tests.pushservice import PushService

    call_command("migrate", verbosity=0)
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue  # the dispatcher here enqueues to the bench worker only

    count = args.reminders
    service = PushService(vapid_public_key=public_key).start()
    started = time.perf_counter()
    users = User.objects.bulk_create(
        [User(email=f"bench{n}@example.org", timezone="Europe/Paris") for n in range(count)], batch_size=2000
    )
    devices = [service.subscribe() for _ in users]
    PushSubscription.objects.bulk_create(
        [
            PushSubscription(user=user, endpoint=d.endpoint, p256dh=d.p256dh, auth=d.auth)
            for user, d in zip(users, devices, strict=True)
        ],
        batch_size=2000,
    )
    due = timezone.now() - dt.timedelta(seconds=1)
    ReminderRule.objects.bulk_create(
        [
            ReminderRule(
                user=user, kind="desk_break", times=["09:00"], weekdays=list(range(7)), next_fire_at=due
            )
            for user in users
        ],
        batch_size=2000,
    )
    print(f"setup: {count} users, subscriptions and due rules in {time.perf_counter() - started:.1f} s")

    log = ROOT / "var" / f"bench-worker-{queue}.log"
    log.parent.mkdir(exist_ok=True)
    worker_env = {**os.environ, **env, "LOG_LEVEL": "INFO"}
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "backend", "worker", "-Q", queue,
                f"--concurrency={args.worker_concurrency}", "--pool=prefork", "--loglevel=INFO",
                "--without-gossip", "--without-mingle", "--without-heartbeat", f"--hostname={queue}@%h",
            ],
            cwd=ROOT, env=worker_env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)

        queries = {"count": 0, "seconds": 0.0}

        def timed(execute, sql, params, many, context):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries["seconds"] += time.perf_counter() - start
                queries["count"] += 1

        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.monotonic()
        with connection.execute_wrapper(timed):
            report = reminders_dispatch(enqueue=enqueue_sends)
        dispatched = time.monotonic() - t0
        received = service.wait_for(count, timeout=600)
        last = max(r.at for r in received) if received else t0
        recorded_deadline = time.monotonic() + 120
        while Delivery.objects.filter(status="sent").count() < count and time.monotonic() < recorded_deadline:
            time.sleep(0.2)
        all_recorded = time.monotonic() - t0
        sent = Delivery.objects.filter(status="sent").count()
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        service.stop()
        with app.connection_for_write() as broker:  # leave nothing of this run in Redis
            client = broker.default_channel.client
            for key in client.scan_iter(match=f"*{queue}*"):
                client.delete(key)
    worker_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)  # the worker and its pool, once waited

    latencies = sorted(r.at - t0 for r in received)
    print(
        f"dispatcher: {report.claimed} rules claimed in {report.batches} batches, {dispatched:.2f} s wall; "
        f"{queries['count']} queries taking {queries['seconds'] * 1000:.0f} ms"
    )
    print(
        f"push service: {len(received)} of {count} accepted, decrypted and verified; rejections: {len(service.rejections)}"
    )
    if received:
        print(
            f"end to end: {len(received) / (last - t0):.0f} deliveries/s "
            f"(last accepted {last - t0:.1f} s after the dispatcher started; "
            f"median {statistics.median(latencies):.1f} s, p95 {latencies[int(0.95 * (len(latencies) - 1))]:.1f} s)"
        )
    print(f"recorded as sent: {sent} of {count}, {all_recorded:.1f} s after the start")
    here = cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
    print(
        f"CPU: worker {worker_cpu.ru_utime + worker_cpu.ru_stime:.1f} s (start-up included), "
        f"dispatcher and push service {here:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    if len(received) != count or sent != count or service.rejections:
        sys.exit(f"FAILED; worker log: {log}")


if __name__ == "__main__":
    main()
