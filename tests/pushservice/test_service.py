"""The local push service must refuse what a real one refuses, or tests prove nothing."""

from __future__ import annotations

import json
import time

import pytest
import requests
from pywebpush import WebPusher

from backend.reminders.vapid import VapidSigner, b64url_encode, generate_key_pair
from tests.pushservice import PushService

PUBLIC, PRIVATE = generate_key_pair()


@pytest.fixture
def service():
    with PushService(vapid_public_key=PUBLIC) as running:
        yield running


def post(service, *, subscription=None, signer_key=PRIVATE, audience=None, headers=None, body=None, drop=()):
    subscription = subscription or service.subscribe()
    prepared = WebPusher(subscription.as_json())._prepare_send_data(
        json.dumps({"title": "t", "body": "b", "url": "/", "kind": "session"}).encode(), {}, ttl=60
    )
    vapid = VapidSigner(signer_key, "mailto:ops@example.org").headers_for(audience or service.origin)
    sent = {**dict(prepared["headers"]), **vapid, **(headers or {})}
    for name in drop:
        sent = {k: v for k, v in sent.items() if k.lower() != name.lower()}
    return requests.post(subscription.endpoint, data=body or prepared["data"], headers=sent, timeout=5)


def test_a_correct_message_is_accepted_and_decrypted(service):
    response = post(service)

    assert response.status_code == 201
    assert service.received[0].payload["kind"] == "session"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"signer_key": generate_key_pair()[1]}, "application server key"),
        ({"audience": "http://127.0.0.1:1"}, "aud"),
        ({"drop": ["TTL"]}, "TTL"),
        ({"drop": ["Authorization"]}, "VAPID"),
        ({"headers": {"Content-Encoding": "aesgcm"}}, "aes128gcm"),
        ({"headers": {"Urgency": "urgent"}}, "Urgency"),
        ({"headers": {"Topic": "a topic with spaces"}}, "Topic"),
        ({"body": b"\x00" * 120}, "decrypt"),
    ],
)
def test_a_wrong_message_is_refused(service, change, reason):
    response = post(service, **change)

    assert response.status_code in (400, 401)
    assert reason in response.json()["reason"]
    assert service.received == []
    service.rejections.clear()


def test_a_forged_signature_is_refused(service):
    signer = VapidSigner(PRIVATE, "mailto:ops@example.org")
    token = signer.headers_for(service.origin)["Authorization"].split("t=")[1].split(",")[0]
    head, _claims, signature = token.split(".")
    # Same header and signature, other claims: the signature no longer matches.
    forged = json.dumps({"aud": service.origin, "exp": int(time.time()) + 600, "sub": "mailto:x@example.org"})
    header = f"vapid t={head}.{b64url_encode(forged.encode())}.{signature},k={PUBLIC}"

    response = post(service, headers={"Authorization": header})

    assert response.status_code == 401
    assert "bad signature" in response.json()["reason"]
    service.rejections.clear()


def test_faults_on_demand(service):
    subscription = service.subscribe()
    service.fail_next(429, retry_after="3", subscription=subscription)
    service.fail_next(500)

    limited = post(service, subscription=subscription)
    broken = post(service)
    service.unsubscribe(subscription)
    gone = post(service, subscription=subscription)

    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "3")
    assert broken.status_code == 500
    assert gone.status_code == 410
    assert service.received == []
