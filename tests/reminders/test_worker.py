"""End to end on real services: a Celery worker subprocess on the Redis broker and the
PostgreSQL test database, delivering to the local push service."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest
from django.utils import timezone

from backend.accounts.models import User
from backend.reminders.dispatch import reminders_dispatch
from backend.reminders.models import Delivery, PushReceipt, PushSubscription, ReminderRule
from backend.reminders.rules import reminder_rule_create
from backend.reminders.subscriptions import push_subscription_save
from backend.reminders.tasks import dispatch_due_reminders, enqueue_sends
from tests.reminders.worker import Worker, flush_broker

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def eventually(check, *, timeout: float, worker: Worker, what: str):
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; worker log:\n{worker.tail()}")
        time.sleep(0.1)
    return result


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, vapid_keys, tmp_path_factory):
    with django_db_blocker.unblock():
        flush_broker()
        process = Worker(log_dir=tmp_path_factory.mktemp("worker"), vapid_private_key=vapid_keys[1]).start()
    yield process
    process.stop()
    flush_broker()


def subscribed_user(push_service, *, email: str = "ana@example.com"):
    user = User.objects.create_user(email=email, timezone="Europe/Paris")
    device = push_service.subscribe()
    push_subscription_save(user=user, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth)
    return user, device


def due_now(user, kind: str = "breathing") -> ReminderRule:
    rule = reminder_rule_create(user=user, kind=kind, times=["07:30", "19:00"])
    ReminderRule.objects.filter(pk=rule.pk).update(next_fire_at=timezone.now() - dt.timedelta(seconds=5))
    return rule


def test_the_beat_task_delivers_a_due_reminder_to_the_device(transactional_db, worker, push_service):
    user, device = subscribed_user(push_service)
    rule = due_now(user)

    dispatch_due_reminders.delay()  # what beat sends every minute

    (received,) = push_service.wait_for(1, timeout=30)
    delivery = Delivery.objects.get(rule=rule)
    assert received.token == device.token
    assert received.payload == {
        "title": "A moment to breathe",
        "body": "In through the nose, a longer breath out. A few slow rounds can ease tense shoulders.",
        "url": "/#/today",
        "kind": "breathing",
        "id": delivery.pk,
    }
    assert (received.ttl, received.urgency, received.topic) == (3600, "normal", "backtrack-breathing")
    eventually(
        lambda: Delivery.objects.get(pk=delivery.pk).status == "sent", timeout=10, worker=worker, what="sent"
    )
    rule.refresh_from_db()
    assert rule.next_fire_at > timezone.now()


def test_a_subscription_answered_410_is_removed(transactional_db, worker, push_service):
    user, device = subscribed_user(push_service)
    push_service.unsubscribe(device)
    due_now(user)

    dispatch_due_reminders.delay()

    eventually(lambda: not PushSubscription.objects.exists(), timeout=30, worker=worker, what="the deletion")
    assert push_service.attempts[0][1] == 410
    # With no device left, the reminder came by email instead.
    eventually(lambda: Delivery.objects.get().status == "emailed", timeout=10, worker=worker, what="email")


def test_429_with_retry_after_is_retried_then_delivered(transactional_db, worker, push_service):
    user, device = subscribed_user(push_service)
    push_service.fail_next(429, retry_after="2", subscription=device)
    due_now(user, "checkin")

    dispatch_due_reminders.delay()

    (received,) = push_service.wait_for(1, timeout=30)
    assert received.payload["kind"] == "checkin"
    (refused, accepted) = [(status, at) for token, status, at in push_service.attempts]
    assert (refused[0], accepted[0]) == (429, 201)
    assert accepted[1] - refused[1] >= 2.0, "retried before the Retry-After the push service asked for"
    eventually(lambda: Delivery.objects.get().status == "sent", timeout=10, worker=worker, what="sent")


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    transactional_db, push_service, vapid_keys, tmp_path
):
    """SIGKILL with 60 of 200 reminders delivered and 100 in flight; a new worker finishes the batch."""
    users = User.objects.bulk_create(
        [User(email=f"p{n}@example.com", timezone="Europe/Paris") for n in range(200)]
    )
    devices = {}
    for user in users:
        device = push_service.subscribe()
        push_subscription_save(user=user, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth)
        devices[device.token] = user.pk
        due_now(user, "desk_break")
    push_service.hold_after(60)  # accept 60, then leave every request hanging
    visibility = 4  # Redis hands a dead worker's tasks to another after this many seconds
    flush_broker()
    worker = Worker(log_dir=tmp_path, vapid_private_key=vapid_keys[1], visibility_timeout=visibility).start()
    try:
        report = reminders_dispatch(enqueue=enqueue_sends)
        assert report.queued == 200
        eventually(lambda: push_service.held >= 100, timeout=30, worker=worker, what="requests in flight")
        # Every message the push service accepted is recorded before the kill, so the
        # kill lands with only unanswered requests in flight.
        eventually(lambda: PushReceipt.objects.count() == 60, timeout=30, worker=worker, what="receipts")
        in_flight = push_service.held
        killed_at = time.monotonic()
        worker.kill()
        push_service.release()  # the held requests die with the worker's sockets: not delivered
        assert Delivery.objects.filter(status="pending").count() == 200

        time.sleep(max(0.0, visibility + 1 - (time.monotonic() - killed_at)))
        worker.start()
        eventually(
            lambda: Delivery.objects.filter(status="sent").count() == 200,
            timeout=60,
            worker=worker,
            what="every reminder sent",
        )
    finally:
        worker.stop()
        flush_broker()

    assert Counter(status for _, status, _ in push_service.attempts)[503] == in_flight  # dropped at the kill
    per_device = Counter(received.token for received in push_service.received)
    assert len(per_device) == 200 and set(per_device.values()) == {1}, "a reminder was lost or sent twice"
    deliveries = {d.user_id: d.pk for d in Delivery.objects.all()}
    assert all(r.payload["id"] == deliveries[devices[r.token]] for r in push_service.received)
