"""Sending: what reaches the device (decrypted by the local push service), and what the
server does with each answer a push service can give."""

from __future__ import annotations

import datetime as dt
import http.server
import logging
import re
import threading

import pytest
from django.core import mail
from django.utils import timezone
from py_vapid import Vapid02

from backend.reminders import sender as sending
from backend.reminders.deliveries import push_results_record
from backend.reminders.endpoints import parse_allowed_hosts
from backend.reminders.models import Delivery, PushReceipt, PushSubscription
from backend.reminders.subscriptions import push_subscription_save
from backend.reminders.tasks import RETRY_MAX_SECONDS, enqueue_sends, retry_delay
from backend.reminders.webpush import PushMessage, PushSender, parse_retry_after
from tests.reminders.conftest import VAPID_SUBJECT

pytestmark = pytest.mark.django_db


def subscribe(user, push_service):
    device = push_service.subscribe()
    push_subscription_save(user=user, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth)
    return device


def due(user, kind: str = "session", *, minutes_ago: int = 0) -> Delivery:
    return Delivery.objects.create(
        user=user, kind=kind, fire_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )


def send(delivery: Delivery, push_sender, *, owner: str = "send-task-1") -> sending.SendReport:
    """As the send task with this id runs it (a Celery retry keeps its task id)."""
    return sending.deliveries_send(delivery_ids=[delivery.pk], sender=push_sender, owner=owner)


def test_the_device_gets_the_reminder_encrypted_signed_and_collapsible(patient, push_service, push_sender):
    device = subscribe(patient, push_service)
    delivery = due(patient, "session")

    report = send(delivery, push_sender)

    (received,) = push_service.wait_for(1, timeout=10)
    assert received.token == device.token
    assert received.payload == {
        "title": "Time for today's practice",
        "body": "A few easy minutes for your back, whenever suits you.",
        "url": "/#/today",
        "kind": "session",
        "id": delivery.pk,
    }
    assert received.ttl == 7200  # kept two hours for a phone that is offline, not dropped
    assert (received.urgency, received.topic) == ("normal", "backtrack-session")
    assert received.claims["sub"] == VAPID_SUBJECT
    assert received.claims["aud"] == push_service.origin
    assert report.sent == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert PushSubscription.objects.get().last_success_at is not None


@pytest.mark.parametrize("kind", ["session", "checkin", "breathing", "bedtime", "desk_break"])
def test_every_kind_has_kind_plain_words(patient, push_service, push_sender, kind):
    subscribe(patient, push_service)

    send(due(patient, kind), push_sender)

    (received,) = push_service.wait_for(1, timeout=10)
    words = set(re.findall(r"[a-z']+", f"{received.payload['title']} {received.payload['body']}".lower()))
    assert received.payload["kind"] == kind
    assert received.topic == f"backtrack-{kind}"
    assert 0 < received.ttl <= 4 * 3600
    assert not words & {"missed", "forgot", "again", "streak", "failed", "lazy", "should", "must", "behind"}


def test_sending_again_sends_nothing_more(patient, push_service, push_sender):
    subscribe(patient, push_service)
    delivery = due(patient)

    send(delivery, push_sender)
    report = send(delivery, push_sender)  # a redelivered task

    assert report.messages == 0
    assert len(push_service.wait_for(2, timeout=0.5)) == 1


def test_every_device_of_the_user_gets_it_once(patient, other_patient, push_service, push_sender):
    phone, laptop = subscribe(patient, push_service), subscribe(patient, push_service)
    someone_else = subscribe(other_patient, push_service)

    send(due(patient), push_sender)

    assert {r.token for r in push_service.wait_for(2, timeout=10)} == {phone.token, laptop.token}
    assert push_service.for_subscription(someone_else) == []


def test_429_asks_for_a_retry_after_the_time_given_and_only_for_the_device_that_failed(
    patient, push_service, push_sender
):
    phone, laptop = subscribe(patient, push_service), subscribe(patient, push_service)
    push_service.fail_next(429, retry_after="7", subscription=laptop)
    delivery = due(patient)

    first = send(delivery, push_sender)
    second = send(delivery, push_sender)  # the retry

    assert (first.retry_ids, first.retry_after) == ([delivery.pk], 7.0)
    assert second.retry_ids == [] and second.messages == 1
    assert len(push_service.for_subscription(phone)) == 1
    assert len(push_service.for_subscription(laptop)) == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried(patient, push_service, push_sender, status):
    subscribe(patient, push_service)
    push_service.fail_next(status)
    delivery = due(patient)

    report = send(delivery, push_sender)

    assert report.retry_ids == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert PushSubscription.objects.get().failure_count == 1


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_no_longer_knows_is_deleted(
    patient, push_service, push_sender, status
):
    kept, gone = subscribe(patient, push_service), subscribe(patient, push_service)
    push_service.fail_next(status, subscription=gone)

    report = send(due(patient), push_sender)

    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [kept.endpoint]
    assert report.retry_ids == []
    assert len(push_service.for_subscription(kept)) == 1


def test_when_every_device_has_unsubscribed_the_reminder_comes_by_email(patient, push_service, push_sender):
    device = subscribe(patient, push_service)
    push_service.unsubscribe(device)
    delivery = due(patient, "checkin")

    send(delivery, push_sender)

    assert not PushSubscription.objects.exists()
    (message,) = mail.outbox
    assert message.to == [patient.email]
    assert message.subject == "How is your back today?"
    delivery.refresh_from_db()
    assert delivery.status == "emailed"


@pytest.mark.parametrize("status", [400, 403, 413])
def test_other_client_errors_are_logged_not_retried(patient, push_service, push_sender, status, caplog):
    subscribe(patient, push_service)
    push_service.fail_next(status)
    delivery = due(patient)

    with caplog.at_level(logging.WARNING, logger="backend.reminders.sender"):
        report = send(delivery, push_sender)

    assert report.retry_ids == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == ("failed", "no_target")
    assert "127.0.0.1 refused for subscription" in caplog.text and str(status) in caplog.text
    assert "/push/" not in caplog.text  # the endpoint is a secret: its path is never logged
    assert PushSubscription.objects.get().failure_count == 1


def test_users_without_a_subscription_get_an_email(patient, push_sender):
    delivery = due(patient, "desk_break")

    report = send(delivery, push_sender)

    (message,) = mail.outbox
    assert message.to == [patient.email]
    assert message.subject == "Time for a short break"
    assert "Stand up, stretch or walk" in message.body
    assert "turn them off" in message.body
    assert report.emailed == [delivery.pk]


def test_a_reminder_that_waited_in_the_queue_over_an_hour_is_skipped(patient, push_service, push_sender):
    subscribe(patient, push_service)
    delivery = due(patient, minutes_ago=61)

    send(delivery, push_sender)

    assert push_service.wait_for(1, timeout=0.5) == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == ("skipped", "late")


def test_an_endpoint_no_longer_allowed_is_never_contacted(patient, push_service, vapid_keys):
    subscribe(patient, push_service)  # stored while 127.0.0.1 was listed
    strict = PushSender(
        vapid_private_key=vapid_keys[1],
        vapid_subject=VAPID_SUBJECT,
        allowed_hosts=parse_allowed_hosts(""),
        concurrency=2,
        timeout=2,
    )
    try:
        send(due(patient), strict)
    finally:
        strict.close()

    assert push_service.attempts == []
    assert Delivery.objects.get().status == "failed"


def test_a_push_service_that_cannot_be_reached_is_retried(patient, push_service, push_sender):
    subscribe(patient, push_service)
    push_service.stop()

    report = send(due(patient), push_sender)

    assert report.retry_ids == [Delivery.objects.get().pk]


def test_retry_waits_honour_retry_after_else_back_off_exponentially():
    assert retry_delay(0, 30.0) == 30.0
    assert retry_delay(5, 2.0) == 2.0
    assert retry_delay(0, 0.0) == 1.0
    waits = [max(retry_delay(n, None) for _ in range(50)) for n in range(10)]
    assert waits[0] <= 5 and waits[1] <= 10 and waits[2] <= 20
    assert waits[3] > waits[0]
    assert max(waits) <= RETRY_MAX_SECONDS


def test_retry_after_is_read_as_seconds_or_an_http_date():
    now = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)

    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Sat, 21 Nov 2026 09:01:30 GMT", now=now) == 90.0
    assert parse_retry_after("Sat, 21 Nov 2026 08:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("999999") == 3600.0


def test_recording_the_same_acceptance_twice_keeps_one_receipt(patient, push_service):
    subscribe(patient, push_service)
    delivery, subscription = due(patient), PushSubscription.objects.get()
    now = timezone.now()

    for _ in range(2):  # two attempts raced on one delivery
        push_results_record(accepted=[(delivery.pk, subscription.pk)], gone=[], failed=[], now=now)

    assert PushReceipt.objects.filter(delivery=delivery, subscription=subscription).count() == 1


def test_a_delivery_queued_twice_is_sent_by_one_task_only(patient, push_service, push_sender):
    subscribe(patient, push_service)
    push_service.fail_next(500)
    delivery = due(patient)

    first = send(delivery, push_sender, owner="task-a")  # fails, will retry
    copy = send(delivery, push_sender, owner="task-b")  # a second copy of the message
    retry = send(delivery, push_sender, owner="task-a")

    assert first.retry_ids == [delivery.pk]
    assert copy.messages == 0 and copy.retry_ids == []
    assert retry.messages == 1
    assert len(push_service.received) == 1


def test_an_abandoned_lease_is_taken_over_once_it_expires(patient, push_service, push_sender, settings):
    subscribe(patient, push_service)
    delivery = due(patient)
    Delivery.objects.filter(pk=delivery.pk).update(
        lease_owner="dead-worker-task", leased_until=timezone.now() - dt.timedelta(seconds=1)
    )

    report = send(delivery, push_sender, owner="task-b")

    assert report.sent == [delivery.pk]
    assert len(push_service.received) == 1


def test_the_sweep_queues_again_what_nobody_sends_and_skips_what_is_too_late(
    patient, django_capture_on_commit_callbacks
):
    from backend.reminders.deliveries import deliveries_requeue_stuck

    now = timezone.now()
    waiting = due(patient)  # queued, lease in the future: left alone
    Delivery.objects.filter(pk=waiting.pk).update(leased_until=now + dt.timedelta(minutes=3))
    lost = due(patient, minutes_ago=10)  # its message was lost: lease expired
    Delivery.objects.filter(pk=lost.pk).update(leased_until=now - dt.timedelta(minutes=1))
    stale = due(patient, minutes_ago=90)  # lost long ago: too late to send
    Delivery.objects.filter(pk=stale.pk).update(leased_until=now - dt.timedelta(minutes=80))

    with django_capture_on_commit_callbacks() as callbacks:
        assert deliveries_requeue_stuck(now=now, enqueue=enqueue_sends) == 1

    assert len(callbacks) == 1
    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert statuses == {waiting.pk: "pending", lost.pk: "pending", stale.pk: "skipped"}
    assert Delivery.objects.get(pk=lost.pk).leased_until > now


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A plain HTTP server that either redirects every POST or records it."""

    redirect_to = ""
    hits: list[str]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.redirect_to:
            self.send_response(307)
            self.send_header("Location", self.redirect_to)
        else:
            type(self).hits.append(self.path)
            self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _serve(host: str, **attrs: object) -> http.server.ThreadingHTTPServer:
    handler = type("Handler", (_Recorder,), {"hits": [], **attrs})
    server = http.server.ThreadingHTTPServer((host, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_redirect_from_an_allowed_endpoint_is_never_followed(patient, push_service, push_sender):
    """An allowed endpoint answering 307 towards an internal address must not get our
    POST delivered there: the redirect's target never passed the host checks."""
    internal = _serve("127.0.0.2")
    target = f"http://127.0.0.2:{internal.server_port}/internal-admin"
    redirector = _serve("127.0.0.1", redirect_to=target)
    keys = push_service.subscribe()
    try:
        push_subscription_save(
            user=patient,
            endpoint=f"http://127.0.0.1:{redirector.server_port}/push/abc",
            p256dh=keys.p256dh,
            auth=keys.auth,
        )
        delivery = due(patient)
        report = send(delivery, push_sender)
    finally:
        internal.shutdown()
        redirector.shutdown()

    assert internal.RequestHandlerClass.hits == []
    assert report.retry_ids == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == ("failed", "no_target")


def test_a_hundred_pushes_to_one_push_service_share_one_vapid_signature(
    push_service, push_sender, monkeypatch
):
    """RFC 8292 lets a token serve every request to its origin until it expires: one
    ECDSA signature for the lot, not one per message. (Each message's encryption is
    its own: RFC 8291 wants a fresh key and salt every time.)"""
    signatures = []
    sign = Vapid02.sign

    def counted(self, claims, *args, **kwargs):
        signatures.append(claims["aud"])
        return sign(self, claims, *args, **kwargs)

    monkeypatch.setattr(Vapid02, "sign", counted)
    devices = [push_service.subscribe() for _ in range(100)]
    messages = [
        PushMessage(n, n, d.endpoint, d.p256dh, d.auth, b'{"id": %d}' % n, 60, "normal", "t")
        for n, d in enumerate(devices)
    ]

    results = [r for group in push_sender.send(messages) for r in group]

    assert [r.outcome for r in results] == ["accepted"] * 100
    received = push_service.wait_for(100, timeout=10)
    assert len(received) == 100
    assert signatures == [push_service.origin]
    assert len({r.claims["exp"] for r in received}) == 1  # the one token, on every request
