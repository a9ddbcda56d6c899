"""Thin tasks for the clinicians' alert notices (``backend/care/notify.py``). The sweep
is scheduled in ``settings.CELERY_BEAT_SCHEDULE`` and nowhere else."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import Task, shared_task
from django.utils import timezone

from backend.care import notify
from backend.reminders.tasks import retry_delay

logger = logging.getLogger(__name__)

# With the reminders' backoff (5 s doubling, at most 10 minutes) about half an hour.
NOTICE_MAX_RETRIES = 8


class NoticeTemporarilyFailed(Exception):
    """A push service answered 429 or 5xx or could not be reached, or the mail server failed."""


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=NOTICE_MAX_RETRIES)
def send_alert_notices(self: Task, alert_id: int) -> dict:
    report = notify.alert_notices_send(alert_id=alert_id, owner=self.request.id)
    if report.retry_ids:
        now = timezone.now()
        if self.request.retries >= NOTICE_MAX_RETRIES:
            notify.alert_notices_give_up(notice_ids=report.retry_ids, now=now)
        else:
            countdown = retry_delay(self.request.retries, report.retry_after)
            # The retry is this same task (same id): it keeps the lease meanwhile.
            notify.alert_notices_hold(
                notice_ids=report.retry_ids,
                owner=self.request.id,
                until=now + dt.timedelta(seconds=countdown) + notify.lease(),
            )
            raise self.retry(
                countdown=countdown,
                exc=NoticeTemporarilyFailed(f"{len(report.retry_ids)} notices of alert {alert_id} to retry"),
            )
    return {"sent": len(report.sent), "no_device": len(report.no_device), "messages": report.messages}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_alert_notices() -> int:
    return len(notify.alert_notices_sweep(enqueue=enqueue_alert_notices))


def enqueue_alert_notices(alert_ids: list[int]) -> None:
    """A notice task per alert, published through one producer."""
    with send_alert_notices.app.producer_or_acquire() as producer:
        for alert_id in alert_ids:
            send_alert_notices.apply_async((alert_id,), producer=producer)


def alert_notices_queue(sender: Any, *, alert_ids: list[int], **kwargs: Any) -> None:
    """The tracker's ``serious_alerts_opened``: runs in the sync request, after its batch
    committed. The patient's data is saved and their answer shown whatever happens
    here, so a broker that cannot be reached is logged, not raised: the sweep sends
    these notices within minutes of it coming back."""
    try:
        # A connection of its own, tried once: kombu would otherwise retry for seconds
        # inside the patient's request while the broker is down.
        with send_alert_notices.app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0)
            for alert_id in alert_ids:
                send_alert_notices.apply_async((alert_id,), connection=connection, retry=False)
    except Exception:
        logger.exception("alert notices of %s not queued (broker down?); the sweep will send them", alert_ids)
