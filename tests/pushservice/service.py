"""A real HTTP push service on a free local port that checks what a real one checks.

It plays both sides of Web Push that the server never sees:
- the browser: ``subscribe()`` makes a P-256 key pair and auth secret, and returns
  the ``PushSubscription.toJSON()`` a browser would post to the API;
- the push service: it receives the POST, verifies the VAPID JWT (RFC 8292: ES256
  signature with the ``k`` key, ``aud`` = its own origin, ``exp`` in the next 24 h,
  ``sub`` a mailto: or https: contact), requires ``TTL`` and ``aes128gcm``, decrypts
  the payload (RFC 8291) with the subscription's private key, and records it.

On demand it answers 404/410/429 (with ``Retry-After``)/500 instead, and it can
hold requests unanswered (to kill a sender while messages are in flight).
Nothing here trusts the sender: a request that fails a check is answered 400/401/403
and recorded in ``rejections``, which tests assert stay empty.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

URGENCIES = {"very-low", "low", "normal", "high"}
B64URL = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class Subscription:
    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    gone: bool = False

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def as_json(self) -> dict[str, Any]:
        """What the browser's ``PushSubscription.toJSON()`` gives."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
        }


@dataclass(frozen=True)
class Received:
    token: str
    payload: dict[str, Any]
    ttl: int
    urgency: str | None
    topic: str | None
    claims: dict[str, Any]
    at: float  # time.monotonic()


@dataclass
class _Planned:
    status: int
    retry_after: str | None


@dataclass
class PushService:
    vapid_public_key: str | None = None  # when set, the VAPID key must be this one
    host: str = "127.0.0.1"
    received: list[Received] = field(default_factory=list)
    rejections: list[str] = field(default_factory=list)
    attempts: list[tuple[str, int, float]] = field(default_factory=list)  # token, status, monotonic
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    port: int = 0

    def __post_init__(self) -> None:
        self._plans: dict[str | None, deque[_Planned]] = {}
        self._verified: dict[tuple[str, str], dict[str, Any]] = {}
        self._cond = threading.Condition()
        self._hold_after: int | None = None
        self._awaited = 0
        self._held = 0
        self._loop = asyncio.new_event_loop()
        self._release: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="pushservice", daemon=True)

    # --- lifecycle ---------------------------------------------------------------

    def start(self) -> PushService:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    async def _start(self) -> None:
        self._release = asyncio.Event()
        app = web.Application(client_max_size=8192)
        app.router.add_post("/push/{token}", self._push)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0, backlog=1024)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        if not self._loop.is_running():
            return
        self.release()
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def __enter__(self) -> PushService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- the browser's side ----------------------------------------------------------

    def subscribe(self) -> Subscription:
        token = secrets.token_urlsafe(24)
        subscription = Subscription(
            token=token,
            endpoint=f"{self.origin}/push/{token}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=secrets.token_bytes(16),
        )
        self.subscriptions[token] = subscription
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """The user revoked permission: the push service answers 410 from now on."""
        subscription.gone = True

    # --- faults on demand ------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: str | None = None,
        subscription: Subscription | None = None,
    ) -> None:
        """Answer the next ``times`` requests (for one subscription, or any) with ``status``."""
        key = subscription.token if subscription else None
        with self._cond:
            queue = self._plans.setdefault(key, deque())
            queue.extend(_Planned(status, retry_after) for _ in range(times))

    def hold_after(self, accepted: int) -> None:
        """Accept ``accepted`` messages, then leave every further request unanswered."""
        with self._cond:
            self._hold_after = accepted

    @property
    def held(self) -> int:
        with self._cond:
            return self._held

    def release(self) -> None:
        """Answer held requests with 503 (not recorded) and stop holding."""
        with self._cond:
            self._hold_after = None
        if self._release is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._release.set)

    def wait_for(self, count: int, *, timeout: float) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._cond:
            self._awaited = count
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return list(self.received)

    def for_subscription(self, subscription: Subscription) -> list[Received]:
        with self._cond:
            return [r for r in self.received if r.token == subscription.token]

    # --- the push service's side ----------------------------------------------------------------

    def _planned(self, token: str) -> _Planned | None:
        with self._cond:
            for key in (token, None):
                queue = self._plans.get(key)
                if queue:
                    return queue.popleft()
        return None

    def _attempt(self, token: str, status: int) -> None:
        with self._cond:
            self.attempts.append((token, status, time.monotonic()))

    def _reject(self, token: str, status: int, reason: str) -> web.Response:
        with self._cond:
            self.rejections.append(f"{status} {reason}")
        self._attempt(token, status)
        return web.json_response({"reason": reason}, status=status)

    async def _push(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        body = await request.read()
        subscription = self.subscriptions.get(token)
        if subscription is None:
            self._attempt(token, 404)
            return web.json_response({"reason": "no such subscription"}, status=404)
        if subscription.gone:
            self._attempt(token, 410)
            return web.json_response({"reason": "unsubscribed"}, status=410)
        planned = self._planned(token)
        if planned is not None:
            self._attempt(token, planned.status)
            headers = {"Retry-After": planned.retry_after} if planned.retry_after else {}
            return web.json_response({"reason": "on demand"}, status=planned.status, headers=headers)

        with self._cond:
            holding = self._hold_after is not None and len(self.received) >= self._hold_after
            if holding:
                self._held += 1
        if holding:
            assert self._release is not None
            await self._release.wait()
            self._attempt(token, 503)
            return web.json_response({"reason": "held, then dropped"}, status=503)

        try:
            claims = self._verify_vapid(request.headers.get("Authorization", ""))
        except ValueError as exc:
            return self._reject(token, 401, f"VAPID: {exc}")
        try:
            ttl, urgency, topic = self._check_headers(request.headers)
        except ValueError as exc:
            return self._reject(token, 400, str(exc))
        try:
            plaintext = http_ece.decrypt(
                body,
                private_key=subscription.private_key,
                auth_secret=subscription.auth_secret,
                version="aes128gcm",
            )
            payload = json.loads(plaintext)
        except Exception as exc:
            return self._reject(token, 400, f"cannot decrypt: {type(exc).__name__}: {exc}")

        received = Received(token, payload, ttl, urgency, topic, claims, time.monotonic())
        with self._cond:
            self.received.append(received)
            self.attempts.append((token, 201, received.at))
            if len(self.received) >= self._awaited:  # wake a waiter only when it is done
                self._cond.notify_all()
        return web.Response(status=201, headers={"Location": f"{self.origin}/message/{uuid.uuid4()}"})

    def _verify_vapid(self, header: str) -> dict[str, Any]:
        scheme, _, params = header.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"scheme {scheme!r}, not vapid (RFC 8292)")
        values = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        token, key = values.get("t"), values.get("k")
        if not token or not key:
            raise ValueError("t= and k= are required")
        if self.vapid_public_key and key.rstrip("=") != self.vapid_public_key.rstrip("="):
            raise ValueError("k is not the application server key the subscription was made with")
        claims = self._verified.get((token, key))
        if claims is None:
            claims = self._verify_signature(token, key)
            # Senders reuse a token for hours; its bytes cannot change, so neither does
            # the signature check. The claims are still checked on every request.
            self._verified[(token, key)] = claims
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud {claims.get('aud')!r} is not {self.origin!r}")
        now = time.time()
        if not isinstance(claims.get("exp"), int) or not now < claims["exp"] <= now + 24 * 3600:
            raise ValueError("exp must be within the next 24 hours")
        sub = claims.get("sub", "")
        if not (sub.startswith("mailto:") or sub.startswith("https://")):
            raise ValueError("sub must be a mailto: or https: contact")
        return claims

    @staticmethod
    def _verify_signature(token: str, key: str) -> dict[str, Any]:
        """The JWT's ES256 signature by ``k``; returns its claims."""
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
        except ValueError:
            raise ValueError("the token is not a JWT") from None
        jwt_header = json.loads(unb64url(header_b64))
        if jwt_header.get("alg") != "ES256":
            raise ValueError(f"alg {jwt_header.get('alg')!r}, not ES256")
        signature = unb64url(signature_b64)
        if len(signature) != 64:
            raise ValueError("an ES256 signature is 64 bytes (r || s)")
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            public_key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise ValueError("bad signature") from None
        return json.loads(unb64url(claims_b64))

    @staticmethod
    def _check_headers(headers: Any) -> tuple[int, str | None, str | None]:
        ttl_text = headers.get("TTL")
        if ttl_text is None or not ttl_text.isdigit():
            raise ValueError("TTL is required (RFC 8030, section 5.2)")
        if headers.get("Content-Encoding") != "aes128gcm":
            raise ValueError("Content-Encoding must be aes128gcm (RFC 8291)")
        urgency = headers.get("Urgency")
        if urgency is not None and urgency not in URGENCIES:
            raise ValueError(f"Urgency {urgency!r} is not one of {sorted(URGENCIES)}")
        topic = headers.get("Topic")
        if topic is not None and (len(topic) > 32 or not set(topic) <= B64URL):
            raise ValueError("Topic is at most 32 base64url characters (RFC 8030, section 5.4)")
        return int(ttl_text), urgency, topic
