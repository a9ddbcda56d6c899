from __future__ import annotations

import pytest

from backend.reminders import subscriptions
from backend.reminders.endpoints import parse_allowed_hosts
from backend.reminders.vapid import generate_key_pair
from backend.reminders.webpush import PushSender
from tests.pushservice import PushService

VAPID_SUBJECT = "mailto:reminders-team@example.org"
# What DNS says for the real push services (there is no DNS here): public addresses.
PUBLIC_DNS = {
    "fcm.googleapis.com": ["142.250.179.74"],
    "updates.push.services.mozilla.com": ["34.107.141.31"],
    "web.push.apple.com": ["17.188.137.10"],
    "wns2-par02p.notify.windows.com": ["20.43.178.66"],
    # A known push host whose DNS answer has been tampered with.
    "poisoned.push.apple.com": ["169.254.169.254"],
}


@pytest.fixture(scope="session")
def vapid_keys() -> tuple[str, str]:
    """(public, private) for the whole run: signing is what is tested, not key churn."""
    return generate_key_pair()


@pytest.fixture(autouse=True)
def push_settings(settings, vapid_keys, monkeypatch):
    public, private = vapid_keys
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_SUBJECT = VAPID_SUBJECT
    settings.WEBPUSH_ALLOWED_HOSTS = "127.0.0.1"

    def resolve(host: str, port: int) -> list[str]:
        if host not in PUBLIC_DNS:
            raise OSError(f"no DNS for {host} in tests")
        return PUBLIC_DNS[host]

    # DNS is the edge of the world here: answered from the table above.
    monkeypatch.setattr(subscriptions, "endpoints_resolve", resolve)
    return settings


@pytest.fixture
def push_service(vapid_keys):
    with PushService(vapid_public_key=vapid_keys[0]) as service:
        yield service
    assert service.rejections == [], "the push service refused a request"


@pytest.fixture
def push_sender(vapid_keys):
    sender = PushSender(
        vapid_private_key=vapid_keys[1],
        vapid_subject=VAPID_SUBJECT,
        allowed_hosts=parse_allowed_hosts("127.0.0.1"),
        concurrency=20,
        timeout=5,
    )
    yield sender
    sender.close()
