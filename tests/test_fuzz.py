"""Schemathesis against our own OpenAPI schema, in process, as a patient and as a
clinician: no server errors, only documented status codes, responses that match their
schema, and data that breaks the schema refused with a 4xx. A bounded number of
examples per operation here; `benchmarks/fuzz.py` runs many more."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.programs.factories import EnrollmentFactory

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, negative_data_rejection]
# A sync batch answers a malformed entry with a "rejected" result, not a 400, so the
# rest of the batch is still applied (the contract): its schema types each entry
# exactly, but breaking it is not refused as a whole. Every other check still applies.
SYNC_CHECKS = [check for check in CHECKS if check is not negative_data_rejection]


def checks_for(case) -> list:
    return SYNC_CHECKS if (case.method, case.path) == ("POST", "/api/v1/sync/") else CHECKS


EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))


@contextmanager
def connection_kept():
    """The WSGI app is called directly, not through Django's test client: keep Django
    from closing the test's database connection (and its transaction) after each
    request, as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def push_configured(settings):
    """As in production: VAPID keys are set, so the public-key endpoint answers."""
    from backend.reminders.vapid import generate_key_pair

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = generate_key_pair()


@pytest.fixture
def api_schema(db):
    with connection_kept():
        return schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def patient_token(catalog, patient, patient_client):
    from tests.tracker.helpers import checkin, entry, sync

    EnrollmentFactory(user=patient)
    sync(patient_client, entry("checkin", checkin(red_flags=["fever"])))
    return _token(patient)


def _token(user) -> str:
    from rest_framework.test import APIClient

    from tests.accounts.factories import PASSWORD

    response = APIClient().post(
        "/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


@pytest.fixture
def clinician_token(catalog, patient, patient_client, make_clinician):
    from backend.care.models import CareLink
    from tests.tracker.helpers import checkin, entry, sync

    sync(patient_client, entry("checkin", checkin(red_flags=["fever"])))
    clinician, client = make_clinician()
    CareLink.objects.create(patient=patient, clinician=clinician, scopes=["logs", "checkins", "journal"])
    return client._credentials["HTTP_X_SESSION_TOKEN"]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_as_a_patient(case, patient_token):
    with connection_kept():
        case.call_and_validate(headers={"X-Session-Token": patient_token}, checks=checks_for(case))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_as_a_clinician(case, clinician_token):
    with connection_kept():
        case.call_and_validate(headers={"X-Session-Token": clinician_token}, checks=checks_for(case))
