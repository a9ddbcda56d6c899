"""Dispatch N due reminders through a real Celery worker to the local push service.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backtrack REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python benchmarks/reminders_dispatch.py [--reminders 10000] [--claim-only]

--claim-only times the dispatcher alone at scale (try --reminders 200000): N people in
eight time zones, each with a rule due this minute of today in their own local time
(a few hundred distinct schedules, some with quiet hours), seeded in SQL. The sends
are published to Redis (a queue of this run's, emptied at the end) but no worker takes
them. For comparison the same rows go in once by a bare INSERT ... SELECT, timed
the same way (commit included), then are emptied out again before the dispatcher
runs. The last line reads `claimed N in S s` and the ratio of the two.

Creates a scratch database (<name>_reminders_bench) next to DATABASE_URL's and drops it at the
end, and uses a queue of its own on REDIS_URL (nothing else there is touched).
N users each have one subscription on tests/pushservice, run in a process of its own
(it verifies the VAPID signature and decrypts every payload, as a push service and
browser would; in this process it would share the sender's GIL), and one rule due now.

After 1,000 messages sent untimed (a warm-up), three timed runs, one after another,
to the same N devices:
- the bare sender: the same N messages (a real reminder's payload) sent straight by the
  project's PushSender from this process: no Celery, no database;
- end to end: the dispatcher runs here, timed, with its queries counted; the worker
  (--pool, --worker-concurrency, WEBPUSH_CONCURRENCY=--webpush-concurrency) sends;
  deliveries per second from the dispatcher's start to the last message the push
  service accepted, each delivery checked to arrive once;
- the bare sender again, so a change of load on shared cores weighs on both sides.
The last line reads `end to end R/s = X of the bare sender (B/s)`, B the mean of the two.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    parser.add_argument("--worker-concurrency", type=int, default=2, help="worker processes (or threads)")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "threads", "solo"])
    parser.add_argument(
        "--webpush-concurrency",
        type=int,
        default=100,
        help="requests in flight per sender (WEBPUSH_CONCURRENCY)",
    )
    parser.add_argument("--claim-only", action="store_true", help="time the dispatcher alone (see above)")
    parser.add_argument("--keep-database", action="store_true", help="leave the scratch database to look at")
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
        if args.claim_only:
            run_claim_only(args)
        else:
            run(args, env, public_key)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep_database:
            print(f"kept the database {bench_name}")
        else:
            with psycopg.connect(
                admin_url.replace("postgres://", "postgresql://", 1), autocommit=True
            ) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{bench_name}" WITH (FORCE)')


def run(args: argparse.Namespace, env: dict[str, str], public_key: str) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from backend.accounts.models import User
    from backend.celery import app
    from backend.reminders.models import PushSubscription, ReminderRule
    from tests.pushservice.process import PushServiceProcess

    call_command("migrate", verbosity=0)
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue  # the dispatcher here enqueues to the bench worker only

    count = args.reminders
    service = PushServiceProcess(vapid_public_key=public_key).start()
    started = time.perf_counter()
    devices = service.subscribe(count)
    users = User.objects.bulk_create(
        [User(email=f"bench{n}@example.org", timezone="Europe/Paris") for n in range(count)], batch_size=2000
    )
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
    worker_env = {
        **os.environ,
        **env,
        "LOG_LEVEL": "INFO",
        "WEBPUSH_CONCURRENCY": str(args.webpush_concurrency),
    }
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "backend", "worker", "-Q", queue,
                f"--concurrency={args.worker_concurrency}", f"--pool={args.pool}", "--loglevel=INFO",
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
        load_before = os.getloadavg()[0]
        # The bare sender before and after, so a change of load on the shared cores
        # during the run weighs on both sides of the ratio.
        # Untimed first: in seven runs of eight the first bare run was the slower of the
        # two (the push service's and this process's first requests), which flattered
        # the end-to-end run's ratio.
        run_bare(args, service, devices[:WARM_UP])
        service.reset()
        before = run_bare(args, service, devices)
        service.reset()
        end_to_end = run_end_to_end(args, service, worker.pid)
        service.reset()
        after = run_bare(args, service, devices)
        load_after = os.getloadavg()[0]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        service.stop()
        with app.connection_for_write() as broker:  # leave nothing of this run in Redis
            client = broker.default_channel.client
            for key in client.scan_iter(match=f"*{queue}*"):
                client.delete(key)

    for line in end_to_end.lines:
        print(line)
    for name, bare in (("before", before), ("after", after)):
        print(
            f"bare sender {name}: {bare.rate:.0f}/s ({count} sent and accepted in {bare.seconds:.2f} s; "
            f"CPU {bare.cpu:.1f} s sender, {bare.service_cpu:.1f} s push service)"
        )
    model = f"{args.pool} x {args.worker_concurrency}, WEBPUSH_CONCURRENCY={args.webpush_concurrency}"
    print(
        f"worker: {model}; load average {load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} cores"
    )
    if not end_to_end.ok:
        sys.exit(f"FAILED; worker log: {log}")
    reference = (before.rate + after.rate) / 2
    print(
        f"end to end {end_to_end.rate:.0f}/s = {end_to_end.rate / reference:.2f} of the bare sender "
        f"({reference:.0f}/s)"
    )


WARM_UP = 1000  # messages sent before anything is timed


@dataclass
class Timing:
    rate: float
    seconds: float
    cpu: float
    service_cpu: float
    ok: bool = True
    lines: list[str] = field(default_factory=list)


def run_bare(args: argparse.Namespace, service, devices) -> Timing:
    """The same messages sent straight by the project's sender: no Celery, no database.
    Delivery ids are made up; the payload is a real reminder's."""
    from backend.reminders.endpoints import parse_allowed_hosts
    from backend.reminders.notifications import NOTIFICATIONS
    from backend.reminders.webpush import Outcome, PushMessage, PushSender

    notification = NOTIFICATIONS["desk_break"]
    messages = [
        PushMessage(
            delivery_id=n,
            subscription_id=n,
            endpoint=d.endpoint,
            p256dh=d.p256dh,
            auth=d.auth,
            payload=notification.payload(delivery_id=n),
            ttl=notification.ttl,
            urgency=notification.urgency,
            topic=notification.topic,
        )
        for n, d in enumerate(devices, start=1)
    ]
    service_cpu = service.wait_for(0, timeout=0).cpu_seconds
    cpu, t0 = time.process_time(), time.monotonic()
    sender = PushSender(
        vapid_private_key=os.environ["VAPID_PRIVATE_KEY"],
        vapid_subject=os.environ["VAPID_SUBJECT"],
        allowed_hosts=parse_allowed_hosts("127.0.0.1"),
        concurrency=args.webpush_concurrency,
        timeout=30,
    )
    try:
        accepted = sum(
            1 for group in sender.send(messages) for result in group if result.outcome == Outcome.ACCEPTED
        )
    finally:
        sender.close()
    cpu = time.process_time() - cpu
    tally = service.wait_for(len(messages), timeout=60)
    if accepted != len(messages) or tally.received != len(messages) or tally.rejections:
        sys.exit(
            f"FAILED: the bare sender had {accepted} of {len(messages)} accepted: {tally.rejections[:3]}"
        )
    seconds = max(tally.times) - t0
    return Timing(len(messages) / seconds, seconds, cpu, tally.cpu_seconds - service_cpu)


def run_end_to_end(args: argparse.Namespace, service, worker_pid: int) -> Timing:
    """Dispatcher (here, timed, queries counted) -> Redis -> the worker -> the push service."""

    from backend.reminders.dispatch import reminders_dispatch
    from backend.reminders.models import Delivery
    from backend.reminders.tasks import enqueue_sends

    count = args.reminders
    queries = {"count": 0, "seconds": 0.0}
    service_cpu = service.wait_for(0, timeout=0).cpu_seconds
    worker_cpu = process_tree_cpu(worker_pid)
    database_cpu = postgres_cpu()
    wal = wal_position()
    cpu_before = time.process_time()
    t0 = time.monotonic()
    with counting_queries(queries):
        report = reminders_dispatch(enqueue=enqueue_sends)
    dispatched = time.monotonic() - t0
    here = time.process_time() - cpu_before
    tally = service.wait_for(count, timeout=600)
    last = max(tally.times) if tally.times else t0
    recorded_deadline = time.monotonic() + 120
    while Delivery.objects.filter(status="sent").count() < count and time.monotonic() < recorded_deadline:
        time.sleep(0.2)
    all_recorded = time.monotonic() - t0
    sent = Delivery.objects.filter(status="sent").count()
    worker_cpu = process_tree_cpu(worker_pid) - worker_cpu
    database_cpu = postgres_cpu() - database_cpu
    wal = wal_position() - wal
    service_cpu = service.wait_for(0, timeout=0).cpu_seconds - service_cpu
    once = len(set(tally.delivery_ids)) == tally.received
    latencies = sorted(at - t0 for at in tally.times)
    lines = [
        f"dispatcher: {report.claimed} rules claimed in {report.batches} batches, {dispatched:.2f} s wall; "
        f"{queries['count']} queries taking {queries['seconds'] * 1000:.0f} ms",
        f"push service (its own process): {tally.received} of {count} accepted, decrypted and verified"
        f"{'' if once else ' (SOME TWICE)'}; rejections: {len(tally.rejections)}",
    ]
    rate = tally.received / (last - t0) if tally.received else 0.0
    if tally.received:
        lines.append(
            f"end to end: {rate:.0f} deliveries/s (last accepted {last - t0:.2f} s after the dispatcher started; "
            f"median {statistics.median(latencies):.1f} s, p95 {latencies[int(0.95 * (len(latencies) - 1))]:.1f} s)"
        )
    lines.append(f"recorded as sent: {sent} of {count}, {all_recorded:.1f} s after the start")
    lines.append(
        f"CPU: worker {worker_cpu:.1f} s, dispatcher {here:.1f} s, push service {service_cpu:.1f} s, "
        f"PostgreSQL {database_cpu:.1f} s; PostgreSQL wrote {wal / 1e6:.0f} MB of WAL ({wal / count:,.0f} bytes a reminder)"
    )
    ok = tally.received == count and sent == count and not tally.rejections and once
    return Timing(rate, last - t0, worker_cpu, service_cpu, ok=ok, lines=lines)


@contextlib.contextmanager
def counting_queries(queries: dict[str, float]) -> Iterator[None]:
    """Count the queries of this thread's connection and of any opened meanwhile (the
    dispatcher claims on more than one, in threads: REMINDERS_DISPATCH_CONNECTIONS)."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    lock = threading.Lock()

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            with lock:
                queries["seconds"] += time.perf_counter() - start
                queries["count"] += 1

    def on_new_connection(sender, connection, **kwargs) -> None:
        connection.execute_wrappers.append(timed)

    connection_created.connect(on_new_connection)
    try:
        with connection.execute_wrapper(timed):
            yield
    finally:
        connection_created.disconnect(on_new_connection)


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its live children, from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending.extend(int(child) for child in children)
    return total


# Eight zones on both sides of the date line, four of them with daylight saving time.
ZONES = (
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
)
KINDS = ("checkin", "breathing", "desk_break", "bedtime")


def seed_due(count: int, due: dt.datetime) -> None:
    """``count`` users and one rule each due at ``due``, their local time that minute
    of today, plus one of 24 other hours; one in five with quiet hours. In SQL: ORM
    objects would take minutes at this size."""
    from zoneinfo import ZoneInfo

    from django.db import connection

    from backend.accounts.models import User
    from backend.reminders.models import ReminderRule

    quote = connection.ops.quote_name
    user_table, rule_table = quote(User._meta.db_table), quote(ReminderRule._meta.db_table)
    template = User.objects.create_user(email="template@example.org", timezone="UTC")
    columns = [f.column for f in User._meta.concrete_fields if f.column not in ("id", "email", "timezone")]
    local_minutes = [due.astimezone(ZoneInfo(zone)).strftime("%H:%M") for zone in ZONES]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {user_table} (email, timezone, {', '.join(map(quote, columns))}) "  # noqa: S608
            f"SELECT 'bench' || g || '@example.org', (%s::text[])[1 + g %% {len(ZONES)}], "
            f"{', '.join('t.' + quote(c) for c in columns)} "
            f"FROM {user_table} t, generate_series(1, %s) g WHERE t.id = %s",
            [list(ZONES), count, template.pk],
        )
        cursor.execute(f"DELETE FROM {user_table} WHERE id = %s", [template.pk])  # noqa: S608
        # Each user's time is the minute ``due`` shows in their zone; the second time one
        # of 24 hours (sorted into place by jsonb_agg); every fifth rule quiet 22:00-07:00
        # unless its own minute falls inside.
        cursor.execute(
            f"""
            INSERT INTO {rule_table} (user_id, kind, times, every_minutes, "window", weekdays, quiet_hours,
                enabled, next_fire_at, customized, created_at, updated_at)
            SELECT u.id, (%(kinds)s::text[])[1 + u.id %% {len(KINDS)}],
                (SELECT jsonb_agg(DISTINCT t ORDER BY t) FROM unnest(ARRAY[
                    (%(minutes)s::text[])[array_position(%(zones)s::text[], u.timezone::text)],
                    lpad((u.id / 8 %% 24)::text, 2, '0') || ':15']) t),
                NULL, NULL, '[0, 1, 2, 3, 4, 5, 6]'::jsonb,
                CASE WHEN u.id %% 5 = 0 AND (%(minutes)s::text[])[array_position(%(zones)s::text[], u.timezone::text)]
                    BETWEEN '07:00' AND '21:59' THEN '["22:00", "07:00"]'::jsonb END,
                true, %(due)s, false, now(), now()
            FROM {user_table} u
            """,  # noqa: S608
            {"kinds": list(KINDS), "minutes": local_minutes, "zones": list(ZONES), "due": due},
        )
        cursor.execute(f"VACUUM ANALYZE {user_table}")
        cursor.execute(f"VACUUM ANALYZE {rule_table}")


class Meter:
    """Wall and CPU time of a block: this process's, and PostgreSQL's (read from /proc:
    the server runs on this machine).

    PostgreSQL's is every one of its processes (the dispatcher claims on several
    connections, and the WAL writer and checkpointer work for it too), including
    backends that exited meanwhile, whose time their parent, the postmaster, collects.
    Anything else the server did meanwhile is counted too: quote it from a quiet machine.
    """

    def __enter__(self) -> Meter:
        self.wal = wal_position()
        self.wall, self.cpu, self.db_cpu = time.perf_counter(), time.process_time(), postgres_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.db_cpu = postgres_cpu() - self.db_cpu
        self.wal = wal_position() - self.wal

    def __str__(self) -> str:
        return (
            f"{self.wall:.2f} s wall (CPU: {self.cpu:.2f} s here, {self.db_cpu:.2f} s in PostgreSQL; "
            f"WAL {self.wal / 1e6:.0f} MB)"
        )


def wal_position() -> int:
    """PostgreSQL's write-ahead log position in bytes: what it wrote (the whole server's)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")
        (position,) = cursor.fetchone()
    return int(position)


def postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL process, and of the exited ones the postmaster reaped."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
    total = 0
    for fields in stats.values():
        total += int(fields[11]) + int(fields[12])
        if int(fields[1]) not in stats:  # the postmaster: its reaped children's time
            total += int(fields[13]) + int(fields[14])
    return total / tick


def run_claim_only(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from backend.celery import app
    from backend.reminders import sql
    from backend.reminders.dispatch import reminders_dispatch
    from backend.reminders.models import Delivery, ReminderRule
    from backend.reminders.tasks import enqueue_sends

    call_command("migrate", verbosity=0)
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    count = args.reminders
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    started = time.perf_counter()
    seed_due(count, now)
    schedules = len(sql.due_schedules(now=now))
    print(
        f"setup: {count} users with a rule due at {now:%Y-%m-%d %H:%M}Z ({schedules} distinct schedules) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    quote = connection.ops.quote_name
    rules, deliveries = quote(ReminderRule._meta.db_table), quote(Delivery._meta.db_table)

    def settle() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {deliveries} CASCADE")
            cursor.execute("CHECKPOINT")

    meter = Meter()
    settle()
    with meter, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {deliveries} (user_id, rule_id, kind, fire_at, status, reason, created_at, "  # noqa: S608
            "finished_at, lease_owner, leased_until) "
            f"SELECT user_id, id, kind, next_fire_at, 'pending', '', now(), NULL, '', now() + interval '5 minutes' "
            f"FROM {rules} WHERE enabled AND next_fire_at <= %s",
            [now],
        )
        inserted = cursor.rowcount
    bare = meter.wall
    print(f"bare INSERT ... SELECT: {inserted} rows in {meter}")
    settle()

    queries = {"count": 0, "seconds": 0.0}
    published = {"tasks": 0, "seconds": 0.0}

    def enqueue(chunks: list[list[int]]) -> None:
        start = time.perf_counter()
        enqueue_sends(chunks)
        published["tasks"] += len(chunks)
        published["seconds"] += time.perf_counter() - start

    try:
        with meter, counting_queries(queries):
            report = reminders_dispatch(enqueue=enqueue, now=now)
    finally:
        with app.connection_for_write() as broker:  # leave nothing of this run in Redis
            client = broker.default_channel.client
            in_queue = client.llen(queue)
            for key in client.scan_iter(match=f"*{queue}*"):
                client.delete(key)
    left = ReminderRule.objects.filter(enabled=True, next_fire_at__lte=now).count()
    print(
        f"dispatcher: {report.claimed} claimed in {report.batches} batches on "
        f"{settings.REMINDERS_DISPATCH_CONNECTIONS} connection(s), {report.queued} queued in "
        f"{published['tasks']} send tasks ({in_queue} in Redis, published in {published['seconds']:.2f} s); "
        f"{queries['count']} queries taking {queries['seconds']:.2f} s; {left} rules left due"
    )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"claimed {report.claimed} in {meter.wall:.2f} s ({meter}); bare INSERT ... SELECT ratio {meter.wall / bare:.2f}"
    )
    if report.claimed != count or report.queued != count or in_queue != published["tasks"] or left:
        sys.exit("FAILED: not every due rule was claimed and queued once")


if __name__ == "__main__":
    main()
