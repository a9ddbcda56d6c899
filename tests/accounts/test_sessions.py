import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.accounts.factories import PASSWORD, ClinicianFactory, UserFactory

START = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)


def browser_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def token_client(user) -> APIClient:
    response = APIClient().post(
        "/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=response.json()["meta"]["session_token"])
    return client


@pytest.mark.parametrize("sign_in", [browser_client, token_client], ids=["browser", "app token"])
@pytest.mark.parametrize(
    ("role", "gap", "signed_in"),
    [
        ("patient", dt.timedelta(days=29), True),
        ("patient", dt.timedelta(days=31), False),
        ("clinician", dt.timedelta(minutes=29), True),
        ("clinician", dt.timedelta(minutes=31), False),
    ],
)
@pytest.mark.django_db
def test_an_idle_session_ends_after_its_roles_timeout(sign_in, role, gap, signed_in):
    user = ClinicianFactory() if role == "clinician" else UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        client = sign_in(user)
        assert client.get("/api/v1/me/").status_code == 200
        clock.shift(gap)

        response = client.get("/api/v1/me/")

        assert response.status_code == (200 if signed_in else 401)
        # Once ended, it stays ended.
        clock.shift(dt.timedelta(seconds=1))
        assert client.get("/api/v1/me/").status_code == (200 if signed_in else 401)


@pytest.mark.parametrize("sign_in", [browser_client, token_client], ids=["browser", "app token"])
@pytest.mark.django_db
def test_a_clinician_session_ends_after_12_hours_even_when_busy(sign_in):
    clinician = ClinicianFactory()
    with time_machine.travel(START, tick=False) as clock:
        client = sign_in(clinician)
        assert client.get("/api/v1/me/").status_code == 200
        for _ in range(47):  # every 15 minutes for 11 h 45
            clock.shift(dt.timedelta(minutes=15))
            assert client.get("/api/v1/me/").status_code == 200
        clock.shift(dt.timedelta(minutes=16))

        assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_a_patient_using_the_app_daily_stays_signed_in_for_weeks():
    patient = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        client = browser_client(patient)
        for _ in range(60):
            clock.shift(dt.timedelta(days=1))
            assert client.get("/api/v1/me/").status_code == 200


@pytest.mark.django_db
def test_ending_a_users_sessions_signs_out_every_device_but_the_one_kept():
    from backend.accounts.models import UserSession
    from backend.accounts.services import user_sessions_end

    patient, other = UserFactory(), UserFactory()
    phone, laptop, kept = token_client(patient), browser_client(patient), token_client(patient)
    others = token_client(other)
    for client in (phone, laptop, kept, others):
        assert client.get("/api/v1/me/").status_code == 200  # now cached as well as stored
    keep = kept._credentials["HTTP_X_SESSION_TOKEN"]

    assert user_sessions_end(user_id=patient.pk, keep=keep) == 2

    assert phone.get("/api/v1/me/").status_code == 401
    assert laptop.get("/api/v1/me/").status_code == 401
    assert kept.get("/api/v1/me/").status_code == 200
    assert others.get("/api/v1/me/").status_code == 200
    left = UserSession.objects.filter(user_id=patient.pk).values_list("session_key", flat=True)
    assert list(left) == [keep]
