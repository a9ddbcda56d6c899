import datetime as dt
import re

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from rest_framework.test import APIClient

from backend.care.models import CareLink, ShareCode
from tests.accounts.factories import ClinicianFactory


def test_a_patient_gets_a_readable_single_use_code_valid_24_hours(catalog, patient_client):
    response = patient_client.post("/api/v1/care/share-codes/")

    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", body["code"])
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert dt.timedelta(hours=23, minutes=59) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=24)
    assert body["code"] not in str(list(ShareCode.objects.values()))


def test_redeeming_links_clinician_and_patient_with_default_scopes(link, patient, doctor):
    assert link["patient"]["email"] == patient.email
    assert link["clinician"]["email"] == doctor[0].email
    assert link["scopes"] == ["logs", "checkins"]


def test_both_sides_see_the_link(link, patient_client, doctor):
    assert [each["id"] for each in patient_client.get("/api/v1/care/links/").json()] == [link["id"]]
    assert [each["id"] for each in doctor[1].get("/api/v1/care/links/").json()] == [link["id"]]


def test_a_code_works_once(catalog, patient_client, make_clinician):
    code = patient_client.post("/api/v1/care/share-codes/").json()["code"]
    first, second = make_clinician(), make_clinician()

    assert first[1].post("/api/v1/care/links/", {"code": code}, format="json").status_code == 201
    refused = second[1].post("/api/v1/care/links/", {"code": code}, format="json")

    assert refused.status_code == 400
    assert "not valid or has expired" in refused.json()["code"][0]
    assert CareLink.objects.count() == 1


def test_a_code_expires_after_24_hours(catalog, patient_client, make_clinician):
    code = patient_client.post("/api/v1/care/share-codes/").json()["code"]

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=24, seconds=1)):
        _, clinician = make_clinician()
        response = clinician.post("/api/v1/care/links/", {"code": code}, format="json")

    assert response.status_code == 400
    assert "code" in response.json()


def test_codes_are_forgiving_about_case_dashes_and_look_alike_letters(catalog, patient_client, doctor):
    code = patient_client.post("/api/v1/care/share-codes/").json()["code"]
    typed = code.replace("-", " ").lower().replace("0", "o").replace("1", "l")

    assert doctor[1].post("/api/v1/care/links/", {"code": typed}, format="json").status_code == 201


@pytest.mark.parametrize("code", ["", "AAAA-BBBB-CCCC", "x" * 65, None, 12345])
def test_a_wrong_code_is_a_400_naming_the_field(catalog, doctor, code):
    response = doctor[1].post("/api/v1/care/links/", {"code": code}, format="json")

    assert response.status_code == 400
    assert "code" in response.json()


def test_redeeming_is_rate_limited(catalog, doctor, settings):
    for _ in range(20):
        assert (
            doctor[1].post("/api/v1/care/links/", {"code": "AAAA-BBBB-CCCC"}, format="json").status_code
            == 400
        )

    response = doctor[1].post("/api/v1/care/links/", {"code": "AAAA-BBBB-CCCC"}, format="json")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_a_patient_cannot_redeem_and_a_clinician_cannot_make_codes(catalog, patient_client, doctor):
    assert (
        patient_client.post("/api/v1/care/links/", {"code": "AAAA-BBBB-CCCC"}, format="json").status_code
        == 403
    )
    assert doctor[1].post("/api/v1/care/share-codes/").status_code == 403


def test_a_patient_can_hold_only_five_open_codes(catalog, patient_client):
    for _ in range(5):
        assert patient_client.post("/api/v1/care/share-codes/").status_code == 201

    response = patient_client.post("/api/v1/care/share-codes/")

    assert response.status_code == 400
    assert "5 unused codes" in response.json()["detail"]


def test_the_patient_can_share_the_journal_and_stop_sharing_it(link, patient_client):
    url = f"/api/v1/care/links/{link['id']}/"

    shared = patient_client.patch(url, {"scopes": ["logs", "checkins", "journal"]}, format="json")
    assert shared.json()["scopes"] == ["logs", "checkins", "journal"]
    hidden = patient_client.patch(url, {"scopes": ["checkins", "logs"]}, format="json")
    assert hidden.json()["scopes"] == ["logs", "checkins"]


@pytest.mark.parametrize("scopes", [["logs"], ["logs", "checkins", "diary"], "journal", None, []], ids=str)
def test_bad_scopes_are_a_400(link, patient_client, scopes):
    response = patient_client.patch(f"/api/v1/care/links/{link['id']}/", {"scopes": scopes}, format="json")

    assert response.status_code == 400
    assert "scopes" in response.json()


def test_only_the_patient_changes_scopes(link, doctor):
    response = doctor[1].patch(
        f"/api/v1/care/links/{link['id']}/", {"scopes": ["logs", "checkins", "journal"]}, format="json"
    )

    assert response.status_code == 404


@pytest.mark.parametrize("side", ["patient", "clinician"])
def test_either_side_ends_the_link_at_once(link, patient, patient_client, doctor, side):
    client = patient_client if side == "patient" else doctor[1]

    assert client.delete(f"/api/v1/care/links/{link['id']}/").status_code == 204

    assert doctor[1].get(f"/api/v1/care/patients/{patient.pk}/summary/").status_code == 404
    assert doctor[1].get("/api/v1/care/patients/").json() == []
    assert patient_client.get("/api/v1/care/links/").json() == []


def test_a_clinician_without_an_authenticator_is_told_to_set_one_up(catalog, patient, make_clinician):
    clinician, _ = make_clinician(mfa=False)
    client = APIClient()
    client.force_login(clinician)

    response = client.get("/api/v1/care/patients/")

    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_a_session_that_skipped_the_authenticator_is_sent_back_to_sign_in(catalog, patient):
    clinician = ClinicianFactory()
    TOTP.activate(clinician, generate_totp_secret())
    client = APIClient()
    client.force_login(clinician)  # no allauth sign-in: no authenticator code was given

    response = client.get("/api/v1/care/patients/")

    assert response.status_code == 403
    assert "authenticator code" in response.json()["detail"]
