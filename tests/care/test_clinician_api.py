import csv
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from fhir.resources.bundle import Bundle

from backend.accounts.timezones import local_today
from backend.care.models import AccessLogEntry, CareLink
from backend.programs.models import Program
from backend.tracker.models import CheckIn, SafetyAlert, SessionLog
from tests.accounts.factories import UserFactory
from tests.conftest import signed_in
from tests.programs.factories import EnrollmentFactory
from tests.tracker.helpers import checkin, entry, journal, session, sync


def today_of(user) -> dt.date:
    return local_today(user.timezone)


def seed(client, user, *, pains=(), stress=(), flags=None, done_days=()):
    """Check-ins for the last days (oldest first) and done stretches on some days ago."""
    today = today_of(user)
    entries = []
    for n, (pain, level) in enumerate(zip(pains, stress, strict=True)):
        day = today - dt.timedelta(days=len(pains) - 1 - n)
        entries.append(entry("checkin", checkin(day, pain=pain, stress=level)))
    if flags:
        entries.append(entry("checkin", checkin(today, pain=7, stress=7, red_flags=flags), minutes=30))
    for days_ago in done_days:
        day = today - dt.timedelta(days=days_ago)
        entries.append(entry("session", session("back-stretches:cat-cow", day)))
    sync(client, *entries)


def link_patient(patient, clinician, scopes=("logs", "checkins")):
    return CareLink.objects.create(patient=patient, clinician=clinician, scopes=list(scopes))


def test_patient_list_shows_the_contract_fields(link, patient, patient_client, doctor):
    EnrollmentFactory(
        user=patient,
        program=Program.objects.get(slug="back-stretches"),
        start_date=today_of(patient) - dt.timedelta(days=10),
    )
    seed(patient_client, patient, pains=[4, 5], stress=[6, 7], done_days=[1, 2])

    (row,) = doctor[1].get("/api/v1/care/patients/").json()

    assert row["id"] == patient.pk
    assert row["email"] == patient.email
    assert row["today"] == row["last_checkin"] == today_of(patient).isoformat()
    assert (row["latest_pain"], row["latest_stress"]) == (5, 7)
    # One of six items done on two of the last six days; today, with nothing logged
    # yet, counts nothing (backend/tracker/adherence.py).
    assert row["adherence_7"] == round(2 / 36, 3)
    assert row["open_alerts"] == []


def test_each_row_has_the_patients_own_date(catalog, doctor, login):
    """Late evening in Los Angeles is already tomorrow in Paris: "last check-in" is
    counted from the patient's date, not the clinician's."""
    clinician, client = doctor
    traveller = UserFactory(timezone="America/Los_Angeles")
    link_patient(traveller, clinician)
    evening = dt.datetime(2026, 11, 21, 23, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    stays = override_settings(SESSION_IDLE_TIMEOUT_CLINICIAN=30 * 86400, SESSION_MAX_AGE_CLINICIAN=30 * 86400)
    with stays, time_machine.travel(evening, tick=False):
        seed(login(traveller), traveller, pains=[3], stress=[4])
        (row,) = client.get("/api/v1/care/patients/").json()
    assert row["today"] == row["last_checkin"] == "2026-11-21"


def test_who_needs_attention_comes_first(catalog, doctor, login):
    clinician, client = doctor
    calm, rising, flagged, urgent = (
        UserFactory(email=f"{name}@example.com") for name in ("calm", "rising", "flagged", "urgent")
    )
    for person in (calm, rising, flagged, urgent):
        link_patient(person, clinician)
    seed(login(calm), calm, pains=[3] * 14, stress=[3] * 14)
    seed(login(rising), rising, pains=[2] * 7 + [6] * 7, stress=[2] * 7 + [7] * 7)
    seed(login(flagged), flagged, pains=[3], stress=[3], flags=["fever"])
    seed(login(urgent), urgent, pains=[3], stress=[3], flags=["leg_weakness", "fever"])

    rows = client.get("/api/v1/care/patients/").json()

    assert [r["email"] for r in rows] == [
        "urgent@example.com",
        "flagged@example.com",
        "rising@example.com",
        "calm@example.com",
    ]
    assert rows[0]["attention"] == ["urgent red flag"]
    assert rows[0]["open_alerts"][0]["level"] == "urgent"
    assert rows[2]["pain_trend"] == "up" and rows[2]["stress_trend"] == "up"
    assert rows[2]["attention"] == ["pain rising", "stress rising"]
    assert rows[3]["pain_trend"] == "flat" and rows[3]["attention"] == []


@pytest.mark.parametrize("patients", [1, 6])
def test_patient_list_takes_a_constant_number_of_queries(
    catalog, doctor, login, django_assert_max_num_queries, patients
):
    clinician, client = doctor
    for n in range(patients):
        person = UserFactory()
        link_patient(person, clinician)
        EnrollmentFactory(
            user=person,
            program=Program.objects.get(slug="back-stretches"),
            start_date=today_of(person) - dt.timedelta(days=20),
        )
        seed(login(person), person, pains=[n % 10] * 10, stress=[3] * 10, flags=["fever"], done_days=[1, 3])

    # Session token (2), user, authenticator, links, patients with their latest
    # check-in, recent check-ins, done counts, enrollments, program items, alerts,
    # flares and holds (the days not due), prescriptions and exercises set aside, the
    # questionnaire scores, the access log.
    with django_assert_max_num_queries(15):
        rows = client.get("/api/v1/care/patients/").json()

    assert len(rows) == patients


def test_summary_and_logs_of_a_linked_patient(link, patient, patient_client, doctor):
    seed(patient_client, patient, pains=[4, 6], stress=[5, 8], done_days=[0])

    summary = doctor[1].get(f"/api/v1/care/patients/{patient.pk}/summary/?days=28").json()
    logs = doctor[1].get(f"/api/v1/care/patients/{patient.pk}/logs/").json()

    assert len(summary["series"]) == 28
    assert summary["series"][-1]["pain"] == 6
    assert [c["pain"] for c in logs["checkins"]] == [4, 6]
    assert len(logs["session_logs"]) == 1
    assert "journal" not in logs


def test_the_journal_stays_hidden_until_the_patient_shares_it(link, patient, patient_client, doctor):
    sync(patient_client, entry("journal", journal(text="private thoughts")))
    url = f"/api/v1/care/patients/{patient.pk}/journal/"

    assert doctor[1].get(url).status_code == 404
    csv_before = doctor[1].get(f"/api/v1/care/patients/{patient.pk}/export/?format=csv").content.decode()
    assert "private thoughts" not in csv_before

    patient_client.patch(
        f"/api/v1/care/links/{link['id']}/", {"scopes": ["logs", "checkins", "journal"]}, format="json"
    )

    assert [j["text"] for j in doctor[1].get(url).json()] == ["private thoughts"]
    assert (
        "private thoughts"
        in doctor[1].get(f"/api/v1/care/patients/{patient.pk}/export/?format=csv").content.decode()
    )


def test_clinician_exports_csv_and_fhir(link, patient, patient_client, doctor):
    seed(patient_client, patient, pains=[4, 6], stress=[5, 8])

    rows = list(
        csv.DictReader(
            io.StringIO(
                doctor[1].get(f"/api/v1/care/patients/{patient.pk}/export/?format=csv").content.decode()
            )
        )
    )
    bundle = Bundle.parse_obj(
        json.loads(doctor[1].get(f"/api/v1/care/patients/{patient.pk}/export/?format=fhir").content)
    )

    assert [r["pain"] for r in rows if r["record_type"] == "checkin"] == ["4", "6"]
    pains = [
        e.resource.valueInteger
        for e in bundle.entry
        if e.resource.resource_type == "Observation" and e.resource.code.coding[0].code == "72514-3"
    ]
    assert sorted(pains) == [4, 6]


def test_alerts_open_get_acknowledged_and_follow_the_checkin(link, patient, patient_client, doctor):
    flagged = entry("checkin", checkin(today_of(patient), red_flags=["fever"]))
    sync(patient_client, flagged)
    alerts_url = f"/api/v1/care/patients/{patient.pk}/alerts/"
    (alert,) = doctor[1].get(alerts_url).json()
    assert alert["level"] == "see_doctor" and alert["red_flags"] == ["fever"]

    acknowledged = doctor[1].post(f"{alerts_url}{alert['id']}/acknowledge/")
    assert acknowledged.status_code == 200
    assert acknowledged.json()["acknowledged_by"] == doctor[0].email
    assert doctor[1].get(alerts_url).json() == []

    # The patient edits the check-in to an urgent answer: the alert needs a new look.
    worse = {
        **flagged,
        "updated_at": entry("x", {}, minutes=10)["updated_at"],
        "data": checkin(today_of(patient), red_flags=["fever", "saddle_numbness"]),
    }
    sync(patient_client, worse)
    (reopened,) = doctor[1].get(alerts_url).json()
    assert reopened["id"] == alert["id"] and reopened["level"] == "urgent"

    # And deleting the check-in withdraws it.
    sync(patient_client, {**worse, "deleted": True, "updated_at": entry("x", {}, minutes=20)["updated_at"]})
    assert doctor[1].get(alerts_url).json() == []
    assert SafetyAlert.objects.get().withdrawn_at is not None


def test_a_checkin_without_red_flags_makes_no_alert(link, patient, patient_client):
    sync(patient_client, entry("checkin", checkin()))

    assert not SafetyAlert.objects.exists()


def test_acknowledging_another_patients_alert_is_a_404(link, patient, doctor, login):
    stranger = UserFactory()
    sync(login(stranger), entry("checkin", checkin(today_of(stranger), red_flags=["fever"])))
    theirs = SafetyAlert.objects.get(patient=stranger)

    response = doctor[1].post(f"/api/v1/care/patients/{patient.pk}/alerts/{theirs.pk}/acknowledge/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None


def test_notes_are_private_to_their_author(link, patient, doctor, make_clinician, patient_client):
    url = f"/api/v1/care/patients/{patient.pk}/notes/"
    created = doctor[1].post(url, {"text": "Start side planks in week 3."}, format="json")
    assert created.status_code == 201
    note_url = f"{url}{created.json()['id']}/"
    assert (
        doctor[1]
        .patch(note_url, {"text": "Start side planks in week 4."}, format="json")
        .json()["text"]
        .endswith("week 4.")
    )

    colleague, colleague_client = make_clinician()
    link_patient(patient, colleague)
    assert colleague_client.get(url).json() == []
    assert colleague_client.patch(note_url, {"text": "mine now"}, format="json").status_code == 404
    assert colleague_client.delete(note_url).status_code == 404
    assert "Start side planks" not in json.dumps(patient_client.get("/api/v1/me/export/").json())

    assert doctor[1].delete(note_url).status_code == 204
    assert doctor[1].get(url).json() == []


@pytest.mark.parametrize("text", ["", "   ", None, "x" * 10001])
def test_bad_notes_are_a_400(link, patient, doctor, text):
    response = doctor[1].post(f"/api/v1/care/patients/{patient.pk}/notes/", {"text": text}, format="json")

    assert response.status_code == 400
    assert "text" in response.json()


@pytest.mark.parametrize(
    ("path", "what"),
    [
        ("", "profile"),
        ("summary/?days=7", "summary"),
        ("logs/", "logs"),
        ("alerts/", "alerts"),
        ("export/?format=csv", "export (csv)"),
        ("export/?format=fhir", "export (fhir)"),
    ],
)
def test_every_read_writes_exactly_one_access_log_row(link, patient, doctor, path, what):
    before = AccessLogEntry.objects.count()

    response = doctor[1].get(f"/api/v1/care/patients/{patient.pk}/{path}")

    assert response.status_code == 200
    assert AccessLogEntry.objects.count() == before + 1
    row = AccessLogEntry.objects.latest("at")
    assert (row.patient_id, row.clinician_id, row.what) == (patient.pk, doctor[0].pk, what)
    assert row.ip == "127.0.0.1"


def test_acknowledging_an_alert_writes_one_access_log_row(link, patient, patient_client, doctor):
    sync(patient_client, entry("checkin", checkin(today_of(patient), red_flags=["fever"])))
    alert = SafetyAlert.objects.get(patient=patient)
    before = AccessLogEntry.objects.count()

    response = doctor[1].post(f"/api/v1/care/patients/{patient.pk}/alerts/{alert.pk}/acknowledge/")

    assert response.status_code == 200
    assert AccessLogEntry.objects.count() == before + 1
    row = AccessLogEntry.objects.latest("at")
    assert (row.patient_id, row.clinician_id, row.what, row.ip) == (
        patient.pk,
        doctor[0].pk,
        "alert acknowledged",
        "127.0.0.1",
    )
    assert [r["what"] for r in patient_client.get("/api/v1/me/access-log/").json()] == ["alert acknowledged"]


def test_the_patient_list_logs_one_row_per_patient_shown(catalog, doctor):
    patients = [UserFactory() for _ in range(3)]
    for person in patients:
        link_patient(person, doctor[0])

    before = timezone.now()
    doctor[1].get("/api/v1/care/patients/")

    rows = AccessLogEntry.objects.filter(what="patient list")
    assert sorted(rows.values_list("patient_id", flat=True)) == sorted(p.pk for p in patients)
    assert set(rows.values_list("clinician_id", "clinician_email", "ip")) == {
        (doctor[0].pk, doctor[0].email, "127.0.0.1")
    }
    assert all(before <= entry.at <= timezone.now() for entry in rows)
    # Each patient sees the read in their own log.
    for person in patients:
        assert [r["what"] for r in signed_in(person).get("/api/v1/me/access-log/").json()] == ["patient list"]


def test_refused_reads_and_notes_write_no_access_log(link, patient, doctor):
    doctor[1].get(f"/api/v1/care/patients/{patient.pk}/logs/?from=nonsense")
    doctor[1].get(f"/api/v1/care/patients/{patient.pk}/journal/")
    doctor[1].get(f"/api/v1/care/patients/{patient.pk}/notes/")

    assert AccessLogEntry.objects.count() == 0


def test_the_patient_sees_who_read_what(link, patient, patient_client, doctor):
    doctor[1].get(f"/api/v1/care/patients/{patient.pk}/summary/")

    log = patient_client.get("/api/v1/me/access-log/").json()

    assert [(r["clinician"], r["what"]) for r in log] == [
        ({"name": doctor[0].email, "email": doctor[0].email}, "summary")
    ]
    assert log[0]["text"] == f"{doctor[0].email} looked at your progress"


def test_erasing_the_patient_removes_links_log_alerts_and_notes(link, patient, patient_client, doctor):
    from tests.accounts.factories import PASSWORD

    sync(patient_client, entry("checkin", checkin(today_of(patient), red_flags=["fever"])))
    doctor[1].post(f"/api/v1/care/patients/{patient.pk}/notes/", {"text": "note"}, format="json")
    doctor[1].get(f"/api/v1/care/patients/{patient.pk}/summary/")

    assert patient_client.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204

    assert doctor[1].get("/api/v1/care/patients/").json() == []
    assert not AccessLogEntry.objects.exists()
    assert not SafetyAlert.objects.exists()
    assert not CheckIn.objects.exists() and not SessionLog.objects.exists()
    assert doctor[1].get("/api/v1/me/").status_code == 200
