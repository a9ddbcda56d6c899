import pytest
import time_machine
from rest_framework.test import APIClient

from backend.accounts.models import User

SIGNUP = "/_allauth/app/v1/auth/signup"
ME = "/api/v1/me/"


def signup(client: APIClient, **payload) -> dict:
    response = client.post(
        SIGNUP, {"email": "ana@example.com", "password": "calm-steady-42!", **payload}, format="json"
    )
    return response


@pytest.mark.django_db
def test_app_signup_returns_a_token_that_opens_the_api():
    client = APIClient()
    response = signup(client)
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]

    me = APIClient().get(ME, HTTP_X_SESSION_TOKEN=token)

    assert me.status_code == 200
    assert me.json()["email"] == "ana@example.com"
    assert me.json()["role"] == "patient"


@pytest.mark.django_db
def test_signup_cannot_make_a_clinician():
    response = signup(APIClient(), role="clinician")

    assert response.status_code == 200
    assert User.objects.get(email="ana@example.com").role == User.Role.PATIENT


@pytest.mark.django_db
def test_signup_keeps_the_detected_time_zone():
    response = signup(APIClient(), timezone="Pacific/Auckland")

    assert response.status_code == 200
    assert User.objects.get(email="ana@example.com").timezone == "Pacific/Auckland"


@pytest.mark.django_db
def test_signup_with_an_unknown_time_zone_is_refused_naming_the_field():
    response = signup(APIClient(), timezone="Mars/Olympus_Mons")

    assert response.status_code == 400
    assert any(error.get("param") == "timezone" for error in response.json()["errors"])
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_twice_with_the_same_email_in_other_case_is_refused():
    assert signup(APIClient()).status_code == 200
    response = signup(APIClient(), email="ANA@Example.com")
    assert response.status_code == 400
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("headers",),
    [({},), ({"HTTP_X_SESSION_TOKEN": "not-a-real-token"},)],
    ids=["no credentials", "unknown token"],
)
@pytest.mark.django_db
def test_the_api_refuses_anonymous_callers_with_401_json(headers):
    response = APIClient().get(ME, **headers)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.django_db
def test_browser_session_needs_the_csrf_token_to_write():
    client = APIClient(enforce_csrf_checks=True)
    config = client.get("/_allauth/browser/v1/config")
    assert config.status_code == 200
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/_allauth/browser/v1/auth/signup",
        {"email": "ben@example.com", "password": "calm-steady-42!"},
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 200, response.content

    assert client.get(ME).status_code == 200
    refused = client.patch(ME, {"timezone": "Europe/Berlin"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    accepted = client.patch(
        ME, {"timezone": "Europe/Berlin"}, format="json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )
    assert accepted.status_code == 200
    assert accepted.json()["timezone"] == "Europe/Berlin"


@pytest.mark.django_db
def test_me_shows_the_profile_with_the_local_date(patient, patient_client):
    patient.timezone = "Pacific/Auckland"
    patient.save()
    # 11:00 UTC on 21 November is already 22 November in Auckland.
    with time_machine.travel("2026-11-21T11:00:00Z", tick=False):
        body = patient_client.get(ME).json()

    assert body["email"] == patient.email
    assert body["role"] == "patient"
    assert body["timezone"] == "Pacific/Auckland"
    assert body["today"] == "2026-11-22"


@pytest.mark.django_db
def test_patch_me_changes_the_time_zone(patient, patient_client):
    response = patient_client.patch(ME, {"timezone": "America/Los_Angeles"}, format="json")

    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.timezone == "America/Los_Angeles"


@pytest.mark.django_db
def test_patch_me_cannot_change_role_or_email(patient, patient_client):
    response = patient_client.patch(ME, {"role": "clinician", "email": "x@example.com"}, format="json")

    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.role == "patient"
    assert patient.email != "x@example.com"


@pytest.mark.parametrize(
    "value",
    [
        "Mars/Olympus_Mons",
        "",
        "../../etc/passwd",
        "x" * 500,
        42,
        None,
        ["Europe/Paris"],
        "localtime",
        "europe/paris",
    ],
)
@pytest.mark.django_db
def test_patch_me_with_a_bad_time_zone_is_a_400_naming_the_field(patient, patient_client, value):
    response = patient_client.patch(ME, {"timezone": value}, format="json")

    assert response.status_code == 400
    assert "timezone" in response.json()
    patient.refresh_from_db()
    assert patient.timezone == "Europe/Paris"


@pytest.mark.django_db
def test_malformed_json_is_a_400_not_a_500(patient_client):
    response = patient_client.generic("PATCH", ME, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.django_db
def test_a_token_is_looked_up_with_one_session_read(monkeypatch):
    """The app token opens the API with one read of the session store; unknown,
    malformed and signed-out tokens are refused."""
    from django.contrib.sessions.backends.cached_db import SessionStore

    response = signup(APIClient())
    token = response.json()["meta"]["session_token"]
    reads = []
    load = SessionStore.load
    exists = SessionStore.exists
    monkeypatch.setattr(SessionStore, "load", lambda self: reads.append("load") or load(self))
    monkeypatch.setattr(SessionStore, "exists", lambda self, key: reads.append("exists") or exists(self, key))

    assert APIClient().get(ME, HTTP_X_SESSION_TOKEN=token).status_code == 200
    assert reads == ["load"]

    reads.clear()
    for bad in ("", "short", token[:-1] + ("a" if token[-1] != "a" else "b"), "x" * 500, token + "é"):
        assert APIClient().get(ME, HTTP_X_SESSION_TOKEN=bad).status_code == 401
    assert reads == ["load"]  # only the well-formed unknown key was looked up
    signed_out = APIClient().delete("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)
    assert signed_out.status_code == 401  # allauth's answer to a finished sign-out
    assert APIClient().get(ME, HTTP_X_SESSION_TOKEN=token).status_code == 401
