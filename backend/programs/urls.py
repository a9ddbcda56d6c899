from django.urls import path
from rest_framework.routers import SimpleRouter

from backend.programs.api import (
    EnrollmentViewSet,
    FlarePlanView,
    LessonDetailView,
    LessonListView,
    NotForMeDetailView,
    NotForMeView,
    PlanChangesView,
    PlanView,
    ProgramViewSet,
    SourceListView,
    TodayView,
)

router = SimpleRouter(trailing_slash=True)
router.register("programs", ProgramViewSet, basename="program")
router.register("enrollments", EnrollmentViewSet, basename="enrollment")

urlpatterns = [
    path("today/", TodayView.as_view(), name="today"),
    path("plan/", PlanView.as_view(), name="plan"),
    path("flare/plan/", FlarePlanView.as_view(), name="flare-plan"),
    path("me/not-for-me/", NotForMeView.as_view(), name="not-for-me"),
    path("me/not-for-me/<slug:slug>/", NotForMeDetailView.as_view(), name="not-for-me-detail"),
    path("me/plan-changes/", PlanChangesView.as_view(), name="plan-changes"),
    path("sources/", SourceListView.as_view(), name="sources"),
    path("lessons/", LessonListView.as_view(), name="lessons"),
    path("lessons/<slug:slug>/", LessonDetailView.as_view(), name="lesson-detail"),
    *router.urls,
]
