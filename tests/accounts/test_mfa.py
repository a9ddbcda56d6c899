"""Two-factor authentication per session (backend/accounts/mfa.py), through allauth's
real endpoints. allauth announces authenticator changes once they are committed, so
these tests commit (``transaction=True``), as a running server does."""

from __future__ import annotations

import time

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from rest_framework.test import APIClient

from backend.accounts.mfa import RECORDS_USER_SESSION_KEY
from backend.care.permissions import SIGN_IN_WITH_CODE
from tests.accounts.factories import PASSWORD, ClinicianFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

AUTH = "/_allauth/app/v1"
PATIENTS = "/api/v1/care/patients/"


def code(secret: str, step: int = 0) -> str:
    """The code of the current 30-second step, or a neighbour (allowed: one step either
    side); a code once used to sign in is refused a second time."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def password_session(user) -> APIClient:
    """An app-client session signed in with the password alone (no authenticator yet)."""
    response = APIClient().post(
        f"{AUTH}/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=response.json()["meta"]["session_token"])
    return client


def mfa_session(user, second_factor: str) -> APIClient:
    """An app-client session signed in with the password, then ``second_factor``."""
    client = APIClient()
    first = client.post(f"{AUTH}/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    assert first.status_code == 401, first.content
    token = first.json()["meta"]["session_token"]
    second = client.post(
        f"{AUTH}/auth/2fa/authenticate", {"code": second_factor}, format="json", HTTP_X_SESSION_TOKEN=token
    )
    assert second.status_code == 200, second.content
    client.credentials(HTTP_X_SESSION_TOKEN=second.json()["meta"]["session_token"])
    return client


def reauthenticate(client: APIClient) -> None:
    """allauth asks for the password again before authenticators change."""
    response = client.post(f"{AUTH}/auth/reauthenticate", {"password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content


def activate_totp(client: APIClient) -> str:
    reauthenticate(client)
    offered = client.get(f"{AUTH}/account/authenticators/totp")
    assert offered.status_code == 404, offered.content  # allauth: none yet, here is a secret
    secret = offered.json()["meta"]["secret"]
    activated = client.post(f"{AUTH}/account/authenticators/totp", {"code": code(secret)}, format="json")
    assert activated.status_code == 200, activated.content
    return secret


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def recovery_codes(user) -> list[str]:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    return RecoveryCodes.activate(user).get_unused_codes()


def share_code() -> str:
    patient = UserFactory()
    client = APIClient()
    client.force_login(patient)
    return client.post("/api/v1/care/share-codes/").json()["code"]


def test_a_session_signed_in_before_totp_was_activated_elsewhere_is_signed_out():
    clinician = ClinicianFactory()
    s1 = password_session(clinician)
    assert s1.get(PATIENTS).status_code == 403
    s2 = password_session(clinician)

    activate_totp(s2)

    # S1 never gave a code: no patient list, no redeeming, no patient logs; it is
    # simply no longer signed in.
    assert s1.get(PATIENTS).status_code == 401
    assert s1.post("/api/v1/care/links/", {"code": share_code()}, format="json").status_code == 401
    assert s1.get("/api/v1/me/").status_code == 401


def test_a_surviving_password_only_session_still_gets_no_patient_data(monkeypatch):
    """The rule itself, should a session outlive the sign-out (it is checked per
    request, never by comparing when things happened)."""
    monkeypatch.setattr("backend.accounts.mfa.user_sessions_end", lambda **kwargs: 0)
    clinician = ClinicianFactory()
    s1 = password_session(clinician)
    s2 = password_session(clinician)
    activate_totp(s2)
    patient_code = share_code()

    listed = s1.get(PATIENTS)
    redeemed = s1.post("/api/v1/care/links/", {"code": patient_code}, format="json")

    assert listed.status_code == 403
    assert listed.json() == {"detail": SIGN_IN_WITH_CODE}
    assert redeemed.status_code == 403
    # The code was not spent by the refused session: the right session redeems it.
    assert s2.post("/api/v1/care/links/", {"code": patient_code}, format="json").status_code == 201


def test_the_session_that_activates_totp_reads_patient_data_at_once():
    clinician = ClinicianFactory()
    session = password_session(clinician)
    assert session.get(PATIENTS).status_code == 403

    activate_totp(session)

    link = session.post("/api/v1/care/links/", {"code": share_code()}, format="json")
    assert link.status_code == 201, link.content
    patient_id = link.json()["patient"]["id"]
    assert [row["id"] for row in session.get(PATIENTS).json()] == [patient_id]
    assert session.get(f"/api/v1/care/patients/{patient_id}/logs/").status_code == 200


def test_signing_in_with_a_recovery_code_is_a_second_factor():
    clinician = ClinicianFactory()
    with_totp(clinician)
    spare = recovery_codes(clinician)[0]

    session = mfa_session(clinician, spare)

    assert session.get(PATIENTS).status_code == 200
    assert session.post("/api/v1/care/links/", {"code": share_code()}, format="json").status_code == 201


def test_a_password_only_session_of_a_user_with_totp_never_counts():
    """A session carrying another user's records, or only a password record, is refused."""
    clinician = ClinicianFactory()
    with_totp(clinician)
    client = APIClient()
    client.force_login(clinician)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "password", "at": time.time()}]
    session[RECORDS_USER_SESSION_KEY] = str(clinician.pk)
    session.save()
    assert client.get(PATIENTS).status_code == 403

    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "at": time.time()}]
    session[RECORDS_USER_SESSION_KEY] = str(UserFactory().pk)
    session.save()
    assert client.get(PATIENTS).status_code == 403


def browser_session_with_mfa(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "at": time.time()}]
    session[RECORDS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    assert client.get(PATIENTS).status_code == 200
    return client


@pytest.mark.parametrize(
    ("change", "then_patients"),
    [
        ("regenerate recovery codes", 200),
        ("remove totp", 403),
    ],
)
def test_changing_authenticators_signs_out_every_other_session(change, then_patients):
    clinician = ClinicianFactory()
    secret = with_totp(clinician)
    recovery_codes(clinician)
    phone = mfa_session(clinician, code(secret, -1))
    browser = browser_session_with_mfa(clinician)
    laptop = mfa_session(clinician, code(secret, 0))
    bystander = ClinicianFactory()
    bystander_session = mfa_session(bystander, code(with_totp(bystander)))

    reauthenticate(laptop)
    if change == "regenerate recovery codes":
        response = laptop.post(f"{AUTH}/account/authenticators/recovery-codes", {}, format="json")
        assert response.status_code == 200, response.content
    else:
        response = laptop.delete(f"{AUTH}/account/authenticators/totp")
        assert response.status_code == 200, response.content
        assert not Authenticator.objects.filter(user=clinician).exists()

    assert phone.get("/api/v1/me/").status_code == 401
    assert browser.get("/api/v1/me/").status_code == 401
    # The session that made the change stays, under the new rules.
    assert laptop.get("/api/v1/me/").status_code == 200
    assert laptop.get(PATIENTS).status_code == then_patients
    # Nobody else is signed out.
    assert bystander_session.get(PATIENTS).status_code == 200


def test_activating_totp_signs_out_browser_sessions_too():
    clinician = ClinicianFactory()
    browser = APIClient()
    browser.force_login(clinician)
    assert browser.get("/api/v1/me/").status_code == 200
    phone = password_session(clinician)

    activate_totp(phone)

    assert browser.get("/api/v1/me/").status_code == 401
    assert phone.get(PATIENTS).status_code == 200
