"""Pain-guided progression through the API: what a person reports in sync changes the
dose /today/ and /plan/ serve, and says why (``progression``)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from backend.programs.models import Program
from tests.programs.factories import EnrollmentFactory, exercises_of
from tests.tracker.helpers import checkin, entry, session, sync

pytestmark = pytest.mark.usefixtures("frozen_time")  # Saturday 2026-11-21, Paris

TODAY = dt.date(2026, 11, 21)
# Started on Monday 2026-11-02: today is in week 3 of core strengthening.
START = dt.date(2026, 11, 2)
WEEK_1_BRIDGE = {"sets": 2, "reps": 8, "hold_seconds": 3}
WEEK_2_BRIDGE = {"sets": 2, "reps": 10, "hold_seconds": 3}
WEEK_3_BRIDGE = {"sets": 3, "reps": 10, "hold_seconds": 3}


@pytest.fixture
def enrolled(catalog, patient):
    EnrollmentFactory(user=patient, program=Program.objects.get(slug="core-strength"), start_date=START)
    return patient


# The pain-monitoring model every decision names, as the app shows it.
SILBERNAGEL = {
    "id": "SILBERNAGEL_2007",
    "title": "Continued sports activity, using a pain-monitoring model, during rehabilitation in "
    "patients with Achilles tendinopathy: a randomized controlled study. Am J Sports Med "
    "2007;35(6):897-906.",
    "author": "Silbernagel KG, Thomee R, Eriksson BI, Karlsson J",
}


def bridge(day_json: dict) -> dict:
    return next(i for i in exercises_of(day_json) if i["exercise"]["slug"] == "glute-bridge")


def dose(item: dict) -> dict:
    return {k: item["prescription"][k] for k in ("sets", "reps", "hold_seconds")}


def test_without_pain_answers_the_dose_follows_the_calendar(enrolled, patient_client):
    item = bridge(patient_client.get("/api/v1/today/").json())

    assert item["week"] == 3 and dose(item) == WEEK_3_BRIDGE
    assert item["progression"] == {
        "state": "progress",
        "reason": "A new week of the program: a little more than last week.",
        "week": 3,
        "sources": [SILBERNAGEL],
    }


def test_two_sore_sessions_in_a_row_step_the_dose_back_a_week(enrolled, patient_client):
    thursday, friday = TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=1)
    sync(
        patient_client,
        entry("session", session("core-strength:bridge", thursday, pain_before=3, pain_after=7)),
        entry("session", session("core-strength:bridge", friday, pain_before=3, pain_after=8)),
    )

    item = bridge(patient_client.get("/api/v1/today/").json())

    assert item["week"] == 3  # the calendar's week is unchanged...
    assert dose(item) == WEEK_2_BRIDGE  # ...but last week's dose is served
    assert item["progression"]["state"] == "regress"
    assert item["progression"]["reason"].startswith("One step easier: 2 sessions in a row")
    # Only the exercise that hurt steps back: the warm-up keeps its week.
    warm_up = next(
        i
        for i in exercises_of(patient_client.get("/api/v1/today/").json())
        if i["id"].startswith("core-strength:warm-up")
    )
    assert warm_up["progression"]["week"] == 3


def test_a_sorer_morning_holds_and_says_why(enrolled, patient_client):
    friday = TODAY - dt.timedelta(days=1)
    sync(
        patient_client,
        entry("session", session("core-strength:bridge", friday, pain_before=2, pain_after=4)),
        entry("checkin", checkin(friday, pain=2)),
        entry("checkin", checkin(TODAY, pain=5)),
    )

    item = bridge(patient_client.get("/api/v1/today/").json())

    assert item["progression"] == {
        "state": "hold",
        "reason": "Staying at this level: yesterday's session left your back sorer this morning.",
        "week": 3,
        "sources": [SILBERNAGEL],
    }
    assert dose(item) == WEEK_3_BRIDGE


def test_a_sore_last_session_holds_next_weeks_dose_in_the_plan(enrolled, patient_client):
    # Saturday of week 3 was sore; Monday starts week 4, and the dose stays at week 3's.
    sync(
        patient_client, entry("session", session("core-strength:bridge", TODAY, pain_before=3, pain_after=8))
    )

    days = patient_client.get("/api/v1/plan/?start=2026-11-23&days=1").json()["days"]
    item = bridge(days[0])

    assert item["week"] == 4 and dose(item) == WEEK_3_BRIDGE
    assert item["progression"]["state"] == "hold"


def test_a_deleted_sore_session_no_longer_counts(enrolled, patient_client):
    thursday, friday = TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=1)
    sore = entry("session", session("core-strength:bridge", friday, pain_after=8))
    sync(
        patient_client,
        entry("session", session("core-strength:bridge", thursday, pain_after=8)),
        sore,
    )
    assert bridge(patient_client.get("/api/v1/today/").json())["progression"]["state"] == "regress"

    sync(patient_client, {**sore, "deleted": True, "updated_at": "2026-11-21T09:30:00+01:00"})

    assert bridge(patient_client.get("/api/v1/today/").json())["progression"]["state"] == "hold"


def test_the_end_of_a_flare_steps_back_a_week(enrolled, patient_client):
    with time_machine.travel("2026-11-18T08:00:00Z", tick=False):
        assert patient_client.post("/api/v1/flare/", {}, format="json").status_code == 201
    # 48 hours later it ran out, on Friday: from then on the dose is a week easier.
    item = bridge(patient_client.get("/api/v1/today/").json())

    assert item["progression"]["state"] == "regress"
    assert item["progression"]["reason"] == "One step easier after your flare-up, to ease back in."
    assert dose(item) == WEEK_2_BRIDGE


def test_flare_items_have_no_progression(enrolled, patient_client):
    patient_client.post("/api/v1/flare/", {}, format="json")

    day = patient_client.get("/api/v1/today/").json()

    assert day["mode"] == "flare"
    assert all(item["progression"] is None for item in exercises_of(day))
