"""The local push service in a process of its own, for benchmarks.

Run in the caller's process, the push service's decryption and HTTP handling share
the caller's GIL, so a sender measured beside it is slowed by its receiver. Here it
runs in a child process (spawned: nothing of the caller's Django, sockets or threads
is inherited) and is driven over a pipe. Times are ``time.monotonic()``, which on
Linux is one clock for every process, so the caller can compare them with its own.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Device:
    """What a browser would post to the API: the subscription's public side."""

    token: str
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class Tally:
    received: int
    times: list[float]  # monotonic time of each accepted message, in order
    delivery_ids: list[int]  # the decrypted payload's "id" of each
    rejections: list[str]
    cpu_seconds: float  # the push service process's CPU so far (user + system)


def _serve(conn: multiprocessing.connection.Connection, vapid_public_key: str | None) -> None:
    from tests.pushservice.service import PushService

    service = PushService(vapid_public_key=vapid_public_key).start()
    conn.send(service.origin)
    try:
        while True:
            command, *args = conn.recv()
            if command == "subscribe":
                devices = [service.subscribe() for _ in range(args[0])]
                conn.send([Device(d.token, d.endpoint, d.p256dh, d.auth) for d in devices])
            elif command == "wait_for":
                count, timeout = args
                received = service.wait_for(count, timeout=timeout)
                times = os.times()
                conn.send(
                    Tally(
                        received=len(received),
                        times=[r.at for r in received],
                        delivery_ids=[r.payload.get("id") for r in received],
                        rejections=list(service.rejections),
                        cpu_seconds=times.user + times.system,
                    )
                )
            elif command == "reset":
                with service._cond:
                    service.received.clear()
                    service.attempts.clear()
                    service.rejections.clear()
                conn.send(None)
            elif command == "stop":
                break
    finally:
        service.stop()
        conn.close()


class PushServiceProcess:
    """``tests.pushservice.PushService`` in a child process: subscribe, wait, reset, stop."""

    def __init__(self, *, vapid_public_key: str | None = None) -> None:
        self._public_key = vapid_public_key
        self.origin = ""

    def start(self) -> PushServiceProcess:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, self._public_key), daemon=True)
        self._process.start()
        child.close()
        if not self._conn.poll(60):
            raise RuntimeError("the push service process did not start")
        self.origin = self._conn.recv()
        return self

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def _ask(self, *command: Any) -> Any:
        self._conn.send(command)
        return self._conn.recv()

    def subscribe(self, count: int) -> list[Device]:
        return self._ask("subscribe", count)

    def wait_for(self, count: int, *, timeout: float) -> Tally:
        return self._ask("wait_for", count, timeout)

    def reset(self) -> None:
        """Forget what was received (subscriptions stay)."""
        self._ask("reset")

    def stop(self) -> None:
        if self._process.is_alive():
            with contextlib.suppress(OSError):
                self._conn.send(("stop",))
            self._process.join(timeout=15)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
        self._conn.close()

    def __enter__(self) -> PushServiceProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
