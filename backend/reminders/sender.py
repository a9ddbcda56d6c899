"""Sending the deliveries a task was given: push to every subscription, email otherwise.

Not one transaction: holding a database transaction open across HTTP requests
would block the dispatcher. Each write (``services``) is its own transaction, made
as results arrive, so a worker killed mid-batch loses only requests in flight.

Idempotent: a delivery already closed is not sent again, and a subscription with
a receipt for a delivery is not sent it again. A message whose 201 arrived but
whose receipt was not yet written when the worker died is sent a second time on
redelivery; its ``Topic`` and the notification's tag make the device show one.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from backend.reminders import deliveries, selectors
from backend.reminders.config import push_config
from backend.reminders.models import Delivery
from backend.reminders.notifications import NOTIFICATIONS, TEST_KIND
from backend.reminders.selectors import DeliveryToSend, PushTarget
from backend.reminders.webpush import Outcome, PushMessage, PushResult, PushSender, process_sender

logger = logging.getLogger(__name__)

# Push results are written in groups: at least this many, or this often.
RECORD_EVERY_RESULTS = 50
RECORD_EVERY_SECONDS = 0.1
EMAIL_FOOTER = "You can change these reminders, or turn them off, in Backtrack's settings."


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    emailed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retry_ids: list[int] = field(default_factory=list)
    # The longest Retry-After a push service asked for, in seconds.
    retry_after: float | None = None
    messages: int = 0


def default_sender() -> PushSender | None:
    config = push_config()
    if not config.private_key:
        return None
    return process_sender(
        vapid_private_key=config.private_key,
        vapid_subject=config.subject,
        allowed_hosts=config.allowed_hosts,
        concurrency=settings.WEBPUSH_CONCURRENCY,
        timeout=settings.WEBPUSH_TIMEOUT,
    )


def deliveries_send(
    *,
    delivery_ids: Iterable[int],
    now: dt.datetime | None = None,
    sender: PushSender | None = None,
    owner: str | None = None,
) -> SendReport:
    """Send what these deliveries owe. ``owner`` (the send task's id) leases them
    first, so a delivery queued twice is sent by one task only."""
    now = now or timezone.now()
    report = SendReport()
    owner = owner or f"direct-{uuid.uuid4().hex}"
    claimed = deliveries.deliveries_claim(delivery_ids=delivery_ids, owner=owner, now=now)
    batch = selectors.deliveries_for_sending(delivery_ids=claimed)

    late = [d.pk for d in batch.deliveries if d.kind != TEST_KIND and now - d.fire_at > deliveries.LATE_LIMIT]
    deliveries.deliveries_finish(
        delivery_ids=late, status=Delivery.Status.SKIPPED, reason=Delivery.Reason.LATE, now=now
    )
    report.skipped.extend(late)
    skipped = set(late)
    live = [d for d in batch.deliveries if d.pk not in skipped]

    sender = sender or default_sender()
    if sender is None:
        logger.error("VAPID_PRIVATE_KEY is not set: reminders go out by email only")
    push = [d for d in live if sender is not None and batch.subscriptions.get(d.user_id)]
    by_push = {d.pk for d in push}
    _email([d for d in live if d.pk not in by_push], report=report, now=now)

    messages = []
    for delivery in push:
        notification = NOTIFICATIONS[delivery.kind]
        payload = notification.payload(delivery_id=delivery.pk)
        for subscription in batch.subscriptions[delivery.user_id]:
            if (delivery.pk, subscription.pk) not in batch.receipts:
                messages.append(_message(delivery, subscription, payload))
    report.messages = len(messages)

    results: dict[int, list[PushResult]] = defaultdict(list)
    if messages:
        assert sender is not None
        unwritten: list[PushResult] = []
        written_at = time.monotonic()
        for group in sender.send(messages, idle=RECORD_EVERY_SECONDS):
            unwritten.extend(group)
            for result in group:
                results[result.message.delivery_id].append(result)
            # Few writes for many results, yet little left unwritten if the worker dies.
            if (
                len(unwritten) >= RECORD_EVERY_RESULTS
                or time.monotonic() - written_at >= RECORD_EVERY_SECONDS
            ):
                _record(unwritten, now=now)
                unwritten, written_at = [], time.monotonic()
        _record(unwritten, now=now)

    sent, failed, all_gone = [], [], []
    retry_after: list[float] = []
    for delivery in push:
        outcomes = results.get(delivery.pk, [])
        accepted = any(r.outcome == Outcome.ACCEPTED for r in outcomes) or any(
            (delivery.pk, s.pk) in batch.receipts for s in batch.subscriptions[delivery.user_id]
        )
        retry = [r for r in outcomes if r.outcome == Outcome.RETRY]
        if retry:
            report.retry_ids.append(delivery.pk)
            retry_after.extend(r.retry_after for r in retry if r.retry_after is not None)
        elif accepted:
            sent.append(delivery.pk)
        elif outcomes and all(r.outcome == Outcome.GONE for r in outcomes):
            all_gone.append(delivery)  # every device unsubscribed: email instead
        else:
            failed.append(delivery.pk)
    deliveries.deliveries_finish(delivery_ids=sent, status=Delivery.Status.SENT, now=now)
    deliveries.deliveries_finish(
        delivery_ids=failed, status=Delivery.Status.FAILED, reason=Delivery.Reason.NO_TARGET, now=now
    )
    report.sent.extend(sent)
    report.failed.extend(failed)
    _email(all_gone, report=report, now=now)
    report.retry_after = max(retry_after) if retry_after else None
    return report


def _message(delivery: DeliveryToSend, subscription: PushTarget, payload: bytes) -> PushMessage:
    notification = NOTIFICATIONS[delivery.kind]
    return PushMessage(
        delivery_id=delivery.pk,
        subscription_id=subscription.pk,
        endpoint=subscription.endpoint,
        p256dh=subscription.p256dh,
        auth=subscription.auth,
        payload=payload,
        ttl=notification.ttl,
        urgency=notification.urgency,
        topic=notification.topic,
    )


def _record(group: list[PushResult], *, now: dt.datetime) -> None:
    if not group:
        return
    accepted = [
        (r.message.delivery_id, r.message.subscription_id) for r in group if r.outcome == Outcome.ACCEPTED
    ]
    gone = [r.message.subscription_id for r in group if r.outcome == Outcome.GONE]
    failed = [
        r.message.subscription_id
        for r in group
        if r.outcome in (Outcome.RETRY, Outcome.REJECTED, Outcome.REFUSED)
    ]
    for result in group:
        if result.outcome in (Outcome.REJECTED, Outcome.REFUSED):
            # The endpoint is a secret capability: log its host, never the URL.
            logger.warning(
                "push to %s refused for subscription %s (delivery %s): %s %s",
                urlsplit(result.message.endpoint).hostname,
                result.message.subscription_id,
                result.message.delivery_id,
                result.status or result.outcome,
                result.detail,
            )
    deliveries.push_results_record(accepted=accepted, gone=gone, failed=failed, now=now)


def _email(owed: list[DeliveryToSend], *, report: SendReport, now: dt.datetime) -> None:
    if not owed:
        return
    messages = []
    for delivery in owed:
        notification = NOTIFICATIONS[delivery.kind]
        messages.append(
            EmailMessage(
                subject=notification.title,
                body=f"{notification.body}\n\n{EMAIL_FOOTER}\n",
                to=[delivery.email],
            )
        )
    try:
        with get_connection() as connection:
            connection.send_messages(messages)
    except (OSError, smtplib.SMTPException):
        logger.warning("reminder email failed; will retry", exc_info=True)
        report.retry_ids.extend(d.pk for d in owed)
        return
    ids = [d.pk for d in owed]
    deliveries.deliveries_finish(delivery_ids=ids, status=Delivery.Status.EMAILED, now=now)
    report.emailed.extend(ids)
