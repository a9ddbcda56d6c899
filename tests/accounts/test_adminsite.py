"""The Django admin needs a session that gave a second factor; the access log in it is
read-only for everyone."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from backend.accounts.models import User
from backend.care.models import AccessLogEntry
from tests.accounts.factories import PASSWORD, ClinicianFactory, UserFactory
from tests.conftest import totp_code

pytestmark = pytest.mark.django_db
BROWSER = "/_allauth/browser/v1"


@pytest.fixture
def superuser():
    user = User.objects.create_superuser("root@example.com", PASSWORD)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def browser_sign_in(user, code: str | None = None) -> Client:
    """Sign in as the PWA does (allauth's browser client): password, then the code."""
    client = Client()
    first = client.post(
        f"{BROWSER}/auth/login", {"email": user.email, "password": PASSWORD}, content_type="application/json"
    )
    if code is None:
        assert first.status_code == 200, first.content
        return client
    assert first.status_code == 401, first.content
    second = client.post(f"{BROWSER}/auth/2fa/authenticate", {"code": code}, content_type="application/json")
    assert second.status_code == 200, second.content
    return client


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def in_admin(client: Client) -> bool:
    response = client.get("/admin/")
    return response.status_code == 200 and b"Site administration" in response.content


def test_a_superuser_signed_in_with_a_password_only_gets_no_admin(superuser):
    client = browser_sign_in(superuser)
    assert client.get("/api/v1/me/").status_code == 200  # signed in to the app

    index = client.get("/admin/")
    page = client.get("/admin/login/")

    assert index.status_code == 302 and index["Location"].startswith("/admin/login/")
    assert page.status_code == 403
    assert b"authenticator code" in page.content
    assert b'type="password"' not in page.content
    assert client.get("/admin/care/accesslogentry/").status_code == 302


def test_a_superuser_whose_session_skipped_the_code_gets_no_admin(superuser):
    """Even with an authenticator enrolled, a session that never gave its code is refused."""
    with_totp(superuser)
    client = Client()
    client.force_login(superuser)

    assert not in_admin(client)


def test_the_admin_takes_no_password(superuser):
    client = Client()

    response = client.post("/admin/login/?next=/admin/", {"username": superuser.email, "password": PASSWORD})

    assert response.status_code == 403
    assert not in_admin(client)
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_a_superuser_who_gave_the_code_gets_the_admin(superuser):
    client = browser_sign_in(superuser, totp_code(with_totp(superuser)))

    assert in_admin(client)
    assert client.get("/admin/login/")["Location"] == "/admin/"


def test_staff_rights_are_still_needed_after_the_code():
    clinician = ClinicianFactory()
    client = browser_sign_in(clinician, totp_code(with_totp(clinician)))

    assert not in_admin(client)
    assert b"not an administrator account" in client.get("/admin/login/").content


def test_nobody_adds_changes_or_deletes_access_log_rows_in_the_admin(superuser):
    patient = UserFactory()
    row = AccessLogEntry.objects.create(
        patient=patient, clinician=None, clinician_email="dr@example.com", what="summary"
    )
    client = browser_sign_in(superuser, totp_code(with_totp(superuser)))
    base = "/admin/care/accesslogentry/"

    listed = client.get(base)
    shown = client.get(f"{base}{row.pk}/change/")
    added = client.post(f"{base}add/", {"clinician_email": "x@example.com", "what": "forged"})
    changed = client.post(f"{base}{row.pk}/change/", {"clinician_email": "x@example.com", "what": "forged"})
    deleted = client.post(f"{base}{row.pk}/delete/", {"post": "yes"})
    bulk = client.post(base, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})

    assert listed.status_code == 200 and b"dr@example.com" in listed.content
    assert shown.status_code == 200 and b'name="_save"' not in shown.content
    assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert bulk.status_code in (200, 302)  # the admin offers no delete action: nothing happens
    row.refresh_from_db()
    assert (row.clinician_email, row.what) == ("dr@example.com", "summary")
    assert AccessLogEntry.objects.count() == 1


def test_removing_a_users_authenticator_in_the_admin_signs_them_out_everywhere(superuser):
    from allauth.mfa.models import Authenticator

    clinician = ClinicianFactory()
    secret = with_totp(clinician)
    theirs = browser_sign_in(clinician, totp_code(secret))
    assert theirs.get("/api/v1/care/patients/").status_code == 200
    admin_client = browser_sign_in(superuser, totp_code(with_totp(superuser)))
    totp = Authenticator.objects.get(user=clinician, type=Authenticator.Type.TOTP)

    response = admin_client.post(f"/admin/mfa/authenticator/{totp.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=totp.pk).exists()
    assert theirs.get("/api/v1/me/").status_code in (401, 403)
    assert in_admin(admin_client)
