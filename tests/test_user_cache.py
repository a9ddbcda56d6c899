"""Today's plan and the summary are served from the cache, and never show what has since changed."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from urllib.parse import urlparse, urlunparse

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from backend.caching import invalidation, user_cache
from backend.programs.catalog import CONTENT_DIR, read_catalog
from backend.programs.services import catalog_load
from tests.accounts.factories import PASSWORD
from tests.programs.factories import EnrollmentFactory, exercises_of
from tests.tracker.helpers import entry, session, sync

TODAY = dt.date(2026, 11, 21)


# The clock stands still at tests.tracker.helpers.NOW (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def enrolled(catalog, patient):
    return EnrollmentFactory(user=patient, start_date=dt.date(2026, 11, 16))


def _cached(user, render) -> dict:
    return json.loads(user_cache.cached(name="today", user_id=user.pk, day=TODAY, render=render))


def _statuses(client) -> dict[str, str]:
    response = client.get("/api/v1/today/")
    assert response.status_code == 200
    return {item["id"]: item["status"] for item in exercises_of(response.json())}


def test_a_repeated_today_reads_no_plan_or_log_rows(
    enrolled, patient_client, django_assert_max_num_queries, django_assert_num_queries
):
    # user, flares, enrollments, items, the care team's changes and pain rule, the pain
    # history (3), logs, safety hold, lessons read, questionnaires answered
    with django_assert_max_num_queries(12):
        first = patient_client.get("/api/v1/today/")
    # The user row only (the session comes from the cache): no enrollment, item or log.
    with django_assert_num_queries(1) as captured:
        second = patient_client.get("/api/v1/today/")
    assert "programs_enrollment" not in captured.captured_queries[0]["sql"]
    assert second.json() == first.json()
    assert exercises_of(first.json())


def test_a_logged_session_shows_at_once(enrolled, patient_client):
    before = _statuses(patient_client)
    assert set(before.values()) == {"pending"}
    item_id = next(iter(before))
    program, key, _ = item_id.split(":")

    sync(patient_client, entry("session", session(f"{program}:{key}", status="done")))
    assert _statuses(patient_client)[item_id] == "done"

    # Changed on another device, later: skipped wins, and shows.
    sync(patient_client, entry("session", session(f"{program}:{key}", status="skipped"), minutes=5))
    assert _statuses(patient_client)[item_id] == "skipped"


def test_pausing_leaving_and_enrolling_show_at_once(catalog, enrolled, patient_client):
    url = f"/api/v1/enrollments/{enrolled.id}/"
    assert _statuses(patient_client)

    patient_client.patch(url, {"status": "paused"}, format="json")
    assert _statuses(patient_client) == {}
    patient_client.patch(url, {"status": "active"}, format="json")
    assert _statuses(patient_client)

    assert patient_client.delete(url).status_code == 204
    assert _statuses(patient_client) == {}
    created = patient_client.post("/api/v1/enrollments/", {"program": "back-stretches"}, format="json")
    assert created.status_code == 201
    assert all(item_id.startswith("back-stretches:") for item_id in _statuses(patient_client))


def test_a_new_local_date_is_a_new_plan(enrolled, patient_client):
    saturday = patient_client.get("/api/v1/today/").json()
    with time_machine.travel("2026-11-21T23:30:00Z", tick=False):  # 00:30 on Sunday in Paris
        sunday = patient_client.get("/api/v1/today/").json()
    assert saturday["date"] == "2026-11-21"
    assert sunday["date"] == "2026-11-22"
    assert all(item["id"].endswith(":2026-11-22") for item in exercises_of(sunday))


def test_a_catalog_edit_shows_in_cached_plans(enrolled, patient_client, tmp_path):
    items = exercises_of(patient_client.get("/api/v1/today/").json())
    exercise = items[0]["exercise"]
    # A content editor renames the exercise in the files, and the catalog is reloaded.
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    exercises = content / "exercises.yaml"
    text = exercises.read_text()
    assert f"    name: {exercise['name']}\n" in text
    exercises.write_text(
        text.replace(f"    name: {exercise['name']}\n", "    name: Renamed for the test\n", 1)
    )
    catalog_load(catalog=read_catalog(content))

    items = exercises_of(patient_client.get("/api/v1/today/").json())
    names = {i["exercise"]["name"] for i in items if i["exercise"]["slug"] == exercise["slug"]}
    assert names == {"Renamed for the test"}


def test_another_users_change_leaves_my_cached_plan(
    enrolled, patient, patient_client, other_patient, login, monkeypatch
):
    EnrollmentFactory(user=other_patient, start_date=dt.date(2026, 11, 16))
    other = login(other_patient)
    mine = patient_client.get("/api/v1/today/").json()
    item_id = exercises_of(other.get("/api/v1/today/").json())[0]["id"]
    program, key, _ = item_id.split(":")
    sync(other, entry("session", session(f"{program}:{key}")))

    # Mine is served from the cache as it was: the plan is not computed again.
    computed = []
    original = user_cache._encode
    monkeypatch.setattr(user_cache, "_encode", lambda data: computed.append(1) or original(data))
    assert patient_client.get("/api/v1/today/").json() == mine
    assert computed == []
    # The other user's is computed again, with the log.
    assert _statuses(other)[item_id] == "done"
    assert computed == [1]


def test_a_reader_racing_a_writer_does_not_keep_the_old_plan(patient):
    """A request that read the rows before a sync committed must not be served again."""

    def render_while_a_sync_commits() -> dict:
        old = {"items": ["old"]}
        invalidation.user_changed(patient.pk)  # the sync commits while we render
        return old

    assert _cached(patient, render_while_a_sync_commits) == {"items": ["old"]}
    assert _cached(patient, lambda: {"items": ["new"]}) == {"items": ["new"]}


def test_a_read_between_the_write_and_its_commit_is_not_kept(patient, django_capture_on_commit_callbacks):
    _cached(patient, lambda: {"items": ["old"]})
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        invalidation.user_changed(patient.pk)
        # Another request, not seeing the uncommitted rows, renders the old plan.
        _cached(patient, lambda: {"items": ["old"]})
    assert _cached(patient, lambda: {"items": ["new"]}) == {"items": ["new"]}


def test_an_unreachable_cache_serves_from_the_database(patient, caplog):
    broken = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with (
        override_settings(CACHES=broken),
        caplog.at_level(logging.WARNING, logger="backend.caching.generations"),
    ):
        assert _cached(patient, lambda: {"items": []}) == {"items": []}
        invalidation.user_changed(patient.pk)  # does not raise either
    assert "cache unavailable" in caplog.text


def test_turned_off_it_always_renders(patient):
    calls = []
    with override_settings(USER_CACHE_SECONDS=0):
        for _ in range(2):
            _cached(patient, lambda: calls.append(1) or {})
    assert len(calls) == 2


@pytest.mark.redis
def test_with_redis_as_in_production(enrolled, patient, patient_client, login):
    """The same flow through Redis, the cache every web process shares in production."""
    url = urlparse(settings.REDIS_URL)
    own_db = urlunparse(url._replace(path="/14"))  # never the broker's database
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": own_db}}
    ):
        cache.clear()
        client = login(patient)
        item_id = next(iter(_statuses(client)))
        assert cache.get(user_cache.value_key("today", patient.pk)) is not None
        program, key, _ = item_id.split(":")
        sync(client, entry("session", session(f"{program}:{key}")))
        assert _statuses(client)[item_id] == "done"
        cache.clear()


# --- The summary -----------------------------------------------------------------


def _summary(client, days: int = 7) -> dict:
    response = client.get(f"/api/v1/summary/?days={days}")
    assert response.status_code == 200
    return response.json()


def test_a_repeated_summary_reads_no_logs(enrolled, patient_client, django_assert_num_queries):
    first = _summary(patient_client, 28)
    with django_assert_num_queries(1) as captured:  # the user row
        again = _summary(patient_client, 28)
    assert "tracker_" not in captured.captured_queries[0]["sql"]
    assert again == first
    # Each window is its own response.
    assert len(_summary(patient_client, 7)["series"]) == 7
    assert len(_summary(patient_client, 90)["series"]) == 90


def test_a_check_in_and_a_session_show_in_the_summary_at_once(enrolled, patient_client):
    assert _summary(patient_client)["series"][-1]["pain"] is None
    sync(patient_client, entry("checkin", {"date": TODAY.isoformat(), "pain": 3, "stress": 4}))
    assert _summary(patient_client)["series"][-1]["pain"] == 3

    item_id = exercises_of(patient_client.get("/api/v1/today/").json())[0]["id"]
    program, key, _ = item_id.split(":")
    before = _summary(patient_client)["series"][-1]
    sync(patient_client, entry("session", session(f"{program}:{key}")))
    after = _summary(patient_client)["series"][-1]
    assert after["done"] == before["done"] + 1


def test_a_clinician_reads_the_same_summary_and_each_read_is_logged(
    enrolled, patient, patient_client, make_clinician
):
    from backend.care.models import AccessLogEntry, CareLink

    clinician, client = make_clinician()
    CareLink.objects.create(patient=patient, clinician=clinician, scopes=["logs", "checkins"])
    mine = _summary(patient_client, 28)
    url = f"/api/v1/care/patients/{patient.pk}/summary/?days=28"
    assert client.get(url).json() == mine
    assert client.get(url).json() == mine
    assert AccessLogEntry.objects.filter(patient=patient, clinician=clinician, what="summary").count() == 2

    sync(patient_client, entry("checkin", {"date": TODAY.isoformat(), "pain": 8, "stress": 9}))
    assert client.get(url).json()["series"][-1]["pain"] == 8


def test_erasing_the_account_drops_every_cached_response(
    enrolled, patient, patient_client, django_capture_on_commit_callbacks
):
    _statuses(patient_client)
    _summary(patient_client, 7)
    _summary(patient_client, 90)
    assert len(cache.get_many(user_cache.value_keys(patient.pk))) == 3
    from backend.privacy.services import account_erase

    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=patient, password=PASSWORD)
    assert cache.get_many(user_cache.value_keys(patient.pk)) == {}
