from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.http.request import RawPostDataException
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts.timezones import local_today
from backend.care.selectors import access_log, active_links
from backend.fields import CalendarDateField, QuerySerializer
from backend.programs.selectors import enrollment_list
from backend.reminders.selectors import push_subscription_list, reminder_rule_list
from backend.reminders.serializers import ReminderRuleSerializer
from backend.tracker import export, selectors, services
from backend.tracker.safety import safety_rules
from backend.tracker.serializers import (
    CheckInRecordSerializer,
    JournalRecordSerializer,
    SessionLogRecordSerializer,
    SyncChangesSerializer,
    SyncQuerySerializer,
    SyncRequestSerializer,
    SyncResponseSerializer,
    parse_cursor,
    render_entry,
    render_record,
)
from backend.user_cache import cached

MAX_BATCH_BYTES = 1_000_000
MAX_RANGE_DAYS = 366


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
        outcome = services.sync_apply(
            user=request.user,
            entries=envelope.validated_data["entries"],
            cursor=envelope.validated_data.get("cursor"),
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
                    {"id": r.id, "level": r.level, "question": r.question} for r in rules.rules.values()
                ],
            }
        )


class RangeQuerySerializer(QuerySerializer):
    to = CalendarDateField(required=False, help_text="Last local date (default: today).")

    def get_fields(self) -> dict:
        fields = super().get_fields()
        # "from" is a Python keyword, so it cannot be a class attribute.
        fields["from"] = CalendarDateField(
            required=False, help_text="First local date (default: 27 days before 'to')."
        )
        return fields

    def validate(self, attrs: dict) -> dict:
        end = attrs.get("to") or self.context["today"]
        start = attrs.get("from") or end - dt.timedelta(days=27)
        if start > end:
            raise serializers.ValidationError({"from": ["'from' must not be after 'to'."]})
        if (end - start).days >= MAX_RANGE_DAYS:
            raise serializers.ValidationError({"from": [f"Ask for at most {MAX_RANGE_DAYS} days at a time."]})
        return {"start": start, "end": end}


RANGE_PARAMETERS = [
    OpenApiParameter("from", str, description="YYYY-MM-DD, default 27 days before 'to'."),
    OpenApiParameter("to", str, description="YYYY-MM-DD, default today (local)."),
]


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


class SummaryQuerySerializer(QuerySerializer):
    days = serializers.ChoiceField(
        choices=[7, 28, 90],
        required=False,
        default=7,
        error_messages={"invalid_choice": "days must be 7, 28 or 90."},
    )

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        values["days"] = int(values["days"])
        return values


class SummaryView(APIView):
    """Adherence, streaks, the daily series, weekly averages and stress-pain insights."""

    @extend_schema(
        parameters=[
            OpenApiParameter("days", int, enum=[7, 28, 90], description="Window ending today; default 7.")
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> HttpResponse:
        query = SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return summary_response(request.user, query.validated_data["days"])


def summary_response(user, days: int) -> HttpResponse:
    """The user's summary over ``days``, from the per-user cache (``backend/user_cache.py``)."""
    today = local_today(user.timezone)
    body = cached(
        name="summary",
        user_id=user.pk,
        day=today,
        variant=str(days),
        render=lambda: selectors.summary(user=user, days=days, today=today),
    )
    return HttpResponse(body, content_type="application/json")


class ExportQuerySerializer(QuerySerializer):
    format = serializers.ChoiceField(
        choices=["json", "csv", "fhir"],
        required=False,
        default="json",
        error_messages={"invalid_choice": "format must be json, csv or fhir."},
    )


def _own_settings(user) -> dict[str, list[dict]]:
    """What else the person has told or allowed us: reminders, devices, sharing."""
    return {
        "reminders": [dict(r) for r in ReminderRuleSerializer(reminder_rule_list(user=user), many=True).data],
        "devices": [
            # Where notifications go; the device's encryption keys stay on the server.
            {"endpoint": s.endpoint, "user_agent": s.user_agent, "created_at": s.created_at.isoformat()}
            for s in push_subscription_list(user=user)
        ],
        "sharing": [
            {"clinician": link.clinician.email, "since": link.created_at.isoformat(), "scopes": link.scopes}
            for link in active_links(user=user)
        ],
        "access_log": [
            {"clinician": e.clinician_email, "what": e.what, "at": e.at.isoformat()}
            for e in access_log(patient=user)
        ],
    }


class ExportView(APIView):
    """Everything of mine, to keep or to take elsewhere."""

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=["json", "csv", "fhir"], description="Default json.")
        ],
        responses={200: OpenApiResponse(description="JSON document, CSV file or FHIR R4 Bundle.")},
    )
    def get(self, request: Request) -> HttpResponse:
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        fmt = query.validated_data["format"]
        user = request.user
        document = export.collect(
            user,
            logs=list(selectors.session_logs(user=user)),
            checkins=list(selectors.checkins(user=user)),
            journal=list(selectors.journal_entries(user=user)),
            enrollments=list(enrollment_list(user=user)),
            extra=_own_settings(user),
        )
        stamp = local_today(user.timezone).isoformat()
        if fmt == "csv":
            response = HttpResponse(export.to_csv(document), content_type="text/csv; charset=utf-8")
            filename = f"backtrack-{stamp}.csv"
        elif fmt == "fhir":
            response = HttpResponse(
                json.dumps(export.to_fhir(user, document)), content_type="application/fhir+json"
            )
            filename = f"backtrack-{stamp}.fhir.json"
        else:
            response = HttpResponse(json.dumps(document), content_type="application/json")
            filename = f"backtrack-{stamp}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
