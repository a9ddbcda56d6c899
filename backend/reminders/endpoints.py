"""Which push endpoints the server will POST to.

A push subscription's endpoint is a URL chosen by the client, and the server sends
requests to it: without limits it is a way to make the server call internal
addresses (cloud metadata at 169.254.169.254, an admin port on localhost...).
Endpoints must be ``https`` on a known push service, and every address the host
resolves to must be public. ``WEBPUSH_ALLOWED_HOSTS`` adds hosts (with ``http``
and private addresses allowed), e.g. a push service on 127.0.0.1 for tests.

The same policy runs twice: when a subscription is saved (with a DNS lookup) and
when a message is sent (``webpush.GuardedResolver`` re-checks what DNS says then,
so a name that later resolves to a private address is still refused).

Free of Django and aiohttp imports: ``backend/settings.py`` parses
``WEBPUSH_ALLOWED_HOSTS`` with ``parse_allowed_hosts``.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_ENDPOINT_LENGTH = 2048

# Push services of the browsers people use: Chrome, Edge's Chromium, Samsung,
# Opera (FCM); Firefox (Mozilla autopush); Safari (Apple); legacy Edge (WNS).
KNOWN_PUSH_HOSTS = frozenset(
    {
        "fcm.googleapis.com",
        "android.googleapis.com",
        "updates.push.services.mozilla.com",
        "push.services.mozilla.com",
        "web.push.apple.com",
    }
)
KNOWN_PUSH_HOST_SUFFIXES = (".push.services.mozilla.com", ".push.apple.com", ".notify.windows.com")

_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


class EndpointRefused(OSError):
    """The endpoint breaks the policy; the message says why in words a user can act on.

    An ``OSError`` so that aiohttp, when ``GuardedResolver`` raises it, reports it
    as a connection failure carrying this exception (``os_error``).
    """


@dataclass(frozen=True)
class AllowedHost:
    host: str
    port: int | None  # None: any port

    def matches(self, host: str, port: int) -> bool:
        return self.host == host and (self.port is None or self.port == port)


def normalise_host(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host


def parse_allowed_hosts(value: str) -> tuple[AllowedHost, ...]:
    """``"127.0.0.1:8443, push.internal, [::1]"`` -> hosts; ``ValueError`` naming a bad entry."""
    hosts = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        if "/" in entry or "@" in entry:
            raise ValueError(f"{entry!r}: give a host or host:port, not a URL")
        match = re.fullmatch(
            r"\[(?P<v6>[0-9a-fA-F:.]+)\](:(?P<v6port>\d+))?|(?P<host>[^:\[\]]+)(:(?P<port>\d+))?", entry
        )
        if not match:
            raise ValueError(f"{entry!r}: give a host or host:port (IPv6 as [::1]:8443)")
        host = normalise_host(match["v6"] or match["host"])
        port_text = match["v6port"] or match["port"]
        port = int(port_text) if port_text else None
        if port is not None and not 1 <= port <= 65535:
            raise ValueError(f"{entry!r}: the port must be between 1 and 65535")
        if not _is_ip(host) and not _HOSTNAME.match(host):
            raise ValueError(f"{entry!r}: {host!r} is not a host name or IP address")
        hosts.append(AllowedHost(host=host, port=port))
    return tuple(hosts)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global is False for private, loopback, link-local (169.254/16, the cloud
    # metadata address), shared (100.64/10), reserved and unspecified ranges.
    return ip.is_global and not ip.is_multicast


def is_known_push_host(host: str) -> bool:
    return host in KNOWN_PUSH_HOSTS or host.endswith(KNOWN_PUSH_HOST_SUFFIXES)


def is_listed(allowed: Iterable[AllowedHost], host: str, port: int) -> bool:
    return any(entry.matches(host, port) for entry in allowed)


def system_resolve(host: str, port: int) -> list[str]:
    """Every address DNS gives for ``host``; ``OSError`` when it cannot be resolved."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def check_endpoint(
    url: str,
    *,
    allowed: Iterable[AllowedHost],
    resolve: Callable[[str, int], list[str]] | None = system_resolve,
) -> str:
    """Return ``url`` if the server may POST to it, else raise ``EndpointRefused``.

    ``resolve=None`` skips the DNS lookup (at send time ``GuardedResolver`` does it).
    """
    allowed = tuple(allowed)
    if len(url) > MAX_ENDPOINT_LENGTH:
        raise EndpointRefused(f"A push endpoint is at most {MAX_ENDPOINT_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise EndpointRefused("This is not a valid URL.") from None
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise EndpointRefused("A push endpoint is an https:// URL.")
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise EndpointRefused("A push endpoint has no user name, password or #fragment.")
    host = normalise_host(parts.hostname)
    effective_port = port or (443 if parts.scheme == "https" else 80)
    if is_listed(allowed, host, effective_port):
        return url
    if parts.scheme != "https":
        raise EndpointRefused("A push endpoint must use https.")
    if not is_known_push_host(host):
        raise EndpointRefused(f"{host} is not a known push service.")
    if effective_port != 443:
        raise EndpointRefused("A push service is reached on the standard https port.")
    if resolve is not None:
        try:
            addresses = resolve(host, effective_port)
        except OSError:
            raise EndpointRefused(f"{host} could not be resolved; try again later.") from None
        if not addresses or not all(is_public_address(a) for a in addresses):
            raise EndpointRefused(f"{host} does not resolve to a public address.")
    return url


def audience(url: str) -> str:
    """The VAPID ``aud`` claim: the origin of the push service (RFC 8292, section 2)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
