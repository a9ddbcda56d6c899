"""Flare days are not due, for the summary and the clinician's list alike, and linked
clinicians see the flare (issue 16, item 2; backend/tracker/adherence.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.programs.factories import EnrollmentFactory, exercises_of
from tests.tracker.helpers import TODAY, checkin, entry, sync
from tests.tracker.test_flare import end, start

pytestmark = pytest.mark.usefixtures("frozen_time")


# --- adherence ----------------------------------------------------------------------


def test_flare_days_and_held_days_are_not_due_and_keep_the_streak(
    catalog, link, patient, patient_client, doctor
):
    """Done every day from Sunday to Tuesday, a flare on Wednesday and Thursday, a hold
    on Friday, one item today (Saturday): nothing was missed, and the streak is 4."""
    EnrollmentFactory(user=patient, start_date=TODAY - dt.timedelta(days=10))
    week = patient_client.get(f"/api/v1/plan/?start={TODAY - dt.timedelta(days=6)}&days=7").json()["days"]
    due = {d["date"]: [i["id"] for i in exercises_of(d) if not i["optional"]] for d in week}

    def done(*ids: str) -> list[dict]:
        return [entry("session", {"date": i.rsplit(":", 1)[1], "item_id": i, "status": "done"}) for i in ids]

    sync(patient_client, *done(*(i for n in (6, 5, 4) for i in due[str(TODAY - dt.timedelta(days=n))])))
    with time_machine.travel("2026-11-18T09:00:00Z", tick=False):  # Wednesday 10:00
        start(patient_client)
    with time_machine.travel("2026-11-19T11:00:00Z", tick=False):  # Thursday noon
        end(patient_client)
    with time_machine.travel("2026-11-20T09:00:00Z", tick=False):  # Friday: an urgent answer
        sync(
            patient_client,
            entry("checkin", checkin(day=TODAY - dt.timedelta(days=1), red_flags=["leg_weakness"])),
        )
    with time_machine.travel("2026-11-20T17:00:00Z", tick=False):
        response = patient_client.post(
            "/api/v1/me/safety-hold/release/", {"reason": "seen_professional"}, format="json"
        )
        assert response.status_code == 200, response.content
    sync(patient_client, *done(due[str(TODAY)][0]))

    summary = patient_client.get("/api/v1/summary/?days=7").json()
    (row,) = doctor[1].get("/api/v1/care/patients/").json()

    series = {d["date"]: d["due"] for d in summary["series"]}
    assert [series[str(TODAY - dt.timedelta(days=n))] for n in (3, 2, 1)] == [0, 0, 0]
    done_days = sum(len(due[str(TODAY - dt.timedelta(days=n))]) for n in (6, 5, 4))
    assert (summary["done"], summary["due"]) == (done_days + 1, done_days + 1)
    assert summary["adherence"] == row["adherence_7"] == 1.0
    # Before Sunday nothing was done: the four weeks agree too, the paused days left out.
    month = patient_client.get("/api/v1/summary/?days=28").json()
    assert month["adherence"] == row["adherence_28"] < 1.0
    assert month["due"] == summary["due"] + sum(d["due"] for d in month["series"][:-7])
    assert summary["streak"] == {"current": 4, "best": 4}


# --- clinicians ---------------------------------------------------------------------


def test_a_linked_clinician_sees_the_flare_and_its_end(link, patient, patient_client, doctor):
    client = doctor[1]
    assert client.get(f"/api/v1/care/patients/{patient.pk}/").json()["flare"] is None
    assert client.get("/api/v1/care/patients/").json()[0]["flare"] is None

    # Started on the phone almost 48 hours ago: it runs out at 09:05.
    flare = start(patient_client, started_at="2026-11-19T09:05:00Z")

    detail = client.get(f"/api/v1/care/patients/{patient.pk}/").json()
    assert detail["flare"] == flare
    assert detail["flares"] == [{**flare, "ended_at": None, "ended_by": None, "check_in": None}]
    assert client.get("/api/v1/care/patients/").json()[0]["flare"] == flare

    with time_machine.travel("2026-11-21T09:05:00Z", tick=False):  # run out, no write
        detail = client.get(f"/api/v1/care/patients/{patient.pk}/").json()
        assert detail["flare"] is None
        assert detail["flares"][0] == {
            **flare,
            "ended_at": flare["ends_at"],
            "ended_by": "expired",
            "check_in": None,
        }

        # Started again and ended: the list shows it at once.
        again = start(patient_client)
        assert client.get("/api/v1/care/patients/").json()[0]["flare"] == again
        end(patient_client)
        assert client.get("/api/v1/care/patients/").json()[0]["flare"] is None
        assert [
            f["ended_by"] for f in client.get(f"/api/v1/care/patients/{patient.pk}/").json()["flares"]
        ] == [
            "ended",
            "expired",
        ]


def test_an_unlinked_clinician_cannot_see_the_flare(patient, patient_client, make_clinician):
    start(patient_client)
    _, stranger = make_clinician()

    assert stranger.get(f"/api/v1/care/patients/{patient.pk}/").status_code == 404
