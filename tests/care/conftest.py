import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from rest_framework.test import APIClient

from tests.factories import PASSWORD, ClinicianFactory


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in_with_totp(user, secret: str) -> APIClient:
    """Sign in through allauth's app client: password, then the authenticator code."""
    client = APIClient()
    first = client.post(
        "/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert first.status_code == 401, first.content
    body = first.json()
    assert any(flow["id"] == "mfa_authenticate" and flow.get("is_pending") for flow in body["data"]["flows"])
    token = body["meta"]["session_token"]
    second = client.post(
        "/_allauth/app/v1/auth/2fa/authenticate",
        {"code": totp_code(secret)},
        format="json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert second.status_code == 200, second.content
    client.credentials(HTTP_X_SESSION_TOKEN=second.json()["meta"]["session_token"])
    assert client.get("/api/v1/me/").status_code == 200  # the session's first request
    return client


@pytest.fixture
def make_clinician(db):
    def make(mfa: bool = True):
        user = ClinicianFactory()
        if not mfa:
            return user, None
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        return user, sign_in_with_totp(user, secret)

    return make


@pytest.fixture
def doctor(make_clinician):
    """A clinician with TOTP, signed in with it: (user, client)."""
    return make_clinician()


@pytest.fixture
def link(catalog, patient, patient_client, doctor):
    """``patient`` shares with ``doctor`` through a real share code."""
    code = patient_client.post("/api/v1/care/share-codes/").json()["code"]
    response = doctor[1].post("/api/v1/care/links/", {"code": code}, format="json")
    assert response.status_code == 201, response.content
    return response.json()
