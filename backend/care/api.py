from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts.timezones import local_today
from backend.caching.patient_lists import cached_overview
from backend.care import selectors, services
from backend.care.models import CareLink
from backend.care.permissions import IsClinicianWithMFA, IsPatient
from backend.care.serializers import (
    AccessLogSerializer,
    AlertSerializer,
    CareLinkSerializer,
    NoteSerializer,
    PatientRowSerializer,
    RedeemSerializer,
    ScopesSerializer,
    ShareCodeSerializer,
    render_access,
)
from backend.core.clientip import client_ip
from backend.core.fields import QuerySerializer
from backend.programs import selectors as plan_selectors
from backend.programs.days import PLAN_PARAMETERS, plan_response
from backend.programs.models import Prescription
from backend.programs.plan_changes import render_changes
from backend.programs.serializers import (
    PainRuleSerializer,
    PlanSerializer,
    PrescriptionRowSerializer,
    PrescriptionWriteSerializer,
    SetAsideRowSerializer,
    SetAsideWriteSerializer,
    render_pain_rule,
    render_prescription,
    render_set_aside,
)
from backend.tracker import selectors as tracker_selectors
from backend.tracker.entries import render_record
from backend.tracker.flares import render_flare, running
from backend.tracker.flares import render_history as render_flares
from backend.tracker.holds import render_history, render_hold
from backend.tracker.queries import RANGE_PARAMETERS, RangeQuerySerializer, SummaryQuerySerializer
from backend.tracker.responses import summary_response
from backend.tracker.serializers import (
    ClinicianLogsSerializer,
    JournalRecordSerializer,
    SafetyHoldReleasedSerializer,
    SummarySerializer,
)


def _ip(request: Request) -> str | None:
    return client_ip(request)


class ShareCodeView(APIView):
    """A patient makes a single-use code (24 h) to give to a clinician."""

    permission_classes = [IsPatient]

    @extend_schema(request=None, responses={201: ShareCodeSerializer})
    def post(self, request: Request) -> Response:
        code, share = services.share_code_create(patient=request.user)
        return Response(
            ShareCodeSerializer({"code": code, "expires_at": share.expires_at}).data,
            status=status.HTTP_201_CREATED,
        )


class LinksView(APIView):
    """My links. A clinician redeems a patient's code here (rate-limited)."""

    throttle_scope = "care_redeem"

    def get_permissions(self):
        if self.request.method == "POST" or getattr(self.request.user, "role", None) == "clinician":
            return [IsClinicianWithMFA()]
        return [IsAuthenticated()]

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses=CareLinkSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(CareLinkSerializer(selectors.active_links(user=request.user), many=True).data)

    @extend_schema(request=RedeemSerializer, responses={201: CareLinkSerializer})
    def post(self, request: Request) -> Response:
        payload = RedeemSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        link = services.care_link_redeem(clinician=request.user, code=payload.validated_data["code"])
        return Response(CareLinkSerializer(link).data, status=status.HTTP_201_CREATED)


class LinkDetailView(APIView):
    """The patient changes what a link shares; either side ends it, at once."""

    def _link(self, request: Request, pk: int) -> CareLink:
        for link in selectors.active_links(user=request.user):
            if link.pk == pk:
                return link
        raise Http404

    @extend_schema(request=ScopesSerializer, responses=CareLinkSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        link = self._link(request, pk)
        if link.patient_id != request.user.pk:
            raise Http404
        payload = ScopesSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        link = services.care_link_set_scopes(link=link, scopes=payload.validated_data["scopes"])
        return Response(CareLinkSerializer(link).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.care_link_end(link=self._link(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AccessLogView(APIView):
    """Which clinician read which of my data, and when (newest first)."""

    @extend_schema(responses=AccessLogSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response([render_access(entry) for entry in selectors.access_log(patient=request.user)])


# --- Clinician side -------------------------------------------------------------


class ClinicianView(APIView):
    permission_classes = [IsClinicianWithMFA]

    def link(self, request: Request, patient_id: int) -> CareLink:
        return selectors.linked_patient(clinician=request.user, patient_id=patient_id)

    def audit(self, request: Request, link: CareLink, what: str) -> None:
        """Record this read of the patient's data: call once the data is about to be served."""
        services.access_log_record(
            clinician=request.user, patient_ids=[link.patient_id], what=what, ip=_ip(request)
        )


class PatientsView(ClinicianView):
    """My linked patients, who needs attention first."""

    @extend_schema(responses=PatientRowSerializer(many=True))
    def get(self, request: Request) -> HttpResponse:
        clinician = request.user
        body, shown = cached_overview(
            clinician_id=clinician.pk,
            links=lambda: selectors.overview_links(clinician=clinician),
            compute=lambda links: selectors.overview(links=links),
        )
        services.access_log_record(
            clinician=clinician, patient_ids=shown, what="patient list", ip=_ip(request)
        )
        return HttpResponse(body, content_type="application/json")


class PatientView(ClinicianView):
    """One linked patient: profile, link and open alerts."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, patient_id: int) -> Response:
        link = self.link(request, patient_id)
        self.audit(request, link, "profile")
        patient = link.patient
        holds = selectors.safety_holds(patient=patient)
        flares, now = selectors.flares(patient=patient), timezone.now()
        return Response(
            {
                "id": patient.pk,
                "email": patient.email,
                "name": patient.name,
                "timezone": patient.timezone,
                "today": local_today(patient.timezone),
                "linked_since": link.created_at,
                "scopes": link.scopes,
                "open_alerts": AlertSerializer(
                    selectors.alerts(patient=patient, open_only=True), many=True
                ).data,
                # What the patient answered about their history (onboarding, Settings).
                "screening": patient.screening if "checkins" in link.scopes else None,
                "safety_hold": render_hold(next((h for h in holds if h.released_at is None), None)),
                "safety_holds": render_history(holds),
                # Flare-up mode: running now (or null), and the record of recent ones.
                "flare": render_flare(next((f for f in flares if running(f, now)), None)),
                "flares": render_flares(flares, now),
                # The care team's changes to the plan, and who made each (issue 16).
                "prescriptions": [
                    render_prescription(row) for row in plan_selectors.prescription_list(patient=patient)
                ],
                "exclusions": [
                    render_set_aside(row) for row in plan_selectors.set_aside_list(patient=patient)
                ],
                "pain_rule": render_pain_rule(plan_selectors.pain_rule_of(user=patient)),
                "plan_changes": render_changes(plan_selectors.plan_changes(patient=patient), request.user.pk),
            }
        )


class PatientSafetyHoldReleaseView(ClinicianView):
    """End the patient's safety hold: only with the ``prescribe`` scope the patient gave."""

    @extend_schema(request=None, responses=SafetyHoldReleasedSerializer)
    def post(self, request: Request, patient_id: int) -> Response:
        link = self.link(request, patient_id)
        if "prescribe" not in link.scopes:
            raise PermissionDenied(services.NO_PRESCRIBE)
        released = services.safety_hold_clear(link=link, clinician=request.user, ip=_ip(request))
        return Response({"released": released, "safety_hold": None})


class PatientSummaryView(ClinicianView):
    """The patient's progress summary, as the patient sees it."""

    @extend_schema(
        parameters=[OpenApiParameter("days", int, enum=[7, 28, 90], description="Default 7.")],
        responses=SummarySerializer,
    )
    def get(self, request: Request, patient_id: int) -> HttpResponse:
        query = SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        link = self.link(request, patient_id)
        self.audit(request, link, "summary")
        return summary_response(link.patient, query.validated_data["days"])


class PatientLogsView(ClinicianView):
    """The patient's session logs and check-ins by date range."""

    @extend_schema(parameters=RANGE_PARAMETERS, responses=ClinicianLogsSerializer)
    def get(self, request: Request, patient_id: int) -> Response:
        link = self.link(request, patient_id)
        query = RangeQuerySerializer(
            data=request.query_params, context={"today": local_today(link.patient.timezone)}
        )
        query.is_valid(raise_exception=True)
        self.audit(request, link, "logs")
        found = selectors.clinician_logs(link=link, **query.validated_data)
        return Response({name: [render_record(row) for row in rows] for name, rows in found.items()})


class PatientJournalView(ClinicianView):
    """The patient's journal, only when they chose to share it."""

    @extend_schema(parameters=RANGE_PARAMETERS, responses=JournalRecordSerializer(many=True))
    def get(self, request: Request, patient_id: int) -> Response:
        link = self.link(request, patient_id)
        if "journal" not in link.scopes:
            raise Http404
        query = RangeQuerySerializer(
            data=request.query_params, context={"today": local_today(link.patient.timezone)}
        )
        query.is_valid(raise_exception=True)
        self.audit(request, link, "journal")
        rows = tracker_selectors.journal_entries(user=link.patient, **query.validated_data)
        return Response([render_record(row) for row in rows])


class AlertQuerySerializer(QuerySerializer):
    state = serializers.ChoiceField(choices=["open", "all"], required=False, default="open")


class PatientAlertsView(ClinicianView):
    """The patient's red-flag alerts (open ones by default)."""

    @extend_schema(
        parameters=[OpenApiParameter("state", str, enum=["open", "all"], description="Default open.")],
        responses=AlertSerializer(many=True),
    )
    def get(self, request: Request, patient_id: int) -> Response:
        query = AlertQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        link = self.link(request, patient_id)
        self.audit(request, link, "alerts")
        found = selectors.alerts(patient=link.patient, open_only=query.validated_data["state"] == "open")
        return Response(AlertSerializer(found, many=True).data)


class AlertAcknowledgeView(ClinicianView):
    """I have seen this alert and acted on it."""

    @extend_schema(request=None, responses=AlertSerializer)
    def post(self, request: Request, patient_id: int, alert_id: int) -> Response:
        link = self.link(request, patient_id)
        alert = selectors.alerts(patient=link.patient, open_only=False).filter(pk=alert_id).first()
        if alert is None:
            raise Http404
        alert = services.safety_alert_acknowledge(alert=alert, clinician=request.user, ip=_ip(request))
        return Response(AlertSerializer(alert).data)


class NotesView(ClinicianView):
    """My private notes on a patient (never shown to the patient or other clinicians)."""

    @extend_schema(responses=NoteSerializer(many=True))
    def get(self, request: Request, patient_id: int) -> Response:
        link = self.link(request, patient_id)
        return Response(
            NoteSerializer(selectors.notes(clinician=request.user, patient=link.patient), many=True).data
        )

    @extend_schema(request=NoteSerializer, responses={201: NoteSerializer})
    def post(self, request: Request, patient_id: int) -> Response:
        link = self.link(request, patient_id)
        payload = NoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        note = services.clinician_note_create(
            clinician=request.user, patient=link.patient, text=payload.validated_data["text"]
        )
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class NoteDetailView(ClinicianView):
    def _note(self, request: Request, patient_id: int, note_id: int):
        link = self.link(request, patient_id)
        note = selectors.notes(clinician=request.user, patient=link.patient).filter(pk=note_id).first()
        if note is None:
            raise Http404
        return note

    @extend_schema(request=NoteSerializer, responses=NoteSerializer)
    def patch(self, request: Request, patient_id: int, note_id: int) -> Response:
        note = self._note(request, patient_id, note_id)
        payload = NoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        note = services.clinician_note_update(note=note, text=payload.validated_data["text"])
        return Response(NoteSerializer(note).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, patient_id: int, note_id: int) -> Response:
        services.clinician_note_delete(note=self._note(request, patient_id, note_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Prescribing (issue 16): reads need a link, writes its ``prescribe`` scope ---------


class PatientPlanView(ClinicianView):
    """The patient's plan as they see it (``/api/v1/plan/``): programs, prescriptions and
    what is set aside, within their daily minutes."""

    @extend_schema(parameters=PLAN_PARAMETERS, responses=PlanSerializer)
    def get(self, request: Request, patient_id: int) -> Response:
        link = self.link(request, patient_id)
        response = plan_response(link.patient, request.query_params)
        self.audit(request, link, "plan")
        return response


class PrescriptionsView(ClinicianView):
    """The exercises I set for this patient (GET: any linked clinician; POST: with the
    patient's ``prescribe`` scope)."""

    @extend_schema(responses=PrescriptionRowSerializer(many=True))
    def get(self, request: Request, patient_id: int) -> Response:
        link = self.link(request, patient_id)
        rows = [render_prescription(row) for row in plan_selectors.prescription_list(patient=link.patient)]
        self.audit(request, link, "prescriptions")
        return Response(rows)

    @extend_schema(request=PrescriptionWriteSerializer, responses={201: PrescriptionRowSerializer})
    def post(self, request: Request, patient_id: int) -> Response:
        link = self.link(request, patient_id)
        services.require_prescribe(link)
        body = PrescriptionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = services.prescription_add(
            link=link, clinician=request.user, ip=_ip(request), **body.validated_data
        )
        return Response(render_prescription(created), status=status.HTTP_201_CREATED)


class PrescriptionView(ClinicianView):
    """Change a prescription's dose, time, days or note; DELETE ends it from today (the
    program item returns to its program's dose; the history keeps it)."""

    def _found(self, request: Request, patient_id: int, pk: int) -> tuple[CareLink, Prescription]:
        link = self.link(request, patient_id)
        services.require_prescribe(link)
        found = plan_selectors.prescription_list(patient=link.patient).filter(pk=pk).first()
        if found is None:
            raise Http404
        return link, found

    @extend_schema(request=PrescriptionWriteSerializer, responses=PrescriptionRowSerializer)
    def patch(self, request: Request, patient_id: int, pk: int) -> Response:
        link, found = self._found(request, patient_id, pk)
        body = PrescriptionWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changed = services.prescription_change(
            link=link, clinician=request.user, row=found, ip=_ip(request), **body.validated_data
        )
        return Response(render_prescription(changed))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, patient_id: int, pk: int) -> Response:
        link, found = self._found(request, patient_id, pk)
        services.prescription_remove(link=link, clinician=request.user, prescription=found, ip=_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PainRuleView(ClinicianView):
    """The pain limits the patient's progression follows (PUT: with ``prescribe``; the
    limits left out stay as they are)."""

    @extend_schema(responses=PainRuleSerializer)
    def get(self, request: Request, patient_id: int) -> Response:
        link = self.link(request, patient_id)
        rule = render_pain_rule(plan_selectors.pain_rule_of(user=link.patient))
        self.audit(request, link, "pain rule")
        return Response(rule)

    @extend_schema(request=PainRuleSerializer, responses=PainRuleSerializer)
    def put(self, request: Request, patient_id: int) -> Response:
        link = self.link(request, patient_id)
        services.require_prescribe(link)
        body = PainRuleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rule = services.pain_rule_change(
            link=link, clinician=request.user, ip=_ip(request), **body.validated_data
        )
        return Response(render_pain_rule(rule))


class ExclusionsView(ClinicianView):
    """Exercises set aside from the patient's plan, by them or their care team (POST:
    with ``prescribe``)."""

    @extend_schema(responses=SetAsideRowSerializer(many=True))
    def get(self, request: Request, patient_id: int) -> Response:
        link = self.link(request, patient_id)
        rows = [render_set_aside(row) for row in plan_selectors.set_aside_list(patient=link.patient)]
        self.audit(request, link, "exclusions")
        return Response(rows)

    @extend_schema(
        request=SetAsideWriteSerializer,
        responses={200: SetAsideRowSerializer, 201: SetAsideRowSerializer},
        description="201 when set aside now; 200 with the row when it already was.",
    )
    def post(self, request: Request, patient_id: int) -> Response:
        link = self.link(request, patient_id)
        services.require_prescribe(link)
        body = SetAsideWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row, created = services.exclusion_add(
            link=link, clinician=request.user, ip=_ip(request), **body.validated_data
        )
        return Response(render_set_aside(row), status=201 if created else 200)


class ExclusionView(ClinicianView):
    """Bring back an exercise a clinician set aside (what the patient set aside, only
    they can bring back: 403)."""

    @extend_schema(responses={204: None})
    def delete(self, request: Request, patient_id: int, slug: str) -> Response:
        link = self.link(request, patient_id)
        services.require_prescribe(link)
        services.exclusion_remove(link=link, clinician=request.user, exercise=slug, ip=_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
