from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backend.health import HealthView
from backend.views import app_shell

# Each app owns its routes under /api/v1/ (paths and names in ../shared/API.md).
api_v1 = [
    path("", include("backend.accounts.urls")),
    path("", include("backend.programs.urls")),
    path("", include("backend.tracker.urls")),
    path("", include("backend.reminders.urls")),
    path("", include("backend.care.urls")),
]

urlpatterns = [
    path("healthz", HealthView.as_view(), name="healthz"),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file: Swagger UI works under our CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("_allauth/", include("allauth.headless.urls")),
    path("admin/", admin.site.urls),
    path("", app_shell, name="app"),
]

handler400 = "backend.errors.bad_request"
handler404 = "backend.errors.not_found"
handler500 = "backend.errors.server_error"
