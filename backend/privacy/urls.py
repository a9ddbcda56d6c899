from django.urls import path

from backend.privacy import api

urlpatterns = [
    path("me/export/", api.ExportView.as_view(), name="export"),
    path(
        "care/patients/<id:patient_id>/export/", api.PatientExportView.as_view(), name="care-patient-export"
    ),
]
