import datetime as dt

import pytest

from backend.tracker.models import CheckIn
from tests.tracker.helpers import TODAY, checkin, entry, statuses, sync

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def client(catalog, patient_client):
    return patient_client


def test_a_checkin_with_pain_stress_and_mood_unanswered_is_stored_as_not_answered(client, patient):
    answer = sync(client, entry("checkin", checkin(pain=None, stress=None, mood=None, sleep_hours=7)))

    assert statuses(answer) == ["created"]
    row = CheckIn.objects.get(user=patient)
    assert (row.pain, row.stress, row.mood) == (None, None, None)
    record = client.get("/api/v1/checkins/").json()[0]
    assert (record["pain"], record["stress"]) == (None, None)


@pytest.mark.parametrize(("field", "value"), [("pain", 11), ("stress", -1), ("mood", 0), ("mood", 6)])
def test_a_score_given_must_still_be_in_range(client, field, value):
    answer = sync(client, entry("checkin", checkin(**{field: value})))

    assert statuses(answer) == ["rejected"]
    assert field in answer["results"][0]["errors"]


def test_unanswered_days_are_left_out_of_the_summary_means(client):
    sync(
        client,
        entry("checkin", checkin(TODAY - dt.timedelta(days=2), pain=6, stress=None)),
        entry("checkin", checkin(TODAY - dt.timedelta(days=1), pain=None, stress=8)),
        entry("checkin", checkin(TODAY, pain=4, stress=None)),
    )

    summary = client.get("/api/v1/summary/?days=7").json()

    # A 0 for the untouched sliders would make these 3.3 and 2.7.
    assert summary["weekly"][-1]["pain"] == 5.0
    assert summary["weekly"][-1]["stress"] == 8.0
    series = {day["date"]: day for day in summary["series"]}
    assert series[(TODAY - dt.timedelta(days=1)).isoformat()]["pain"] is None


def test_unanswered_days_are_left_out_of_the_stress_pain_insights(client):
    answered = [
        entry("checkin", checkin(TODAY - dt.timedelta(days=n), pain=n % 7 + 2, stress=n % 7 + 3))
        for n in range(0, 28, 2)
    ]
    unanswered = [
        entry("checkin", checkin(TODAY - dt.timedelta(days=n), pain=None, stress=None))
        for n in range(1, 28, 2)
    ]
    sync(client, *answered, *unanswered)

    insights = client.get("/api/v1/summary/?days=28").json()["insights"]

    same_day = next(i for i in insights if i.get("kind") == "stress_pain_same_day")
    assert same_day["n"] == len(answered) == 14
    assert same_day["effect"] > 0.9


def test_the_fhir_export_has_no_pain_observation_for_an_unanswered_pain(client):
    sync(client, entry("checkin", checkin(pain=None, stress=5)))

    bundle = client.get("/api/v1/me/export/?format=fhir").json()

    codes = [
        e["resource"]["code"]["coding"][0]["code"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
    ]
    assert codes == ["stress-0-10"]
    csv = client.get("/api/v1/me/export/?format=csv")
    assert csv.status_code == 200
