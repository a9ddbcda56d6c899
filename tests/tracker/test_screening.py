import pytest

from backend.accounts.models import User
from backend.tracker.safety import safety_rules
from tests.tracker.helpers import checkin, entry, sync

SCREENING = "/api/v1/me/screening/"

pytestmark = pytest.mark.usefixtures("frozen_time")


def test_history_answers_are_stored_shown_on_me_and_answered_with_their_level(patient, patient_client):
    response = patient_client.put(
        SCREENING, {"answers": {"cancer_history": True, "fall_or_injury": False}}, format="json"
    )

    assert response.status_code == 200
    see_doctor = safety_rules().levels["see_doctor"]
    assert response.json() == {
        "level": "see_doctor",
        "title": see_doctor.title,
        "message": see_doctor.message,
    }
    assert patient_client.get("/api/v1/me/").json()["screening"] == {
        "cancer_history": True,
        "fall_or_injury": False,
    }


def test_all_no_answers_mean_no_warning(patient_client):
    response = patient_client.put(SCREENING, {"answers": {"cancer_history": False}}, format="json")

    assert response.json()["level"] == "none"


def test_a_cancer_history_does_not_make_every_daily_checkin_a_see_doctor(catalog, patient, patient_client):
    patient_client.put(SCREENING, {"answers": {"cancer_history": True}}, format="json")

    answer = sync(patient_client, entry("checkin", checkin(red_flags=[])))

    assert answer["results"][0]["safety"]["level"] == "none"


def test_answering_again_replaces_the_last_answers(patient, patient_client):
    patient_client.put(SCREENING, {"answers": {"cancer_history": True}}, format="json")
    patient_client.put(SCREENING, {"answers": {"cancer_history": False, "weight_loss": False}}, format="json")

    patient.refresh_from_db()
    assert patient.screening == {"cancer_history": False, "weight_loss": False}


@pytest.mark.parametrize(
    "body",
    [
        {"answers": {"not_a_rule": True}},
        {"answers": {"chest_breathless": True}},  # a daily question belongs in the check-in
        {"answers": {"cancer_history": "maybe"}},
        {"answers": ["cancer_history"]},
        {},
    ],
)
def test_bad_screening_answers_are_a_400_naming_answers(patient, patient_client, body):
    response = patient_client.put(SCREENING, body, format="json")

    assert response.status_code == 400
    assert "answers" in response.json()
    assert User.objects.get(pk=patient.pk).screening == {}


def test_the_json_export_holds_the_history_answers(patient, patient_client):
    patient_client.put(SCREENING, {"answers": {"cancer_history": True}}, format="json")

    exported = patient_client.get("/api/v1/me/export/?format=json").json()

    assert exported["profile"]["screening"] == {"cancer_history": True}
