import csv
import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from fhir.resources.bundle import Bundle
from rest_framework.test import APIClient

from backend.programs.models import Enrollment
from backend.tracker.models import CheckIn, JournalEntry, SessionLog, SyncState
from tests.accounts.factories import PASSWORD
from tests.programs.factories import EnrollmentFactory
from tests.tracker.helpers import TODAY, checkin, entry, journal, session, sync

User = get_user_model()


# The clock stands still at tests.tracker.helpers.NOW (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def logged(catalog, patient, patient_client):
    sync(
        patient_client,
        entry("session", session(effort=4, note="=SUM(A1:A9)")),
        entry(
            "checkin",
            checkin(pain=6, stress=7, sleep_hours=6.5, red_flags=["fever"], pain_areas=["neck_shoulders"]),
        ),
        entry("checkin", checkin(TODAY - dt.timedelta(days=40), pain=8, stress=9)),
        entry("journal", journal(gratitude=["rain", "music"], text="slept badly")),
        entry("journal", journal(text="deleted one"), deleted=True),
    )
    return patient_client


# --- History ----------------------------------------------------------------


def test_history_lists_each_kind_with_data_at_top_level(logged):
    logs = logged.get("/api/v1/logs/").json()
    checkins = logged.get("/api/v1/checkins/").json()
    journals = logged.get("/api/v1/journal/").json()

    assert [log["item_id"] for log in logs] == ["core-strength:bridge:2026-11-21"]
    assert {"client_id", "updated_at", "date", "status", "effort"} <= set(logs[0])
    # The default range is the last 28 days; the 40-day-old check-in is outside it.
    assert [(c["pain"], c["safety_level"]) for c in checkins] == [(6, "see_doctor")]
    assert [j["text"] for j in journals] == ["slept badly"]


def test_history_by_date_range(logged):
    old = logged.get("/api/v1/checkins/?from=2026-10-01&to=2026-10-31").json()

    assert [c["pain"] for c in old] == [8]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-11-30&to=2026-11-01", "from"),
        ("from=2024-01-01&to=2026-11-21", "from"),
        ("from=2026-02-30", "from"),
        ("to=soon", "to"),
    ],
)
def test_bad_history_ranges_are_a_400(logged, query, field):
    response = logged.get(f"/api/v1/logs/?{query}")

    assert response.status_code == 400
    assert field in response.json()


def test_history_is_only_mine(logged, other_patient, login):
    assert login(other_patient).get("/api/v1/checkins/").json() == []


# --- Safety rules --------------------------------------------------------------


def test_safety_rules_are_served_for_offline_evaluation():
    body = APIClient().get("/api/v1/safety-rules/").json()

    levels = {level["level"]: level for level in body["levels"]}
    assert set(levels) == {"none", "see_doctor", "urgent", "emergency"}
    assert "emergency" in levels["emergency"]["message"].lower()
    rules = {rule["id"]: rule["level"] for rule in body["rules"]}
    assert rules["chest_arm_jaw_pain"] == "emergency"
    assert {rules["bladder_bowel_control"], rules["saddle_numbness"], rules["leg_weakness"]} == {"urgent"}
    assert rules["chest_breathless"] == "emergency"
    for flag in ("sudden_severe_pain", "fever", "weight_loss", "fall_or_injury", "not_easing"):
        assert rules[flag] == "see_doctor"


# --- Export ---------------------------------------------------------------------


def test_json_export_has_everything_of_mine(logged, patient):
    response = logged.get("/api/v1/me/export/?format=json")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["profile"]["email"] == patient.email
    assert len(document["session_logs"]) == 1
    assert len(document["checkins"]) == 2
    assert [j["text"] for j in document["journal"]] == ["slept badly"]


def test_csv_export_opens_safely_in_a_spreadsheet(logged):
    response = logged.get("/api/v1/me/export/?format=csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["record_type"] for r in rows] == ["session", "checkin", "checkin", "journal"]
    session_row = rows[0]
    assert session_row["note"] == "'=SUM(A1:A9)"
    assert rows[2]["pain_areas"] == "neck_shoulders"
    assert rows[3]["gratitude"] == "rain; music"


def test_fhir_export_is_a_valid_r4_bundle_with_loinc_pain(logged):
    response = logged.get("/api/v1/me/export/?format=fhir")

    assert response["Content-Type"] == "application/fhir+json"
    document = json.loads(response.content)
    bundle = Bundle.parse_obj(document)
    assert bundle.type == "collection"
    observations = [e.resource for e in bundle.entry if e.resource.resource_type == "Observation"]
    pain = [o for o in observations if o.code.coding[0].code == "72514-3"]
    assert sorted(o.valueInteger for o in pain) == [6, 8]
    assert all(o.code.coding[0].system == "http://loinc.org" for o in pain)
    stress = [o for o in observations if o.code.coding[0].code == "stress-0-10"]
    assert sorted(o.valueInteger for o in stress) == [7, 9]
    sleep = [o for o in observations if o.code.coding[0].code == "93832-4"]
    assert [(float(o.valueQuantity.value), o.valueQuantity.code) for o in sleep] == [(6.5, "h")]
    patient_ref = next(e.fullUrl for e in bundle.entry if e.resource.resource_type == "Patient")
    assert all(o.subject.reference == patient_ref for o in observations)


@pytest.mark.parametrize("fmt", ["xml", "pdf", "JSON"])
def test_unknown_export_format_is_a_400(logged, fmt):
    response = logged.get(f"/api/v1/me/export/?format={fmt}")

    assert response.status_code == 400
    assert "format" in response.json()


# --- Erasure ---------------------------------------------------------------------


def test_deleting_my_account_erases_everything_of_mine(logged, patient, other_patient, login):
    EnrollmentFactory(user=patient)
    theirs = login(other_patient)
    sync(theirs, entry("journal", journal(text="not yours to delete")))

    response = logged.delete("/api/v1/me/", {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    assert not User.objects.filter(pk=patient.pk).exists()
    for model in (SessionLog, CheckIn, JournalEntry, SyncState):
        assert not model.objects.filter(user_id=patient.pk).exists()
    assert not Enrollment.objects.filter(user_id=patient.pk).exists()
    assert JournalEntry.objects.filter(user=other_patient).count() == 1
    assert logged.get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize("body", [{}, {"password": ""}, {"password": "wrong-password"}, {"password": None}])
def test_erasure_needs_the_right_password(logged, patient, body):
    response = logged.delete("/api/v1/me/", body, format="json")

    assert response.status_code == 400
    assert "password" in response.json()
    assert User.objects.filter(pk=patient.pk).exists()
    assert CheckIn.objects.filter(user=patient).count() == 2


def test_erasure_by_session_token_ends_that_token(catalog):
    client = APIClient()
    signup = client.post(
        "/_allauth/app/v1/auth/signup",
        {"email": "leaving@example.com", "password": "calm-steady-42!"},
        format="json",
    )
    token = signup.json()["meta"]["session_token"]

    response = APIClient().delete(
        "/api/v1/me/", {"password": "calm-steady-42!"}, format="json", HTTP_X_SESSION_TOKEN=token
    )

    assert response.status_code == 204
    assert APIClient().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 401
    assert not User.objects.filter(email="leaving@example.com").exists()


def test_erasure_leaves_no_session_of_mine_anywhere(logged, patient, other_patient, login):
    """Every other device is signed out and no stored or cached session keeps my id or
    my address (allauth's sign-in records hold the email)."""
    from importlib import import_module

    from django.conf import settings

    signed_in = APIClient().post(
        "/_allauth/app/v1/auth/login", {"email": patient.email, "password": PASSWORD}, format="json"
    )
    token = signed_in.json()["meta"]["session_token"]
    phone = APIClient(HTTP_X_SESSION_TOKEN=token)
    assert phone.get("/api/v1/me/").status_code == 200
    theirs = login(other_patient)

    assert logged.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for row in store.get_model_class().objects.all():
        data = row.get_decoded()
        assert data.get("_auth_user_id") != str(patient.pk)
        assert patient.email not in json.dumps(data)
    assert store(session_key=token).load() == {}  # not cached either
    assert phone.get("/api/v1/me/").status_code == 401
    assert theirs.get("/api/v1/me/").status_code == 200


def test_json_export_includes_reminders_devices_sharing_and_who_read_what(logged, patient, make_clinician):
    from backend.care.models import AccessLogEntry, CareLink
    from backend.reminders.models import PushSubscription
    from backend.reminders.rules import reminder_rule_create

    reminder_rule_create(user=patient, kind="breathing", times=["08:00", "20:00"])
    PushSubscription.objects.create(
        user=patient, endpoint="https://fcm.googleapis.com/fcm/send/abc", p256dh="k" * 87, auth="a" * 22
    )
    clinician, _ = make_clinician()
    CareLink.objects.create(patient=patient, clinician=clinician, scopes=["logs", "checkins"])
    AccessLogEntry.objects.create(
        patient=patient, clinician=clinician, clinician_email=clinician.email, what="summary"
    )

    document = json.loads(logged.get("/api/v1/me/export/?format=json").content)

    assert [r["times"] for r in document["reminders"] if r["kind"] == "breathing"] == [["08:00", "20:00"]]
    assert document["devices"][0]["endpoint"].startswith("https://fcm.googleapis.com/")
    assert "a" * 22 not in json.dumps(document["devices"])
    assert document["sharing"] == [
        {
            "clinician": clinician.email,
            "since": document["sharing"][0]["since"],
            "scopes": ["logs", "checkins"],
        }
    ]
    assert [(e["clinician"], e["what"]) for e in document["access_log"]] == [(clinician.email, "summary")]
