from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.caching.user_cache import Until, cached
from backend.programs import selectors, services
from backend.programs.flare import flare_plan, render_advice
from backend.programs.models import TIME_OF_DAY_ORDER, Enrollment, Exercise
from backend.programs.schedule import PlannedDay, PlannedItem, item_seconds
from backend.programs.serializers import (
    DaySerializer,
    EnrollmentSerializer,
    EnrollmentStatusSerializer,
    ExerciseSerializer,
    FlarePlanSerializer,
    PlanQuerySerializer,
    PlanSerializer,
    ProgramDetailSerializer,
    ProgramSerializer,
)
from backend.tracker.flares import FLARE_HOURS, flare_dates, flares_between, render_flare, running
from backend.tracker.holds import held_from, open_hold, render_hold
from backend.tracker.selectors import item_statuses


@dataclass(frozen=True)
class Hold:
    """The open safety hold as a plan shows it: from which local date, and its JSON."""

    held_from: dt.date
    rendered: dict

    @classmethod
    def of(cls, user: User) -> Hold | None:
        hold = open_hold(user.pk)
        if hold is None:
            return None
        rendered = render_hold(hold)
        assert rendered is not None
        return cls(held_from=held_from(hold, user.timezone), rendered=rendered)


@dataclass(frozen=True)
class FlareMode:
    """The days of a plan that flare-up mode serves, with the flare each one shows.

    A flare's days are the local dates it covers, in part or whole; once it is over
    (ended, or run out), today and later are usual days again, so a flare ended at
    noon gives the afternoon back its plan. ``until``: when the running flare stops,
    so a cached today is kept no longer than that.
    """

    days: dict[dt.date, dict]
    until: dt.datetime | None

    @classmethod
    def of(cls, user: User, start: dt.date, end: dt.date) -> FlareMode:
        now = timezone.now()
        today = local_today(user.timezone, now=now)
        days: dict[dt.date, dict] = {}
        until = None
        for flare in flares_between(user=user, start=start, end=end):
            first, last = flare_dates(flare, user.timezone)
            is_running = running(flare, now)
            if is_running:
                until = flare.ends_at
            shown = {**(render_flare(flare) or {}), "advice": render_advice(flare_plan().advice)}
            day = max(first, start)
            while day <= min(last, end):
                if is_running or day < today:
                    days[day] = shown
                day += dt.timedelta(days=1)
        return cls(days=days, until=until)


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


def _exercise_json(exercise: Exercise) -> dict:
    """The exercise as the API shows it, rendered once per cached catalog object.

    Plan items share the exercise instances cached by ``selectors.attach_items``, which
    are replaced when the content changes, so the rendering goes with them.
    """
    rendered = getattr(exercise, "_api_json", None)
    if rendered is None:
        rendered = exercise._api_json = dict(ExerciseSerializer(exercise).data)
    return rendered


def _status(item: PlannedItem, statuses: dict[str, str], pending: str) -> str:
    # The item's own id first; then an id it had before programs were merged.
    for logged in item.ids:
        if logged in statuses:
            return statuses[logged]
    return pending


def render_day(
    day: PlannedDay, statuses: dict[str, str], hold: Hold | None = None, flare: FlareMode | None = None
) -> dict:
    """A day of the plan, JSON-ready (``DaySerializer`` documents the shape).

    On a day a safety hold pauses, every exercise not yet done or skipped is ``held``
    (the flare plan's too: the hold is the more serious). A flare day (``day`` is then
    the flare plan) carries ``mode: flare`` and the flare.
    """
    held = hold is not None and day.date >= hold.held_from
    pending = "held" if held else "pending"
    shown = None if flare is None else flare.days.get(day.date)
    return {
        "date": day.date.isoformat(),
        "mode": "usual" if shown is None else "flare",
        "flare": shown,
        "safety_hold": hold.rendered if held and hold is not None else None,
        "minutes": day.minutes,
        "sessions": [
            {
                "time_of_day": session.time_of_day,
                "minutes": session.minutes,
                "optional_minutes": session.optional_minutes,
                "items": [item.id for item in session.items],
            }
            for session in day.sessions
        ],
        "items": [
            {
                "id": item.id,
                "program": item.program,
                "programs": list(item.programs),
                "week": item.week,
                "time_of_day": item.time_of_day,
                "exercise": _exercise_json(item.exercise),
                "prescription": item.prescription,
                "optional": item.optional,
                "progression": None if item.progression is None else item.progression.render(),
                "status": _status(item, statuses, pending),
            }
            for item in day.items
        ],
    }


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
                "sources": list(item.sources),
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
            rendered = render_day(day, item_statuses(user=user, start=today, end=today), Hold.of(user), flare)
            # A flare runs out without a write: the cached today is true until then.
            return rendered if flare.until is None else Until(rendered, flare.until)

        # The cached body is the JSON DRF would render; sent as it is.
        return HttpResponse(
            cached(name="today", user_id=user.pk, day=today, render=render), content_type="application/json"
        )


class PlanView(APIView):
    """The plan for a run of local dates (1 to 28)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, description="YYYY-MM-DD; defaults to today (local)."),
            OpenApiParameter("days", int, description="1 to 28; defaults to 7."),
        ],
        responses=PlanSerializer,
    )
    def get(self, request: Request) -> Response:
        query = PlanQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start = query.validated_data.get("start") or local_today(request.user.timezone)
        count = query.validated_data["days"]
        flare = FlareMode.of(request.user, start, start + dt.timedelta(days=count - 1))
        days = selectors.plan_for_user(user=request.user, start=start, days=count, flare_days=flare.days)
        statuses = item_statuses(user=request.user, start=days[0].date, end=days[-1].date)
        hold = Hold.of(request.user)
        return Response({"days": [render_day(day, statuses, hold, flare) for day in days]})
