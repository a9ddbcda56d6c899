"""Redis restarts while reminders are due: the queued messages are lost (no
persistence), yet the dispatcher resumes, and every reminder reaches its device
exactly once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter

import pytest

from backend.reminders.models import Delivery, ReminderRule
from backend.reminders.rules import reminder_rule_create
from backend.reminders.subscriptions import push_subscription_save
from tests.faults.services import ROOT, PrivateRedis
from tests.reminders.worker import Worker
from tests.reminders.worker import test_database_url as database_url_of_the_tests

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed"),
]


def in_subprocess(code: str, *, redis_url: str, **env: str) -> subprocess.CompletedProcess:
    """Run Django code as a beat tick or a health probe would: its own process."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url_of_the_tests(),
            "CONN_MAX_AGE": "0",
            "REDIS_URL": redis_url,
            "WEBPUSH_ALLOWED_HOSTS": "127.0.0.1",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def beat_tick(redis_url: str, **env: str) -> subprocess.CompletedProcess:
    return in_subprocess(
        "from backend.reminders.tasks import dispatch_due_reminders; print(dispatch_due_reminders())",
        redis_url=redis_url,
        **env,
    )


def health(redis_url: str) -> tuple[int, dict]:
    result = in_subprocess(
        "import json; from django.test import Client; r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, r.json()]))",
        redis_url=redis_url,
    )
    return tuple(json.loads(result.stdout.strip().splitlines()[-1]))


def test_a_redis_restart_loses_no_reminder_and_doubles_none(
    transactional_db, push_service, vapid_keys, tmp_path
):
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    redis = PrivateRedis()
    redis.start()
    users = get_user_model().objects.bulk_create(
        [get_user_model()(email=f"r{n}@example.com", timezone="Europe/Paris") for n in range(40)]
    )
    for user in users:
        device = push_service.subscribe()
        push_subscription_save(user=user, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth)
        rule = reminder_rule_create(user=user, kind="desk_break", times=["09:00"])
        ReminderRule.objects.filter(pk=rule.pk).update(next_fire_at=timezone.now() - dt.timedelta(seconds=5))

    worker = Worker(log_dir=tmp_path, vapid_private_key=vapid_keys[1])
    worker.env["REDIS_URL"] = redis.url
    worker.start()
    try:
        # Redis goes down with reminders due: the tick records them but cannot queue them.
        redis.stop()
        status, body = health(redis.url)
        assert (status, body["broker"]) == (503, "down")
        # (A queued reminder is queued again after a second here, five minutes in production.)
        beat_tick(redis.url, REMINDERS_REQUEUE_AFTER="1")
        assert Delivery.objects.filter(status="pending").count() == 40
        assert push_service.received == []

        # Redis is back, empty. The worker reconnects; the next tick finds the
        # reminders nobody is sending and queues them again.
        redis.start()
        assert health(redis.url)[0] == 200
        time.sleep(2)
        tick = beat_tick(redis.url, REMINDERS_REQUEUE_AFTER="1")
        assert tick.returncode == 0, tick.stderr[-2000:]

        received = push_service.wait_for(40, timeout=90)
        assert len(received) == 40, f"tick: {tick.stdout[-500:]}\nworker:\n{worker.tail()}"
        deadline = time.monotonic() + 30
        while Delivery.objects.filter(status="sent").count() < 40 and time.monotonic() < deadline:
            time.sleep(0.2)
        # A later tick finds nothing left to queue, and nothing arrives twice.
        time.sleep(2)
        beat_tick(redis.url, REMINDERS_REQUEUE_AFTER="1")
        time.sleep(3)
    finally:
        worker.stop()
        redis.stop()

    assert Delivery.objects.filter(status="sent").count() == 40, worker.tail()
    per_device = Counter(r.token for r in push_service.received)
    assert len(received) == 40 and len(per_device) == 40 and set(per_device.values()) == {1}
