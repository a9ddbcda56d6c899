from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.timezones import local_today
from backend.caching.user_cache import Until, cached
from backend.outcomes.selectors import questionnaire_items
from backend.programs import selectors, services
from backend.programs.days import (
    PLAN_PARAMETERS,
    FlareMode,
    Hold,
    _exercise_json,
    lessons_for,
    plan_response,
    render_day,
)
from backend.programs.flare import flare_plan, render_advice
from backend.programs.lessons import lesson_catalog
from backend.programs.models import TIME_OF_DAY_ORDER, Enrollment, Exercise
from backend.programs.plan_changes import render_changes
from backend.programs.schedule import item_seconds
from backend.programs.serializers import (
    DaySerializer,
    EnrollmentSerializer,
    EnrollmentStatusSerializer,
    FlarePlanSerializer,
    LessonDetailSerializer,
    LessonSerializer,
    PlanChangeSerializer,
    PlanProfileSerializer,
    PlanSerializer,
    ProgramDetailSerializer,
    ProgramSerializer,
    SetAsideRowSerializer,
    SetAsideWriteSerializer,
    SourceSerializer,
    render_pain_rule,
    render_set_aside,
)
from backend.programs.sources import render_sources, source_catalog
from backend.tracker import selectors as tracker_selectors
from backend.tracker.flares import FLARE_HOURS
from backend.tracker.selectors import item_statuses


class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    """The program catalog. Public, so the PWA can show it before signup."""

    permission_classes = [AllowAny]
    lookup_field = "slug"
    lookup_value_regex = "[a-z0-9-]+"
    pagination_class = None

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.program_detail_queryset()
        return selectors.program_list()

    def get_serializer_class(self):
        return ProgramDetailSerializer if self.action == "retrieve" else ProgramSerializer


class EnrollmentViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's enrollments: enroll, pause and resume (PATCH status), leave (DELETE)."""

    serializer_class = EnrollmentSerializer
    pagination_class = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    lookup_value_regex = "[0-9]{1,18}"  # fits a 64-bit id: longer is a 404, not an overflow

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Enrollment.objects.none()
        return selectors.enrollment_list(user=self.request.user)

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["today"] = local_today(self.request.user.timezone)
        return context

    def perform_create(self, serializer: EnrollmentSerializer) -> None:
        serializer.instance = services.enrollment_create(
            user=self.request.user,
            program=serializer.validated_data["program"],
            start_date=serializer.validated_data.get("start_date"),
        )

    @extend_schema(request=EnrollmentStatusSerializer, responses=EnrollmentSerializer)
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        enrollment = self.get_object()
        payload = EnrollmentStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        enrollment = services.enrollment_set_status(
            enrollment=enrollment, status=payload.validated_data["status"]
        )
        return Response(self.get_serializer(enrollment).data)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        services.enrollment_leave(enrollment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class FlarePlanView(APIView):
    """The flare plan itself, for a phone to keep: flare-up mode starts offline too.

    The same for everyone (content), so it is cached by the browser for an hour;
    items are shaped like plan items without date or status.
    """

    @extend_schema(responses=FlarePlanSerializer)
    def get(self, request: Request) -> Response:
        plan = flare_plan()
        exercises = Exercise.objects.in_bulk(plan.exercise_slugs, field_name="slug")
        items = [
            {
                "key": item.key,
                "time_of_day": item.time_of_day,
                "exercise": _exercise_json(exercises[item.exercise]),
                "prescription": item.prescription,
                "seconds": item_seconds(exercises[item.exercise], item.prescription),
                "sources": render_sources(item.sources),
            }
            for item in sorted(plan.items, key=lambda i: TIME_OF_DAY_ORDER.get(i.time_of_day, 99))
            if item.exercise in exercises
        ]
        response = Response({"hours": FLARE_HOURS, "items": items, "advice": render_advice(plan.advice)})
        response["Cache-Control"] = "private, max-age=3600"
        return response


class TodayView(APIView):
    """Today's plan, for the user's local date."""

    @extend_schema(responses=DaySerializer)
    def get(self, request: Request) -> HttpResponse:
        user = request.user
        today = local_today(user.timezone)

        def render() -> Until | dict:
            flare = FlareMode.of(user, today, today)
            (day,) = selectors.plan_for_user(user=user, start=today, days=1, flare_days=flare.days)
            rendered = render_day(
                day,
                item_statuses(user=user, start=today, end=today),
                Hold.of(user),
                flare,
                lessons_for(user, [today]),
                questionnaire_items(user, [today]),
            )
            # A flare runs out without a write: the cached today is true until then.
            return rendered if flare.until is None else Until(rendered, flare.until)

        # The cached body is the JSON DRF would render; sent as it is.
        return HttpResponse(
            cached(name="today", user_id=user.pk, day=today, render=render), content_type="application/json"
        )


class PlanView(APIView):
    """The plan for a run of local dates (1 to 28)."""

    @extend_schema(parameters=PLAN_PARAMETERS, responses=PlanSerializer)
    def get(self, request: Request) -> Response:
        return plan_response(request.user, request.query_params)


# --- Sources and lessons (issue 17) -----------------------------------------------


class SourceListView(APIView):
    """Where the health content comes from: every id any item's ``sources`` names."""

    @extend_schema(responses=SourceSerializer(many=True))
    def get(self, request: Request) -> Response:
        response = Response([source.listed() for source in source_catalog().values()])
        # Content: the same for everyone, changed only by a deploy.
        response["Cache-Control"] = "private, max-age=3600"
        return response


class LessonListView(APIView):
    """Every lesson in the order they are offered, with whether I have read it."""

    @extend_schema(responses=LessonSerializer(many=True))
    def get(self, request: Request) -> Response:
        read = tracker_selectors.lessons_read(user=request.user)
        return Response(
            [_with_status(lesson.listed(), read.get(lesson.slug)) for lesson in lesson_catalog().values()]
        )


class LessonDetailView(APIView):
    """One lesson to read (offline too: the PWA keeps it), with the practices that go with it."""

    @extend_schema(responses=LessonDetailSerializer)
    def get(self, request: Request, slug: str) -> Response:
        lesson = lesson_catalog().get(slug)
        if lesson is None:
            raise NotFound("There is no lesson with this name.")
        read = tracker_selectors.lessons_read(user=request.user)
        return Response(_with_status(lesson.detail(), read.get(lesson.slug)))


def _with_status(rendered: dict, read_on: dt.date | None) -> dict:
    return {
        **rendered,
        "status": "unread" if read_on is None else "read",
        "read_on": None if read_on is None else read_on.isoformat(),
    }


class PainRuleOnProfile:
    """Mixed into ``/api/v1/me/`` (``backend/urls.py``): the pain rule the person's plan
    follows, as their clinician set it (or the defaults)."""

    @extend_schema(responses=PlanProfileSerializer)
    def get(self, request: Request) -> Response:
        return self._with_rule(request, super().get(request))  # type: ignore[misc]

    @extend_schema(request=PlanProfileSerializer, responses=PlanProfileSerializer)
    def patch(self, request: Request) -> Response:
        return self._with_rule(request, super().patch(request))  # type: ignore[misc]

    @staticmethod
    def _with_rule(request: Request, response: Response) -> Response:
        if response.status_code == 200 and isinstance(response.data, dict):
            response.data["pain_rule"] = render_pain_rule(selectors.pain_rule_of(user=request.user))
        return response


class NotForMeView(APIView):
    """Exercises I set aside ("not for me"), or my clinician did: they leave my plan,
    and what remains is fitted to my daily minutes."""

    @extend_schema(responses=SetAsideRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response([render_set_aside(row) for row in selectors.set_aside_list(patient=request.user)])

    @extend_schema(
        request=SetAsideWriteSerializer,
        responses={200: SetAsideRowSerializer, 201: SetAsideRowSerializer},
        description="201 when set aside now; 200 with the row when it already was.",
    )
    def post(self, request: Request) -> Response:
        body = SetAsideWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row, created = services.set_aside_add(
            patient=request.user,
            by=request.user,
            exercise=body.validated_data["exercise"],
            reason=body.validated_data["reason"],
        )
        return Response(render_set_aside(row), status=201 if created else 200)


class NotForMeDetailView(APIView):
    """Bring an exercise back into my plan (whoever set it aside)."""

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        services.set_aside_end(patient=request.user, by=request.user, exercise=slug)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlanChangesView(APIView):
    """Who changed my plan, what and when, newest first, in plain words."""

    @extend_schema(responses=PlanChangeSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(render_changes(selectors.plan_changes(patient=request.user), request.user.pk))
