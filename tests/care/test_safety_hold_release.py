"""A clinician and the patient's safety hold (issue 14, item 3): seen with its history,
released only with the ``prescribe`` scope the patient gives, and recorded."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.care.models import AccessLogEntry
from backend.tracker.models import SafetyHold
from tests.programs.factories import EnrollmentFactory
from tests.tracker.test_safety_hold import hold_of, release, report

pytestmark = pytest.mark.usefixtures("frozen_time")


def test_a_clinician_sees_the_hold_and_its_history(link, patient_client, doctor):
    _, clinician = doctor
    report(patient_client, "leg_weakness")
    release(patient_client, "answered_by_mistake")
    report(patient_client, "chest_breathless")

    body = clinician.get(f"/api/v1/care/patients/{link['patient']['id']}/").json()

    assert body["safety_hold"]["level"] == "emergency"
    assert [(h["level"], h["release_reason"]) for h in body["safety_holds"]] == [
        ("emergency", None),
        ("urgent", "answered_by_mistake"),
    ]
    assert body["safety_holds"][1]["released_by"]["self"] is True


def test_a_clinician_needs_the_prescribe_scope_to_release(link, patient_client, doctor):
    doctor_user, clinician = doctor
    patient_id = link["patient"]["id"]
    report(patient_client, "leg_weakness")

    refused = clinician.post(f"/api/v1/care/patients/{patient_id}/safety-hold/release/")
    assert refused.status_code == 403
    assert "prescribe" in refused.json()["detail"]
    assert hold_of(patient_client) is not None

    scopes = patient_client.patch(
        f"/api/v1/care/links/{link['id']}/", {"scopes": ["logs", "checkins", "prescribe"]}, format="json"
    )
    assert scopes.status_code == 200, scopes.content
    allowed = clinician.post(f"/api/v1/care/patients/{patient_id}/safety-hold/release/")

    assert allowed.status_code == 200 and allowed.json()["released"] is True
    assert hold_of(patient_client) is None
    recorded = SafetyHold.objects.get()
    assert (recorded.release_reason, recorded.released_by) == ("cleared_by_clinician", doctor_user)
    assert AccessLogEntry.objects.filter(
        patient_id=patient_id, clinician=doctor_user, what="safety hold released"
    ).exists()
    history = clinician.get(f"/api/v1/care/patients/{patient_id}/").json()["safety_holds"]
    assert history[0]["released_by"] == {"name": recorded.released_by_name, "self": False}


def test_an_unlinked_clinician_cannot_release(catalog, patient, patient_client, make_clinician):
    EnrollmentFactory(user=patient, start_date=dt.date(2026, 11, 16))
    report(patient_client, "leg_weakness")
    _, stranger = make_clinician()

    response = stranger.post(f"/api/v1/care/patients/{patient.pk}/safety-hold/release/")

    assert response.status_code == 404
    assert hold_of(patient_client) is not None


def test_a_clinician_sees_the_history_answers_once_not_as_daily_alerts(link, patient_client, doctor):
    _, clinician = doctor
    answered = patient_client.put(
        "/api/v1/me/screening/", {"answers": {"cancer_history": True, "fall_or_injury": False}}, format="json"
    )
    assert answered.status_code == 200

    body = clinician.get(f"/api/v1/care/patients/{link['patient']['id']}/").json()

    assert body["screening"] == {"cancer_history": True, "fall_or_injury": False}
    assert body["open_alerts"] == []


def test_the_patient_list_says_the_plan_is_on_hold_until_it_is_released(link, patient_client, doctor):
    _, clinician = doctor

    def on_hold() -> bool:
        (row,) = clinician.get("/api/v1/care/patients/").json()
        return row["on_hold"]

    assert on_hold() is False
    report(patient_client, "leg_weakness")
    assert on_hold() is True
    release(patient_client, "seen_professional")
    assert on_hold() is False
