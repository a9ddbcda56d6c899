from django.urls import path

from backend.reports import api

urlpatterns = [
    path("me/report/", api.MyReportView.as_view(), name="report"),
    path("me/report/<uuid:pk>/", api.ReportFileView.as_view(), name="report-file"),
    path(
        "care/patients/<id:patient_id>/report/", api.PatientReportView.as_view(), name="care-patient-report"
    ),
]
