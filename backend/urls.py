from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from backend.accounts.api import MeView
from backend.health import HealthView
from backend.programs.api import EnrollmentViewSet, PlanView, ProgramViewSet, TodayView
from backend.views import app_shell

router = SimpleRouter(trailing_slash=True)
router.register("programs", ProgramViewSet, basename="program")
router.register("enrollments", EnrollmentViewSet, basename="enrollment")

api_v1 = [
    path("me/", MeView.as_view(), name="me"),
    path("today/", TodayView.as_view(), name="today"),
    path("plan/", PlanView.as_view(), name="plan"),
    *router.urls,
]

urlpatterns = [
    path("healthz", HealthView.as_view(), name="healthz"),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("_allauth/", include("allauth.headless.urls")),
    path("admin/", admin.site.urls),
    path("", app_shell, name="app"),
]

handler400 = "backend.errors.bad_request"
handler404 = "backend.errors.not_found"
handler500 = "backend.errors.server_error"
