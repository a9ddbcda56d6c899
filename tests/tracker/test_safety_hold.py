"""The safety hold (issue 14, item 3): an urgent or emergency answer pauses the
exercises until the person says they have been seen, or it was a mistake, or a
clinician they allowed to releases it. Everything here goes through the real API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from backend.reminders.dispatch import reminders_dispatch
from backend.reminders.models import Delivery
from backend.reminders.rules import reminder_rule_create
from backend.reminders.tasks import enqueue_sends
from backend.tracker.models import SafetyHold
from tests.accounts.factories import UserFactory
from tests.programs.factories import EnrollmentFactory, exercises_of
from tests.tracker.helpers import TODAY, checkin, entry, sync

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def enrolled(catalog, patient):
    return EnrollmentFactory(user=patient, start_date=dt.date(2026, 11, 16))


def today(client) -> dict:
    response = client.get("/api/v1/today/")
    assert response.status_code == 200, response.content
    return response.json()


def hold_of(client) -> dict | None:
    return client.get("/api/v1/me/").json()["safety_hold"]


def report(client, *flags: str, client_id: str | None = None, day: dt.date = TODAY, minutes: int = 0) -> dict:
    return sync(
        client,
        entry("checkin", checkin(day=day, red_flags=list(flags)), client_id=client_id, minutes=minutes),
    )


def release(client, reason: str = "seen_professional", **body) -> dict:
    response = client.post("/api/v1/me/safety-hold/release/", {"reason": reason, **body}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("flag,level", [("chest_breathless", "emergency"), ("leg_weakness", "urgent")])
def test_an_urgent_or_emergency_answer_pauses_every_exercise(enrolled, patient_client, flag, level):
    assert {item["status"] for item in exercises_of(today(patient_client))} == {"pending"}

    answer = report(patient_client, flag)

    client_id = answer["results"][0]["client_id"]
    day = today(patient_client)
    assert exercises_of(day), "the plan still lists what is paused"
    assert {item["status"] for item in exercises_of(day)} == {"held"}
    assert day["safety_hold"] == {"level": level, "since": "2026-11-21T09:00:00Z", "check_in": client_id}
    assert hold_of(patient_client) == day["safety_hold"]


@pytest.mark.parametrize("flags", [[], ["fever"], ["tingling", "sudden_severe_pain"]])
def test_milder_answers_keep_the_plan(enrolled, patient_client, flags):
    report(patient_client, *flags)

    day = today(patient_client)
    assert {item["status"] for item in exercises_of(day)} == {"pending"}
    assert day["safety_hold"] is None and hold_of(patient_client) is None
    assert not SafetyHold.objects.exists()


def test_what_was_already_done_stays_done_and_the_week_ahead_is_held(enrolled, patient_client):
    first = exercises_of(today(patient_client))[0]["id"]
    sync(patient_client, entry("session", {"date": TODAY.isoformat(), "item_id": first, "status": "done"}))

    report(patient_client, "bladder_bowel_control")

    statuses = {item["id"]: item["status"] for item in exercises_of(today(patient_client))}
    assert statuses.pop(first) == "done"
    assert set(statuses.values()) == {"held"}
    plan = patient_client.get("/api/v1/plan/", {"start": "2026-11-19", "days": 5}).json()["days"]
    held = {day["date"]: day["safety_hold"] is not None for day in plan}
    assert held == {
        "2026-11-19": False,
        "2026-11-20": False,
        "2026-11-21": True,
        "2026-11-22": True,
        "2026-11-23": True,
    }
    for day in plan:
        pending = {item["status"] for item in exercises_of(day) if item["id"] != first}
        assert pending <= ({"held"} if day["safety_hold"] else {"pending"}), day["date"]


def test_a_report_for_an_earlier_day_holds_from_that_day(enrolled, patient_client):
    report(patient_client, "saddle_numbness", day=dt.date(2026, 11, 19))

    plan = patient_client.get("/api/v1/plan/", {"start": "2026-11-18", "days": 3}).json()["days"]
    assert [day["safety_hold"] is not None for day in plan] == [False, True, True]


def test_a_second_answer_keeps_one_hold_and_raises_its_level(enrolled, patient_client):
    report(patient_client, "leg_weakness")
    later = report(patient_client, "chest_arm_jaw_pain", day=TODAY, minutes=5)

    hold = hold_of(patient_client)
    assert SafetyHold.objects.count() == 1
    assert hold["level"] == "emergency"
    assert hold["check_in"] == later["results"][0]["client_id"]


def test_seen_a_professional_releases_it_and_the_plan_comes_back(enrolled, patient_client, patient):
    report(patient_client, "chest_breathless")

    answer = release(patient_client, "seen_professional")

    assert answer == {"released": True, "safety_hold": None}
    assert hold_of(patient_client) is None
    day = today(patient_client)
    assert day["safety_hold"] is None and {item["status"] for item in exercises_of(day)} == {"pending"}
    recorded = SafetyHold.objects.get()
    assert (recorded.release_reason, recorded.released_by, recorded.level) == (
        "seen_professional",
        patient,
        "emergency",
    )
    # Asking again (a phone retrying) changes nothing.
    assert release(patient_client, "seen_professional") == {"released": False, "safety_hold": None}
    assert SafetyHold.objects.get().released_at == recorded.released_at


def test_answered_by_mistake_releases_it(enrolled, patient_client):
    report(patient_client, "leg_weakness")

    assert release(patient_client, "answered_by_mistake")["released"] is True
    assert SafetyHold.objects.get().release_reason == "answered_by_mistake"


def test_the_same_check_in_synced_again_or_edited_does_not_reopen_a_released_hold(enrolled, patient_client):
    first = report(patient_client, "leg_weakness")
    client_id = first["results"][0]["client_id"]
    release(patient_client)

    report(patient_client, "leg_weakness", client_id=client_id)  # a replay: unchanged
    sync(
        patient_client,
        entry(
            "checkin", checkin(red_flags=["leg_weakness"], note="better now"), client_id=client_id, minutes=3
        ),
    )

    assert hold_of(patient_client) is None
    # A more serious answer is new, though: it holds again.
    sync(
        patient_client,
        entry("checkin", checkin(red_flags=["chest_breathless"]), client_id=client_id, minutes=6),
    )
    assert hold_of(patient_client)["level"] == "emergency"
    assert SafetyHold.objects.count() == 2


def test_a_device_releases_only_the_hold_it_has_shown(enrolled, patient_client):
    seen = report(patient_client, "leg_weakness")["results"][0]["client_id"]
    # Meanwhile another phone reports something new: that is not what this phone showed.
    newer = report(patient_client, "chest_breathless", minutes=4)["results"][0]["client_id"]

    answer = release(patient_client, "answered_by_mistake", check_in=seen)

    assert answer["released"] is False
    assert answer["safety_hold"]["check_in"] == newer and answer["safety_hold"]["level"] == "emergency"
    assert hold_of(patient_client) is not None
    assert release(patient_client, "seen_professional", check_in=newer)["released"] is True


@pytest.mark.parametrize("edit", ["no_red_flag", "milder", "deleted"])
def test_correcting_the_check_in_that_holds_ends_the_hold(enrolled, patient_client, edit):
    client_id = report(patient_client, "leg_weakness")["results"][0]["client_id"]

    flags = [] if edit == "no_red_flag" else ["fever"]
    sync(
        patient_client,
        entry("checkin", checkin(red_flags=flags), client_id=client_id, minutes=2, deleted=edit == "deleted"),
    )

    assert hold_of(patient_client) is None
    assert SafetyHold.objects.get().release_reason == "check_in_changed"
    assert {item["status"] for item in exercises_of(today(patient_client))} == {"pending"}


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "reason"),
        ({"reason": "cleared_by_clinician"}, "reason"),
        ({"reason": "seen_professional", "check_in": "x"}, "check_in"),
    ],
)
def test_a_bad_release_is_a_400_naming_the_field(enrolled, patient_client, body, field):
    report(patient_client, "leg_weakness")

    response = patient_client.post("/api/v1/me/safety-hold/release/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert hold_of(patient_client) is not None


def test_one_persons_hold_is_theirs_alone(enrolled, patient_client, login):
    other = UserFactory()
    EnrollmentFactory(user=other, start_date=dt.date(2026, 11, 16))
    report(patient_client, "leg_weakness")

    other_client = login(other)
    assert hold_of(other_client) is None
    assert release(other_client)["released"] is False
    assert hold_of(patient_client) is not None


# --- reminders ----------------------------------------------------------------------


def test_session_reminders_stop_while_held_and_check_in_reminders_go_on(catalog, login):
    held, free = UserFactory(), UserFactory()
    rules = {}
    for user in (held, free):
        EnrollmentFactory(user=user, start_date=dt.date(2026, 11, 16))
        rules[user, "session"] = reminder_rule_create(user=user, kind="session", times=["18:00"])
        rules[user, "checkin"] = reminder_rule_create(user=user, kind="checkin", times=["18:00"])
    held_client = login(held)
    report(held_client, "chest_breathless")

    with time_machine.travel("2026-11-21T17:00:10Z", tick=False):  # 18:00 in Paris
        outcome = reminders_dispatch(enqueue=enqueue_sends)

    def state(user, kind):
        delivery = Delivery.objects.get(rule=rules[user, kind])
        return delivery.status, delivery.reason

    assert state(held, "session") == ("skipped", "safety_hold")
    assert state(held, "checkin") == ("pending", "")
    assert state(free, "session") == ("pending", "")
    assert outcome.skipped_held == 1

    # Released: the next evening's session reminder goes out again.
    release(held_client)
    with time_machine.travel("2026-11-22T17:00:10Z", tick=False):
        reminders_dispatch(enqueue=enqueue_sends)
    latest = Delivery.objects.filter(rule=rules[held, "session"]).order_by("-fire_at").first()
    assert (latest.status, latest.reason) == ("pending", "")


def test_the_export_holds_every_hold_and_its_release(enrolled, patient_client):
    report(patient_client, "leg_weakness")
    release(patient_client, "answered_by_mistake")

    exported = patient_client.get("/api/v1/me/export/?format=json").json()

    assert [(h["level"], h["release_reason"]) for h in exported["safety_holds"]] == [
        ("urgent", "answered_by_mistake")
    ]
