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
