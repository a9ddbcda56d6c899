from django.urls import path
from rest_framework.routers import SimpleRouter

from backend.programs.api import EnrollmentViewSet, PlanView, ProgramViewSet, TodayView

router = SimpleRouter(trailing_slash=True)
router.register("programs", ProgramViewSet, basename="program")
router.register("enrollments", EnrollmentViewSet, basename="enrollment")

urlpatterns = [
    path("today/", TodayView.as_view(), name="today"),
    path("plan/", PlanView.as_view(), name="plan"),
    *router.urls,
]
