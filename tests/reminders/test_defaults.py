"""Reminders a new enrollment sets up, from the program items' times of day."""

from __future__ import annotations

import pytest

from backend.reminders.models import ReminderRule

# The clock stands still at tests.tracker.helpers.NOW (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("frozen_time")


def enroll(client, slug: str) -> None:
    response = client.post("/api/v1/enrollments/", {"program": slug}, format="json")
    assert response.status_code == 201, response.content


def rules(client) -> dict[str, dict]:
    return {rule["kind"]: rule for rule in client.get("/api/v1/reminders/").json()}


def test_enrolling_in_core_strength_sets_session_check_in_and_desk_break_reminders(catalog, patient_client):
    enroll(patient_client, "core-strength")

    got = rules(patient_client)
    assert set(got) == {"session", "checkin", "desk_break"}
    # Its items are in the morning and the afternoon.
    assert got["session"]["times"] == ["07:30", "16:00"]
    assert got["checkin"]["times"] == ["20:30"]
    desk = got["desk_break"]
    assert (desk["every_minutes"], desk["window"], desk["weekdays"]) == (
        50,
        ["09:00", "17:00"],
        [0, 1, 2, 3, 4],
    )
    assert all(rule["enabled"] and rule["next_fire_at"] for rule in got.values())


def test_breathing_twice_a_day_and_a_wind_down_before_bed(catalog, patient_client):
    enroll(patient_client, "breathing-relaxation")
    enroll(patient_client, "sleep-hygiene")

    got = rules(patient_client)
    assert got["breathing"]["times"] == ["07:30", "19:00"]
    assert got["bedtime"]["times"] == ["21:30"]
    assert "desk_break" not in got


def test_a_second_program_adds_its_times_to_the_default_session_reminder(catalog, patient_client):
    enroll(patient_client, "core-strength")
    enroll(patient_client, "back-stretches")

    got = rules(patient_client)
    assert got["session"]["times"] == ["07:30", "12:30", "16:00", "19:00"]
    assert ReminderRule.objects.filter(kind="session").count() == 1
    assert ReminderRule.objects.filter(kind="checkin").count() == 1


def test_a_reminder_the_user_changed_is_left_alone(catalog, patient_client):
    enroll(patient_client, "core-strength")
    session = rules(patient_client)["session"]
    patient_client.patch(f"/api/v1/reminders/{session['id']}/", {"times": ["06:45"]}, format="json")

    enroll(patient_client, "back-stretches")

    assert rules(patient_client)["session"]["times"] == ["06:45"]


def test_a_failed_enrollment_sets_no_reminders(catalog, patient_client):
    enroll(patient_client, "core-strength")
    before = list(ReminderRule.objects.values_list("id", "times"))

    again = patient_client.post("/api/v1/enrollments/", {"program": "core-strength"}, format="json")

    assert again.status_code == 400
    assert list(ReminderRule.objects.values_list("id", "times")) == before
