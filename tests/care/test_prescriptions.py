"""A care team that can prescribe (issue 16, items 3 and 5): prescriptions, "not for
me", the pain rule and the plan's history; only with the ``prescribe`` scope the
patient gives, every act in the access log, and the plan everywhere it is computed."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from backend.care.models import AccessLogEntry, CareLink
from backend.programs.models import Exercise, PainRule, PlanChange, Prescription, SetAside
from backend.programs.progression import PainLimits
from backend.programs.selectors import pain_limits_for
from tests.accounts.factories import PASSWORD, UserFactory
from tests.care.test_clinician_api import link_patient
from tests.programs.factories import EnrollmentFactory, exercises_of
from tests.tracker.helpers import entry, session, sync

pytestmark = pytest.mark.usefixtures("frozen_time")

TODAY = "2026-11-21"  # a Saturday: core-strength's morning items are planned
CAT_COW = "core-strength:warm-up"


def allow(patient_client, link, *scopes):
    response = patient_client.patch(
        f"/api/v1/care/links/{link['id']}/", {"scopes": ["logs", "checkins", *scopes]}, format="json"
    )
    assert response.status_code == 200, response.content


@pytest.fixture
def enrolled(patient):
    return EnrollmentFactory(user=patient, start_date=dt.date(2026, 11, 16))


@pytest.fixture
def rx(link, patient, patient_client, enrolled, doctor):
    """The doctor, allowed to prescribe; a helper that POSTs a prescription."""
    allow(patient_client, link, "prescribe")
    client = doctor[1]

    def post(expect=201, **body):
        response = client.post(f"/api/v1/care/patients/{patient.pk}/prescriptions/", body, format="json")
        assert response.status_code == expect, response.content
        return response.json()

    return post


def today_items(client) -> dict[str, dict]:
    return {item["id"]: item for item in exercises_of(client.get("/api/v1/today/").json())}


# --- the plan -------------------------------------------------------------------------


def test_a_dose_change_keeps_the_items_id_and_its_log(rx, patient, patient_client, doctor):
    doctor[0].display_name = "Dr Rao"
    doctor[0].save()
    sync(patient_client, entry("session", session(CAT_COW)))
    assert today_items(patient_client)[f"{CAT_COW}:{TODAY}"]["prescription"] == {"reps": 6}  # cached now

    row = rx(
        exercise="cat-cow",
        time_of_day="morning",
        prescription={"sets": 2, "reps": 4},
        replaces=CAT_COW,
        note="Slowly, within comfort.",
    )

    item = today_items(patient_client)[f"{CAT_COW}:{TODAY}"]
    assert item["prescription"] == {"sets": 2, "reps": 4}
    assert item["prescribed_by"] == {"name": "Dr Rao"}
    assert item["note"] == "Slowly, within comfort."
    assert item["status"] == "done"  # the log made before still counts
    assert row["replaces"] == CAT_COW and row["set_by"] == {"id": doctor[0].pk, "name": "Dr Rao"}
    others = [i for i in today_items(patient_client).values() if i["id"] != item["id"]]
    assert others and all(i["prescribed_by"] is None and i["note"] is None for i in others)


def test_an_added_exercise_has_its_own_id_and_can_be_logged(rx, patient, patient_client):
    row = rx(exercise="childs-pose", time_of_day="evening", prescription={"hold_seconds": 30})
    item_id = f"rx:{row['id']}:{TODAY}"

    item = today_items(patient_client)[item_id]
    assert (item["program"], item["time_of_day"], item["exercise"]["slug"]) == (
        "rx",
        "evening",
        "childs-pose",
    )
    assert item["prescribed_by"] == {"name": row["set_by"]["name"]}
    day = patient_client.get("/api/v1/today/").json()
    assert day["sessions"][-1] == {**day["sessions"][-1], "time_of_day": "evening", "items": [item_id]}

    answer = sync(patient_client, entry("session", {"date": TODAY, "item_id": item_id, "status": "done"}))
    assert answer["results"][0]["status"] == "created"
    assert today_items(patient_client)[item_id]["status"] == "done"


def test_weekdays_limit_an_added_exercise(rx, patient_client):
    row = rx(exercise="childs-pose", time_of_day="evening", prescription={}, weekdays=[0, 2])
    days = patient_client.get(f"/api/v1/plan/?start={TODAY}&days=3").json()["days"]

    planned = {d["date"]: [i["id"] for i in exercises_of(d) if i["program"] == "rx"] for d in days}
    assert planned == {TODAY: [], "2026-11-22": [], "2026-11-23": [f"rx:{row['id']}:2026-11-23"]}


def test_ending_a_prescription_brings_back_the_programs_dose(rx, patient, patient_client, doctor):
    row = rx(exercise="cat-cow", time_of_day="evening", prescription={"reps": 3}, replaces=CAT_COW)
    moved = today_items(patient_client)[f"{CAT_COW}:{TODAY}"]
    assert (moved["time_of_day"], moved["prescription"]) == ("evening", {"reps": 3})

    response = doctor[1].delete(f"/api/v1/care/patients/{patient.pk}/prescriptions/{row['id']}/")

    assert response.status_code == 204
    back = today_items(patient_client)[f"{CAT_COW}:{TODAY}"]
    assert (back["time_of_day"], back["prescription"], back["prescribed_by"]) == (
        "morning",
        {"reps": 6},
        None,
    )
    assert doctor[1].get(f"/api/v1/care/patients/{patient.pk}/prescriptions/").json() == []
    assert Prescription.objects.get().ends_on == dt.date(2026, 11, 21)  # kept, for the history
    kinds = [c["kind"] for c in patient_client.get("/api/v1/me/plan-changes/").json()]
    assert kinds == ["prescription_ended", "prescription_changed"]


def test_a_clinicians_dose_wins_over_the_same_exercise_from_a_program(rx, patient_client):
    row = rx(exercise="cat-cow", time_of_day="morning", prescription={"reps": 12})

    items = [i for i in today_items(patient_client).values() if i["exercise"]["slug"] == "cat-cow"]
    assert len(items) == 1  # planned once
    assert (items[0]["id"], items[0]["prescription"]) == (f"rx:{row['id']}:{TODAY}", {"reps": 12})


def test_set_aside_leaves_every_day_and_the_rest_refits_the_budget(rx, patient, patient_client):
    # Week 1 of core strength is about 14 minutes (a 5-minute walk, S5): 13 leaves the
    # cool-down out until two items are set aside.
    patient_client.patch("/api/v1/me/", {"daily_minutes": 13}, format="json")
    rx(
        exercise="bird-dog",
        time_of_day="morning",
        prescription={"reps": 4},
        replaces="core-strength:bird-dog",
    )
    before = today_items(patient_client)
    optional = {i["exercise"]["slug"] for i in before.values() if i["optional"]}
    assert optional, "the budget leaves something optional"

    for slug in ("plank", "bird-dog"):  # a program item, and a prescribed one
        response = patient_client.post(
            "/api/v1/me/not-for-me/", {"exercise": slug, "reason": "hurts"}, format="json"
        )
        assert response.status_code == 201, response.content

    days = patient_client.get(f"/api/v1/plan/?start={TODAY}&days=14").json()["days"]
    slugs = {i["exercise"]["slug"] for d in days for i in exercises_of(d)}
    assert not slugs & {"plank", "bird-dog"} and "cat-cow" in slugs
    after = today_items(patient_client)
    # Refitted: what did not fit before is due now (the cool-down).
    assert before[f"core-strength:cool-down:{TODAY}"]["optional"] is True
    assert after[f"core-strength:cool-down:{TODAY}"]["optional"] is False

    listed = patient_client.get("/api/v1/me/not-for-me/").json()
    assert [(r["exercise"], r["by"], r["reason"]) for r in listed] == [
        ("plank", "patient", "hurts"),
        ("bird-dog", "patient", "hurts"),
    ]
    assert patient_client.delete("/api/v1/me/not-for-me/plank/").status_code == 204
    assert "plank" in {i["exercise"]["slug"] for i in today_items(patient_client).values()}


def test_setting_aside_twice_answers_the_same_row(patient, patient_client, catalog):
    first = patient_client.post("/api/v1/me/not-for-me/", {"exercise": "plank"}, format="json")
    again = patient_client.post("/api/v1/me/not-for-me/", {"exercise": "plank"}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert SetAside.objects.count() == 1 and PlanChange.objects.count() == 1


def test_who_may_bring_back_what(rx, link, patient, patient_client, doctor):
    client = doctor[1]
    base = f"/api/v1/care/patients/{patient.pk}/exclusions/"
    patient_client.post("/api/v1/me/not-for-me/", {"exercise": "plank"}, format="json")
    assert client.post(base, {"exercise": "dead-bug"}, format="json").status_code == 201

    refused = client.delete(f"{base}plank/")
    assert refused.status_code == 403
    assert "only they can bring it back" in refused.json()["detail"]
    assert client.delete(f"{base}dead-bug/").status_code == 204
    assert client.delete(f"{base}dead-bug/").status_code == 404  # not set aside any more
    # The patient may bring back anything, a clinician's choice too.
    assert client.post(base, {"exercise": "side-plank"}, format="json").status_code == 201
    assert patient_client.delete("/api/v1/me/not-for-me/side-plank/").status_code == 204
    assert [r["exercise"] for r in client.get(base).json()] == ["plank"]


def test_an_exercise_set_aside_cannot_be_prescribed(rx, patient_client):
    patient_client.post("/api/v1/me/not-for-me/", {"exercise": "plank"}, format="json")

    refused = rx(expect=400, exercise="plank", time_of_day="morning", prescription={"sets": 1})

    assert list(refused) == ["exercise"]
    assert "set aside" in refused["exercise"][0] and "Talk it over" in refused["exercise"][0]
    assert not Prescription.objects.exists()


# --- who may -----------------------------------------------------------------------------


WRITES = [
    ("post", "prescriptions/", {"exercise": "childs-pose", "time_of_day": "evening", "prescription": {}}),
    ("patch", "prescriptions/{rx}/", {"prescription": {"reps": 2}}),
    ("delete", "prescriptions/{rx}/", None),
    ("put", "pain-rule/", {"during_max": 3}),
    ("post", "exclusions/", {"exercise": "plank"}),
    ("delete", "exclusions/dead-bug/", None),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_without_prescribe_every_write_is_a_403_and_changes_nothing(
    rx, link, patient, patient_client, doctor, method, path, body
):
    client = doctor[1]
    base = f"/api/v1/care/patients/{patient.pk}/"
    made = rx(exercise="cat-cow", time_of_day="morning", prescription={"reps": 4}, replaces=CAT_COW)
    assert client.post(f"{base}exclusions/", {"exercise": "dead-bug"}, format="json").status_code == 201
    allow(patient_client, link)  # prescribe off
    plan = patient_client.get("/api/v1/today/").content
    counts = (
        Prescription.objects.filter(ends_on=None).count(),
        SetAside.objects.filter(ends_on=None).count(),
    )
    logged, changes = AccessLogEntry.objects.count(), PlanChange.objects.count()

    url = base + path.format(rx=made["id"])
    response = getattr(client, method)(url, body, format="json") if body else getattr(client, method)(url)

    assert response.status_code == 403, response.content
    assert "prescribe" in response.json()["detail"]
    assert patient_client.get("/api/v1/today/").content == plan
    assert (
        Prescription.objects.filter(ends_on=None).count(),
        SetAside.objects.filter(ends_on=None).count(),
    ) == counts
    assert Prescription.objects.get(pk=made["id"]).prescription == {"reps": 4}
    assert (AccessLogEntry.objects.count(), PlanChange.objects.count()) == (logged, changes)
    assert not PainRule.objects.exists()


def test_reads_need_only_the_link(link, patient, doctor, enrolled):
    base = f"/api/v1/care/patients/{patient.pk}/"
    for path in ("prescriptions/", "exclusions/", "pain-rule/", "plan/"):
        assert doctor[1].get(base + path).status_code == 200, path


@pytest.mark.parametrize(
    ("method", "path"),
    [(m, p) for m, p, _ in WRITES]
    + [("get", "prescriptions/"), ("get", "exclusions/"), ("get", "pain-rule/"), ("get", "plan/")],
)
def test_an_unlinked_or_ended_link_is_a_404(rx, link, patient, make_clinician, doctor, method, path):
    made = Prescription.objects.create(
        patient=patient,
        exercise=Exercise.objects.get(slug="plank"),
        time_of_day="morning",
        set_by_name="x",
        starts_on=dt.date(2026, 11, 21),
    )
    url = f"/api/v1/care/patients/{patient.pk}/" + path.format(rx=made.pk)
    _, stranger = make_clinician()
    assert getattr(stranger, method)(url, {}, format="json").status_code == 404
    CareLink.objects.filter(pk=link["id"]).update(ended_at=timezone.now())
    assert getattr(doctor[1], method)(url, {}, format="json").status_code == 404


def test_a_link_ended_after_the_check_is_a_404_and_writes_nothing(rx, link, patient, doctor, monkeypatch):
    """The patient ends sharing between the view's check and the write: the link is
    read again, locked, inside the write's transaction."""
    from backend.care import api

    checked = api.selectors.linked_patient

    def check_then_end(**kwargs):
        found = checked(**kwargs)
        CareLink.objects.filter(pk=found.pk).update(ended_at=timezone.now())
        return found

    monkeypatch.setattr(api.selectors, "linked_patient", check_then_end)
    response = doctor[1].post(
        f"/api/v1/care/patients/{patient.pk}/prescriptions/",
        {"exercise": "childs-pose", "time_of_day": "evening", "prescription": {}},
        format="json",
    )

    assert response.status_code == 404
    assert not Prescription.objects.exists() and not PlanChange.objects.exists()
    assert not AccessLogEntry.objects.filter(what="prescription added").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ending_sharing_while_an_edit_waits_makes_it_a_404(rx, link, patient, doctor):
    """A real race: the patient's "End sharing" holds the link row; the clinician's
    edit, already past the view's check, waits for it and then finds no link."""
    ended, release, answer = threading.Event(), threading.Event(), {}

    def end_sharing():
        with transaction.atomic():
            CareLink.objects.filter(pk=link["id"]).update(ended_at=timezone.now())
            ended.set()
            release.wait(10)
        connection.close()

    def edit():
        answer["response"] = doctor[1].post(
            f"/api/v1/care/patients/{patient.pk}/prescriptions/",
            {"exercise": "childs-pose", "time_of_day": "evening", "prescription": {}},
            format="json",
        )
        connection.close()

    ender = threading.Thread(target=end_sharing)
    ender.start()
    assert ended.wait(10)
    editor = threading.Thread(target=edit)
    editor.start()
    time.sleep(1.0)  # the edit reaches the locked link and waits
    assert editor.is_alive(), "the edit should wait for the link's lock"
    release.set()
    ender.join(10)
    editor.join(10)

    assert answer["response"].status_code == 404
    assert not Prescription.objects.exists()


# --- validation ----------------------------------------------------------------------------

GOOD = {"exercise": "childs-pose", "time_of_day": "evening", "prescription": {"hold_seconds": 30}}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"exercise": "moonwalk"}, "exercise"),
        ({"exercise": 5}, "exercise"),
        ({"exercise": None}, "exercise"),
        ({"time_of_day": "noon"}, "time_of_day"),
        ({"weekdays": [7]}, "weekdays"),
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": ["mon"]}, "weekdays"),
        ({"weekdays": [True]}, "weekdays"),
        ({"weekdays": "0,1"}, "weekdays"),
        ({"prescription": {"sets": 0}}, "prescription"),
        ({"prescription": {"sets": "2"}}, "prescription"),
        ({"prescription": {"reps": 7201}}, "prescription"),
        ({"prescription": {"reps": 2.5}}, "prescription"),
        ({"prescription": {"per_side": "yes"}}, "prescription"),
        ({"prescription": {"colour": 1}}, "prescription"),
        ({"prescription": {"note": "slowly"}}, "prescription"),
        ({"prescription": [1]}, "prescription"),
        ({"prescription": None}, "prescription"),
        ({"replaces": "core-strength:nope"}, "replaces"),
        ({"replaces": "back-stretches:cat-cow"}, "replaces"),  # not a program they follow
        ({"replaces": "nonsense"}, "replaces"),
        ({"replaces": 3}, "replaces"),
        ({"note": "x" * 1001}, "note"),
        ({"note": 12}, "note"),
    ],
)
def test_a_bad_prescription_is_a_400_naming_the_field(rx, change, field):
    body = {**GOOD, **change}

    refused = rx(expect=400, **body)

    assert field in refused, refused
    assert not Prescription.objects.exists() and not PlanChange.objects.exists()


def test_missing_fields_are_named(rx):
    assert set(rx(expect=400)) == {"exercise", "time_of_day", "prescription"}


def test_an_item_takes_one_prescription_at_a_time(rx, patient, doctor):
    first = rx(exercise="cat-cow", time_of_day="morning", prescription={"reps": 4}, replaces=CAT_COW)
    refused = rx(
        expect=400, exercise="cat-cow", time_of_day="evening", prescription={"reps": 2}, replaces=CAT_COW
    )
    assert "change that one" in refused["replaces"][0]

    changed = doctor[1].patch(
        f"/api/v1/care/patients/{patient.pk}/prescriptions/{first['id']}/",
        {"prescription": {"sets": 2, "reps": 6}, "note": "Two rounds now."},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["prescription"], changed.json()["note"]) == (
        {"sets": 2, "reps": 6},
        "Two rounds now.",
    )
    bad = doctor[1].patch(
        f"/api/v1/care/patients/{patient.pk}/prescriptions/{first['id']}/", {"weekdays": [9]}, format="json"
    )
    assert bad.status_code == 400 and "weekdays" in bad.json()


def test_another_patients_prescription_is_a_404(rx, patient, doctor, catalog):
    other = UserFactory()
    theirs = Prescription.objects.create(
        patient=other,
        exercise=Exercise.objects.get(slug="plank"),
        time_of_day="morning",
        set_by_name="x",
        starts_on=dt.date(2026, 11, 21),
    )

    url = f"/api/v1/care/patients/{patient.pk}/prescriptions/{theirs.pk}/"

    assert doctor[1].patch(url, {"note": "hi"}, format="json").status_code == 404
    assert doctor[1].delete(url).status_code == 404
    assert Prescription.objects.get(pk=theirs.pk).ends_on is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"during_max": 11}, "during_max"),
        ({"during_max": -1}, "during_max"),
        ({"during_max": "5"}, "during_max"),
        ({"during_max": True}, "during_max"),
        ({"morning_rise_max": 6}, "morning_rise_max"),
        ({"regress_after": 0}, "regress_after"),
        ({"regress_after": 6}, "regress_after"),
    ],
)
def test_a_bad_pain_rule_is_a_400_naming_the_field(rx, patient, doctor, body, field):
    response = doctor[1].put(f"/api/v1/care/patients/{patient.pk}/pain-rule/", body, format="json")

    assert response.status_code == 400 and field in response.json()
    assert not PainRule.objects.exists()


def test_the_pain_rule_is_the_patients_and_the_progressions(rx, patient, patient_client, doctor):
    url = f"/api/v1/care/patients/{patient.pk}/pain-rule/"
    assert doctor[1].get(url).json() == {
        "during_max": 5,
        "morning_rise_max": 0,
        "regress_after": 2,
        "set_by": None,
        "updated_at": None,
        "is_default": True,
    }
    assert pain_limits_for(patient) == PainLimits()

    changed = doctor[1].put(url, {"during_max": 3, "regress_after": 1}, format="json").json()

    assert (changed["during_max"], changed["morning_rise_max"], changed["regress_after"]) == (3, 0, 1)
    assert changed["is_default"] is False and changed["set_by"]["id"] == doctor[0].pk
    assert patient_client.get("/api/v1/me/").json()["pain_rule"] == changed
    assert pain_limits_for(patient) == PainLimits(during_max=3, morning_rise_max=0, regress_after=1)
    history = patient_client.get("/api/v1/me/plan-changes/").json()
    assert history[0]["kind"] == "pain_rule" and "pain up to 3/10" in history[0]["text"]


# --- the record ----------------------------------------------------------------------------


def test_every_read_and_write_is_in_the_access_log_in_plain_words(rx, patient, patient_client, doctor):
    doctor[0].display_name = "Dr Rao"
    doctor[0].save()
    client, base = doctor[1], f"/api/v1/care/patients/{patient.pk}/"
    AccessLogEntry.objects.all().delete()

    made = rx(exercise="cat-cow", time_of_day="morning", prescription={"reps": 4}, replaces=CAT_COW)
    client.patch(f"{base}prescriptions/{made['id']}/", {"note": "ok"}, format="json")
    client.get(f"{base}prescriptions/")
    client.get(f"{base}plan/")
    client.put(f"{base}pain-rule/", {"during_max": 4}, format="json")
    client.get(f"{base}pain-rule/")
    client.post(f"{base}exclusions/", {"exercise": "plank"}, format="json")
    client.get(f"{base}exclusions/")
    client.delete(f"{base}exclusions/plank/")
    client.delete(f"{base}prescriptions/{made['id']}/")

    log = patient_client.get("/api/v1/me/access-log/").json()
    assert [row["what"] for row in reversed(log)] == [
        "prescription added",
        "prescription changed",
        "prescriptions",
        "plan",
        "pain rule changed",
        "pain rule",
        "exercise set aside",
        "exclusions",
        "exercise brought back",
        "prescription ended",
    ]
    assert log[0]["clinician"] == {"name": "Dr Rao", "email": doctor[0].email}
    assert log[0]["text"] == "Dr Rao took back an exercise they had set"
    assert log[-1]["text"] == "Dr Rao added an exercise to your plan"


def test_the_history_says_who_changed_what_in_plain_words(rx, link, patient, patient_client, doctor):
    doctor[0].display_name = "Dr Rao"
    doctor[0].save()
    made = rx(
        exercise="cat-cow", time_of_day="morning", prescription={"sets": 2, "reps": 6}, replaces=CAT_COW
    )
    rx(exercise="childs-pose", time_of_day="evening", prescription={"hold_seconds": 30}, weekdays=[0, 2, 4])
    patient_client.post("/api/v1/me/not-for-me/", {"exercise": "side-plank"}, format="json")
    doctor[1].delete(f"/api/v1/care/patients/{patient.pk}/prescriptions/{made['id']}/")

    mine = patient_client.get("/api/v1/me/plan-changes/").json()
    theirs = doctor[1].get(f"/api/v1/care/patients/{patient.pk}/").json()["plan_changes"]

    assert [c["text"] for c in mine] == [
        "Dr Rao put Cat-cow back to its program's dose",
        "You set aside Side plank on the knees",
        "Dr Rao added Child's pose: holding 30 seconds, in the evening on Mon, Wed and Fri",
        "Dr Rao changed Cat-cow to 2 sets of 6 reps, in the morning, every day",
    ]
    assert mine[1]["by"] == {"name": patient.email, "role": "patient"}
    assert mine[0]["by"] == {"name": "Dr Rao", "role": "clinician"}
    assert theirs[0]["text"] == "You put Cat-cow back to its program's dose"
    assert theirs[1]["text"] == f"{patient.email} set aside Side plank on the knees"


def test_the_clinicians_patient_view_and_list_show_the_plan_and_scopes(
    rx, link, patient, patient_client, doctor
):
    patient.display_name = "Sam"
    patient.save()
    rx(exercise="childs-pose", time_of_day="evening", prescription={})
    patient_client.post("/api/v1/me/not-for-me/", {"exercise": "plank"}, format="json")

    view = doctor[1].get(f"/api/v1/care/patients/{patient.pk}/").json()
    row = doctor[1].get("/api/v1/care/patients/").json()[0]
    links = patient_client.get("/api/v1/care/links/").json()

    assert view["name"] == "Sam" and "prescribe" in view["scopes"]
    assert [p["exercise"] for p in view["prescriptions"]] == ["childs-pose"]
    assert [(e["exercise"], e["by"]) for e in view["exclusions"]] == [("plank", "patient")]
    assert view["pain_rule"]["is_default"] is True
    assert [c["kind"] for c in view["plan_changes"]] == ["set_aside", "prescription_added"]
    assert (row["name"], row["flare"]) == ("Sam", None) and "prescribe" in row["scopes"]
    assert links[0]["clinician"] == {"id": doctor[0].pk, "email": doctor[0].email, "name": doctor[0].email}
    assert links[0]["patient"]["name"] == "Sam"


def test_the_clinicians_plan_is_the_patients_and_is_audited(rx, patient, patient_client, doctor):
    rx(exercise="childs-pose", time_of_day="evening", prescription={})

    theirs = doctor[1].get(f"/api/v1/care/patients/{patient.pk}/plan/?start={TODAY}&days=3")
    mine = patient_client.get(f"/api/v1/plan/?start={TODAY}&days=3")

    assert theirs.status_code == 200 and theirs.json() == mine.json()
    assert AccessLogEntry.objects.filter(patient=patient, what="plan").count() == 1
    bad = doctor[1].get(f"/api/v1/care/patients/{patient.pk}/plan/?days=29")
    assert bad.status_code == 400 and "days" in bad.json()


# --- adherence -------------------------------------------------------------------------------


def _program_items_done(client, day: dt.date) -> None:
    items = client.get(f"/api/v1/plan/?start={day.isoformat()}&days=1").json()["days"][0]["items"]
    sync(
        client,
        *[
            entry("session", {"date": day.isoformat(), "item_id": i["id"], "status": "done"})
            for i in items
            if i["program"] != "rx"
        ],
    )


def test_due_counts_in_adherence_and_the_clinician_list_follow(rx, patient, patient_client, doctor):
    with time_machine.travel("2026-11-19T09:00:00Z", tick=False):  # Thursday
        rx(exercise="childs-pose", time_of_day="evening", prescription={})
    for day in (dt.date(2026, 11, 19), dt.date(2026, 11, 20)):
        _program_items_done(patient_client, day)

    series = {d["date"]: d for d in patient_client.get("/api/v1/summary/?days=7").json()["series"]}
    row = doctor[1].get("/api/v1/care/patients/").json()[0]
    summary = patient_client.get("/api/v1/summary/?days=7").json()

    # From the day it was set, one more is due: the added one (not done).
    assert series["2026-11-19"]["due"] == series["2026-11-18"]["due"] + 1
    assert series["2026-11-19"]["done"] == series["2026-11-19"]["due"] - 1
    assert summary["adherence"] < 1.0
    assert row["adherence_7"] == summary["adherence"]

    # Set aside: no longer due from today on; the days before stay as they were.
    patient_client.post("/api/v1/me/not-for-me/", {"exercise": "childs-pose"}, format="json")
    again = {d["date"]: d for d in patient_client.get("/api/v1/summary/?days=7").json()["series"]}
    assert again["2026-11-19"]["due"] == series["2026-11-19"]["due"]


def test_a_clinicians_exercise_is_reminded_of_without_a_program(catalog, patient, doctor):
    from backend.programs.selectors import plans_on
    from backend.programs.services import prescription_create

    prescription_create(
        patient=patient, by=doctor[0], exercise="childs-pose", time_of_day="evening", prescription={}
    )

    plans = plans_on(dates={patient.pk: dt.date(2026, 11, 21)}, budgets={patient.pk: None})

    assert [i.exercise.slug for i in plans[patient.pk].due] == ["childs-pose"]


# --- query counts ----------------------------------------------------------------------------


def test_today_with_adjustments_takes_a_constant_number_of_queries(
    rx, patient, patient_client, django_assert_max_num_queries
):
    for slug in ("childs-pose", "knee-to-chest", "heat-therapy"):
        rx(exercise=slug, time_of_day="evening", prescription={})
    rx(exercise="cat-cow", time_of_day="morning", prescription={"reps": 3}, replaces=CAT_COW)
    for slug in ("plank", "bird-dog"):
        patient_client.post("/api/v1/me/not-for-me/", {"exercise": slug}, format="json")

    # user, flares, enrollments, items, the care team's changes and pain rule, the pain
    # history (3), logs, safety hold, lessons read, questionnaires answered
    with django_assert_max_num_queries(12):
        assert patient_client.get("/api/v1/today/").status_code == 200
    with django_assert_max_num_queries(12):
        assert patient_client.get(f"/api/v1/plan/?start={TODAY}&days=28").status_code == 200


@pytest.mark.parametrize("patients", [1, 5])
def test_the_patient_list_with_adjustments_takes_a_constant_number_of_queries(
    catalog, doctor, django_assert_max_num_queries, patients
):
    from backend.programs.services import prescription_create, set_aside_add

    for _ in range(patients):
        person = UserFactory()
        link_patient(person, doctor[0], scopes=("logs", "checkins", "prescribe"))
        EnrollmentFactory(user=person, start_date=dt.date(2026, 11, 2))
        prescription_create(
            patient=person, by=doctor[0], exercise="childs-pose", time_of_day="evening", prescription={}
        )
        set_aside_add(patient=person, by=person, exercise="plank")

    with django_assert_max_num_queries(15):
        rows = doctor[1].get("/api/v1/care/patients/").json()

    assert len(rows) == patients


# --- the person's own data -----------------------------------------------------------------


def test_the_export_holds_the_plans_changes_and_erasure_removes_them(rx, patient, patient_client, doctor):
    rx(exercise="childs-pose", time_of_day="evening", prescription={}, note="Gently")
    doctor[1].put(f"/api/v1/care/patients/{patient.pk}/pain-rule/", {"during_max": 4}, format="json")
    patient_client.post("/api/v1/me/not-for-me/", {"exercise": "plank", "reason": "too much"}, format="json")

    document = patient_client.get("/api/v1/me/export/").json()

    assert [(p["exercise"], p["note"], p["ends_on"]) for p in document["prescriptions"]] == [
        ("childs-pose", "Gently", None)
    ]
    assert [(s["exercise"], s["reason"]) for s in document["not_for_me"]] == [("plank", "too much")]
    assert document["pain_rule"]["during_max"] == 4
    assert [c["kind"] for c in document["plan_changes"]] == ["set_aside", "pain_rule", "prescription_added"]

    assert patient_client.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204
    assert not Prescription.objects.exists() and not SetAside.objects.exists()
    assert not PainRule.objects.exists() and not PlanChange.objects.exists()


@pytest.mark.parametrize(
    ("name", "status", "stored"),
    [
        ("Dr Asha Rao", 200, "Dr Asha Rao"),
        ("  Dr   Rao  ", 200, "Dr Rao"),
        ("", 200, ""),
        ("x" * 81, 400, None),
        ("Dr\nRao", 400, None),
        (5, 400, None),
        (None, 400, None),
    ],
)
def test_a_display_name_is_one_short_line(patient, patient_client, name, status, stored):
    response = patient_client.patch("/api/v1/me/", {"display_name": name}, format="json")

    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["display_name"] == stored
        assert patient_client.get("/api/v1/me/").json()["display_name"] == stored
    else:
        assert "display_name" in response.json()


def test_a_name_shows_on_the_patients_plan_once_set(rx, patient_client, doctor):
    rx(exercise="childs-pose", time_of_day="evening", prescription={})
    doctor[1].patch("/api/v1/me/", {"display_name": "Dr Rao"}, format="json")

    names = {i["prescribed_by"]["name"] for i in today_items(patient_client).values() if i["prescribed_by"]}

    assert names == {"Dr Rao"}  # the name as it is now


def test_the_clinicians_pain_rule_is_the_one_the_progression_follows(rx, patient, patient_client, doctor):
    """Started on 2 November: week 3 today. Friday's bridge hurt 4 of 10 after: within
    the published limit (5), above the one the clinician set (3)."""
    Prescription.objects.all().delete()
    enrollment = patient.enrollments.get()
    enrollment.start_date = dt.date(2026, 11, 2)
    enrollment.save()
    sync(
        patient_client, entry("session", session("core-strength:bridge", dt.date(2026, 11, 20), pain_after=4))
    )

    def bridge() -> dict:
        return next(
            i for i in today_items(patient_client).values() if i["exercise"]["slug"] == "glute-bridge"
        )

    assert bridge()["progression"]["state"] in {"progress", "start"}
    changed = doctor[1].put(
        f"/api/v1/care/patients/{patient.pk}/pain-rule/", {"during_max": 3}, format="json"
    )
    assert changed.status_code == 200

    held = bridge()["progression"]
    assert held["state"] == "hold" and "above 3 of 10" in held["reason"]


def test_no_program_may_take_the_rx_slug(tmp_path):
    import shutil

    import yaml

    from backend.programs.catalog import CONTENT_DIR, ContentError, read_catalog

    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    path = content / "programs" / "core-strength.yaml"
    data = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump({**data, "slug": "rx"}))

    with pytest.raises(ContentError, match="reserved for a clinician"):
        read_catalog(content)


def test_a_safety_hold_holds_a_clinicians_exercise_too(rx, patient_client):
    from tests.tracker.test_safety_hold import report

    row = rx(exercise="childs-pose", time_of_day="evening", prescription={})
    report(patient_client, "leg_weakness")

    assert today_items(patient_client)[f"rx:{row['id']}:{TODAY}"]["status"] == "held"


def test_an_edit_that_changes_nothing_writes_no_history(rx, patient, doctor):
    made = rx(exercise="childs-pose", time_of_day="evening", prescription={"hold_seconds": 30})
    url = f"/api/v1/care/patients/{patient.pk}/prescriptions/{made['id']}/"

    same = doctor[1].patch(url, {"prescription": {"hold_seconds": 30}}, format="json")

    assert same.status_code == 200 and same.json() == made
    assert PlanChange.objects.count() == 1


def test_patients_who_share_a_program_count_their_own_changes(catalog, patient, other_patient, doctor):
    """The clinician's list plans a day once for patients in the same week of the same
    program (``due_counts``' shared table): the table is keyed on each one's changes."""
    from backend.programs.schedule import NO_ADJUSTMENTS, due_counts
    from backend.programs.selectors import adjustments_for, attach_items, enrollments_for_window
    from backend.programs.services import prescription_create, set_aside_add

    start = dt.date(2026, 11, 16)
    for person in (patient, other_patient):
        EnrollmentFactory(user=person, start_date=start)
    set_aside_add(patient=other_patient, by=other_patient, exercise="plank")
    prescription_create(
        patient=other_patient, by=doctor[0], exercise="childs-pose", time_of_day="evening", prescription={}
    )
    adjusted = adjustments_for(
        user_ids=[patient.pk, other_patient.pk], start=start, end=dt.date(2026, 11, 22)
    )
    table: dict = {}

    counts = {
        person.pk: due_counts(
            attach_items(enrollments_for_window(user=person, start=start, days=7)),
            start,
            7,
            table,
            adjustments=adjusted.get(person.pk, NO_ADJUSTMENTS),
        )
        for person in (patient, other_patient)
    }

    saturday = dt.date(2026, 11, 21)
    # The other patient: plank set aside (one fewer), child's pose added (one more).
    assert counts[other_patient.pk][saturday] == counts[patient.pk][saturday]
    assert counts[other_patient.pk][dt.date(2026, 11, 22)] == counts[patient.pk][dt.date(2026, 11, 22)] + 1
    assert counts[other_patient.pk][dt.date(2026, 11, 20)] == counts[patient.pk][dt.date(2026, 11, 20)]
    assert patient.pk not in adjusted
