"""A report being rendered in the background, and the PDF once it is made."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReportFile(models.Model):
    """A visit report asked for by ``requester`` (the patient, or a linked clinician),
    of ``patient``'s ``days`` local dates ending ``end``. Its id is the poll URL's, and
    only the requester may fetch it. Kept for ``REPORT_KEEP_MINUTES``, then deleted:
    the PDF is health data, and making it again is cheap."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be made"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    days = models.PositiveSmallIntegerField()
    end = models.DateField(help_text="The window's last local date (the patient's today when asked).")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    pdf = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(days__in=[28, 90]), name="reportfile_days_valid"),
            models.CheckConstraint(
                condition=~Q(status="ready") | Q(pdf__isnull=False), name="reportfile_ready_has_pdf"
            ),
        ]
        indexes = [
            models.Index(fields=["requester", "patient", "days", "end"], name="reportfile_request"),
            models.Index(fields=["created_at"], name="reportfile_created"),
        ]

    def __str__(self) -> str:
        return f"{self.days}-day report of {self.patient_id} for {self.requester_id} ({self.status})"
