"""Downloads of a person's data: their own, and a linked clinician's of a patient."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.serializers import EraseSerializer
from backend.care import selectors as care_selectors
from backend.care import services as care_services
from backend.care.permissions import IsClinicianWithMFA
from backend.core.clientip import client_ip
from backend.core.fields import QuerySerializer
from backend.privacy import export
from backend.privacy.services import account_erase
from backend.programs.selectors import enrollment_list
from backend.tracker import selectors as tracker_selectors

FORMAT_PARAMETER = OpenApiParameter("format", str, enum=["json", "csv", "fhir"], description="Default json.")


class ExportQuerySerializer(QuerySerializer):
    format = serializers.ChoiceField(
        choices=["json", "csv", "fhir"],
        required=False,
        default="json",
        error_messages={"invalid_choice": "format must be json, csv or fhir."},
    )


def _format(request: Request) -> str:
    query = ExportQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["format"]


class AccountErasure:
    """``DELETE /api/v1/me/``: a mixin the project's URLconf joins to the profile view
    (``backend/urls.py``), so the profile stays the accounts app's and erasure this one's."""

    @extend_schema(request=EraseSerializer, responses={204: None})
    def delete(self, request: Request) -> Response:
        """Erase my account and all its data; the password confirms it is me."""
        payload = EraseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        account_erase(
            user=request.user, password=payload.validated_data["password"], request=request._request
        )
        return Response(status=204)


class ExportView(APIView):
    """Everything of mine, to keep or to take elsewhere."""

    @extend_schema(
        parameters=[FORMAT_PARAMETER],
        responses={200: OpenApiResponse(description="JSON document, CSV file or FHIR R4 Bundle.")},
    )
    def get(self, request: Request) -> HttpResponse:
        fmt = _format(request)
        user = request.user
        document = export.collect(
            user,
            logs=list(tracker_selectors.session_logs(user=user)),
            checkins=list(tracker_selectors.checkins(user=user)),
            journal=list(tracker_selectors.journal_entries(user=user)),
            enrollments=list(enrollment_list(user=user)),
            extra={
                **export.own_settings(user),
                **export.lessons_section(tracker_selectors.lesson_reads(user=user)),
                **export.questionnaires_section(tracker_selectors.questionnaire_answers(user=user)),
            },
        )
        return export.export_response(subject=user, document=document, fmt=fmt, stem="backtrack")


class PatientExportView(APIView):
    """One linked patient's data as CSV, FHIR R4 or JSON (the journal only if shared)."""

    permission_classes = [IsClinicianWithMFA]

    @extend_schema(
        parameters=[FORMAT_PARAMETER],
        responses={200: OpenApiResponse(description="CSV file, FHIR R4 Bundle or JSON document.")},
    )
    def get(self, request: Request, patient_id: int) -> HttpResponse:
        fmt = _format(request)
        link = care_selectors.linked_patient(clinician=request.user, patient_id=patient_id)
        care_services.access_log_record(
            clinician=request.user,
            patient_ids=[link.patient_id],
            what=f"export ({fmt})",
            ip=client_ip(request),
        )
        patient = link.patient
        document = export.collect(
            patient,
            logs=list(tracker_selectors.session_logs(user=patient)) if "logs" in link.scopes else [],
            checkins=list(tracker_selectors.checkins(user=patient)) if "checkins" in link.scopes else [],
            journal=list(tracker_selectors.journal_entries(user=patient))
            if "journal" in link.scopes
            else None,
            enrollments=list(enrollment_list(user=patient)),
            # Questionnaire scores are reports of how the person is, like check-ins.
            extra=export.questionnaires_section(tracker_selectors.questionnaire_answers(user=patient))
            if "checkins" in link.scopes
            else None,
        )
        return export.export_response(
            subject=patient, document=document, fmt=fmt, stem=f"patient-{patient.pk}"
        )
