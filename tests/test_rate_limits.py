import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.accounts.factories import PASSWORD


@pytest.mark.django_db
def test_repeated_wrong_passwords_are_slowed_down(patient):
    client = APIClient()
    for _ in range(5):
        wrong = client.post(
            "/_allauth/app/v1/auth/login", {"email": patient.email, "password": "nope-nope-1"}, format="json"
        )
        assert wrong.status_code == 400

    # Even the right password waits: allauth answers with its own error code.
    blocked = client.post(
        "/_allauth/app/v1/auth/login", {"email": patient.email, "password": PASSWORD}, format="json"
    )

    assert blocked.status_code == 400
    assert blocked.json()["errors"][0]["code"] == "too_many_login_attempts"
    assert "session_token" not in blocked.content.decode()


def test_sync_is_throttled_with_retry_after(catalog, patient_client, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "sync", "3/minute")
    for _ in range(3):
        assert patient_client.post("/api/v1/sync/", {"entries": []}, format="json").status_code == 200

    response = patient_client.post("/api/v1/sync/", {"entries": []}, format="json")

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "detail" in response.json()


def test_the_sync_limit_is_per_user(catalog, patient_client, other_patient, login, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "sync", "2/minute")
    for _ in range(2):
        patient_client.post("/api/v1/sync/", {"entries": []}, format="json")

    assert login(other_patient).post("/api/v1/sync/", {"entries": []}, format="json").status_code == 200


def test_test_notifications_are_throttled(catalog, patient_client, monkeypatch, settings):
    from backend.reminders.vapid import generate_key_pair

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = generate_key_pair()
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "reminders_test", "2/hour")
    for _ in range(2):
        assert patient_client.post("/api/v1/reminders/test/").status_code == 202

    response = patient_client.post("/api/v1/reminders/test/")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 60
    # Reading and changing reminders is not limited by it.
    assert patient_client.get("/api/v1/reminders/").status_code == 200


@pytest.mark.django_db
def test_wrong_passwords_for_one_account_do_not_lock_out_the_others_at_that_address(patient, other_patient):
    """A clinic shares one address: someone failing ten times against account A does not
    stop B signing in from there; A stays protected, from every address."""
    clinic = APIClient(REMOTE_ADDR="203.0.113.7")
    for _ in range(10):
        wrong = clinic.post(
            "/_allauth/app/v1/auth/login", {"email": patient.email, "password": "nope-nope-1"}, format="json"
        )
        assert wrong.status_code == 400

    colleague = clinic.post(
        "/_allauth/app/v1/auth/login", {"email": other_patient.email, "password": PASSWORD}, format="json"
    )
    assert colleague.status_code == 200, colleague.content
    assert colleague.json()["meta"]["session_token"]

    for address in ("203.0.113.7", "198.51.100.20"):
        attacked = APIClient(REMOTE_ADDR=address).post(
            "/_allauth/app/v1/auth/login", {"email": patient.email, "password": PASSWORD}, format="json"
        )
        assert attacked.status_code == 400
        assert attacked.json()["errors"][0]["code"] == "too_many_login_attempts"
