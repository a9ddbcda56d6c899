import datetime as dt
import json
import uuid

import pytest
from rest_framework.test import APIClient

from backend.programs.models import Program
from backend.tracker.models import CheckIn, JournalEntry, SessionLog
from tests.programs.factories import EnrollmentFactory
from tests.tracker.helpers import TODAY, checkin, entry, journal, session, statuses, sync

# The clock stands still at tests.tracker.helpers.NOW (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def client(catalog, patient_client):
    return patient_client


def test_new_entries_of_each_type_are_created(client, patient):
    answer = sync(
        client,
        entry("session", session(effort=3, note="felt good")),
        entry("checkin", checkin(pain_areas=["lower_back"], sleep_hours=7.5)),
        entry("journal", journal(gratitude=["sun", "tea", "a friend"])),
    )

    assert statuses(answer) == ["created", "created", "created"]
    log = SessionLog.objects.get(user=patient)
    assert (log.item_id, log.status, log.effort, log.note) == (
        "core-strength:bridge:2026-11-21",
        "done",
        3,
        "felt good",
    )
    assert CheckIn.objects.get(user=patient).pain_areas == ["lower_back"]
    assert JournalEntry.objects.get(user=patient).gratitude == ["sun", "tea", "a friend"]


def test_replaying_a_batch_changes_nothing(client, patient):
    batch = [entry("session", session()), entry("checkin", checkin()), entry("journal", journal())]
    first = sync(client, *batch)
    before = {m: list(m.objects.values()) for m in (SessionLog, CheckIn, JournalEntry)}

    for _ in range(3):
        assert statuses(sync(client, *batch)) == ["unchanged"] * 3

    assert statuses(first) == ["created"] * 3
    assert {m: list(m.objects.values()) for m in (SessionLog, CheckIn, JournalEntry)} == before


def test_a_newer_edit_wins_and_an_older_one_is_stale(client, patient):
    original = entry("checkin", checkin(pain=5), minutes=0)
    sync(client, original)

    newer = {**original, "updated_at": entry("x", {}, minutes=10)["updated_at"], "data": checkin(pain=3)}
    assert statuses(sync(client, newer)) == ["updated"]
    older = {**original, "updated_at": entry("x", {}, minutes=5)["updated_at"], "data": checkin(pain=9)}
    answer = sync(client, older)

    assert statuses(answer) == ["stale"]
    assert CheckIn.objects.get(user=patient).pain == 3


def test_a_bad_entry_is_rejected_with_its_field_and_the_rest_is_applied(client, patient):
    good_before = entry("session", session())
    bad = entry("checkin", checkin(pain=11))
    good_after = entry("journal", journal())

    answer = sync(client, good_before, bad, good_after)

    assert statuses(answer) == ["created", "rejected", "created"]
    assert answer["results"][1]["client_id"] == bad["client_id"]
    assert "pain" in answer["results"][1]["errors"]
    assert SessionLog.objects.count() == 1 and JournalEntry.objects.count() == 1
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda e: e["data"].update(pain=11), "pain"),
        (lambda e: e["data"].update(pain=-1), "pain"),
        (lambda e: e["data"].update(pain=4.5), "pain"),
        (lambda e: e["data"].update(stress="high"), "stress"),
        (lambda e: e["data"].update(stress=True), "stress"),
        (lambda e: e["data"].pop("pain"), "pain"),
        (lambda e: e["data"].update(sleep_hours=25), "sleep_hours"),
        (lambda e: e["data"].update(sleep_quality=0), "sleep_quality"),
        (lambda e: e["data"].update(mood=6), "mood"),
        (lambda e: e["data"].update(pain_areas=["tail"]), "pain_areas"),
        (lambda e: e["data"].update(pain_areas="lower_back"), "pain_areas"),
        (lambda e: e["data"].update(red_flags=["made_up_flag"]), "red_flags"),
        (lambda e: e["data"].update(note="x" * 2001), "note"),
        (lambda e: e["data"].update(note="nul\x00byte"), "note"),
        (lambda e: e["data"].update(date=(TODAY + dt.timedelta(days=2)).isoformat()), "date"),
        (lambda e: e["data"].update(date="2026-02-30"), "date"),
        (lambda e: e["data"].update(date=None), "date"),
        (lambda e: e.update(type="mood_board"), "type"),
        (lambda e: e.update(client_id="not-a-uuid"), "client_id"),
        (lambda e: e.pop("client_id"), "client_id"),
        (lambda e: e.update(updated_at="yesterday"), "updated_at"),
        (lambda e: e.update(updated_at="2026-11-21T08:00:00"), "updated_at"),
        (lambda e: e.update(updated_at="2026-11-25T08:00:00Z"), "updated_at"),
        (lambda e: e.update(deleted="maybe"), "deleted"),
        (lambda e: e.update(data=["pain", 4]), "data"),
    ],
    ids=[
        "pain 11",
        "pain negative",
        "pain fraction",
        "stress 'high'",
        "stress boolean",
        "pain missing",
        "sleep 25 hours",
        "sleep quality 0",
        "mood 6",
        "unknown pain area",
        "pain areas not a list",
        "unknown red flag",
        "note too long",
        "NUL byte",
        "date 2 days ahead",
        "impossible date",
        "date null",
        "unknown type",
        "client_id not a uuid",
        "client_id missing",
        "updated_at garbage",
        "updated_at without offset",
        "updated_at days ahead",
        "deleted not a boolean",
        "data not an object",
    ],
)
def test_bad_checkins_are_rejected_naming_the_field(client, change, field):
    bad = entry("checkin", checkin())
    change(bad)

    answer = sync(client, bad, entry("journal", journal()))

    assert statuses(answer) == ["rejected", "created"]
    assert field in answer["results"][0]["errors"], answer["results"][0]["errors"]
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            session(item="core-strength:bridge", day=TODAY - dt.timedelta(days=1))
            | {"date": TODAY.isoformat()},
            "item_id",
        ),
        (session() | {"item_id": "whatever"}, "item_id"),
        (session(item="no-such-program:bridge"), "item_id"),
        (session(status="half-done"), "status"),
        (session(effort=11), "effort"),
        (session(reps=-3), "reps"),
        (session(sets="many"), "sets"),
    ],
    ids=[
        "item of another date",
        "item id malformed",
        "unknown program",
        "bad status",
        "effort 11",
        "negative reps",
        "sets text",
    ],
)
def test_bad_session_logs_are_rejected_naming_the_field(client, data, field):
    answer = sync(client, entry("session", data))

    assert statuses(answer) == ["rejected"]
    assert field in answer["results"][0]["errors"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (journal(gratitude=["a", "b", "c", "d"]), "gratitude"),
        ({"date": TODAY.isoformat()}, "text"),
        (journal(text="x" * 10001), "text"),
    ],
    ids=["four gratitudes", "empty entry", "text too long"],
)
def test_bad_journal_entries_are_rejected_naming_the_field(client, data, field):
    answer = sync(client, entry("journal", data))

    assert statuses(answer) == ["rejected"]
    assert field in answer["results"][0]["errors"]


def test_entries_that_are_not_objects_are_rejected_one_by_one(client):
    answer = sync(client, "a string", 42, None, entry("journal", journal()))

    assert statuses(answer) == ["rejected", "rejected", "rejected", "created"]
    assert all(r["client_id"] is None for r in answer["results"][:3])


def test_a_client_id_of_another_user_neither_overwrites_nor_reveals(catalog, patient, other_patient, login):
    shared_id = str(uuid.uuid4())
    sync(login(other_patient), entry("journal", journal(text="their secret"), client_id=shared_id))

    answer = sync(login(patient), entry("journal", journal(text="mine"), client_id=shared_id, minutes=30))

    assert statuses(answer) == ["created"]
    assert "their secret" not in json.dumps(answer)
    assert JournalEntry.objects.get(user=other_patient).text == "their secret"
    assert JournalEntry.objects.get(user=patient).text == "mine"
    pulled = login(patient).get("/api/v1/sync/").json()
    assert [e["data"].get("text") for e in pulled["entries"]] == ["mine"]


def test_a_client_id_reused_for_another_type_is_rejected(client):
    shared_id = str(uuid.uuid4())
    sync(client, entry("journal", journal(), client_id=shared_id))

    answer = sync(client, entry("checkin", checkin(), client_id=shared_id, minutes=5))

    assert statuses(answer) == ["rejected"]
    assert "type" in answer["results"][0]["errors"]


def test_a_batch_of_more_than_500_entries_is_refused_as_a_whole(client):
    answer = client.post(
        "/api/v1/sync/", {"entries": [entry("journal", journal()) for _ in range(501)]}, format="json"
    )

    assert answer.status_code == 400
    assert "500" in answer.json()["entries"][0]
    assert not JournalEntry.objects.exists()


def test_a_batch_of_500_entries_is_accepted(client):
    answer = sync(client, *[entry("journal", journal()) for _ in range(500)])

    assert statuses(answer) == ["created"] * 500


def test_a_batch_over_1_mb_is_refused_as_a_whole(client):
    entries = [entry("journal", journal(text="x" * 9000)) for _ in range(120)]

    answer = client.post("/api/v1/sync/", {"entries": entries}, format="json")

    assert answer.status_code == 413
    assert "1 MB" in answer.json()["detail"]
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"entries": "all of them"}, {"entries": {"a": 1}}, [], {"entries": [], "cursor": "x" * 40}],
    ids=["no entries", "entries a string", "entries an object", "a list body", "cursor too long"],
)
def test_a_malformed_envelope_is_a_400(client, body):
    response = client.post("/api/v1/sync/", body, format="json")

    assert response.status_code == 400
    assert response.json()


def test_deletion_reaches_another_device_as_a_tombstone(catalog, patient, login):
    phone, tablet = login(patient), login(patient)
    note = entry("journal", journal(text="a hard day"))
    sync(phone, note)
    pulled = tablet.get("/api/v1/sync/").json()
    assert [e["client_id"] for e in pulled["entries"]] == [note["client_id"]]

    sync(phone, {**note, "deleted": True, "updated_at": entry("x", {}, minutes=20)["updated_at"]})
    changes = tablet.get(f"/api/v1/sync/?cursor={pulled['cursor']}").json()

    assert len(changes["entries"]) == 1
    tombstone = changes["entries"][0]
    assert tombstone["client_id"] == note["client_id"]
    assert tombstone["deleted"] is True
    assert "text" not in tombstone["data"]
    assert JournalEntry.objects.get().text == ""
    assert client_history_is_empty(tablet)


def client_history_is_empty(client: APIClient) -> bool:
    return client.get("/api/v1/journal/").json() == []


def test_deleting_before_the_first_sync_stores_a_tombstone(client):
    answer = sync(client, entry("checkin", checkin(), deleted=True))

    assert statuses(answer) == ["created"]
    assert CheckIn.objects.get().deleted


def test_the_cursor_brings_only_changes_since(catalog, patient, login):
    phone = login(patient)
    sync(phone, entry("journal", journal()), entry("checkin", checkin()))
    first = phone.get("/api/v1/sync/").json()
    assert len(first["entries"]) == 2

    assert phone.get(f"/api/v1/sync/?cursor={first['cursor']}").json()["entries"] == []
    sync(phone, entry("session", session()))
    later = phone.get(f"/api/v1/sync/?cursor={first['cursor']}").json()
    assert [e["type"] for e in later["entries"]] == ["session"]
    assert later["entries"][0]["data"]["item_id"] == "core-strength:bridge:2026-11-21"


def test_pulling_pages_through_many_changes(client):
    sync(client, *[entry("journal", journal(text=str(n))) for n in range(7)])

    seen, cursor = [], ""
    while True:
        page = client.get(f"/api/v1/sync/?cursor={cursor}&limit=3").json()
        seen += [e["data"]["text"] for e in page["entries"]]
        cursor = page["cursor"]
        if not page["has_more"]:
            break

    assert seen == [str(n) for n in range(7)]


def test_the_push_cursor_only_advances_over_what_the_device_has_seen(catalog, patient, login):
    phone, tablet = login(patient), login(patient)
    start = sync(phone, entry("journal", journal()), cursor="")
    assert start["cursor"] != ""

    sync(tablet, entry("journal", journal(text="from the tablet")))
    # The phone's cursor is behind the tablet's entry: it must not skip it.
    answer = sync(phone, entry("checkin", checkin()), cursor=start["cursor"])
    assert answer["cursor"] == start["cursor"]
    pulled = phone.get(f"/api/v1/sync/?cursor={answer['cursor']}").json()
    assert {e["data"].get("text") for e in pulled["entries"] if e["type"] == "journal"} == {"from the tablet"}


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5", "٣"])
def test_a_cursor_not_given_by_the_server_is_a_400(client, cursor):
    response = client.get(f"/api/v1/sync/?cursor={cursor}")

    assert response.status_code == 400
    assert "cursor" in response.json()


def test_checkin_results_carry_the_safety_level(client, patient):
    answer = sync(
        client,
        entry("checkin", checkin()),
        entry("checkin", checkin(red_flags=["fever"])),
        entry("checkin", checkin(red_flags=["fever", "saddle_numbness"])),
        entry("checkin", checkin(red_flags=["fever", "chest_arm_jaw_pain", "leg_weakness"])),
    )

    levels = [r["safety"]["level"] for r in answer["results"]]
    assert levels == ["none", "see_doctor", "urgent", "emergency"]
    assert "emergency" in answer["results"][3]["safety"]["message"].lower()
    assert sorted(CheckIn.objects.values_list("safety_level", flat=True)) == sorted(levels)


def test_a_rejected_checkin_still_shows_an_emergency(client):
    answer = sync(client, entry("checkin", checkin(pain=12, red_flags=["chest_arm_jaw_pain"])))

    assert statuses(answer) == ["rejected"]
    assert answer["results"][0]["safety"]["level"] == "emergency"


def test_plan_items_show_done_and_skipped_from_the_logs(client, patient):
    EnrollmentFactory(user=patient, start_date=TODAY - dt.timedelta(days=3))
    sync(
        client,
        entry("session", session("core-strength:bridge")),
        entry("session", session("core-strength:plank", status="skipped")),
    )

    items = {i["id"].split(":")[1]: i["status"] for i in client.get("/api/v1/today/").json()["items"]}

    assert items["bridge"] == "done"
    assert items["plank"] == "skipped"
    assert items["warm-up"] == "pending"
    plan = client.get(f"/api/v1/plan/?start={TODAY.isoformat()}&days=2").json()["days"]
    assert {i["status"] for i in plan[1]["items"]} == {"pending"}


def test_deleting_a_log_puts_the_item_back_to_pending(client, patient):
    EnrollmentFactory(user=patient, start_date=TODAY)
    done = entry("session", session("core-strength:bridge"))
    sync(client, done)
    sync(client, {**done, "deleted": True, "updated_at": entry("x", {}, minutes=1)["updated_at"]})

    items = {i["id"].split(":")[1]: i["status"] for i in client.get("/api/v1/today/").json()["items"]}
    assert items["bridge"] == "pending"


def test_sync_takes_a_constant_number_of_queries(client, django_assert_max_num_queries):
    kinds = (("session", session), ("checkin", checkin), ("journal", journal))
    small = [entry(kind, data()) for kind, data in kinds]
    # 40 of each type stays within one INSERT per table even on SQLite, whose
    # variable limit splits bigger bulk writes.
    big = [entry(kind, data()) for _ in range(40) for kind, data in kinds]
    edited = [
        {**e, "updated_at": entry("x", {}, minutes=9)["updated_at"], "data": {**e["data"], "text": "new"}}
        for e in big
        if e["type"] == "journal"
    ]

    # The user; program slugs (the first batch only); savepoint; the lock (three
    # queries on the first batch, which creates the row); which client ids exist (one
    # query for the three types), then the rows of a type that has some; one insert
    # or update per type; the counter; release.
    for batch, most in ((small, 12), (big, 9), (edited, 9)):
        with django_assert_max_num_queries(most):
            answer = sync(client, *batch)
        assert "rejected" not in statuses(answer)

    # Every entry again: re-saved unchanged at a later time (which raises each row's
    # high-water mark) or edited from its version; the check-ins' alerts in one query.
    versions = {e["client_id"]: e["version"] for e in client.get("/api/v1/sync/").json()["entries"]}
    again = [
        {**e, "updated_at": entry("x", {}, minutes=20)["updated_at"]}
        if n % 2
        else {**e, "deleted": True, "base_version": versions[e["client_id"]], "device": "phone"}
        for n, e in enumerate(big)
    ]
    with django_assert_max_num_queries(13):
        answer = sync(client, *again)
    assert set(statuses(answer)) == {"unchanged", "updated"}


def test_anonymous_sync_is_refused():
    assert APIClient().post("/api/v1/sync/", {"entries": []}, format="json").status_code == 401
    assert APIClient().get("/api/v1/sync/").status_code == 401


def test_a_program_added_after_the_first_sync_is_accepted(client, patient):
    """Program slugs are remembered per process; one the process has not seen is looked up."""
    assert statuses(sync(client, entry("session", session("core-strength:bridge")))) == ["created"]
    assert statuses(sync(client, entry("session", session("brand-new:first-step")))) == ["rejected"]
    Program.objects.create(slug="brand-new", title="Brand new", category="core", weeks=4, content_hash="x")

    assert statuses(sync(client, entry("session", session("brand-new:first-step")))) == ["created"]


@pytest.mark.postgres
def test_new_entries_of_every_type_are_stored_as_sent_in_one_write_with_the_counter(client, patient):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backend.outcomes.instruments import instruments
    from backend.programs.lessons import lesson_catalog
    from backend.tracker.models import SyncState

    lesson = next(iter(lesson_catalog()))
    answers = {item.id: 2 for item in instruments()["phq4"].items}
    sent = [
        entry("session", session(sets=2, reps=12, effort=5, pain_before=4, pain_after=3, note="easier")),
        entry("session", session(item="core-strength:dead-bug", status="skipped")),
        entry(
            "checkin",
            checkin(
                pain_areas=["lower_back", "legs"], sleep_hours=6.5, mood=2, note="tired", factors=["work"]
            ),
        ),
        entry("journal", journal(gratitude=["tea"], text="A long day.", kinder_view="It passed.")),
        entry("lesson", {"date": TODAY.isoformat(), "lesson": lesson, "status": "read"}),
        entry("questionnaire", {"date": TODAY.isoformat(), "questionnaire": "phq4", "answers": answers}),
    ]
    sync(client, entry("journal", journal()))  # a user's first batch also makes their counter
    with CaptureQueriesContext(connection) as queries:
        answer = sync(client, *sent)

    assert statuses(answer) == ["created"] * 6
    assert [r["version"] for r in answer["results"]] == [2, 3, 4, 5, 6, 7]
    writes = [q["sql"] for q in queries if q["sql"].lstrip().startswith(("INSERT", "UPDATE", "WITH"))]
    assert len(writes) == 1, writes
    assert SyncState.objects.get(user=patient).counter == 7
    # What the person typed comes back, on another device, as they typed it.
    pulled = {e["client_id"]: e for e in client.get("/api/v1/sync/").json()["entries"]}
    for posted in sent:
        back = pulled[posted["client_id"]]
        shown = {k: v for k, v in back["data"].items() if k not in ("score", "band", "subscores")}
        assert {k: shown.get(k) for k in posted["data"]} == posted["data"], (shown, posted["data"])
        assert all(shown[k] == [] for k in shown.keys() - posted["data"].keys()), shown  # red_flags: none
        assert (
            back["updated_at"][:19]
            == dt.datetime.fromisoformat(posted["updated_at"]).astimezone(dt.UTC).isoformat()[:19]
        )
    assert pulled[sent[5]["client_id"]]["data"]["score"] == 8
