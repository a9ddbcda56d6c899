"""Huge numbers, the one kind of bad input the issue names that no other test sends
on purpose: in bodies, query strings and paths they are 4xx naming the field, never a
500 or an overflow in the database."""

from __future__ import annotations

import json

import pytest

from tests.tracker.helpers import checkin, entry

HUGE = 10**30


# The clock stands still at tests.tracker.helpers.NOW (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.mark.parametrize(
    ("field", "number"),
    [
        ("pain", "1000000000000000000000000000000"),
        ("pain", "1e400"),
        ("sleep_hours", "1e400"),
        ("mood", "-1000000000000000000000000000000"),
    ],
    ids=["pain 10^30", "pain 1e400", "sleep 1e400", "mood -10^30"],
)
def test_a_huge_number_in_a_synced_entry_rejects_that_entry_only(catalog, patient_client, field, number):
    good = entry("checkin", checkin())
    bad = entry("checkin", checkin())
    bad["data"][field] = "HUGE"
    # Written by hand: json.dumps cannot write 1e400 (it parses as infinity).
    body = json.dumps({"entries": [good, bad]}).replace('"HUGE"', number)

    response = patient_client.post("/api/v1/sync/", body, content_type="application/json")

    assert response.status_code == 200, response.content
    good_result, bad_result = response.json()["results"]
    assert good_result["status"] == "created"
    assert bad_result["status"] == "rejected"
    assert list(bad_result["errors"]) == [field]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/api/v1/summary/?days={HUGE}", "days"),
        (f"/api/v1/plan/?days={HUGE}", "days"),
        ("/api/v1/plan/?days=1e400", "days"),
        (f"/api/v1/sync/?cursor={HUGE}", "cursor"),
    ],
)
def test_a_huge_number_in_a_query_is_a_400_naming_it(catalog, patient_client, path, field):
    response = patient_client.get(path)
    assert response.status_code == 400, response.content
    assert field in json.dumps(response.json())


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/enrollments/{HUGE}/",
        f"/api/v1/reminders/{HUGE}/",
        f"/api/v1/care/links/{HUGE}/",
    ],
)
def test_a_huge_id_in_a_path_is_a_404(patient_client, path):
    response = patient_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_huge_id_of_a_patient_is_a_404_for_a_clinician(make_clinician):
    _clinician, client = make_clinician()
    response = client.get(f"/api/v1/care/patients/{HUGE}/summary/")
    assert response.status_code == 404


def test_a_huge_reminder_interval_is_a_400_naming_it(patient_client):
    response = patient_client.post(
        "/api/v1/reminders/",
        {"kind": "desk_break", "every_minutes": HUGE, "window": ["09:00", "17:00"]},
        format="json",
    )
    assert response.status_code == 400
    assert "every_minutes" in json.dumps(response.json())
