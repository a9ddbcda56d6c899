"""Flare-up mode (issue 16, item 2): "My back is bad today" serves 48 hours of the short
flare plan, its days are not due, clinicians see it, and session reminders rest.
Everything goes through the real API; time moves with time_machine (NOW is Saturday
2026-11-21, 10:00 in Paris, the factories' zone)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from backend.reminders.dispatch import reminders_dispatch
from backend.reminders.models import Delivery
from backend.reminders.rules import reminder_rule_create
from backend.reminders.tasks import enqueue_sends
from backend.tracker.models import Flare
from tests.accounts.factories import UserFactory
from tests.programs.factories import EnrollmentFactory, exercises_of
from tests.tracker.helpers import TODAY, checkin, entry, sync

pytestmark = pytest.mark.usefixtures("frozen_time")

FLARE_EXERCISES = {
    "long-exhale-breathing",
    "cold-therapy",
    "heat-therapy",
    "easy-walk",
    "childs-pose",
    "knee-to-chest",
}


@pytest.fixture
def enrolled(catalog, patient):
    return EnrollmentFactory(user=patient, start_date=dt.date(2026, 11, 16))


def start(client, expect: int = 201, **body) -> dict:
    response = client.post("/api/v1/flare/", body, format="json")
    assert response.status_code == expect, response.content
    return response.json()


def end(client) -> None:
    response = client.delete("/api/v1/flare/")
    assert response.status_code == 204, response.content


def flare_of(client) -> dict | None:
    return client.get("/api/v1/me/").json()["flare"]


def today(client) -> dict:
    response = client.get("/api/v1/today/")
    assert response.status_code == 200, response.content
    return response.json()


def programs(day: dict) -> set[str]:
    return {item["program"] for item in exercises_of(day)}


# --- start, end, expiry -------------------------------------------------------------


def test_a_flare_lasts_48_hours_and_shows_on_the_profile(patient_client):
    assert flare_of(patient_client) is None

    flare = start(patient_client)

    assert flare == {"started_at": "2026-11-21T09:00:00Z", "ends_at": "2026-11-23T09:00:00Z"}
    assert flare_of(patient_client) == flare


def test_starting_again_while_it_runs_answers_the_running_flare(patient, patient_client):
    first = start(patient_client)
    with time_machine.travel("2026-11-21T15:00:00Z", tick=False):
        again = start(patient_client, expect=200, started_at="2026-11-21T14:00:00Z")

    assert again == first
    assert Flare.objects.filter(patient=patient).count() == 1


def test_ending_is_at_once_idempotent_and_kept_as_a_record(patient, patient_client):
    start(patient_client)
    with time_machine.travel("2026-11-21T12:00:00Z", tick=False):
        end(patient_client)
        assert flare_of(patient_client) is None
        end(patient_client)  # a phone retrying

    (flare,) = Flare.objects.filter(patient=patient)
    assert (flare.ended_by, flare.ended_at.isoformat()) == ("ended", "2026-11-21T12:00:00+00:00")


def test_a_flare_runs_out_after_48_hours_without_any_write(patient, patient_client):
    start(patient_client)

    with time_machine.travel("2026-11-23T08:59:00Z", tick=False):
        assert flare_of(patient_client) is not None
    with time_machine.travel("2026-11-23T09:00:00Z", tick=False):
        assert flare_of(patient_client) is None
        # The next start is a new flare; the old one is recorded as expired at its end.
        new = start(patient_client)

    assert new["started_at"] == "2026-11-23T09:00:00Z"
    old = Flare.objects.filter(patient=patient).order_by("started_at").first()
    assert (old.ended_by, old.ended_at.isoformat()) == ("expired", "2026-11-23T09:00:00+00:00")


def test_an_offline_start_keeps_the_time_the_phone_showed(patient_client):
    flare = start(patient_client, started_at="2026-11-21T07:30:00+01:00")

    assert flare == {"started_at": "2026-11-21T06:30:00Z", "ends_at": "2026-11-23T06:30:00Z"}


@pytest.mark.parametrize(
    "started_at",
    [
        "2026-11-21T10:00:00Z",  # an hour in the future
        "2026-11-19T09:00:00Z",  # 48 hours ago: already over
        "2026-11-10T09:00:00Z",
        "2026-11-21T08:00:00",  # no UTC offset
        "yesterday",
        12,
    ],
)
def test_a_start_time_the_phone_cannot_have_shown_is_refused(patient, patient_client, started_at):
    response = patient_client.post("/api/v1/flare/", {"started_at": started_at}, format="json")

    assert response.status_code == 400
    assert "started_at" in response.json()
    assert not Flare.objects.filter(patient=patient).exists()


def test_another_persons_flare_is_invisible_and_untouched(enrolled, patient_client, login):
    other = login(UserFactory())
    start(other)

    assert flare_of(patient_client) is None
    assert today(patient_client)["mode"] == "usual"
    end(patient_client)
    assert flare_of(other) is not None


# --- the plan -----------------------------------------------------------------------


def test_today_serves_the_flare_plan_then_the_usual_plan_once_ended(enrolled, patient_client):
    usual = today(patient_client)  # cached
    assert (usual["mode"], usual["flare"], programs(usual)) == ("usual", None, {"core-strength"})

    flare = start(patient_client)
    day = today(patient_client)

    assert day["mode"] == "flare"
    assert programs(day) == {"flare"}
    assert {item["exercise"]["slug"] for item in exercises_of(day)} == FLARE_EXERCISES
    assert all(
        item["id"].startswith("flare:") and item["id"].endswith(":2026-11-21") for item in exercises_of(day)
    )
    assert [s["time_of_day"] for s in day["sessions"]] == [
        "morning",
        "midday",
        "afternoon",
        "evening",
        "bedtime",
    ]
    assert {i for s in day["sessions"] for i in s["items"]} == {item["id"] for item in exercises_of(day)}
    notes = {item["exercise"]["slug"]: item["prescription"]["note"] for item in exercises_of(day)}
    assert "only if comfortable" in notes["childs-pose"].lower()
    assert (day["flare"]["started_at"], day["flare"]["ends_at"]) == (flare["started_at"], flare["ends_at"])
    advice = {a["kind"]: a for a in day["flare"]["advice"]}
    assert "bed" in advice["keep_moving"]["text"] and "S3" in {
        s["id"] for s in advice["keep_moving"]["sources"]
    }
    assert advice["seek_help"]["sources"]

    end(patient_client)
    after = today(patient_client)
    assert (after["mode"], programs(after)) == ("usual", {"core-strength"})


def test_a_flare_that_runs_out_mid_day_gives_the_day_back_its_plan(enrolled, patient_client):
    # Started an hour ago on the phone: runs to Monday 09:00 in Paris. (Not 10:00: the
    # cache's generations, made now, last two days, and their end would hide a stale hit.)
    start(patient_client, started_at="2026-11-21T08:00:00Z")

    with time_machine.travel("2026-11-23T07:30:00Z", tick=False):  # Monday 08:30
        assert today(patient_client)["mode"] == "flare"  # and cached for Monday
    with time_machine.travel("2026-11-23T08:00:01Z", tick=False):  # Monday 09:00, no write since
        day = today(patient_client)

    assert (day["mode"], day["flare"]) == ("usual", None)
    assert programs(day) == {"core-strength"}


def test_the_plan_shows_every_day_the_flare_covers(enrolled, patient_client):
    start(patient_client)

    days = patient_client.get("/api/v1/plan/?start=2026-11-20&days=5").json()["days"]

    assert [d["mode"] for d in days] == ["usual", "flare", "flare", "flare", "usual"]
    assert all(programs(d) == {"flare"} for d in days[1:4])


def test_a_flare_item_logged_through_sync_shows_done(enrolled, patient_client):
    start(patient_client)
    item = exercises_of(today(patient_client))[0]["id"]

    answer = sync(
        patient_client, entry("session", {"date": TODAY.isoformat(), "item_id": item, "status": "done"})
    )

    assert answer["results"][0]["status"] == "created"
    statuses = {i["id"]: i["status"] for i in exercises_of(today(patient_client))}
    assert statuses[item] == "done"
    assert set(statuses.values()) == {"done", "pending"}


def test_the_safety_hold_still_holds_the_flare_plan(enrolled, patient_client):
    start(patient_client)
    sync(patient_client, entry("checkin", checkin(red_flags=["leg_weakness"])))

    day = today(patient_client)

    assert day["mode"] == "flare" and day["safety_hold"] is not None
    assert {item["status"] for item in exercises_of(day)} == {"held"}


# --- reminders ----------------------------------------------------------------------


def test_session_reminders_rest_during_a_flare_and_check_in_reminders_go_on(catalog, login):
    flaring, free = UserFactory(), UserFactory()
    rules = {}
    for user in (flaring, free):
        EnrollmentFactory(user=user, start_date=dt.date(2026, 11, 16))
        rules[user, "session"] = reminder_rule_create(user=user, kind="session", times=["18:00"])
        rules[user, "checkin"] = reminder_rule_create(user=user, kind="checkin", times=["18:00"])
    start(login(flaring))

    with time_machine.travel("2026-11-21T17:00:10Z", tick=False):  # 18:00 in Paris
        outcome = reminders_dispatch(enqueue=enqueue_sends)

    def state(user, kind):
        return (
            Delivery.objects.filter(rule=rules[user, kind]).values_list("status", "reason").latest("fire_at")
        )

    assert state(flaring, "session") == ("skipped", "flare")
    assert state(flaring, "checkin") == ("pending", "")
    assert state(free, "session") == ("pending", "")
    assert outcome.skipped_flare == 1

    # Run out by Monday evening: the session reminder goes again.
    with time_machine.travel("2026-11-23T17:00:10Z", tick=False):
        reminders_dispatch(enqueue=enqueue_sends)
    assert state(flaring, "session") == ("pending", "")
