from django.contrib import admin
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backend.accounts.api import MeView as ProfileView
from backend.core.fields import IdConverter
from backend.core.pwa import app_shell
from backend.health import HealthView
from backend.privacy.api import AccountErasure
from backend.programs.api import PainRuleOnProfile
from backend.tracker.api import SafetyHoldOnProfile


class MeView(AccountErasure, PainRuleOnProfile, SafetyHoldOnProfile, ProfileView):
    """``/api/v1/me/``: the profile is the accounts app's (GET, PATCH), with the
    tracker's open safety hold and the programs' pain rule; erasing the account is the
    privacy app's (DELETE), which sits above every app it erases from."""


# <id:...> in every app's routes: a positive id that fits the database's bigint.
register_converter(IdConverter, "id")

# Each app owns its routes under /api/v1/ (paths and names in ../shared/API.md).
api_v1 = [
    path("me/", MeView.as_view(), name="me"),
    path("", include("backend.programs.urls")),
    path("", include("backend.tracker.urls")),
    path("", include("backend.outcomes.urls")),
    path("", include("backend.reminders.urls")),
    path("", include("backend.care.urls")),
    path("", include("backend.privacy.urls")),
    path("", include("backend.reports.urls")),
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

handler400 = "backend.core.errors.bad_request"
handler404 = "backend.core.errors.not_found"
handler500 = "backend.core.errors.server_error"
