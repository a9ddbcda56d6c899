from django.urls import path
from rest_framework.routers import SimpleRouter

from backend.programs.api import EnrollmentViewSet, FlarePlanView, PlanView, ProgramViewSet, TodayView

router = SimpleRouter(trailing_slash=True)
router.register("programs", ProgramViewSet, basename="program")
router.register("enrollments", EnrollmentViewSet, basename="enrollment")

urlpatterns = [
    path("today/", TodayView.as_view(), name="today"),
    path("plan/", PlanView.as_view(), name="plan"),
    path("flare/plan/", FlarePlanView.as_view(), name="flare-plan"),
    *router.urls,
]
