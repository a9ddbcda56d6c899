"""Sending Web Push messages in bulk with pywebpush's async sender.

Throughput comes from many requests in flight over one shared aiohttp session
(connections to a push service are reused), run by an event loop in a background
thread of each worker process. The caller's thread stays synchronous and gets
results in groups as they complete, so it can record them with the ORM (which
must not run inside the event loop) while other requests are still in flight.

Payloads are encrypted ``aes128gcm`` (RFC 8291) by pywebpush/http_ece; the VAPID
``Authorization`` header (RFC 8292) is signed once per push-service origin by
``VapidSigner`` and reused, rather than once per message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import enum
import logging
import os
import queue
import socket
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from pywebpush import WebPushException, webpush_async

from backend.reminders.endpoints import (
    AllowedHost,
    EndpointRefused,
    audience,
    check_endpoint,
    is_listed,
    is_public_address,
    normalise_host,
)
from backend.reminders.vapid import VapidSigner

logger = logging.getLogger(__name__)

# A Retry-After longer than this is treated as this: the message would be stale.
MAX_RETRY_AFTER_SECONDS = 3600.0


@dataclass(frozen=True)
class PushMessage:
    delivery_id: int
    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str
    payload: bytes
    ttl: int
    urgency: str
    topic: str


class Outcome(enum.StrEnum):
    ACCEPTED = "accepted"  # 2xx: the push service has it
    GONE = "gone"  # 404/410: the subscription expired or was revoked: delete it
    RETRY = "retry"  # 429, 5xx, network trouble: try again later
    REJECTED = "rejected"  # other 4xx: our request is wrong; retrying will not help
    REFUSED = "refused"  # the endpoint breaks the host policy: never sent


@dataclass(frozen=True)
class PushResult:
    message: PushMessage
    outcome: Outcome
    status: int | None = None
    retry_after: float | None = None
    detail: str = ""


def classify(status: int) -> Outcome:
    if 200 <= status < 300:
        return Outcome.ACCEPTED
    if status in (404, 410):
        return Outcome.GONE
    if status == 429 or status >= 500:
        return Outcome.RETRY
    return Outcome.REJECTED


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - (now or dt.datetime.now(dt.UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


class GuardedResolver(AbstractResolver):
    """DNS for the sender: hosts not in ``WEBPUSH_ALLOWED_HOSTS`` get public addresses only.

    Guards against a name that passed the check at subscription time and later
    resolves to an internal address.
    """

    def __init__(self, allowed: Iterable[AllowedHost]) -> None:
        self._allowed = tuple(allowed)
        self._inner = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if is_listed(self._allowed, normalise_host(host), port):
            return results
        public = [result for result in results if is_public_address(result["host"])]
        if not public:
            raise EndpointRefused(f"{host} does not resolve to a public address.")
        return public

    async def close(self) -> None:
        await self._inner.close()


class NoRedirects:
    """The aiohttp session as pywebpush uses it (``post``), never following a redirect.

    The endpoint's host was checked against the push-service policy; a redirect's
    target was not, so following one would let an allowed endpoint send our POST to
    any address (an internal admin page, say). A push service that answers 3xx is
    treated like any other refusal.
    """

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._inner = session

    async def post(self, url: str, **kwargs: object) -> aiohttp.ClientResponse:
        return await self._inner.post(url, allow_redirects=False, **kwargs)  # type: ignore[arg-type]

    async def close(self) -> None:
        await self._inner.close()


class PushSender:
    """One per process: an event loop thread, one aiohttp session, a cap on requests in flight."""

    def __init__(
        self,
        *,
        vapid_private_key: str,
        vapid_subject: str,
        allowed_hosts: Iterable[AllowedHost],
        concurrency: int,
        timeout: float,
    ) -> None:
        self._allowed = tuple(allowed_hosts)
        self._refusals: dict[str, str] = {}  # origin -> why refused ("" when allowed)
        self._signer = VapidSigner(vapid_private_key, vapid_subject)
        self._timeout = timeout
        self._concurrency = concurrency
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="webpush-sender", daemon=True)
        self._thread.start()
        self._session, self._slots = asyncio.run_coroutine_threadsafe(self._open(), self._loop).result()

    async def _open(self) -> tuple[NoRedirects, asyncio.Semaphore]:
        connector = aiohttp.TCPConnector(
            limit=self._concurrency, resolver=GuardedResolver(self._allowed), ttl_dns_cache=300
        )
        # No cookie jar: push services need none, and one service's cookies must
        # never travel to another (it also saves work on every response).
        session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())
        return NoRedirects(session), asyncio.Semaphore(self._concurrency)

    def send(self, messages: Iterable[PushMessage], *, idle: float = 0.1) -> Iterator[list[PushResult]]:
        """Send all ``messages`` concurrently; yield results in groups as they complete.

        Results come back through a queue (not by waiting on one future per
        message, which costs O(n) per wake-up and O(n^2) for a batch). An empty
        group is yielded after ``idle`` seconds without a result, so the caller can
        write what it holds while slow requests are still in flight.
        """
        messages = list(messages)
        done: queue.SimpleQueue[PushResult] = queue.SimpleQueue()

        async def send_all() -> None:
            async def one(message: PushMessage) -> None:
                try:
                    done.put(await self._send_one(message))
                except Exception as exc:  # never lose a message's outcome
                    done.put(PushResult(message, Outcome.RETRY, detail=f"{type(exc).__name__}: {exc}"))

            await asyncio.gather(*(one(message) for message in messages))

        finished = asyncio.run_coroutine_threadsafe(send_all(), self._loop)
        remaining = len(messages)
        while remaining:
            try:
                group = [done.get(timeout=idle)]
            except queue.Empty:
                yield []
                continue
            while True:
                try:
                    group.append(done.get_nowait())
                except queue.Empty:
                    break
            remaining -= len(group)
            yield group
        finished.result()

    async def _send_one(self, message: PushMessage) -> PushResult:
        async with self._slots:
            origin = audience(message.endpoint)
            refusal = self._refusals.get(origin)
            if refusal is None:
                # IP literals never reach the resolver: check the host policy here
                # too. It depends on scheme, host and port only: once per origin.
                try:
                    check_endpoint(f"{origin}/", allowed=self._allowed, resolve=None)
                    refusal = ""
                except EndpointRefused as exc:
                    refusal = str(exc)
                self._refusals[origin] = refusal
            if refusal:
                return PushResult(message, Outcome.REFUSED, detail=refusal)
            headers: dict[str, str | int | float] = {
                **self._signer.headers_for(origin),
                "Urgency": message.urgency,
                "Topic": message.topic,
            }
            try:
                response = await webpush_async(
                    subscription_info={
                        "endpoint": message.endpoint,
                        "keys": {"p256dh": message.p256dh, "auth": message.auth},
                    },
                    data=message.payload,  # type: ignore[arg-type]  # bytes are sent as they are
                    headers=headers,
                    ttl=message.ttl,
                    timeout=self._timeout,
                    aiohttp_session=self._session,  # type: ignore[arg-type]  # only .post is used
                )
            except WebPushException as exc:
                status = exc.status_code
                if status is None:
                    return PushResult(message, Outcome.RETRY, detail=exc.message)
                return PushResult(
                    message,
                    classify(status),
                    status=status,
                    retry_after=parse_retry_after(exc.retry_after),
                    detail=exc.message[:300],
                )
            except aiohttp.ClientConnectorError as exc:
                if isinstance(exc.os_error, EndpointRefused):
                    return PushResult(message, Outcome.REFUSED, detail=str(exc.os_error))
                return PushResult(message, Outcome.RETRY, detail=f"cannot connect: {exc}")
            except (aiohttp.ClientError, TimeoutError) as exc:
                return PushResult(message, Outcome.RETRY, detail=f"{type(exc).__name__}: {exc}")
            except ValueError as exc:  # malformed keys stored before validation existed
                return PushResult(message, Outcome.REJECTED, detail=f"cannot encrypt: {exc}")
            status = response.status  # type: ignore[union-attr]
            return PushResult(message, classify(status), status=status)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._session.close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


_senders: dict[int, PushSender] = {}
_senders_lock = threading.Lock()


def process_sender(**options: object) -> PushSender:
    """The sender of this process, made on first use.

    Keyed by process id: a Celery prefork child must not reuse an event loop
    thread or sockets inherited from its parent.
    """
    pid = os.getpid()
    with _senders_lock:
        sender = _senders.get(pid)
        if sender is None:
            sender = _senders[pid] = PushSender(**options)  # type: ignore[arg-type]
        return sender
