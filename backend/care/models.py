"""Consented sharing between a patient and a clinician, and the record of every read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

DEFAULT_SCOPES = ["logs", "checkins"]
# prescribe (off unless the patient turns it on): release a safety hold, and (issue 16)
# manage prescriptions.
SCOPES = ("logs", "checkins", "journal", "prescribe")


class ShareCode(models.Model):
    """A single-use code a patient gives a clinician. Only its hash is stored."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"share code of {self.patient_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class CareLink(models.Model):
    """Consent for one clinician to read one patient's data, until either side ends it."""

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_links")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient_links"
    )
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "clinician"],
                condition=Q(ended_at__isnull=True),
                name="carelink_one_active_per_pair",
            ),
            models.CheckConstraint(condition=~Q(patient=models.F("clinician")), name="carelink_not_self"),
        ]
        indexes = [
            models.Index(
                fields=["clinician"], condition=Q(ended_at__isnull=True), name="carelink_active_by_clinician"
            ),
            models.Index(
                fields=["patient"], condition=Q(ended_at__isnull=True), name="carelink_active_by_patient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinician_id} -> {self.patient_id}"


class AccessLogEntry(models.Model):
    """One clinician read of one patient's data."""

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_log")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept so the patient still sees who read their data if the clinician account goes.
    clinician_email = models.EmailField()
    what = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "-at"], name="accesslog_patient_at")]

    def __str__(self) -> str:
        return f"{self.clinician_email} read {self.what} of {self.patient_id}"


class ClinicianNote(models.Model):
    """A clinician's private note about a patient: never shown to the patient or others."""

    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["clinician", "patient", "-created_at"], name="note_clinician_patient")
        ]

    def __str__(self) -> str:
        return f"note by {self.clinician_id} on {self.patient_id}"


class AlertNotice(models.Model):
    """One clinician told of one safety alert at one level, by push or by email.

    Unique per (alert, clinician, channel, level): a rerun, a redelivered task or the
    sweep finds the row and sends nothing twice; an alert that rises (urgent to
    emergency) is a new level, so a new notice. A task claims pending rows (a lease:
    ``claimed_by`` until ``lease_until``) before it sends and closes them after; the
    sweep (``backend/care/notify.py``) queues again the rows whose lease ran out.
    """

    class Channel(models.TextChoices):
        PUSH = "push", "Web Push"
        EMAIL = "email", "Email"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        NO_DEVICE = "no_device", "No push subscription took it"
        SKIPPED = "skipped", "Not needed any more (alert closed or link ended)"
        FAILED = "failed", "Gave up after retries"

    alert = models.ForeignKey("tracker.SafetyAlert", on_delete=models.CASCADE, related_name="+")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    level = models.CharField(max_length=16)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    # "" with a lease: queued, for whichever task comes first; a task id: that task's.
    claimed_by = models.CharField(max_length=64, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Push: the subscriptions that accepted it, so a retry sends only to the others.
    pushed_to = models.JSONField(default=list, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "clinician", "channel", "level"], name="alertnotice_once_per_level"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["push", "email"]), name="alertnotice_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="alertnotice_sent_has_sent_at",
            ),
        ]
        indexes = [
            models.Index(fields=["lease_until"], condition=Q(status="pending"), name="alertnotice_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} notice of alert {self.alert_id} ({self.level}) to {self.clinician_id}"
