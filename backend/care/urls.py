from django.urls import path

from backend.care import api

urlpatterns = [
    path("care/share-codes/", api.ShareCodeView.as_view(), name="care-share-codes"),
    path("care/links/", api.LinksView.as_view(), name="care-links"),
    path("care/links/<id:pk>/", api.LinkDetailView.as_view(), name="care-link"),
    path("care/patients/", api.PatientsView.as_view(), name="care-patients"),
    path("care/patients/<id:patient_id>/", api.PatientView.as_view(), name="care-patient"),
    path(
        "care/patients/<id:patient_id>/summary/",
        api.PatientSummaryView.as_view(),
        name="care-patient-summary",
    ),
    path("care/patients/<id:patient_id>/logs/", api.PatientLogsView.as_view(), name="care-patient-logs"),
    path(
        "care/patients/<id:patient_id>/journal/",
        api.PatientJournalView.as_view(),
        name="care-patient-journal",
    ),
    path(
        "care/patients/<id:patient_id>/alerts/", api.PatientAlertsView.as_view(), name="care-patient-alerts"
    ),
    path(
        "care/patients/<id:patient_id>/alerts/<id:alert_id>/acknowledge/",
        api.AlertAcknowledgeView.as_view(),
        name="care-alert-acknowledge",
    ),
    path(
        "care/patients/<id:patient_id>/safety-hold/release/",
        api.PatientSafetyHoldReleaseView.as_view(),
        name="care-patient-safety-hold-release",
    ),
    path("care/patients/<id:patient_id>/notes/", api.NotesView.as_view(), name="care-patient-notes"),
    path(
        "care/patients/<id:patient_id>/notes/<id:note_id>/",
        api.NoteDetailView.as_view(),
        name="care-patient-note",
    ),
    path("care/patients/<id:patient_id>/plan/", api.PatientPlanView.as_view(), name="care-patient-plan"),
    path(
        "care/patients/<id:patient_id>/prescriptions/",
        api.PrescriptionsView.as_view(),
        name="care-patient-prescriptions",
    ),
    path(
        "care/patients/<id:patient_id>/prescriptions/<id:pk>/",
        api.PrescriptionView.as_view(),
        name="care-patient-prescription",
    ),
    path(
        "care/patients/<id:patient_id>/pain-rule/", api.PainRuleView.as_view(), name="care-patient-pain-rule"
    ),
    path(
        "care/patients/<id:patient_id>/exclusions/",
        api.ExclusionsView.as_view(),
        name="care-patient-exclusions",
    ),
    path(
        "care/patients/<id:patient_id>/exclusions/<slug:slug>/",
        api.ExclusionView.as_view(),
        name="care-patient-exclusion",
    ),
    path("me/access-log/", api.AccessLogView.as_view(), name="access-log"),
]
