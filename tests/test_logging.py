import logging

import pytest
from rest_framework.test import APIClient

from backend.core.logfilters import RedactSecrets, redact
from tests.tracker.helpers import checkin, entry, journal, sync

SECRET_NOTE = "my-secret-health-note-7431"


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("connection to postgres://backtrack:hunter2@db:5432/x failed", "hunter2"),
        ("redis://:s3cret@cache:6379/0 refused", "s3cret"),
        ("headers {'X-Session-Token': 'abc123token'}", "abc123token"),
        ('{"meta": {"session_token": "tok987"}}', "tok987"),
        ("login password=letmein42 rejected", "letmein42"),
        ("Cookie: sessionid=zzz111; csrftoken=yyy222", "zzz111"),
    ],
)
def test_secrets_are_masked(text, hidden):
    assert hidden not in redact(text)
    assert "***" in redact(text)


def test_a_logged_exception_is_masked_too():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, None)
    try:
        raise ConnectionError("postgres://u:pw-in-trace@h/db unreachable")
    except ConnectionError:
        import sys

        record.exc_info = sys.exc_info()
    RedactSecrets().filter(record)

    assert "pw-in-trace" not in record.exc_text


def test_syncing_health_data_logs_no_health_values_or_tokens(catalog, caplog):
    caplog.set_level(logging.DEBUG)
    signup = APIClient().post(
        "/_allauth/app/v1/auth/signup",
        {"email": "logs@example.com", "password": "calm-steady-42!"},
        format="json",
    )
    token = signup.json()["meta"]["session_token"]
    patient_client = APIClient()
    patient_client.credentials(HTTP_X_SESSION_TOKEN=token)
    sync(
        patient_client,
        entry("checkin", checkin(pain=9, note=SECRET_NOTE, red_flags=["fever"])),
        entry("journal", journal(text=SECRET_NOTE)),
        entry("checkin", checkin(pain=12, note=SECRET_NOTE)),  # rejected
    )
    patient_client.post("/api/v1/sync/", "{not json " + SECRET_NOTE, content_type="application/json")
    patient_client.get("/api/v1/summary/?days=7")

    APIClient().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token + "-wrong")

    logged = "\n".join(record.getMessage() + str(record.args) for record in caplog.records)
    assert caplog.records, "the bad requests above should have been logged"
    assert SECRET_NOTE not in logged
    assert token not in logged
