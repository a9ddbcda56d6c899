"""The clinician's patient list is served from the cache, and never hides a change."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse, urlunparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from backend.caching import generations
from backend.caching.patient_lists import value_key
from backend.care.models import AccessLogEntry
from backend.programs.models import Program
from tests.accounts.factories import PASSWORD, UserFactory
from tests.care.test_clinician_api import link_patient, seed, today_of
from tests.programs.factories import EnrollmentFactory
from tests.tracker.helpers import checkin, entry, sync

LIST = "/api/v1/care/patients/"


def rows_by_email(client) -> dict[str, dict]:
    response = client.get(LIST)
    assert response.status_code == 200
    return {row["email"]: row for row in response.json()}


def test_a_repeated_load_reads_no_patient_data_but_is_still_logged(
    link, patient, patient_client, doctor, django_assert_max_num_queries, django_assert_num_queries
):
    seed(patient_client, patient, pains=[4, 5], stress=[6, 7], done_days=[1])
    first = doctor[1].get(LIST)
    with django_assert_num_queries(3) as captured:  # user, authenticator, access log
        second = doctor[1].get(LIST)
    assert second.json() == first.json()
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "tracker_" not in sql and "programs_" not in sql
    assert AccessLogEntry.objects.filter(patient=patient, what="patient list").count() == 2


def test_a_red_flag_shows_on_the_next_load(link, patient, patient_client, doctor):
    assert rows_by_email(doctor[1])[patient.email]["open_alerts"] == []
    sync(patient_client, entry("checkin", checkin(today_of(patient), red_flags=["fever"])))

    row = rows_by_email(doctor[1])[patient.email]
    assert [a["level"] for a in row["open_alerts"]] == ["see_doctor"]
    assert row["attention"] == ["red flag"]
    assert row["latest_pain"] == 4


def test_an_alert_acknowledged_by_a_colleague_leaves_my_list(
    link, patient, patient_client, doctor, make_clinician
):
    colleague = make_clinician()
    link_patient(patient, colleague[0])
    sync(patient_client, entry("checkin", checkin(today_of(patient), red_flags=["fever"])))
    (alert,) = rows_by_email(doctor[1])[patient.email]["open_alerts"]

    answer = colleague[1].post(f"/api/v1/care/patients/{patient.pk}/alerts/{alert['id']}/acknowledge/")
    assert answer.status_code == 200

    assert rows_by_email(doctor[1])[patient.email]["open_alerts"] == []


def test_links_made_changed_and_ended_show_at_once(link, patient, patient_client, doctor, login):
    assert rows_by_email(doctor[1])[patient.email]["scopes"] == ["logs", "checkins"]

    changed = patient_client.patch(
        f"/api/v1/care/links/{link['id']}/", {"scopes": ["logs", "checkins", "journal"]}, format="json"
    )
    assert changed.status_code == 200
    assert rows_by_email(doctor[1])[patient.email]["scopes"] == ["logs", "checkins", "journal"]

    newcomer = UserFactory(email="newcomer@example.com")
    code = login(newcomer).post("/api/v1/care/share-codes/").json()["code"]
    assert doctor[1].post("/api/v1/care/links/", {"code": code}, format="json").status_code == 201
    assert set(rows_by_email(doctor[1])) == {patient.email, "newcomer@example.com"}

    assert patient_client.delete(f"/api/v1/care/links/{link['id']}/").status_code == 204
    assert set(rows_by_email(doctor[1])) == {"newcomer@example.com"}


@pytest.mark.parametrize("change", ["scopes", "end", "redeem"])
def test_each_link_change_invalidates_once(change, link, patient, patient_client, doctor, login, monkeypatch):
    """One place invalidates (backend/caching/invalidation.py): a scope change used to
    replace the clinician's links generation twice (service and signal)."""
    replaced = []
    original = generations.changed
    monkeypatch.setattr(generations, "changed", lambda key: replaced.append(key) or original(key))
    if change == "scopes":
        response = patient_client.patch(
            f"/api/v1/care/links/{link['id']}/", {"scopes": ["logs", "checkins", "journal"]}, format="json"
        )
        assert response.status_code == 200, response.content
    elif change == "end":
        assert patient_client.delete(f"/api/v1/care/links/{link['id']}/").status_code == 204
    else:
        newcomer = UserFactory()
        code = login(newcomer).post("/api/v1/care/share-codes/").json()["code"]
        replaced.clear()
        assert doctor[1].post("/api/v1/care/links/", {"code": code}, format="json").status_code == 201
    assert replaced.count(generations.links_key(doctor[0].pk)) == 1
    assert (patient.email in rows_by_email(doctor[1])) is (change != "end")


def test_an_enrollment_changes_what_was_due(link, patient, patient_client, doctor):
    assert rows_by_email(doctor[1])[patient.email]["adherence_7"] is None
    started = (today_of(patient) - dt.timedelta(days=10)).isoformat()
    created = patient_client.post(
        "/api/v1/enrollments/", {"program": "back-stretches", "start_date": started}, format="json"
    )
    assert created.status_code == 201

    assert rows_by_email(doctor[1])[patient.email]["adherence_7"] == 0.0


def test_a_new_email_shows_on_the_list(link, patient, doctor):
    rows_by_email(doctor[1])
    patient.email = "renamed@example.com"
    patient.save()  # as allauth does when an address changes

    assert set(rows_by_email(doctor[1])) == {"renamed@example.com"}


def test_the_patients_new_day_recounts_the_list(link, patient, patient_client, doctor):
    """Two loads four minutes apart, either side of the patient's midnight (Paris)."""
    paris = ZoneInfo("Europe/Paris")
    midnight = dt.datetime.combine(today_of(patient) + dt.timedelta(days=1), dt.time(), paris)
    # The clinician keeps the list open across the patient's midnight.
    stays = override_settings(SESSION_IDLE_TIMEOUT_CLINICIAN=3 * 86400, SESSION_MAX_AGE_CLINICIAN=3 * 86400)
    with stays, time_machine.travel(midnight - dt.timedelta(minutes=2), tick=False):
        EnrollmentFactory(
            user=patient,
            program=Program.objects.get(slug="back-stretches"),
            start_date=today_of(patient) - dt.timedelta(days=10),
        )
        seed(patient_client, patient, pains=[4], stress=[5], done_days=[0])  # done today
        # Today is not complete yet: adherence counts up to yesterday.
        before = rows_by_email(doctor[1])[patient.email]["adherence_7"]
    with stays, time_machine.travel(midnight + dt.timedelta(minutes=2), tick=False):
        after = rows_by_email(doctor[1])[patient.email]["adherence_7"]
    assert after > before


def test_an_erased_patient_leaves_the_list_and_the_cache(link, patient, patient_client, doctor):
    seed(patient_client, patient, pains=[4], stress=[5])
    rows_by_email(doctor[1])
    assert cache.get(value_key(doctor[0].pk)) is not None

    erased = patient_client.delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    assert erased.status_code == 204

    assert doctor[1].get(LIST).json() == []


def test_without_the_cache_the_list_is_the_same(link, patient, patient_client, doctor):
    seed(patient_client, patient, pains=[4, 5], stress=[6, 7], flags=["fever"], done_days=[1])
    cached = doctor[1].get(LIST).json()
    with override_settings(PATIENT_LIST_CACHE_SECONDS=0):
        assert doctor[1].get(LIST).json() == cached


def test_an_unreachable_cache_serves_from_the_database(link, patient, doctor):
    from backend.caching.patient_lists import cached_overview

    broken = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=broken):
        body, shown = cached_overview(
            clinician_id=doctor[0].pk,
            links=lambda: [(patient.pk, dt.datetime.now(dt.UTC), ["logs"])],
            compute=lambda links: ([{"id": patient.pk}], {patient.pk: patient.timezone}),
        )
    assert body == f'[{{"id":{patient.pk}}}]'.encode()
    assert shown == [patient.pk]


@pytest.mark.redis
def test_with_redis_as_in_production(link, patient, patient_client, doctor, make_clinician):
    url = urlparse(settings.REDIS_URL)
    own_db = urlunparse(url._replace(path="/14"))  # never the broker's database
    with override_settings(
        CACHES={"default": {"BACKEND": "backend.caching.redis_cache.RedisCache", "LOCATION": own_db}}
    ):
        cache.clear()
        clinician, client = make_clinician()  # signed in with its session in Redis
        link_patient(patient, clinician)
        assert rows_by_email(client)[patient.email]["open_alerts"] == []
        assert cache.get(value_key(clinician.pk)) is not None
        sync(patient_client, entry("checkin", checkin(today_of(patient), red_flags=["fever"])))
        assert len(rows_by_email(client)[patient.email]["open_alerts"]) == 1
        cache.clear()
