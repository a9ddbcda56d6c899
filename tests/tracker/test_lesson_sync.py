"""Lessons read, synced as type ``lesson``: validation, pull, export and erasure."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.tracker.models import LessonRead
from tests.accounts.factories import PASSWORD
from tests.tracker.helpers import TODAY, entry, statuses, sync

pytestmark = pytest.mark.usefixtures("frozen_time")

SLUG = "the-desk"


def lesson(day: dt.date = TODAY, **data) -> dict:
    return {"date": day.isoformat(), "lesson": SLUG, "status": "read", **data}


def without(name: str) -> dict:
    data = lesson()
    data.pop(name)
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (lesson(day=TODAY + dt.timedelta(days=3)), "date"),
        ({**lesson(), "date": "2026-02-30"}, "date"),
        ({**lesson(), "date": 20261121}, "date"),
        ({**lesson(), "lesson": "no-such-lesson"}, "lesson"),
        ({**lesson(), "lesson": ""}, "lesson"),
        ({**lesson(), "lesson": ["the-desk"]}, "lesson"),
        ({**lesson(), "lesson": "x" * 65}, "lesson"),
        ({**lesson(), "status": "unread"}, "status"),
        ({**lesson(), "status": None}, "status"),
        (without("date"), "date"),
        (without("lesson"), "lesson"),
        (without("status"), "status"),
    ],
)
def test_a_bad_lesson_entry_is_rejected_naming_the_field_and_the_good_one_applies(
    patient_client, data, field
):
    good = entry("lesson", lesson())

    answer = sync(patient_client, entry("lesson", data), good)

    assert statuses(answer) == ["rejected", "created"]
    assert field in answer["results"][0]["errors"]
    assert list(LessonRead.objects.values_list("lesson", flat=True)) == [SLUG]


def test_an_unknown_lesson_is_named_in_the_error(patient_client):
    answer = sync(patient_client, entry("lesson", {**lesson(), "lesson": "no-such-lesson"}))

    assert answer["results"][0]["errors"]["lesson"] == ["There is no lesson called 'no-such-lesson'."]


def test_a_read_comes_back_in_the_pull_and_its_tombstone_too(patient_client, login, patient):
    first = entry("lesson", lesson())
    sync(patient_client, first)

    other_device = login(patient)
    pulled = other_device.get("/api/v1/sync/").json()
    (row,) = [e for e in pulled["entries"] if e["type"] == "lesson"]
    assert row["data"] == {"date": "2026-11-21", "lesson": SLUG, "status": "read"}
    assert row["client_id"] == first["client_id"] and row["deleted"] is False

    tombstone = {
        **first,
        "deleted": True,
        "data": {"date": "2026-11-21"},
        "updated_at": "2026-11-21T09:30:00+01:00",
    }
    assert statuses(sync(patient_client, tombstone)) == ["updated"]
    later = other_device.get(f"/api/v1/sync/?cursor={pulled['cursor']}").json()
    (gone,) = later["entries"]
    assert (gone["type"], gone["deleted"], gone["data"]) == ("lesson", True, {"date": "2026-11-21"})


def test_the_same_entry_again_changes_nothing(patient_client):
    read = entry("lesson", lesson())
    sync(patient_client, read)

    assert statuses(sync(patient_client, read)) == ["unchanged"]
    assert LessonRead.objects.count() == 1


def test_a_client_id_of_another_type_is_refused(patient_client):
    journal_entry = entry("journal", {"date": "2026-11-21", "feeling": "tense"})
    sync(patient_client, journal_entry)

    answer = sync(patient_client, {**journal_entry, "type": "lesson", "data": lesson()})

    assert statuses(answer) == ["rejected"] and "type" in answer["results"][0]["errors"]


def test_my_export_lists_the_lessons_i_read_and_erasure_removes_them(
    patient_client, patient, other_patient, login
):
    sync(patient_client, entry("lesson", lesson()), entry("lesson", {**lesson(), "lesson": "heat-and-cold"}))
    sync(login(other_patient), entry("lesson", lesson()))

    document = patient_client.get("/api/v1/me/export/").json()
    assert sorted(r["lesson"] for r in document["lessons_read"]) == ["heat-and-cold", SLUG]
    assert {r["status"] for r in document["lessons_read"]} == {"read"}
    csv = patient_client.get("/api/v1/me/export/?format=csv").content.decode()
    assert csv.count("\nlesson,") == 2

    assert patient_client.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204
    assert not LessonRead.objects.filter(user_id=patient.pk).exists()
    assert LessonRead.objects.filter(user_id=other_patient.pk).count() == 1
