from django.urls import path

from backend.tracker.api import (
    CheckInsView,
    FactorsView,
    FlareCheckInView,
    FlareView,
    JournalView,
    SafetyHoldReleaseView,
    SafetyRulesView,
    ScreeningView,
    SessionLogsView,
    SummaryView,
    SyncView,
)

urlpatterns = [
    path("sync/", SyncView.as_view(), name="sync"),
    path("safety-rules/", SafetyRulesView.as_view(), name="safety-rules"),
    path("me/screening/", ScreeningView.as_view(), name="screening"),
    path("me/safety-hold/release/", SafetyHoldReleaseView.as_view(), name="safety-hold-release"),
    path("flare/", FlareView.as_view(), name="flare"),
    path("flare/check-in/", FlareCheckInView.as_view(), name="flare-check-in"),
    path("logs/", SessionLogsView.as_view(), name="logs"),
    path("checkins/", CheckInsView.as_view(), name="checkins"),
    path("journal/", JournalView.as_view(), name="journal"),
    path("factors/", FactorsView.as_view(), name="factors"),
    path("summary/", SummaryView.as_view(), name="summary"),
]
