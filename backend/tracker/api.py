from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts.services import user_screening_set
from backend.accounts.timezones import local_today
from backend.programs.sources import render_sources
from backend.tracker import selectors, services
from backend.tracker.entries import parse_cursor, render_entry, render_record
from backend.tracker.flares import (
    check_in_due,
    flare_check_in,
    flare_end,
    flare_start,
    open_flare,
    render_check_in_due,
    render_flare,
)
from backend.tracker.holds import open_hold, render_hold, safety_hold_release
from backend.tracker.queries import RANGE_PARAMETERS, RangeQuerySerializer, SummaryQuerySerializer
from backend.tracker.responses import summary_response
from backend.tracker.safety import safety_answer, safety_rules
from backend.tracker.serializers import (
    CheckInRecordSerializer,
    FactorSerializer,
    FlareCheckedInSerializer,
    FlareCheckInSerializer,
    FlareSerializer,
    FlareStartSerializer,
    JournalRecordSerializer,
    ProfileSerializer,
    SafetyHoldReleasedSerializer,
    SafetyHoldReleaseSerializer,
    SafetySerializer,
    ScreeningSerializer,
    SessionLogRecordSerializer,
    SummarySerializer,
    SyncChangesSerializer,
    SyncQuerySerializer,
    SyncRequestSerializer,
    SyncResponseSerializer,
    validate_entries,
)

MAX_BATCH_BYTES = 1_000_000


def _too_large() -> Response:
    return Response({"detail": "A sync batch can be at most 1 MB. Send fewer entries at a time."}, status=413)


class SyncView(APIView):
    """Offline sync: push a batch of entries, pull what changed since a cursor."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "sync"

    @extend_schema(
        request=SyncRequestSerializer,
        responses={200: SyncResponseSerializer, 413: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > MAX_BATCH_BYTES:
            return _too_large()
        try:
            if len(request.body) > MAX_BATCH_BYTES:
                return _too_large()
        except RequestDataTooBig:
            return _too_large()
        except RawPostDataException:
            pass
        envelope = SyncRequestSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        checked = validate_entries(
            envelope.validated_data["entries"], today=local_today(request.user.timezone), now=timezone.now()
        )
        outcome = services.sync_apply(
            user=request.user, entries=checked, cursor=envelope.validated_data.get("cursor")
        )
        return Response({"results": outcome.results, "cursor": outcome.cursor})

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "cursor", str, description="From a previous answer; empty or absent: from the start."
            ),
            OpenApiParameter("limit", int, description="At most this many entries (1-1000, default 500)."),
        ],
        responses=SyncChangesSerializer,
    )
    def get(self, request: Request) -> Response:
        query = SyncQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after = parse_cursor(query.validated_data.get("cursor"))
        if after is None:
            raise serializers.ValidationError({"cursor": ["This cursor was not given by the server."]})
        rows, cursor, has_more = selectors.sync_changes(
            user=request.user, after=after, limit=query.validated_data["limit"]
        )
        return Response(
            {"entries": [render_entry(row) for row in rows], "cursor": str(cursor), "has_more": has_more}
        )


class SafetyRulesView(APIView):
    """The red-flag questions and the level each triggers: one source for server and PWA."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        rules = safety_rules()
        return Response(
            {
                "levels": [
                    {"level": level.level, "title": level.title, "message": level.message}
                    for level in rules.levels.values()
                ],
                "rules": [
                    {
                        "id": r.id,
                        "level": r.level,
                        "question": r.question,
                        "asked": r.asked,
                        "sources": render_sources(r.sources),
                    }
                    for r in rules.rules.values()
                ],
            }
        )


class ScreeningView(APIView):
    """The person's history answers (the safety rules asked once: at onboarding, and in
    Settings), and what they mean, shown here once rather than with every check-in."""

    @extend_schema(request=ScreeningSerializer, responses=SafetySerializer)
    def put(self, request: Request) -> Response:
        serializer = ScreeningSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answers = serializer.validated_data["answers"]
        user = user_screening_set(user=request.user, answers=answers)
        level = safety_rules().evaluate(rule_id for rule_id, yes in answers.items() if yes).level
        return Response(safety_answer(level, country=user.effective_country))


class HistoryView(APIView):
    selector = staticmethod(selectors.session_logs)

    @extend_schema(parameters=RANGE_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        query = RangeQuerySerializer(
            data=request.query_params, context={"today": local_today(request.user.timezone)}
        )
        query.is_valid(raise_exception=True)
        rows = self.selector(user=request.user, **query.validated_data)
        return Response([render_record(row) for row in rows])


@extend_schema_view(
    get=extend_schema(parameters=RANGE_PARAMETERS, responses=SessionLogRecordSerializer(many=True))
)
class SessionLogsView(HistoryView):
    """Session logs (done or skipped plan items) by local date range."""

    selector = staticmethod(selectors.session_logs)


@extend_schema_view(
    get=extend_schema(parameters=RANGE_PARAMETERS, responses=CheckInRecordSerializer(many=True))
)
class CheckInsView(HistoryView):
    """Check-ins (pain, stress, sleep, red flags) by local date range."""

    selector = staticmethod(selectors.checkins)


@extend_schema_view(
    get=extend_schema(parameters=RANGE_PARAMETERS, responses=JournalRecordSerializer(many=True))
)
class JournalView(HistoryView):
    """Journal entries by local date range."""

    selector = staticmethod(selectors.journal_entries)


class FactorsView(APIView):
    """What may weigh on a day, for the check-in: the built-in factors, then the caller's own labels."""

    @extend_schema(responses=FactorSerializer(many=True))
    def get(self, request: Request) -> Response:
        today = local_today(request.user.timezone)
        return Response(selectors.factor_choices(user=request.user, today=today))


class SummaryView(APIView):
    """Adherence, streaks, the daily series, weekly averages and stress-pain insights."""

    @extend_schema(
        parameters=[
            OpenApiParameter("days", int, enum=[7, 28, 90], description="Window ending today; default 7.")
        ],
        responses=SummarySerializer,
    )
    def get(self, request: Request) -> HttpResponse:
        query = SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return summary_response(request.user, query.validated_data["days"])


class SafetyHoldOnProfile:
    """Mixed into ``/api/v1/me/`` (``backend/urls.py``): the profile carries the open
    safety hold and the running flare, so every device shows them, whichever started
    them."""

    @extend_schema(responses=ProfileSerializer)
    def get(self, request: Request) -> Response:
        return self._with_hold(request, super().get(request))  # type: ignore[misc]

    @extend_schema(request=ProfileSerializer, responses=ProfileSerializer)
    def patch(self, request: Request) -> Response:
        return self._with_hold(request, super().patch(request))  # type: ignore[misc]

    @staticmethod
    def _with_hold(request: Request, response: Response) -> Response:
        if response.status_code == 200 and isinstance(response.data, dict):
            response.data["safety_hold"] = render_hold(open_hold(request.user.pk))
            response.data["flare"] = render_flare(open_flare(request.user.pk))
            response.data["flare_check_in"] = render_check_in_due(check_in_due(request.user.pk))
        return response


class FlareView(APIView):
    """Flare-up mode ("my back is bad today"): 48 hours of the short flare plan, the
    days not due. Starting while one runs answers the running one (phones retry);
    ending is idempotent."""

    @extend_schema(
        request=FlareStartSerializer,
        responses={200: FlareSerializer, 201: FlareSerializer},
        description="201 with the new flare; 200 with the running one if a flare already runs.",
    )
    def post(self, request: Request) -> Response:
        body = FlareStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        flare, created = flare_start(user=request.user, started_at=body.validated_data.get("started_at"))
        return Response(render_flare(flare), status=201 if created else 200)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        flare_end(user=request.user)
        return Response(status=204)


# What to do after the end-of-flare check-in, by answer. From GUIDANCE.md: stay active
# [S1, S3]; pain that persists or worsens despite self-care: see a physiotherapist or
# doctor [S1, S2, S4]; the spinal red flags clinicians screen for need urgent help.
AFTER_FLARE = {
    "better": "Good to hear. Your usual plan is back, one step easier for now, and it builds up again "
    "from there.",
    "same": "Your usual plan is back, one step easier. Go gently and stop anything that makes the pain "
    "sharper. If it is no better in a few days, book a visit with your doctor or physiotherapist.",
    "worse": "Please get your back checked by a doctor or physiotherapist soon. Your usual plan is back, "
    "one step easier: only do what feels comfortable. If you have new weakness in a leg, numbness "
    "between your legs, or trouble controlling your bladder or bowels, get urgent help now.",
}


class FlareCheckInView(APIView):
    """The check-in at the end of a flare: "How is your back now?". The usual plan
    resumes a week easier whatever the answer; answering ends a flare that still runs."""

    @extend_schema(request=FlareCheckInSerializer, responses=FlareCheckedInSerializer)
    def post(self, request: Request) -> Response:
        body = FlareCheckInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        feeling = body.validated_data["feeling"]
        flare_check_in(user=request.user, feeling=feeling)
        return Response(
            {"resumed": True, "step_back": True, "feeling": feeling, "message": AFTER_FLARE[feeling]}
        )


class SafetyHoldReleaseView(APIView):
    """End my safety hold: I have been seen, or the answer was a mistake. Recorded."""

    @extend_schema(request=SafetyHoldReleaseSerializer, responses=SafetyHoldReleasedSerializer)
    def post(self, request: Request) -> Response:
        body = SafetyHoldReleaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        released, still = safety_hold_release(
            patient=request.user,
            reason=body.validated_data["reason"],
            by=request.user,
            check_in=body.validated_data.get("check_in"),
        )
        return Response({"released": released, "safety_hold": render_hold(still)})
