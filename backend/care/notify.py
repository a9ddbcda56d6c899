"""Telling a patient's clinicians that an urgent or emergency safety alert opened.

Each clinician with an active link gets a Web Push on each of their subscriptions and
an email, once per alert and level (``AlertNotice``): an alert that rises from urgent
to emergency is news again. What is said names the patient and the level, and links
to the patient's page in the app; never which question was answered, pain, or
anything else from the check-in: an email is kept in places we do not control.

Close to exactly once, on an at-least-once queue:
- the sync request queues a task per alert once its batch has committed (the
  tracker's ``serious_alerts_opened``, ``tasks.alert_notices_queue``); a broker that
  is down is logged, not shown to the patient;
- the task claims the alert's pending notices with a conditional UPDATE (a lease:
  two copies of the task cannot both hold a row; a retried or redelivered copy of
  the same task keeps its own), sends, and closes each notice as it goes; push
  receipts per subscription are written as they arrive, so a retry skips the devices
  that already have it;
- the sweep (beat, every two minutes) queues the alerts of the last day whose
  notices nobody holds: never made (the broker was down) or left by a worker that
  died (the lease ran out).
A worker killed after a push service or mail server took a message, but before that
was written, sends it once more; the push ``Topic`` (one per alert) lets the push
service replace an undelivered copy.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from backend.accounts.models import User
from backend.care.models import AlertNotice, CareLink
from backend.reminders.models import PushSubscription
from backend.reminders.sender import default_sender
from backend.reminders.webpush import Outcome, PushMessage, PushResult, PushSender
from backend.tracker.models import SafetyAlert

logger = logging.getLogger(__name__)

SERIOUS = ("urgent", "emergency")
CHANNELS = (AlertNotice.Channel.PUSH, AlertNotice.Channel.EMAIL)
# The sweep looks back this far: an older alert is in the clinician's patient list
# already, and deploying this must not page anyone about last month.
SWEEP_WINDOW = dt.timedelta(hours=24)
SWEEP_LIMIT = 500  # alerts queued per sweep; the next one takes the rest
# A push service keeps a notice this long for a device that is offline.
PUSH_TTL = 24 * 3600
# Push receipts are written at least this often while requests are in flight.
RECORD_EVERY_SECONDS = 0.1
PUSH_TITLE = "Backtrack: a patient needs attention"
PUSH_KIND = "safety_alert"

# Queues a notice task for each of these alert ids (``tasks.enqueue_alert_notices``).
Enqueue = Callable[[list[int]], None]


def lease() -> dt.timedelta:
    """How long a task holds the notices it claimed before the sweep may queue them again.
    Longer than a send can take (push and mail timeouts)."""
    return dt.timedelta(seconds=settings.CARE_NOTICE_LEASE)


@dataclass
class Claim:
    alert: SafetyAlert
    notices: list[AlertNotice]


@dataclass
class NoticeReport:
    sent: list[int] = field(default_factory=list)
    # No subscription took the push (none, all expired or refused): the email still goes.
    no_device: list[int] = field(default_factory=list)
    retry_ids: list[int] = field(default_factory=list)
    # The longest Retry-After a push service asked for, in seconds.
    retry_after: float | None = None
    messages: int = 0


# --- What is said ---------------------------------------------------------------------------


def patient_url(patient_id: int) -> str:
    """The patient's page in the clinician screens of the PWA (``#/patients/<id>``)."""
    return f"/#/patients/{patient_id}"


def push_payload(*, alert: SafetyAlert, notice_id: int) -> bytes:
    body = {
        "title": PUSH_TITLE,
        "body": f"{alert.patient.email} has an {alert.level} alert. Open Backtrack to see it.",
        "url": patient_url(alert.patient_id),
        "kind": PUSH_KIND,
        "id": notice_id,
        "alert": alert.pk,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def push_topic(alert_id: int) -> str:
    """RFC 8030 Topic (at most 32 base64url characters): a newer notice of the same
    alert (it rose, or was sent again) replaces an undelivered older one."""
    return f"backtrack-alert-{alert_id}"[:32]


def email_message(*, alert: SafetyAlert, clinician: User) -> EmailMessage:
    """Names the patient and the level; nothing about their health beyond that."""
    who, level = alert.patient.email, alert.level
    if settings.APP_URL:
        look = f"Please look at their page when you can:\n{settings.APP_URL}{patient_url(alert.patient_id)}"
    else:
        look = "Please look at their page in your patient list when you can."
    body = (
        "Hello,\n\n"
        f"{who}, who shares their Backtrack data with you, has an {level} alert in Backtrack.\n\n"
        f"Backtrack has already shown them what to do. {look}\n\n"
        "For their privacy, the details are only in the app.\n\n"
        f"You get this email because {who} linked their Backtrack account with yours.\n"
    )
    return EmailMessage(subject=f"Backtrack: {who} has an {level} alert", body=body, to=[clinician.email])


# --- Claiming and closing ---------------------------------------------------------------------


def _claimable(owner: str, now: dt.datetime) -> Q:
    # Queued (""), this task's own (a retry or a redelivery of it), or a lease run out.
    return Q(claimed_by__in=["", owner]) | Q(lease_until__isnull=True) | Q(lease_until__lt=now)


@transaction.atomic
def alert_notices_claim(*, alert_id: int, owner: str, now: dt.datetime) -> Claim | None:
    """Make the notices this alert owes at its level, to the clinicians linked now, and
    lease the pending ones to ``owner``; None when it owes nothing (any more)."""
    alert = (
        SafetyAlert.objects.select_related("patient")
        .only("pk", "level", "patient_id", "acknowledged_at", "withdrawn_at", "patient__email")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        return None
    pending = AlertNotice.objects.filter(alert_id=alert_id, status=AlertNotice.Status.PENDING)
    if not alert.is_open or alert.level not in SERIOUS:
        # Withdrawn (edited away, deleted) or acknowledged before anyone was told.
        pending.update(status=AlertNotice.Status.SKIPPED, lease_until=None)
        return None
    clinicians = list(
        CareLink.objects.filter(patient_id=alert.patient_id, ended_at__isnull=True).values_list(
            "clinician_id", flat=True
        )
    )
    # A level the alert has since risen past, or a link ended since: not sent.
    pending.exclude(level=alert.level, clinician_id__in=clinicians).update(
        status=AlertNotice.Status.SKIPPED, lease_until=None
    )
    if not clinicians:
        return Claim(alert=alert, notices=[])
    AlertNotice.objects.bulk_create(
        [
            AlertNotice(alert_id=alert.pk, clinician_id=clinician, channel=channel, level=alert.level)
            for clinician in clinicians
            for channel in CHANNELS
        ],
        ignore_conflicts=True,  # made already, by an earlier task or the sweep
    )
    # One conditional UPDATE: a concurrent copy waits for this row lock, then finds
    # the lease taken and updates nothing.
    mine = pending.filter(level=alert.level, clinician_id__in=clinicians)
    mine.filter(_claimable(owner, now)).update(
        claimed_by=owner, claimed_at=now, lease_until=now + lease(), attempts=F("attempts") + 1
    )
    notices = list(
        mine.filter(claimed_by=owner)
        .select_related("clinician")
        .only("pk", "clinician_id", "channel", "level", "pushed_to", "clinician__email")
        .order_by("pk")
    )
    return Claim(alert=alert, notices=notices)


def alert_notices_close(*, notice_ids: Iterable[int], status: str, now: dt.datetime) -> int:
    """Close pending notices; ones already closed stay as they are."""
    ids = list(notice_ids)
    if not ids:
        return 0
    sent_at = now if status == AlertNotice.Status.SENT else None
    return AlertNotice.objects.filter(pk__in=ids, status=AlertNotice.Status.PENDING).update(
        status=status, sent_at=sent_at, lease_until=None
    )


def alert_notices_hold(*, notice_ids: Iterable[int], owner: str, until: dt.datetime) -> None:
    """Keep a task's lease while it waits to retry, so the sweep leaves them to it."""
    AlertNotice.objects.filter(
        pk__in=list(notice_ids), status=AlertNotice.Status.PENDING, claimed_by=owner
    ).update(lease_until=until)


@transaction.atomic
def alert_notices_give_up(*, notice_ids: Iterable[int], now: dt.datetime) -> None:
    """Retries are exhausted: a push that reached some device counts as sent."""
    ids = list(notice_ids)
    pending = AlertNotice.objects.filter(pk__in=ids, status=AlertNotice.Status.PENDING)
    pending.exclude(pushed_to=[]).update(status=AlertNotice.Status.SENT, sent_at=now, lease_until=None)
    failed = pending.filter(pushed_to=[]).update(status=AlertNotice.Status.FAILED, lease_until=None)
    if failed:
        logger.error("alert notices %s failed after every retry", ids)


# --- Sending ----------------------------------------------------------------------------


def alert_notices_send(
    *,
    alert_id: int,
    owner: str | None = None,
    now: dt.datetime | None = None,
    sender: PushSender | None = None,
) -> NoticeReport:
    """Send what this alert owes its clinicians. ``owner`` (the task's id) leases the
    notices first, so an alert queued twice is told once."""
    now = now or timezone.now()
    owner = owner or f"direct-{uuid.uuid4().hex}"
    report = NoticeReport()
    claim = alert_notices_claim(alert_id=alert_id, owner=owner, now=now)
    if claim is None or not claim.notices:
        return report
    push = [n for n in claim.notices if n.channel == AlertNotice.Channel.PUSH]
    email = [n for n in claim.notices if n.channel == AlertNotice.Channel.EMAIL]
    if push:
        _push(claim.alert, push, sender=sender or default_sender(), report=report, now=now)
    if email:
        _email(claim.alert, email, report=report, now=now)
    return report


def _push(
    alert: SafetyAlert,
    notices: list[AlertNotice],
    *,
    sender: PushSender | None,
    report: NoticeReport,
    now: dt.datetime,
) -> None:
    if sender is None:
        logger.error("VAPID_PRIVATE_KEY is not set: clinicians' alert notices go out by email only")
        alert_notices_close(notice_ids=[n.pk for n in notices], status=AlertNotice.Status.NO_DEVICE, now=now)
        report.no_device.extend(n.pk for n in notices)
        return
    devices: dict[int, list[PushSubscription]] = defaultdict(list)
    for subscription in (
        PushSubscription.objects.filter(user_id__in={n.clinician_id for n in notices})
        .only("pk", "user_id", "endpoint", "p256dh", "auth")
        .order_by("pk")
    ):
        devices[subscription.user_id].append(subscription)
    messages = [
        PushMessage(
            delivery_id=notice.pk,
            subscription_id=subscription.pk,
            endpoint=subscription.endpoint,
            p256dh=subscription.p256dh,
            auth=subscription.auth,
            payload=push_payload(alert=alert, notice_id=notice.pk),
            ttl=PUSH_TTL,
            urgency="high",
            topic=push_topic(alert.pk),
        )
        for notice in notices
        for subscription in devices[notice.clinician_id]
        if subscription.pk not in notice.pushed_to
    ]
    report.messages = len(messages)

    by_id = {n.pk: n for n in notices}
    outcomes: dict[int, list[PushResult]] = defaultdict(list)
    unwritten: list[PushResult] = []
    written_at = time.monotonic()
    groups = sender.send(messages, idle=RECORD_EVERY_SECONDS) if messages else iter(())
    for group in groups:
        unwritten.extend(group)
        for result in group:
            outcomes[result.message.delivery_id].append(result)
        # Written as they come: a worker killed now will not push these devices again.
        if unwritten and time.monotonic() - written_at >= RECORD_EVERY_SECONDS:
            _record(unwritten, by_id, now=now)
            unwritten, written_at = [], time.monotonic()
    _record(unwritten, by_id, now=now)

    sent: list[int] = []
    no_device: list[int] = []
    retry_after: list[float] = []
    for notice in notices:
        retry = [r for r in outcomes[notice.pk] if r.outcome == Outcome.RETRY]
        if retry:
            report.retry_ids.append(notice.pk)
            retry_after.extend(r.retry_after for r in retry if r.retry_after is not None)
        elif notice.pushed_to:
            sent.append(notice.pk)
        else:  # no device, or every one gone or refusing
            no_device.append(notice.pk)
    alert_notices_close(notice_ids=sent, status=AlertNotice.Status.SENT, now=now)
    alert_notices_close(notice_ids=no_device, status=AlertNotice.Status.NO_DEVICE, now=now)
    report.sent.extend(sent)
    report.no_device.extend(no_device)
    report.retry_after = max(retry_after) if retry_after else None


@transaction.atomic
def _record(group: list[PushResult], notices: dict[int, AlertNotice], *, now: dt.datetime) -> None:
    """Receipts on the notices, and the subscriptions' health, as the reminders keep it."""
    if not group:
        return
    accepted = [r.message for r in group if r.outcome == Outcome.ACCEPTED]
    changed = []
    for message in accepted:
        notice = notices[message.delivery_id]
        if message.subscription_id not in notice.pushed_to:
            notice.pushed_to = [*notice.pushed_to, message.subscription_id]
            changed.append(notice)
    if changed:
        AlertNotice.objects.bulk_update(list({n.pk: n for n in changed}.values()), ["pushed_to"])
        PushSubscription.objects.filter(pk__in={m.subscription_id for m in accepted}).update(
            last_success_at=now, failure_count=0
        )
    gone = {r.message.subscription_id for r in group if r.outcome == Outcome.GONE}
    if gone:
        PushSubscription.objects.filter(pk__in=gone).delete()
    failed = {r.message.subscription_id for r in group if r.outcome != Outcome.ACCEPTED} - gone
    if failed:
        PushSubscription.objects.filter(pk__in=failed).update(failure_count=F("failure_count") + 1)
    for result in group:
        if result.outcome in (Outcome.REJECTED, Outcome.REFUSED):
            # The endpoint is a secret capability: log its host, never the URL.
            logger.warning(
                "alert notice push to %s refused for subscription %s (notice %s): %s %s",
                urlsplit(result.message.endpoint).hostname,
                result.message.subscription_id,
                result.message.delivery_id,
                result.status or result.outcome,
                result.detail,
            )


def _email(alert: SafetyAlert, notices: list[AlertNotice], *, report: NoticeReport, now: dt.datetime) -> None:
    done: list[int] = []
    try:
        with get_connection(timeout=settings.EMAIL_TIMEOUT or 30) as connection:
            for notice in notices:
                connection.send_messages([email_message(alert=alert, clinician=notice.clinician)])
                done.append(notice.pk)
    except (OSError, smtplib.SMTPException):
        logger.warning("alert notice email failed; will retry", exc_info=True)
        report.retry_ids.extend(n.pk for n in notices if n.pk not in done)
    alert_notices_close(notice_ids=done, status=AlertNotice.Status.SENT, now=now)
    report.sent.extend(done)


# --- The sweep ------------------------------------------------------------------------------


@transaction.atomic
def alert_notices_sweep(*, enqueue: Enqueue, now: dt.datetime | None = None) -> list[int]:
    """Queue the recent open serious alerts whose notices nobody is sending: never made
    (the request could not reach the broker) or leased by a task that died. Returns the
    alert ids queued."""
    now = now or timezone.now()
    recent = SafetyAlert.objects.filter(
        level__in=SERIOUS,
        acknowledged_at__isnull=True,
        withdrawn_at__isnull=True,
        # An edit (a rise) counts from when it reached the server, not the check-in's date.
        checkin__updated_on_server__gte=now - SWEEP_WINDOW,
    )
    abandoned = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    # Left by a task that died, for an alert that no longer needs it: closed, not kept.
    AlertNotice.objects.filter(abandoned, status=AlertNotice.Status.PENDING).exclude(alert__in=recent).update(
        status=AlertNotice.Status.SKIPPED, lease_until=None
    )

    # Never made: the sweep makes them, queued ("" with a lease), so the next sweep
    # leaves them to the task it queues now.
    made = AlertNotice.objects.filter(alert_id=OuterRef("pk"), level=OuterRef("level"))
    linked = CareLink.objects.filter(patient_id=OuterRef("patient_id"), ended_at__isnull=True)
    unmade = list(
        recent.filter(Exists(linked))
        .exclude(Exists(made))
        .order_by("pk")
        .values_list("pk", "level", "patient_id")[:SWEEP_LIMIT]
    )
    until = now + lease()
    if unmade:
        clinicians: dict[int, list[int]] = defaultdict(list)
        for patient_id, clinician_id in CareLink.objects.filter(
            patient_id__in={patient_id for _, _, patient_id in unmade}, ended_at__isnull=True
        ).values_list("patient_id", "clinician_id"):
            clinicians[patient_id].append(clinician_id)
        AlertNotice.objects.bulk_create(
            [
                AlertNotice(
                    alert_id=alert_id,
                    clinician_id=clinician_id,
                    channel=channel,
                    level=level,
                    lease_until=until,
                )
                for alert_id, level, patient_id in unmade
                for clinician_id in clinicians[patient_id]
                for channel in CHANNELS
            ],
            ignore_conflicts=True,
        )

    # Abandoned: skip_locked, so a task claiming some right now is not waited for.
    stuck = list(
        AlertNotice.objects.filter(abandoned, status=AlertNotice.Status.PENDING, alert__in=recent)
        .select_for_update(skip_locked=True)
        .values_list("pk", "alert_id")[: SWEEP_LIMIT * 10]
    )
    if stuck:
        AlertNotice.objects.filter(pk__in=[pk for pk, _ in stuck]).update(claimed_by="", lease_until=until)

    alert_ids = sorted({alert_id for alert_id, _, _ in unmade} | {alert_id for _, alert_id in stuck})
    if alert_ids:
        logger.warning("alert notices: %d alerts queued again by the sweep", len(alert_ids))
        transaction.on_commit(partial(enqueue, alert_ids))
    return alert_ids
