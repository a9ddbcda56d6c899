"""Making a visit report: at once (a short window), or in a Celery task that stores the
PDF for its requester to fetch (``models.ReportFile``)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.reports.data import report_data
from backend.reports.models import ReportFile
from backend.reports.pdf import render

logger = logging.getLogger(__name__)


def report_render(*, patient: User, days: int, today: dt.date | None = None) -> bytes:
    """The PDF of ``patient``'s report over the ``days`` ending ``today`` (their own)."""
    return render(report_data(user=patient, days=days, today=today))


def runs_in_background(days: int) -> bool:
    return days > settings.REPORT_SYNC_MAX_DAYS


def _keep() -> dt.timedelta:
    return dt.timedelta(minutes=settings.REPORT_KEEP_MINUTES)


@transaction.atomic
def report_file_request(*, requester: User, patient: User, days: int) -> tuple[ReportFile, bool]:
    """A report of ``patient`` for ``requester`` to be made in the background, and
    whether it is new: asking again while one is being made (a second tap, a reload)
    gives the same one, so it is made once. Reports kept past their time go now."""
    _purge()
    end = local_today(patient.timezone)
    waiting = (
        ReportFile.objects.filter(
            requester=requester, patient=patient, days=days, end=end, status=ReportFile.Status.PENDING
        )
        .only("id", "status")
        .first()
    )
    if waiting is not None:
        return waiting, False
    return ReportFile.objects.create(requester=requester, patient=patient, days=days, end=end), True


def _purge() -> None:
    """Delete the reports kept past their time (fetched or not)."""
    ReportFile.objects.filter(created_at__lt=timezone.now() - _keep()).delete()


def report_file_make(*, report_id: uuid.UUID | str) -> str:
    """Render a pending report and store its PDF; what it found (the task's result).
    Idempotent: a report already made, or deleted meanwhile, is left alone."""
    report = (
        ReportFile.objects.filter(pk=report_id, status=ReportFile.Status.PENDING)
        .select_related("patient")
        .defer("pdf")
        .first()
    )
    if report is None:
        return "gone"
    try:
        pdf = report_render(patient=report.patient, days=report.days, today=report.end)
    except Exception:
        logger.exception("report %s could not be made", report_id)
        ReportFile.objects.filter(pk=report.pk, status=ReportFile.Status.PENDING).update(
            status=ReportFile.Status.FAILED, finished_at=timezone.now()
        )
        return "failed"
    ReportFile.objects.filter(pk=report.pk, status=ReportFile.Status.PENDING).update(
        status=ReportFile.Status.READY, pdf=pdf, finished_at=timezone.now()
    )
    _purge()
    return "ready"


def report_file_fetch(*, requester: User, report_id: uuid.UUID) -> ReportFile | None:
    """The requester's report (with its PDF once made), unless it is someone else's or
    was kept past its time."""
    return ReportFile.objects.filter(
        pk=report_id, requester=requester, created_at__gte=timezone.now() - _keep()
    ).first()
