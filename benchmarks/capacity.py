#!/usr/bin/env python3
"""The busiest minute on paper: how many machines 1,000,000 patients need.

    .venv/bin/python benchmarks/capacity.py [--busiest 200000] [--worker-cores 4] ...

Takes the per-core costs measured on the development machine (the defaults, from the
README's "Beyond one machine", each with the benchmark that measured it) and plays the
busiest minute through the same pipeline the code runs, in simulated time:

- the dispatcher claims on ``--dispatch-connections`` connections, a first batch of
  1,000 then batches of 50,000, each at PostgreSQL's cost per rule, and queues a
  batch's sends (tasks of 1,000) when it commits;
- worker processes (``--worker-machines`` x ``--worker-cores``, one per core) take the
  tasks in order, each delivery costing its CPU and PostgreSQL's share;
- people open the app after the reminder (``--open-share`` within the minute, each a
  ``/today/`` read) and a share of them log what they did (``--sync-share`` within
  ``--sync-minutes``, each a 20-entry sync);

then prints, for each part, the cores the minute needs at ``--headroom`` and the
bottleneck, and the last push's time for 1 to ``--max-worker-machines`` worker
machines. No database or network: a model, as good as the costs it is given.
"""

from __future__ import annotations

import argparse
import heapq
import math

FIRST_BATCH = 1_000
BATCH = 50_000
TASK = 1_000


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--reminders-a-day", type=float, default=4.0)
    parser.add_argument("--busiest", type=int, default=200_000, help="pushes due in the busiest minute")
    # Costs per unit, measured 2026-12-04 on the 2-core machine (README, Beyond one machine).
    parser.add_argument("--claim-pg-us", type=float, default=38.0, help="PostgreSQL CPU per claimed rule, µs")
    parser.add_argument("--send-worker-ms", type=float, default=0.58, help="worker CPU per delivery, ms")
    parser.add_argument("--send-pg-ms", type=float, default=0.12, help="PostgreSQL CPU per delivery, ms")
    parser.add_argument("--today-web-ms", type=float, default=2.4, help="web CPU per cached /today/, ms")
    parser.add_argument("--today-pg-ms", type=float, default=0.3, help="PostgreSQL CPU per /today/, ms")
    parser.add_argument("--sync-web-ms", type=float, default=7.1, help="web CPU per 20-entry sync, ms")
    parser.add_argument("--sync-pg-ms", type=float, default=2.4, help="PostgreSQL CPU per 20-entry sync, ms")
    parser.add_argument(
        "--wal-bytes", type=int, default=3_500, help="PostgreSQL WAL a reminder, claimed and sent"
    )
    parser.add_argument("--redis-ops-per-request", type=float, default=4.0)
    parser.add_argument(
        "--redis-ops-per-core", type=float, default=100_000.0, help="a Redis core's commands/s"
    )
    parser.add_argument("--push-bytes", type=int, default=2_000, help="bytes on the wire a push, both ways")
    parser.add_argument("--push-rtt-ms", type=float, default=60.0, help="a push service's answer time, ms")
    parser.add_argument(
        "--webpush-concurrency", type=int, default=100, help="pushes in flight a worker process"
    )
    # The minute's people.
    parser.add_argument("--open-share", type=float, default=0.25, help="share who open the app that minute")
    parser.add_argument("--sync-share", type=float, default=0.10, help="share who log something afterwards")
    parser.add_argument("--sync-minutes", type=float, default=5.0, help="over how many minutes they log")
    # The machines.
    parser.add_argument("--dispatch-connections", type=int, default=2)
    parser.add_argument(
        "--worker-cores", type=int, default=4, help="cores (worker processes) a worker machine"
    )
    parser.add_argument("--web-cores", type=int, default=4, help="cores a web machine")
    parser.add_argument("--headroom", type=float, default=0.5, help="the busiest minute at most this busy")
    parser.add_argument("--max-worker-machines", type=int, default=6)
    return parser.parse_args()


def claim_commits(args: argparse.Namespace) -> list[tuple[float, int]]:
    """(the moment a batch commits, its size), the dispatcher's connections in parallel."""
    per_rule = args.claim_pg_us / 1e6
    left = args.busiest
    connections = [(0.0, n, True) for n in range(args.dispatch_connections)]  # (free at, id, first batch)
    heapq.heapify(connections)
    commits = []
    while left > 0:
        free_at, n, first = heapq.heappop(connections)
        size = min(FIRST_BATCH if first else BATCH, left)
        left -= size
        done = free_at + size * per_rule
        commits.append((done, size))
        heapq.heappush(connections, (done, n, False))
    return sorted(commits)


def last_push(args: argparse.Namespace, worker_machines: int) -> float:
    """When the minute's last push is sent, with this many worker machines."""
    # A process is bound by its CPU or by its requests in flight, whichever is slower.
    per_delivery = max(args.send_worker_ms / 1000, args.push_rtt_ms / 1000 / args.webpush_concurrency)
    tasks = []
    for committed, size in claim_commits(args):
        for start in range(0, size, TASK):
            tasks.append((committed, min(TASK, size - start)))
    processes = [0.0] * (worker_machines * args.worker_cores)
    heapq.heapify(processes)
    finish = 0.0
    for ready, size in tasks:
        free_at = heapq.heappop(processes)
        done = max(free_at, ready) + size * per_delivery
        finish = max(finish, done)
        heapq.heappush(processes, done)
    return finish


def main() -> None:
    args = parse()
    minute = 60.0
    claimed_by = claim_commits(args)[-1][0]
    opens = args.busiest * args.open_share / minute
    syncs = args.busiest * args.sync_share / (args.sync_minutes * minute)
    need = {
        "dispatcher (PostgreSQL)": args.busiest * args.claim_pg_us / 1e6 / minute,
        "sends (workers)": args.busiest * args.send_worker_ms / 1000 / minute,
        "sends (PostgreSQL)": args.busiest * args.send_pg_ms / 1000 / minute,
        "/today/ (web)": opens * args.today_web_ms / 1000,
        "/today/ (PostgreSQL)": opens * args.today_pg_ms / 1000,
        "sync (web)": syncs * args.sync_web_ms / 1000,
        "sync (PostgreSQL)": syncs * args.sync_pg_ms / 1000,
        "Redis": (opens + syncs) * args.redis_ops_per_request / args.redis_ops_per_core,
    }
    print(
        f"{args.patients:,} patients, {args.reminders_a_day:g} reminders a day "
        f"({args.patients * args.reminders_a_day / 86400:,.0f}/s on average); busiest minute "
        f"{args.busiest:,} pushes ({args.busiest / minute:,.0f}/s), {opens:,.0f} /today/ a second, "
        f"{syncs:,.0f} syncs a second"
    )
    print(f"cores busy on average through that minute (at {args.headroom:.0%} busy: x{1 / args.headroom:g})")
    for part, cores in need.items():
        print(f"  {part:26} {cores:6.2f} cores   {cores / args.headroom:6.2f} at {args.headroom:.0%}")
    pg = sum(cores for part, cores in need.items() if "PostgreSQL" in part)
    web = need["/today/ (web)"] + need["sync (web)"]
    workers = need["sends (workers)"]
    print(
        f"machines: web {math.ceil(web / args.headroom / args.web_cores)} x {args.web_cores} cores, "
        f"workers {math.ceil(workers / args.headroom / args.worker_cores)} x {args.worker_cores} cores, "
        f"PostgreSQL one primary with {math.ceil(pg / args.headroom)}+ cores, Redis one "
        f"({need['Redis']:.0%} of a core), beat one"
    )
    egress = args.busiest / minute * args.push_bytes * 8 / 1e6
    print(f"push traffic: {egress:,.0f} Mbit/s through the minute ({args.push_bytes} bytes a push)")
    wal = args.busiest * args.wal_bytes / minute / 1e6
    print(f"PostgreSQL's write-ahead log: {wal:,.1f} MB/s through the minute, to disk and to each replica")
    # What stops growing first: web and workers add machines; one primary, one Redis
    # and one network link do not.
    limits = {
        "PostgreSQL's primary (16 cores)": 16 * args.headroom / pg,
        "Redis (one core)": args.headroom / need["Redis"],
        "a 1 Gbit/s link for the pushes": 1000 * args.headroom / egress,
    }
    print("how far it grows, in busiest minutes like this one, before one part must be split:")
    for part, times in sorted(limits.items(), key=lambda item: item[1]):
        print(f"  {part:34} x{times:5.1f}  ({args.patients * times:,.0f} patients)")
    print(f"the dispatcher has claimed all {args.busiest:,} after {claimed_by:.1f} s")
    in_flight = args.webpush_concurrency / (args.push_rtt_ms / 1000)
    print(
        f"a worker process sends at most {min(1000 / args.send_worker_ms, in_flight):,.0f}/s "
        f"(CPU {1000 / args.send_worker_ms:,.0f}/s, {args.webpush_concurrency} in flight at "
        f"{args.push_rtt_ms:g} ms {in_flight:,.0f}/s)"
    )
    for machines in range(1, args.max_worker_machines + 1):
        finish = last_push(args, machines)
        verdict = "within the minute" if finish <= minute else "LATE"
        print(
            f"  {machines} worker machine(s) x {args.worker_cores}: last push sent at {finish:5.1f} s ({verdict})"
        )


if __name__ == "__main__":
    main()
