"""/today/, /plan/ and /me/ for the guided plan (API.md "Guided practice")."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.programs.models import Program
from tests.programs.factories import EnrollmentFactory, exercises_of
from tests.tracker.helpers import entry, sync

# Saturday 2026-11-21 in Paris (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("frozen_time")
ME = "/api/v1/me/"


@pytest.fixture
def two_programs(catalog, patient):
    for slug in ("core-strength", "back-stretches"):
        EnrollmentFactory(
            user=patient, program=Program.objects.get(slug=slug), start_date=dt.date(2026, 11, 16)
        )


def test_today_holds_sessions_with_minutes_and_each_exercise_once(two_programs, patient_client):
    day = patient_client.get("/api/v1/today/").json()

    items = {item["id"]: item for item in exercises_of(day)}
    assert [s["time_of_day"] for s in day["sessions"]] == ["morning", "midday", "afternoon", "evening"]
    assert [i for s in day["sessions"] for i in s["items"]] == list(items)
    assert all(s["minutes"] > 0 and s["optional_minutes"] == 0 for s in day["sessions"])
    assert 0 < day["minutes"] <= sum(s["minutes"] for s in day["sessions"])
    cat_cow = [i for i in exercises_of(day) if i["exercise"]["slug"] == "cat-cow"]
    assert len(cat_cow) == 1
    assert set(cat_cow[0]["programs"]) == {"core-strength", "back-stretches"}
    assert not any(item["optional"] for item in exercises_of(day))


def test_every_day_of_the_plan_has_its_sessions(two_programs, patient_client):
    days = patient_client.get("/api/v1/plan/?start=2026-11-21&days=3").json()["days"]

    for day in days:
        assert [i for s in day["sessions"] for i in s["items"]] == [i["id"] for i in exercises_of(day)]
        assert isinstance(day["minutes"], int)
    # Sunday: the core program rests, only its walk remains.
    assert [s["time_of_day"] for s in days[1]["sessions"]] == ["morning", "midday", "afternoon", "evening"]


def test_a_log_of_the_merged_away_id_still_marks_the_item_done(two_programs, patient_client):
    # E.g. logged before the second program was added, or by an older client.
    sync(
        patient_client,
        entry(
            "session",
            {"date": "2026-11-21", "item_id": "back-stretches:cat-cow:2026-11-21", "status": "done"},
        ),
    )

    (cat_cow,) = [
        i
        for i in exercises_of(patient_client.get("/api/v1/today/").json())
        if i["exercise"]["slug"] == "cat-cow"
    ]
    assert cat_cow["id"] == "core-strength:warm-up:2026-11-21"
    assert cat_cow["status"] == "done"


@pytest.mark.parametrize("value", [5, 9, 91, "x", "20", True, 20.5, [20]])
def test_a_daily_budget_out_of_range_or_not_a_number_is_a_400_naming_it(patient_client, value):
    response = patient_client.patch(ME, {"daily_minutes": value}, format="json")

    assert response.status_code == 400, response.content
    assert "daily_minutes" in response.json()


def test_the_daily_budget_is_set_shown_and_removed(patient_client):
    assert patient_client.get(ME).json()["daily_minutes"] is None

    assert patient_client.patch(ME, {"daily_minutes": 20}, format="json").json()["daily_minutes"] == 20
    assert patient_client.get(ME).json()["daily_minutes"] == 20
    # Another field changed alone leaves the budget as it is.
    patient_client.patch(ME, {"timezone": "Europe/London"}, format="json")
    assert patient_client.get(ME).json()["daily_minutes"] == 20

    assert patient_client.patch(ME, {"daily_minutes": None}, format="json").json()["daily_minutes"] is None


def test_a_new_budget_shows_on_today_at_once(two_programs, patient_client):
    before = patient_client.get("/api/v1/today/").json()  # now cached
    assert not any(item["optional"] for item in exercises_of(before))

    patient_client.patch(ME, {"daily_minutes": 10}, format="json")
    tight = patient_client.get("/api/v1/today/").json()

    assert [i["id"] for i in exercises_of(tight)] == [i["id"] for i in exercises_of(before)]
    assert any(item["optional"] for item in exercises_of(tight))
    assert tight["minutes"] <= 10 < before["minutes"]
    assert sum(s["optional_minutes"] for s in tight["sessions"]) > 0

    patient_client.patch(ME, {"daily_minutes": None}, format="json")
    assert patient_client.get("/api/v1/today/").json() == before


def test_the_plan_follows_the_budget_too(two_programs, patient, patient_client):
    patient_client.patch(ME, {"daily_minutes": 10}, format="json")

    (day,) = patient_client.get("/api/v1/plan/?start=2026-11-21&days=1").json()["days"]

    assert day == patient_client.get("/api/v1/today/").json()
    assert any(item["optional"] for item in exercises_of(day))
