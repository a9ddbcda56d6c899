"""``GET /api/v1/me/report/`` and ``GET /api/v1/care/patients/{id}/report/``: the visit
report as a PDF, at once for a short window, else ``202`` and a poll URL that answers
``202`` until the PDF is made, then the PDF (``docs/plans/issue-18/contract.md``)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.care import selectors as care_selectors
from backend.care import services as care_services
from backend.care.models import CareLink
from backend.care.permissions import IsClinicianWithMFA
from backend.core.clientip import client_ip
from backend.core.fields import QuerySerializer
from backend.reports import services, tasks
from backend.reports.data import WINDOWS
from backend.reports.models import ReportFile

# What a report shows (sessions, check-ins and what follows from them) is what these
# scopes share; a link always has them, but one without them gets no report.
NEEDED_SCOPES = ("logs", "checkins")
FAILED = "The report could not be made. Please try again in a moment."


class ReportQuerySerializer(QuerySerializer):
    days = serializers.ChoiceField(
        choices=list(WINDOWS),
        required=False,
        default=WINDOWS[0],
        error_messages={"invalid_choice": "days must be 28 or 90."},
    )

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        values["days"] = int(values["days"])
        return values


class ReportPendingSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["pending"])
    poll = serializers.CharField(help_text="The path to GET until it answers the PDF (200).")


class ReportFailedSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["failed"])
    detail = serializers.CharField()


PDF = OpenApiResponse(
    OpenApiTypes.BINARY,
    description='The report (Content-Disposition: attachment; filename="backtrack-report-<date>.pdf").',
)
RESPONSES = {
    (200, "application/pdf"): PDF,
    202: OpenApiResponse(ReportPendingSerializer, description="Being made: poll the URL."),
}
DAYS_PARAMETER = OpenApiParameter(
    "days", int, enum=list(WINDOWS), description="Window ending today; default 28."
)


def _days(request: Request) -> int:
    query = ReportQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["days"]


def _pdf(pdf: bytes, end: dt.date) -> HttpResponse:
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="backtrack-report-{end.isoformat()}.pdf"'
    # Health data: never kept by a browser's or a proxy's cache.
    response["Cache-Control"] = "no-store"
    return response


def _pending(report: ReportFile) -> Response:
    # A path, not an absolute URL: behind a proxy that ends TLS, an absolute one could
    # say http:// to a page served over https.
    poll = reverse("api:report-file", kwargs={"pk": report.pk})
    return Response({"status": "pending", "poll": poll}, status=202)


def _ip(request: Request) -> str | None:
    return client_ip(request)


def _audit(request: Request, patient_id: int) -> None:
    care_services.access_log_record(
        clinician=request.user, patient_ids=[patient_id], what="report", ip=_ip(request)
    )


def _serve(request: Request, *, patient: User, days: int, link: CareLink | None) -> HttpResponse:
    if not services.runs_in_background(days):
        today = local_today(patient.timezone)  # the window's last day, and the file's name
        pdf = services.report_render(patient=patient, days=days, today=today)
        if link is not None:
            _audit(request, patient.pk)
        return _pdf(pdf, today)
    report, new = services.report_file_request(requester=request.user, patient=patient, days=days)
    if new and not tasks.report_queue(str(report.pk)):
        services.report_file_make(report_id=report.pk)
        return _answer(request, report.pk)
    return _pending(report)


class MyReportView(APIView):
    """My visit report, to bring to an appointment."""

    throttle_scope = "report"
    throttle_classes = [ScopedRateThrottle]

    @extend_schema(parameters=[DAYS_PARAMETER], responses=RESPONSES)
    def get(self, request: Request) -> HttpResponse:
        return _serve(request, patient=request.user, days=_days(request), link=None)


class PatientReportView(APIView):
    """A linked patient's visit report; every download is in the patient's access log."""

    permission_classes = [IsClinicianWithMFA]
    throttle_scope = "report"
    throttle_classes = [ScopedRateThrottle]

    @extend_schema(parameters=[DAYS_PARAMETER], responses=RESPONSES)
    def get(self, request: Request, patient_id: int) -> HttpResponse:
        days = _days(request)
        link = care_selectors.linked_patient(clinician=request.user, patient_id=patient_id)
        if not set(NEEDED_SCOPES) <= set(link.scopes):
            raise Http404
        return _serve(request, patient=link.patient, days=days, link=link)


class ReportFileView(APIView):
    """A report being made for me: 202 until it is ready, then the PDF (404 to anyone
    else, and once it has been kept its time)."""

    def get_permissions(self):
        if getattr(self.request.user, "role", None) == User.Role.CLINICIAN:
            return [IsClinicianWithMFA()]
        return super().get_permissions()

    @extend_schema(
        operation_id="me_report_file_retrieve",
        responses={
            **RESPONSES,
            503: OpenApiResponse(ReportFailedSerializer, description="It could not be made: ask again."),
        },
    )
    def get(self, request: Request, pk: uuid.UUID) -> HttpResponse:
        return _answer(request, pk)


def _answer(request: Request, pk: uuid.UUID) -> HttpResponse:
    report = services.report_file_fetch(requester=request.user, report_id=pk)
    if report is None:
        raise Http404
    if report.patient_id != request.user.pk:
        # A clinician's: only while the link (and what it shares) still stands.
        link = care_selectors.linked_patient(clinician=request.user, patient_id=report.patient_id)
        if not set(NEEDED_SCOPES) <= set(link.scopes):
            raise Http404
    if report.status == ReportFile.Status.PENDING:
        return _pending(report)
    if report.status == ReportFile.Status.FAILED:
        return Response({"status": "failed", "detail": FAILED}, status=503)
    if report.patient_id != request.user.pk:
        _audit(request, report.patient_id)
    return _pdf(report.pdf, report.end)
