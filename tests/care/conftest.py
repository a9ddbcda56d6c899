import pytest


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
