"""Every clinician endpoint, as everyone who might call it: only the linked clinician
with two-factor authentication gets the patient's data, and the journal only when
shared."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.care.models import AccessLogEntry, CareLink
from backend.tracker.models import SafetyAlert
from tests.accounts.factories import ClinicianFactory, UserFactory
from tests.tracker.helpers import checkin, entry, journal, sync

ENDPOINTS = [
    ("get", "care/patients/{id}/"),
    ("get", "care/patients/{id}/summary/?days=28"),
    ("get", "care/patients/{id}/logs/"),
    ("get", "care/patients/{id}/journal/"),
    ("get", "care/patients/{id}/export/?format=csv"),
    ("get", "care/patients/{id}/export/?format=fhir"),
    ("get", "care/patients/{id}/alerts/?state=all"),
    ("post", "care/patients/{id}/alerts/{alert}/acknowledge/"),
    ("get", "care/patients/{id}/notes/"),
    ("post", "care/patients/{id}/notes/"),
]
PERSONAS = ["linked", "unlinked", "revoked", "no_mfa", "other_patient", "anonymous"]
EXPECTED = {
    "linked": {200, 201},
    "unlinked": {404},
    "revoked": {404},
    "no_mfa": {403},
    "other_patient": {403},
    "anonymous": {401},
}


@pytest.fixture
def world(catalog, patient, patient_client, make_clinician, link, doctor):
    sync(
        patient_client,
        entry("checkin", checkin(pain=5, red_flags=["fever"])),
        entry("journal", journal(text="shared only on request")),
    )
    revoked, revoked_client = make_clinician()
    CareLink.objects.create(patient=patient, clinician=revoked, ended_at=timezone.now())
    _, unlinked_client = make_clinician()
    no_mfa = ClinicianFactory()
    CareLink.objects.create(patient=patient, clinician=no_mfa, scopes=["logs", "checkins"])
    no_mfa_client = APIClient()
    no_mfa_client.force_login(no_mfa)
    other_client = APIClient()
    other_client.force_login(UserFactory())
    return {
        "patient": patient,
        "patient_client": patient_client,
        "link": link,
        "alert": SafetyAlert.objects.get(patient=patient),
        "clients": {
            "linked": doctor[1],
            "unlinked": unlinked_client,
            "revoked": revoked_client,
            "no_mfa": no_mfa_client,
            "other_patient": other_client,
            "anonymous": APIClient(),
        },
    }


def _call(client, method, path, world):
    url = "/api/v1/" + path.format(id=world["patient"].pk, alert=world["alert"].pk)
    if method == "post":
        return client.post(url, {"text": "a note"}, format="json")
    return client.get(url)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_only_the_linked_clinician_with_mfa_gets_patient_data(world, persona, method, path):
    # The unshared journal is hidden even from the linked clinician (shared: below).
    expected = {404} if persona == "linked" and "journal" in path else EXPECTED[persona]
    before = AccessLogEntry.objects.count()

    response = _call(world["clients"][persona], method, path, world)

    assert response.status_code in expected, (persona, path, response.status_code, response.content[:200])
    body = response.content.decode()
    if persona != "linked":
        assert "shared only on request" not in body
        assert world["patient"].email not in body
        assert AccessLogEntry.objects.count() == before
    if response["Content-Type"].startswith("application/json"):
        assert isinstance(response.json(), dict | list)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_journal_opens_only_to_the_linked_clinician_once_shared(world, persona):
    world["patient_client"].patch(
        f"/api/v1/care/links/{world['link']['id']}/",
        {"scopes": ["logs", "checkins", "journal"]},
        format="json",
    )

    response = _call(world["clients"][persona], "get", "care/patients/{id}/journal/", world)

    if persona == "linked":
        assert [j["text"] for j in response.json()] == ["shared only on request"]
    else:
        assert response.status_code in EXPECTED[persona]
        assert "shared only on request" not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_patient_list_shows_only_linked_patients(world, persona):
    response = world["clients"][persona].get("/api/v1/care/patients/")

    if persona == "linked":
        assert [row["id"] for row in response.json()] == [world["patient"].pk]
    elif persona in ("unlinked", "revoked"):
        assert response.json() == []
    else:
        assert response.status_code in EXPECTED[persona]


@pytest.mark.parametrize("persona", ["unlinked", "revoked", "other_patient", "anonymous"])
def test_nobody_else_can_change_or_end_the_link(world, persona):
    url = f"/api/v1/care/links/{world['link']['id']}/"
    client = world["clients"][persona]

    patched = client.patch(url, {"scopes": ["logs", "checkins", "journal"]}, format="json")
    deleted = client.delete(url)

    assert patched.status_code in {401, 403, 404}
    assert deleted.status_code in {401, 403, 404}
    assert CareLink.objects.get(pk=world["link"]["id"]).ended_at is None
    assert CareLink.objects.get(pk=world["link"]["id"]).scopes == ["logs", "checkins"]
