"""Lessons (issue 17): the content, the API, and the one lesson a day a new person is offered."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from rest_framework.test import APIClient

from backend.programs.lessons import read_lessons
from backend.programs.models import Program
from backend.programs.sources import CONTENT_DIR, ContentError
from tests.programs.factories import EnrollmentFactory, exercises_of
from tests.tracker.helpers import TODAY, entry, statuses, sync

pytestmark = pytest.mark.usefixtures("frozen_time")

LESSONS = read_lessons()
BY_SLUG = {lesson.slug: lesson for lesson in LESSONS}
EXERCISES = {e["slug"] for e in yaml.safe_load((CONTENT_DIR / "exercises.yaml").read_text())["exercises"]}
SOURCES = {s["id"] for s in yaml.safe_load((CONTENT_DIR / "sources.yaml").read_text())["sources"]}


def text_of(lesson) -> str:
    return " ".join(
        [lesson.title, lesson.summary, *(s.heading for s in lesson.sections)]
        + [p for s in lesson.sections for p in s.paragraphs]
    )


def words(lesson) -> int:
    return len(text_of(lesson).split()) - len(lesson.summary.split())


# --- Content -------------------------------------------------------------------------


def test_there_are_at_least_twelve_lessons_each_two_to_four_minutes_of_reading():
    assert len(LESSONS) >= 12
    for lesson in LESSONS:
        # ~180 words a minute: 2 to 4 minutes is 360 to 720 words.
        assert 360 <= words(lesson) <= 720, (lesson.slug, words(lesson))
        assert 2 <= lesson.minutes <= 4, lesson.slug
    assert [lesson.order for lesson in LESSONS] == list(range(1, len(LESSONS) + 1))


@pytest.mark.parametrize(
    ("slug", "facts"),
    [
        ("stress-tightens-muscles", ["brace", "pain threshold", "fight-or-flight"]),
        ("stress-pain-cycle", ["loop", "worry"]),
        ("scans-and-real-pain", ["scan", "your pain is real", "no back pain at all"]),
        ("inflammation-and-sleep", ["inflammation", "sleep", "caffeine"]),
        ("what-to-expect", ["within a few days", "weeks, and sometimes a few months", "within a few weeks"]),
        ("sources-of-stress", ["what you control", "circles"]),
        ("the-desk", ["45-60 minutes", "every 30 minutes", "feet flat", "90 degrees", "eye level"]),
        ("heat-and-cold", ["15-20 minutes", "three times a day", "10-15 minutes", "cloth"]),
        ("food-drink-and-alcohol", ["omega-3", "water", "Alcohol", "caffeine"]),
        (
            "care-options",
            ["physiotherapist", "osteopath", "CBT", "counsellor", "Sophrology", "emergency services"],
        ),
        ("pain-as-a-false-alarm", ["false alarm", "trial"]),
    ],
)
def test_every_topic_of_the_issue_has_its_lesson_with_its_key_facts(slug, facts):
    text = text_of(BY_SLUG[slug])
    for fact in facts:
        assert fact in text, (slug, fact)


def test_the_reappraisal_lesson_is_backed_by_the_pain_reprocessing_trial():
    assert "ASHAR_2022" in BY_SLUG["pain-as-a-false-alarm"].sources
    assert "BRINJIKJI_2015" in BY_SLUG["scans-and-real-pain"].sources


def test_every_lesson_names_sources_that_resolve_and_practices_that_exist():
    for lesson in LESSONS:
        assert lesson.sources and set(lesson.sources) <= SOURCES, lesson.slug
        assert set(lesson.tries) <= EXERCISES, lesson.slug
        if "BACKTRACK" in lesson.sources:
            assert lesson.departure, lesson.slug
    tried = {t for lesson in LESSONS for t in lesson.tries}
    # The guided practices go with the lessons that explain them.
    assert {"sophrology-session", "desk-muscle-relaxation", "bedtime-muscle-relaxation", "body-scan"} <= tried
    assert {"humming", "heat-therapy", "cold-therapy"} <= tried


def test_the_care_lesson_sends_red_flags_to_emergency_services_and_never_diagnoses():
    text = text_of(BY_SLUG["care-options"])
    assert "Call emergency services" in text and "bladder or bowels" in text
    assert "never diagnoses" in text


@pytest.fixture
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def _edit(content: Path, change) -> None:
    path = content / "lessons.yaml"
    data = yaml.safe_load(path.read_text())
    change(data["lessons"][0])
    path.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda lesson: lesson.update(sources=["NOPE"]), "unknown sources"),
        (lambda lesson: lesson.update(sources=[]), "'sources'"),
        (lambda lesson: lesson.update({"try": ["no-such-exercise"]}), "unknown exercises"),
        (lambda lesson: lesson.update(sections=lesson["sections"][:1]), "a lesson takes 2 to 4 minutes"),
        (
            lambda lesson: lesson["sections"].extend(lesson["sections"] * 2),
            "a lesson takes 2 to 4 minutes",
        ),
        (lambda lesson: lesson.update(slug="Not A Slug"), "'slug'"),
        (lambda lesson: lesson.update(sources=["S1", "BACKTRACK"]), "must say why in 'departure'"),
        (lambda lesson: lesson.update(minutes=3), "unknown fields ['minutes']"),
        (lambda lesson: lesson["sections"][0].pop("heading"), "exactly 'heading' and 'paragraphs'"),
    ],
)
def test_lesson_mistakes_are_refused_at_load_with_the_place(content, change, message):
    _edit(content, change)

    with pytest.raises(ContentError) as raised:
        read_lessons(content)

    assert "lessons.yaml: lesson" in str(raised.value) and message in str(raised.value)


def test_a_slug_used_twice_is_refused(content):
    path = content / "lessons.yaml"
    data = yaml.safe_load(path.read_text())
    data["lessons"].append(data["lessons"][0])
    path.write_text(yaml.safe_dump(data, sort_keys=False))

    with pytest.raises(ContentError, match="slug used twice"):
        read_lessons(content)


# --- API -----------------------------------------------------------------------------


def read(slug: str, day: dt.date = TODAY) -> dict:
    return entry("lesson", {"date": day.isoformat(), "lesson": slug, "status": "read"})


def test_the_list_has_every_lesson_in_order_unread_with_source_objects(patient_client):
    body = patient_client.get("/api/v1/lessons/").json()

    assert [lesson["slug"] for lesson in body] == [lesson.slug for lesson in LESSONS]
    first = body[0]
    assert set(first) == {"slug", "title", "minutes", "summary", "sources", "status", "read_on", "order"}
    assert (first["status"], first["read_on"], first["order"]) == ("unread", None, 1)
    assert {"id": "S1", "title": "Stress and back pain: why stress causes it and how to relieve it"} in first[
        "sources"
    ]


def test_a_lesson_reads_in_sections_with_the_practices_to_try(patient_client):
    body = patient_client.get("/api/v1/lessons/the-desk/").json()

    assert body["title"] == "Your desk and your back"
    assert body["sections"][0]["heading"] and body["sections"][0]["paragraphs"]
    assert body["try"] == ["desk-muscle-relaxation", "upper-back-stretch", "cat-cow"]
    assert body["status"] == "unread"


def test_an_unknown_lesson_is_a_404(patient_client):
    response = patient_client.get("/api/v1/lessons/no-such-lesson/")

    assert response.status_code == 404
    assert "no lesson" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/v1/lessons/", "/api/v1/lessons/the-desk/"])
def test_lessons_need_signing_in(url):
    assert APIClient().get(url).status_code in (401, 403)


def test_a_synced_read_shows_as_read_and_its_tombstone_makes_it_unread(patient_client):
    logged = read("the-desk", TODAY - dt.timedelta(days=1))
    assert statuses(sync(patient_client, logged)) == ["created"]

    lesson = patient_client.get("/api/v1/lessons/the-desk/").json()
    listed = {lesson["slug"]: lesson for lesson in patient_client.get("/api/v1/lessons/").json()}
    assert (lesson["status"], lesson["read_on"]) == ("read", "2026-11-20")
    assert listed["the-desk"]["status"] == "read" and listed["heat-and-cold"]["status"] == "unread"

    tombstone = {**logged, "deleted": True, "data": {"date": "2026-11-20"}, "updated_at": NOW_LATER}
    assert statuses(sync(patient_client, tombstone)) == ["updated"]
    assert patient_client.get("/api/v1/lessons/the-desk/").json()["status"] == "unread"


NOW_LATER = "2026-11-21T09:30:00+01:00"


def test_another_persons_reads_are_not_mine(patient_client, other_patient, login):
    sync(login(other_patient), read("the-desk"))

    assert patient_client.get("/api/v1/lessons/the-desk/").json()["status"] == "unread"
    assert {lesson["status"] for lesson in patient_client.get("/api/v1/lessons/").json()} == {"unread"}


def test_the_lesson_list_takes_a_constant_number_of_queries(patient_client, django_assert_max_num_queries):
    sync(patient_client, *(read(lesson.slug) for lesson in LESSONS[:5]))

    # Session and user, then the reads.
    with django_assert_max_num_queries(3):
        body = patient_client.get("/api/v1/lessons/").json()
    assert [lesson["status"] for lesson in body[:6]] == ["read"] * 5 + ["unread"]


# --- A lesson a day ------------------------------------------------------------------


def lesson_items(day: dict) -> list[dict]:
    return [item for item in day["items"] if item["kind"] == "lesson"]


def plan(client: APIClient, start: dt.date, days: int) -> dict[str, dict]:
    body = client.get(f"/api/v1/plan/?start={start.isoformat()}&days={days}").json()
    return {day["date"]: day for day in body["days"]}


@pytest.fixture
def new_patient(catalog, patient):
    """Started core strength today: day one of their first six weeks."""
    return EnrollmentFactory(user=patient, start_date=TODAY)


def test_day_one_offers_lesson_one_and_tomorrow_lesson_two(new_patient, patient_client):
    today = patient_client.get("/api/v1/today/").json()
    days = plan(patient_client, TODAY, 3)

    (item,) = lesson_items(today)
    assert item == {
        "id": f"lesson:{LESSONS[0].slug}",
        "kind": "lesson",
        "program": None,
        "programs": [],
        "week": 1,
        "time_of_day": "anytime",
        "lesson": {
            "slug": LESSONS[0].slug,
            "title": LESSONS[0].title,
            "minutes": LESSONS[0].minutes,
            "summary": LESSONS[0].summary,
        },
        "status": "pending",
    }
    offered = [lesson_items(days[str(TODAY + dt.timedelta(days=n))])[0]["lesson"]["slug"] for n in range(3)]
    assert offered == [lesson.slug for lesson in LESSONS[:3]]
    assert all(i["kind"] == "exercise" for i in exercises_of(today)) and exercises_of(today)


def test_a_lesson_read_today_shows_read_and_the_next_days_move_on(new_patient, patient_client):
    sync(patient_client, read(LESSONS[0].slug))

    days = plan(patient_client, TODAY, 2)

    (today,) = lesson_items(days[str(TODAY)])
    (tomorrow,) = lesson_items(days[str(TODAY + dt.timedelta(days=1))])
    assert (today["lesson"]["slug"], today["status"]) == (LESSONS[0].slug, "read")
    assert (tomorrow["lesson"]["slug"], tomorrow["status"]) == (LESSONS[1].slug, "pending")
    assert lesson_items(patient_client.get("/api/v1/today/").json())[0]["status"] == "read"


def test_lessons_read_out_of_order_are_skipped_by_the_offer(new_patient, patient_client):
    sync(patient_client, read(LESSONS[1].slug, TODAY - dt.timedelta(days=1)))

    days = plan(patient_client, TODAY, 2)

    assert [lesson_items(days[d])[0]["lesson"]["slug"] for d in sorted(days)] == [
        LESSONS[0].slug,
        LESSONS[2].slug,
    ]


def test_past_days_show_no_lesson_unless_one_was_read_that_day(catalog, patient, patient_client):
    EnrollmentFactory(user=patient, start_date=TODAY - dt.timedelta(days=5))
    sync(patient_client, read(LESSONS[3].slug, TODAY - dt.timedelta(days=2)))

    days = plan(patient_client, TODAY - dt.timedelta(days=4), 5)

    shown = {d: [(i["lesson"]["slug"], i["status"]) for i in lesson_items(day)] for d, day in days.items()}
    assert shown == {
        "2026-11-17": [],
        "2026-11-18": [],
        "2026-11-19": [(LESSONS[3].slug, "read")],
        "2026-11-20": [],
        "2026-11-21": [(LESSONS[0].slug, "pending")],
    }


def test_after_six_weeks_no_lesson_is_offered(catalog, patient, patient_client):
    # An old enrollment counts: the six weeks run from the first start.
    EnrollmentFactory(user=patient, start_date=TODAY - dt.timedelta(weeks=6))
    EnrollmentFactory(user=patient, program=Program.objects.get(slug="back-stretches"), start_date=TODAY)

    assert lesson_items(patient_client.get("/api/v1/today/").json()) == []


def test_the_last_day_of_week_six_still_offers_and_says_its_week(catalog, patient, patient_client):
    EnrollmentFactory(user=patient, start_date=TODAY - dt.timedelta(weeks=6, days=-1))

    days = plan(patient_client, TODAY, 2)

    assert [i["week"] for i in lesson_items(days[str(TODAY)])] == [6]
    assert lesson_items(days[str(TODAY + dt.timedelta(days=1))]) == []


def test_without_a_program_there_is_no_lesson_in_the_plan(catalog, patient_client):
    assert lesson_items(patient_client.get("/api/v1/today/").json()) == []


def test_every_lesson_read_offers_none(new_patient, patient_client):
    sync(patient_client, *(read(lesson.slug, TODAY - dt.timedelta(days=1)) for lesson in LESSONS))

    assert lesson_items(patient_client.get("/api/v1/today/").json()) == []


def test_a_lesson_is_in_no_session_and_not_in_the_minutes(new_patient, patient_client):
    day = patient_client.get("/api/v1/today/").json()
    (lesson,) = lesson_items(day)
    sync(patient_client, *(read(other.slug, TODAY - dt.timedelta(days=1)) for other in LESSONS))
    without = patient_client.get("/api/v1/today/").json()

    assert lesson["id"] not in [i for s in day["sessions"] for i in s["items"]]
    assert lesson_items(without) == []
    # The same sessions and minutes with the lesson as without it.
    assert (day["sessions"], day["minutes"]) == (without["sessions"], without["minutes"])


def test_the_offer_costs_one_query_for_four_weeks(new_patient, patient_client, django_assert_max_num_queries):
    sync(patient_client, read(LESSONS[0].slug))
    with django_assert_max_num_queries(12):  # and one for the questionnaires answered
        days = plan(patient_client, TODAY - dt.timedelta(days=3), 28)

    offered = [d for d, day in days.items() if lesson_items(day)]
    # Nothing before today; today the lesson read, then one a day until all are offered.
    assert offered[0] == str(TODAY) and len(offered) == len(LESSONS)
    assert offered == [str(TODAY + dt.timedelta(days=n)) for n in range(len(LESSONS))]


def test_reading_a_lesson_marks_nothing_done_and_an_unread_one_is_not_missed(
    new_patient, patient, patient_client
):
    """The summary's due and done counts, and the reminders' "all done", ignore lessons."""
    from backend.tracker.selectors import session_reminder_state

    before = patient_client.get("/api/v1/summary/?days=7").json()
    sync(patient_client, read(LESSONS[0].slug))
    after = patient_client.get("/api/v1/summary/?days=7").json()

    assert (after["done"], after["due"], after["adherence"]) == (
        before["done"],
        before["due"],
        before["adherence"],
    )
    done, running = session_reminder_state(dates={patient.pk: TODAY}, budgets={patient.pk: None})
    assert patient.pk in running and patient.pk not in done

    # Every exercise logged, the lesson left unread: the day is done for the reminders.
    day = patient_client.get("/api/v1/today/").json()
    sync(
        patient_client,
        *(
            entry("session", {"date": str(TODAY), "item_id": item["id"], "status": "done"})
            for item in exercises_of(day)
        ),
    )
    done, _ = session_reminder_state(dates={patient.pk: TODAY}, budgets={patient.pk: None})
    assert patient.pk in done
