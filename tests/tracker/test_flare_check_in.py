"""The end of a flare-up (issue 16, item 2): the phone keeps the flare plan to start
offline (``GET /api/v1/flare/plan/``), and when the flare is over, a check-in asks "How
is your back now?" (``/me`` ``flare_check_in``, ``POST /api/v1/flare/check-in/``); the
usual plan then resumes a week easier."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from backend.programs.models import Program
from tests.accounts.factories import UserFactory
from tests.programs.factories import EnrollmentFactory
from tests.tracker.test_flare import FLARE_EXERCISES, end, start

pytestmark = pytest.mark.usefixtures("frozen_time")  # Saturday 2026-11-21 10:00 Paris


@pytest.fixture
def enrolled(catalog, patient):
    # Week 3 of core strengthening today.
    return EnrollmentFactory(
        user=patient, program=Program.objects.get(slug="core-strength"), start_date=dt.date(2026, 11, 2)
    )


def me(client) -> dict:
    return client.get("/api/v1/me/").json()


def check_in(client, expect: int = 200, **body) -> dict:
    response = client.post("/api/v1/flare/check-in/", body, format="json")
    assert response.status_code == expect, response.content
    return response.json()


def test_the_flare_plan_is_there_to_keep_for_offline(catalog, patient_client):
    response = patient_client.get("/api/v1/flare/plan/")

    assert response.status_code == 200
    plan = response.json()
    assert plan["hours"] == 48
    assert {item["exercise"]["slug"] for item in plan["items"]} == FLARE_EXERCISES
    first = plan["items"][0]
    assert first["exercise"]["illustrations"] and first["prescription"]["note"]
    assert first["seconds"] > 0
    assert {a["kind"] for a in plan["advice"]} == {"keep_moving", "seek_help"}
    # What the phone will show as flare:<key>:<date> matches the day's items.
    patient_client.post("/api/v1/flare/", {}, format="json")
    day = patient_client.get("/api/v1/today/").json()
    exercises = [i for i in day["items"] if i["kind"] == "exercise"]  # not a due questionnaire
    assert sorted(i["id"].split(":")[1] for i in exercises) == sorted(i["key"] for i in plan["items"])


def test_the_flare_plan_needs_a_signed_in_person(client):
    assert client.get("/api/v1/flare/plan/").status_code in (401, 403)


def test_no_check_in_while_a_flare_runs_nor_without_one(enrolled, patient_client):
    assert me(patient_client)["flare_check_in"] is None
    start(patient_client)
    assert me(patient_client)["flare_check_in"] is None


def test_a_flare_that_ran_out_asks_how_the_back_is_once(enrolled, patient_client):
    with time_machine.travel("2026-11-18T08:00:00Z", tick=False):
        start(patient_client)

    due = me(patient_client)["flare_check_in"]

    assert due == {"started_at": "2026-11-18T08:00:00Z", "ended_at": "2026-11-20T08:00:00Z"}
    answer = check_in(patient_client, feeling="better")
    assert answer["resumed"] and answer["step_back"] and answer["feeling"] == "better"
    assert me(patient_client)["flare_check_in"] is None
    # And the clinician's record (the flare history) keeps the answer.
    from backend.tracker.flares import render_history
    from backend.tracker.models import Flare

    (row,) = render_history(Flare.objects.all(), dt.datetime.now(dt.UTC))
    assert row["check_in"]["feeling"] == "better"


def test_an_ended_flare_asks_too_and_the_plan_resumes_a_week_easier(enrolled, patient_client):
    start(patient_client)
    end(patient_client)

    assert me(patient_client)["flare_check_in"] is not None
    check_in(patient_client, feeling="same")
    bridge = next(
        i
        for i in patient_client.get("/api/v1/today/").json()["items"]
        if i["exercise"]["slug"] == "glute-bridge"
    )
    assert bridge["week"] == 3 and bridge["progression"]["week"] == 2
    assert bridge["progression"]["state"] == "regress"


def test_answering_while_it_runs_ends_it(enrolled, patient_client):
    start(patient_client)

    check_in(patient_client, feeling="better")

    assert me(patient_client)["flare"] is None
    assert patient_client.get("/api/v1/today/").json()["mode"] == "usual"


def test_worse_says_to_see_a_professional_and_when_to_get_urgent_help(enrolled, patient_client):
    start(patient_client)
    end(patient_client)

    answer = check_in(patient_client, feeling="worse")

    assert "doctor or physiotherapist" in answer["message"]
    assert "urgent help" in answer["message"]


def test_a_repeated_answer_corrects_it(enrolled, patient_client):
    start(patient_client)
    end(patient_client)
    check_in(patient_client, feeling="worse")

    check_in(patient_client, feeling="same")

    from backend.tracker.models import Flare

    assert Flare.objects.get().check_in_feeling == "same"


def test_a_week_later_it_is_no_longer_asked(enrolled, patient_client):
    with time_machine.travel("2026-11-10T08:00:00Z", tick=False):
        start(patient_client)

    assert me(patient_client)["flare_check_in"] is None


@pytest.mark.parametrize("body", [{}, {"feeling": "fine"}, {"feeling": None}, {"feeling": ["better"]}])
def test_a_bad_answer_is_a_400_naming_the_field(enrolled, patient_client, body):
    start(patient_client)
    end(patient_client)

    response = patient_client.post("/api/v1/flare/check-in/", body, format="json")

    assert response.status_code == 400
    assert "feeling" in response.json()


def test_without_any_flare_the_check_in_is_a_404(enrolled, patient_client):
    check_in(patient_client, expect=404, feeling="better")


def test_one_persons_check_in_never_touches_anothers_flare(enrolled, patient_client, login):
    start(patient_client)
    end(patient_client)
    other = login(UserFactory())

    check_in(other, expect=404, feeling="better")

    assert me(patient_client)["flare_check_in"] is not None


def test_the_export_holds_the_flares_and_their_check_ins(enrolled, patient_client):
    start(patient_client)
    end(patient_client)
    check_in(patient_client, feeling="better")

    exported = patient_client.get("/api/v1/me/export/").json()

    (flare,) = exported["flares"]
    assert flare["ended_by"] == "ended" and flare["check_in"]["feeling"] == "better"
