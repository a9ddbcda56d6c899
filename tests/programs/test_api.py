import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from backend.programs.models import Enrollment, Program
from tests.accounts.factories import UserFactory
from tests.programs.factories import EnrollmentFactory, exercises_of

# The clock stands still at tests.tracker.helpers.NOW (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("frozen_time")


# --- Catalog ------------------------------------------------------------------


def test_program_list_is_public_and_has_the_contract_fields(catalog):
    response = APIClient().get("/api/v1/programs/")

    assert response.status_code == 200
    programs = {p["slug"]: p for p in response.json()}
    assert set(programs) == {
        "core-strength",
        "back-stretches",
        "breathing-relaxation",
        "sleep-hygiene",
        "guided-relaxation",
    }
    assert set(programs["core-strength"]) >= {"slug", "title", "category", "weeks", "summary"}
    assert programs["core-strength"]["weeks"] == 6


def test_program_detail_has_the_week_by_week_schedule(catalog):
    body = APIClient().get("/api/v1/programs/back-stretches/").json()

    assert [week["week"] for week in body["schedule"]] == [1, 2, 3, 4]
    item = next(i for i in body["schedule"][0]["items"] if i["key"] == "hamstring")
    assert item["prescription"] == {"reps": 3, "hold_seconds": 10}
    assert item["exercise"]["name"] == "Standing hamstring stretch"
    assert len(item["exercise"]["steps"]) >= 3
    assert item["exercise"]["cautions"]
    # Named as objects, so the app can say where the advice comes from.
    assert item["exercise"]["sources"] == [
        {
            "id": "S3",
            "title": "5 tips to help with stress-related back pain",
            "author": "Chris, fitness expert",
        }
    ]


def test_unknown_program_is_a_json_404(catalog):
    response = APIClient().get("/api/v1/programs/no-such-thing/")

    assert response.status_code == 404
    assert "detail" in response.json()


# --- Enrollments ----------------------------------------------------------------


def test_enrolling_defaults_to_today_in_the_users_zone(catalog, patient, patient_client):
    patient.timezone = "Pacific/Auckland"  # 22:00 on the 21st UTC would be the 22nd there
    patient.save()
    with time_machine.travel("2026-11-21T22:00:00Z", tick=False):
        response = patient_client.post("/api/v1/enrollments/", {"program": "core-strength"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["program"] == "core-strength"
    assert body["start_date"] == "2026-11-22"
    assert body["status"] == "active"
    assert body["week"] == 1
    assert isinstance(body["id"], int)


def test_several_programs_at_once(catalog, patient_client):
    for slug in ["core-strength", "back-stretches", "breathing-relaxation", "sleep-hygiene"]:
        assert (
            patient_client.post("/api/v1/enrollments/", {"program": slug}, format="json").status_code == 201
        )

    listed = patient_client.get("/api/v1/enrollments/").json()
    assert len(listed) == 4
    assert {e["status"] for e in listed} == {"active"}


def test_enrolling_twice_in_the_same_program_is_refused(catalog, patient_client):
    patient_client.post("/api/v1/enrollments/", {"program": "core-strength"}, format="json")

    response = patient_client.post("/api/v1/enrollments/", {"program": "core-strength"}, format="json")

    assert response.status_code == 400
    assert "already following" in response.json()["program"][0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"program": "yoga-for-cats"}, "program"),
        ({}, "program"),
        ({"program": None}, "program"),
        ({"program": ["core-strength"]}, "program"),
        ({"program": "core-strength", "start_date": "21/11/2026"}, "start_date"),
        ({"program": "core-strength", "start_date": "2026-02-30"}, "start_date"),
        ({"program": "core-strength", "start_date": "2026-13-01"}, "start_date"),
        ({"program": "core-strength", "start_date": "2026-11-21T10:00:00Z"}, "start_date"),
        ({"program": "core-strength", "start_date": 20261121}, "start_date"),
        ({"program": "core-strength", "start_date": "9999-12-31"}, "start_date"),
        ({"program": "core-strength", "start_date": "2027-06-01"}, "start_date"),
        ({"program": "core-strength", "start_date": "2026-01-01"}, "start_date"),
    ],
    ids=[
        "unknown program",
        "missing program",
        "null program",
        "list program",
        "malformed date",
        "impossible date",
        "month 13",
        "datetime instead of date",
        "number instead of date",
        "end of time",
        "too far ahead",
        "too far back",
    ],
)
def test_bad_enrollment_input_is_a_400_naming_the_field(catalog, patient_client, payload, field):
    response = patient_client.post("/api/v1/enrollments/", payload, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Enrollment.objects.exists()


def test_pause_and_resume(catalog, patient, patient_client):
    enrollment = EnrollmentFactory(user=patient, start_date=dt.date(2026, 11, 16))
    url = f"/api/v1/enrollments/{enrollment.id}/"

    paused = patient_client.patch(url, {"status": "paused"}, format="json")
    assert paused.status_code == 200
    assert paused.json()["status"] == "paused"
    assert exercises_of(patient_client.get("/api/v1/today/").json()) == []

    resumed = patient_client.patch(url, {"status": "active"}, format="json")
    assert resumed.json()["status"] == "active"
    assert exercises_of(patient_client.get("/api/v1/today/").json())


@pytest.mark.parametrize("status", ["completed", "left", "finished", "", None, 1])
def test_status_can_only_be_paused_or_active(catalog, patient, patient_client, status):
    enrollment = EnrollmentFactory(user=patient)

    response = patient_client.patch(
        f"/api/v1/enrollments/{enrollment.id}/", {"status": status}, format="json"
    )

    assert response.status_code == 400
    assert "status" in response.json()
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.ended_on) == ("active", None)
    assert exercises_of(patient_client.get("/api/v1/today/").json())


def test_leaving_ends_the_program_and_allows_enrolling_again(catalog, patient, patient_client):
    enrollment = EnrollmentFactory(user=patient, start_date=dt.date(2026, 11, 16))

    assert patient_client.delete(f"/api/v1/enrollments/{enrollment.id}/").status_code == 204

    assert patient_client.get(f"/api/v1/enrollments/{enrollment.id}/").json()["status"] == "left"
    assert exercises_of(patient_client.get("/api/v1/today/").json()) == []
    assert (
        patient_client.post("/api/v1/enrollments/", {"program": "core-strength"}, format="json").status_code
        == 201
    )
    resumed = patient_client.patch(
        f"/api/v1/enrollments/{enrollment.id}/", {"status": "active"}, format="json"
    )
    assert resumed.status_code == 400


def test_a_finished_program_shows_completed_and_can_be_repeated(catalog, patient, patient_client):
    EnrollmentFactory(user=patient, start_date=dt.date(2026, 9, 1))

    (listed,) = patient_client.get("/api/v1/enrollments/").json()
    assert listed["status"] == "completed"
    assert listed["week"] is None

    again = patient_client.post("/api/v1/enrollments/", {"program": "core-strength"}, format="json")
    assert again.status_code == 201


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_enrollment_is_a_404(catalog, patient_client, method):
    theirs = EnrollmentFactory(user=UserFactory())

    response = getattr(patient_client, method)(
        f"/api/v1/enrollments/{theirs.id}/", {"status": "paused"}, format="json"
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "active"


def test_lists_show_only_my_enrollments(catalog, patient, patient_client):
    EnrollmentFactory(user=UserFactory())
    mine = EnrollmentFactory(user=patient)

    assert [e["id"] for e in patient_client.get("/api/v1/enrollments/").json()] == [mine.id]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/enrollments/"),
        ("post", "/api/v1/enrollments/"),
        ("get", "/api/v1/today/"),
        ("get", "/api/v1/plan/"),
        ("get", "/api/v1/me/"),
    ],
)
def test_anonymous_calls_are_refused(catalog, method, path):
    response = getattr(APIClient(), method)(path)

    assert response.status_code == 401
    assert "detail" in response.json()


# --- Today and the plan -----------------------------------------------------------


def test_today_is_the_users_local_date(catalog):
    # 09:00 UTC on Saturday 21 November: 22:00 Saturday in Auckland (UTC+13) but
    # 01:00 Saturday in Los Angeles (UTC-8). At 11:30 UTC Auckland is on Sunday.
    auckland = UserFactory(timezone="Pacific/Auckland")
    los_angeles = UserFactory(timezone="America/Los_Angeles")
    program = Program.objects.get(slug="core-strength")
    EnrollmentFactory(user=auckland, program=program, start_date=dt.date(2026, 11, 16))
    EnrollmentFactory(user=los_angeles, program=program, start_date=dt.date(2026, 11, 16))

    with time_machine.travel("2026-11-21T11:30:00Z", tick=False):
        nz = _client(auckland).get("/api/v1/today/").json()
        la = _client(los_angeles).get("/api/v1/today/").json()

    assert nz["date"] == "2026-11-22"
    assert la["date"] == "2026-11-21"
    # Sunday is a rest day for the strength work: only the walk is left.
    assert [i["exercise"]["slug"] for i in exercises_of(nz)] == ["easy-walk"]
    assert "glute-bridge" in [i["exercise"]["slug"] for i in exercises_of(la)]


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_a_day_and_its_items_have_the_contract_shape(catalog, patient, patient_client):
    EnrollmentFactory(user=patient, start_date=dt.date(2026, 11, 16))

    day = patient_client.get("/api/v1/today/").json()

    assert day["date"] == "2026-11-21"
    item = exercises_of(day)[0]
    assert set(item) == {
        "id",
        "kind",
        "program",
        "programs",
        "week",
        "time_of_day",
        "exercise",
        "prescription",
        "optional",
        "progression",
        "status",
        "prescribed_by",
        "note",
    }
    assert item["id"] == "core-strength:warm-up:2026-11-21"
    assert item["progression"]["state"] == "start" and item["progression"]["week"] == 1
    assert (item["programs"], item["optional"]) == (["core-strength"], False)
    assert set(day) == {"date", "mode", "flare", "safety_hold", "minutes", "sessions", "items"}
    assert (day["mode"], day["flare"]) == ("usual", None)
    assert set(day["sessions"][0]) == {"time_of_day", "minutes", "optional_minutes", "items"}
    assert item["week"] == 1
    assert item["status"] == "pending"
    assert set(item["exercise"]) >= {"slug", "name", "steps", "cautions"}


def test_plan_defaults_to_a_week_from_today(catalog, patient, patient_client):
    EnrollmentFactory(user=patient)

    days = patient_client.get("/api/v1/plan/").json()["days"]

    assert [d["date"] for d in days] == [str(dt.date(2026, 11, 21) + dt.timedelta(days=n)) for n in range(7)]


def test_item_ids_are_the_same_in_today_and_the_plan(catalog, patient, patient_client):
    EnrollmentFactory(user=patient)

    today = patient_client.get("/api/v1/today/").json()
    plan = patient_client.get("/api/v1/plan/?start=2026-11-21&days=1").json()

    assert [i["id"] for i in today["items"]] == [i["id"] for i in plan["days"][0]["items"]]


@pytest.mark.parametrize(
    "query",
    [
        "days=0",
        "days=29",
        "days=-3",
        "days=abc",
        "days=2.5",
        "days=100000000000000000000",
        "start=2026-02-30",
        "start=yesterday",
        "start=2026-11",
        "start=0001-01-01",
        "start=9999-12-31&days=28",
    ],
)
def test_bad_plan_queries_are_a_400_naming_the_parameter(catalog, patient_client, query):
    response = patient_client.get(f"/api/v1/plan/?{query}")

    assert response.status_code == 400, response.content
    assert query.split("=")[0] in response.json()


@pytest.mark.parametrize(("enrollments", "days"), [(1, 1), (4, 28)])
def test_plan_takes_a_constant_number_of_queries(
    catalog, patient, patient_client, django_assert_max_num_queries, enrollments, days
):
    for program in Program.objects.all()[:enrollments]:
        EnrollmentFactory(user=patient, program=program, start_date=dt.date(2026, 11, 2))

    # Session and user lookups, the enrollments, the items with their exercises, the logs,
    # the flares that cover the window; the care team's changes and pain rule; the pain
    # history (logs with pain, check-ins' pain, flares that ended).
    # And one for the lessons read (and the first start), one for the questionnaires
    # answered, whatever the range.
    with django_assert_max_num_queries(12):
        response = patient_client.get(f"/api/v1/plan/?start=2026-11-02&days={days}")

    assert response.status_code == 200
    assert sum(len(exercises_of(d)) for d in response.json()["days"]) > 0
