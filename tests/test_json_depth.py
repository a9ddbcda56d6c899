"""A body nested deeper than the limit is a 400 on every JSON endpoint, before any
parser recurses into it (5,000 ``[`` used to be a RecursionError: a 500)."""

from __future__ import annotations

import pytest

from backend.core.jsonlimits import MAX_DEPTH, too_deep
from tests.tracker.helpers import entry, sync

DEEP = b'{"entries":' + b"[" * 5000

ENDPOINTS = [
    ("post", "/_allauth/app/v1/auth/login", False),
    ("post", "/_allauth/browser/v1/auth/login", False),
    ("post", "/_allauth/app/v1/auth/signup", False),
    ("post", "/api/v1/sync/", True),
    ("patch", "/api/v1/me/", True),
    ("post", "/api/v1/reminders/", True),
    ("post", "/api/v1/enrollments/", True),
    ("post", "/api/v1/care/links/", True),
]


@pytest.mark.parametrize(("method", "path", "signed_in"), ENDPOINTS)
@pytest.mark.parametrize(
    "body",
    [DEEP, b"[" * 5000 + b"]" * 5000, b'{"a":' * 40 + b"1" + b"}" * 40],
    ids=["unclosed", "arrays", "objects"],
)
def test_a_body_nested_too_deep_is_a_400_naming_the_limit(
    method, path, signed_in, body, api_client, patient_client, db
):
    client = patient_client if signed_in else api_client
    response = getattr(client, method)(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": f"The JSON body is nested more than {MAX_DEPTH} levels deep."}


def test_a_real_sync_batch_is_far_from_the_limit(patient_client):
    answer = sync(patient_client, entry("journal", {"date": "2026-11-21", "gratitude": ["[[[{{", "a"]}))
    assert answer["results"][0]["status"] == "created"


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        (b"[" * MAX_DEPTH + b"]" * MAX_DEPTH, False),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), True),
        (b'"' + b"[" * 5000 + b'"', False),  # brackets inside a string do not nest
        (b'["\\"' + b"[" * 5000 + b'"]', False),  # nor after an escaped quote
        (b"[" * 5000, True),  # never closed: the parser recurses all the same
        (b"[[]]" * 1000, False),  # many, but shallow
    ],
)
def test_depth_is_measured_as_the_parser_would_recurse(text, deep):
    assert too_deep(text) is deep


@pytest.mark.parametrize(("method", "path", "signed_in"), ENDPOINTS)
def test_text_holding_nul_is_a_400_not_a_500(method, path, signed_in, api_client, patient_client, db):
    """PostgreSQL can store no NUL: it reached a slug lookup (enrollments) as a 500."""
    client = patient_client if signed_in else api_client
    body = b'{"program": "core\\u0000", "email": "a\\u0000@example.com", "code": "AB\\u0000", "kind": "x\\u0000"}'
    response = getattr(client, method)(path, data=body, content_type="application/json")
    # A 400 where a field holds it, or what the endpoint says of a body without its fields.
    assert response.status_code in (200, 400, 403), response.content


def test_a_program_slug_holding_nul_is_named(patient_client):
    response = patient_client.post("/api/v1/enrollments/", {"program": "core\x00"}, format="json")
    assert response.status_code == 400
    assert "program" in response.json()


@pytest.mark.parametrize("url", ["/api/v1/programs/core%00/", "/api/v1/logs/?from=2026-11-01%00"])
def test_a_url_holding_nul_is_a_400(url, patient_client):
    response = patient_client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_a_sync_entry_holding_nul_sinks_only_itself(patient_client):
    answer = sync(
        patient_client,
        entry("journal", {"date": "2026-11-21", "text": "bad\x00"}),
        entry("journal", {"date": "2026-11-21", "text": "fine"}),
    )
    assert [r["status"] for r in answer["results"]] == ["rejected", "created"]
    assert "text" in answer["results"][0]["errors"]


def test_the_text_backslash_u0000_is_allowed(patient_client):
    answer = sync(patient_client, entry("journal", {"date": "2026-11-21", "text": "a path: C:\\u0000"}))
    assert answer["results"][0]["status"] == "created"
