"""No reminder is added for the person: they choose theirs (issue 15, item 4)."""

from __future__ import annotations

import pytest

from backend.reminders.models import ReminderRule

# The clock stands still at tests.tracker.helpers.NOW (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("frozen_time")


def enroll(client, slug: str) -> None:
    response = client.post("/api/v1/enrollments/", {"program": slug}, format="json")
    assert response.status_code == 201, response.content


def test_enrolling_in_every_program_adds_no_reminder(catalog, patient_client):
    for slug in ("core-strength", "back-stretches", "breathing-relaxation", "sleep-hygiene"):
        enroll(patient_client, slug)

    assert patient_client.get("/api/v1/reminders/").json() == []
    assert not ReminderRule.objects.exists()


def test_only_the_reminders_the_person_chose_exist(catalog, patient_client):
    chosen = patient_client.post(
        "/api/v1/reminders/",
        {"kind": "checkin", "times": ["20:30"], "weekdays": [0, 1, 2, 3, 4, 5, 6]},
        format="json",
    )
    assert chosen.status_code == 201, chosen.content

    enroll(patient_client, "core-strength")
    enroll(patient_client, "back-stretches")

    got = patient_client.get("/api/v1/reminders/").json()
    assert [(rule["kind"], rule["times"]) for rule in got] == [("checkin", ["20:30"])]


def test_a_reminder_the_person_chose_is_left_alone_by_enrolling(catalog, patient_client):
    patient_client.post(
        "/api/v1/reminders/", {"kind": "session", "times": ["06:45"], "weekdays": [0]}, format="json"
    )

    enroll(patient_client, "core-strength")

    (rule,) = patient_client.get("/api/v1/reminders/").json()
    assert (rule["kind"], rule["times"], rule["weekdays"]) == ("session", ["06:45"], [0])
