"""Which URLs the server agrees to POST to (the push endpoint policy)."""

from __future__ import annotations

import pytest

from backend.reminders.endpoints import AllowedHost, EndpointRefused, check_endpoint, parse_allowed_hosts

DNS = {
    "fcm.googleapis.com": ["142.250.179.74"],
    "web.push.apple.com": ["17.188.137.10", "2a01:b740:a42::10"],
    "rebound.push.apple.com": ["10.0.0.7"],
    "mapped.push.apple.com": ["::ffff:127.0.0.1"],
    "push.internal": ["10.1.2.3"],
}


def resolve(host: str, port: int) -> list[str]:
    if host not in DNS:
        raise OSError("NXDOMAIN")
    return DNS[host]


@pytest.mark.parametrize(
    "url",
    [
        "https://fcm.googleapis.com/fcm/send/abc:APA91b",
        "https://web.push.apple.com/QGx1c2VyLXRva2Vu",
        "https://web.push.apple.com:443/QGx1c2VyLXRva2Vu",
    ],
)
def test_known_push_services_are_accepted(url):
    assert check_endpoint(url, allowed=(), resolve=resolve) == url


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://169.254.169.254/latest/meta-data/", "https"),
        ("https://169.254.169.254/latest/meta-data/", "not a known push service"),
        ("https://localhost/push", "not a known push service"),
        ("https://127.0.0.1/push", "not a known push service"),
        ("https://[::1]/push", "not a known push service"),
        ("https://2130706433/push", "not a known push service"),  # 127.0.0.1 as a number
        ("https://10.0.0.5/push", "not a known push service"),
        ("https://example.com/push", "not a known push service"),
        ("https://fcm.googleapis.com.evil.example/x", "not a known push service"),
        ("http://fcm.googleapis.com/fcm/send/x", "https"),
        ("https://fcm.googleapis.com:8443/fcm/send/x", "standard https port"),
        ("https://user:pw@fcm.googleapis.com/fcm/send/x", "user name"),
        ("https://rebound.push.apple.com/x", "public address"),
        ("https://mapped.push.apple.com/x", "public address"),
        ("https://gone.push.apple.com/x", "could not be resolved"),
        ("file:///etc/passwd", "https"),
        ("gopher://fcm.googleapis.com/x", "https"),
        ("https://fcm.googleapis.com:99999/x", "not a valid URL"),
        ("https://fcm.googleapis.com/" + "a" * 2100, "at most"),
    ],
)
def test_internal_and_unknown_addresses_are_refused(url, why):
    with pytest.raises(EndpointRefused, match=why):
        check_endpoint(url, allowed=(), resolve=resolve)


def test_listed_hosts_may_use_http_and_private_addresses():
    allowed = parse_allowed_hosts("127.0.0.1:8443, push.internal")

    assert check_endpoint("http://127.0.0.1:8443/push/x", allowed=allowed, resolve=resolve)
    assert check_endpoint("http://push.internal:9999/p", allowed=allowed, resolve=resolve)  # any port
    with pytest.raises(EndpointRefused):
        check_endpoint("http://127.0.0.1:8444/push/x", allowed=allowed, resolve=resolve)  # not that port
    with pytest.raises(EndpointRefused):
        check_endpoint("http://169.254.169.254/", allowed=allowed, resolve=resolve)


def test_allowed_hosts_parse_hosts_ports_and_ipv6():
    assert parse_allowed_hosts(" 127.0.0.1:8443,Push.Internal,[::1],[::1]:9000,,") == (
        AllowedHost("127.0.0.1", 8443),
        AllowedHost("push.internal", None),
        AllowedHost("::1", None),
        AllowedHost("::1", 9000),
    )
    assert parse_allowed_hosts("") == ()


@pytest.mark.parametrize("value", ["http://127.0.0.1", "host:port", "host:70000", "a b", "[::1", "user@host"])
def test_bad_allowed_hosts_are_refused(value):
    with pytest.raises(ValueError, match="host"):
        parse_allowed_hosts(value)
