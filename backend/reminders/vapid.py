"""VAPID keys (RFC 8292): parsing, generation and signed ``Authorization`` headers.

Deliberately free of Django imports: ``backend/settings.py`` uses the parsers to
refuse a bad key at start-up, before any app is loaded.

Keys travel as base64url without padding, the form browsers and every Web Push
library use: the private key is the raw 32-byte P-256 scalar, the public key
(the browser's ``applicationServerKey``) the 65-byte uncompressed point.
"""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

# RFC 8292 allows a token to live at most 24 hours; push services reject longer ones.
TOKEN_LIFETIME_SECONDS = 12 * 3600
# A cached token is replaced this long before it expires, so a request in flight
# (or one retried a little later) never carries an expired token.
TOKEN_RENEW_MARGIN_SECONDS = 3600

# What py_vapid (and so the push services) accept: an address whose domain has a dot
# (or is localhost), or an https origin with no path.
_SUBJECT = re.compile(r"^(mailto:[^@\s]+@(localhost|[\w-]+(\.[\w-]+)+)|https://[\w-]+(\.[\w-]+)+)$")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(value: str) -> bytes:
    """Decode base64url with or without padding; ``ValueError`` on anything else."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*={0,2}", value):
        raise ValueError("not base64url (letters, digits, '-' and '_' only)")
    stripped = value.rstrip("=")
    return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))


def private_key_from_b64(value: str) -> ec.EllipticCurvePrivateKey:
    raw = b64url_decode(value.strip())
    if len(raw) != 32:
        raise ValueError(f"a P-256 private key is 32 bytes, this one is {len(raw)}")
    number = int.from_bytes(raw, "big")
    try:
        return ec.derive_private_key(number, ec.SECP256R1())
    except ValueError:
        raise ValueError("not a valid P-256 private key") from None


def public_key_b64(private_key: ec.EllipticCurvePrivateKey) -> str:
    point = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url_encode(point)


def private_key_b64(private_key: ec.EllipticCurvePrivateKey) -> str:
    return b64url_encode(private_key.private_numbers().private_value.to_bytes(32, "big"))


def generate_key_pair() -> tuple[str, str]:
    """A new (public, private) pair, both base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    return public_key_b64(key), private_key_b64(key)


def validate_subject(subject: str) -> str:
    """RFC 8292's ``sub``: a ``mailto:`` address or an ``https:`` URL to reach the sender."""
    if not _SUBJECT.match(subject):
        raise ValueError("use mailto:someone@example.org or an https:// origin such as https://example.org")
    return subject


@dataclass
class VapidSigner:
    """Signs one JWT per push-service origin and reuses it until shortly before it expires.

    Signing costs an ECDSA operation; thousands of messages to one push service
    share a single token, as RFC 8292 intends. Not thread-safe: each sender's
    event loop owns one.
    """

    private_key_b64: str
    subject: str
    _vapid: Vapid02 = field(init=False, repr=False)
    _cache: dict[str, tuple[float, dict[str, str]]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._vapid = Vapid02(private_key_from_b64(self.private_key_b64))

    def headers_for(self, audience: str, *, now: float | None = None) -> dict[str, str]:
        now = time.time() if now is None else now
        cached = self._cache.get(audience)
        if cached and cached[0] - TOKEN_RENEW_MARGIN_SECONDS > now:
            return cached[1]
        expires = int(now) + TOKEN_LIFETIME_SECONDS
        headers = self._vapid.sign({"aud": audience, "exp": expires, "sub": self.subject})
        self._cache[audience] = (expires, headers)
        return headers
