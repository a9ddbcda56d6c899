"""Sync that converges whatever the phones' clocks say (API.md, contract v1.1).

Each stored entry has a server ``version``; an edit names the version it was made
from (``base_version``), so the server orders edits by what the person had seen, not
by wall clocks that disagree.
"""

import datetime as dt

import pytest

from backend.tracker.models import CheckIn
from tests.tracker.helpers import checkin, entry, stamp, sync

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def client(catalog, patient_client):
    return patient_client


def pull(client, cursor: str = "") -> dict:
    response = client.get(f"/api/v1/sync/?cursor={cursor}")
    assert response.status_code == 200, response.content
    return response.json()


def only(answer: dict) -> dict:
    (result,) = answer["results"]
    return result


def behind(minutes: float, seconds: int) -> str:
    """A stamp from a clock running ``seconds`` behind."""
    moment = dt.datetime.fromisoformat(stamp(0)) + dt.timedelta(minutes=minutes, seconds=-seconds)
    return moment.isoformat()


# --- Finding 3: a content-equal resend must not let an older edit win afterwards ----


def test_a_resend_with_a_later_time_keeps_an_older_edit_from_winning_afterwards(client, patient):
    first = entry("checkin", checkin(pain=1), minutes=0)
    assert only(sync(client, first))["status"] == "created"
    resent = {**first, "updated_at": stamp(30)}
    assert only(sync(client, resent))["status"] == "unchanged"

    older = {**first, "updated_at": stamp(20), "data": checkin(pain=7)}
    result = only(sync(client, older))

    # The phone that sent T+30 shows pain 1: the server must agree with it.
    assert result["status"] == "stale"
    assert CheckIn.objects.get(user=patient).pain == 1
    assert result["server"]["data"]["pain"] == 1


# --- Finding 4: an edit made after seeing the server's copy wins, clock or no clock ---


def test_an_edit_from_a_phone_whose_clock_is_behind_wins_when_made_from_the_current_version(
    catalog, patient, login
):
    phone_a, phone_b = login(patient), login(patient)
    created = entry("checkin", checkin(pain=3), minutes=0)
    sync(phone_a, created)
    pulled = pull(phone_b)
    (seen,) = pulled["entries"]

    edit = {**created, "updated_at": behind(0, 90), "data": checkin(pain=8), "base_version": seen["version"]}
    result = only(sync(phone_b, edit, cursor=pulled["cursor"]))

    assert result["status"] == "updated"
    assert CheckIn.objects.get(user=patient).pain == 8
    (on_a,) = pull(phone_a)["entries"]
    assert on_a["data"]["pain"] == 8
    assert on_a["version"] == result["version"]


# --- Versions in every answer ---------------------------------------------------------


def test_every_result_and_every_pulled_entry_carries_the_stored_version(client):
    note = entry("journal", {"date": "2026-11-21", "text": "first"})
    created = only(sync(client, note))
    unchanged = only(sync(client, note))
    edit = {**note, "data": {"date": "2026-11-21", "text": "second"}, "base_version": created["version"]}
    updated = only(sync(client, edit))
    stale = only(sync(client, note))  # the first write, replayed after the edit

    assert [created["status"], unchanged["status"], updated["status"]] == ["created", "unchanged", "updated"]
    assert unchanged["version"] == created["version"] < updated["version"]
    (pulled,) = pull(client)["entries"]
    assert pulled["version"] == updated["version"]
    assert stale["status"] == "stale"
    assert stale["server"] == pulled
    assert "version" not in stale  # the version of the copy kept is in "server"


def test_a_tombstone_is_pulled_with_its_version(client):
    note = entry("journal", {"date": "2026-11-21", "text": "a hard day"})
    first = only(sync(client, note))
    gone = only(sync(client, {**note, "deleted": True, "base_version": first["version"], "data": {}}))

    (pulled,) = pull(client)["entries"]
    assert pulled["deleted"] is True
    assert pulled["version"] == gone["version"] > first["version"]


# --- Conflicts: the first edit from a version to reach the server wins ---------------


def two_edits_from_the_same_version(client):
    created = entry("checkin", checkin(pain=3), minutes=0)
    version = only(sync(client, created))["version"]
    laptop = {
        **created,
        "data": checkin(pain=5),
        "updated_at": stamp(5),
        "base_version": version,
        "device": "laptop",
    }
    phone = {
        **created,
        "data": checkin(pain=8),
        "updated_at": stamp(9),
        "base_version": version,
        "device": "phone",
    }
    return laptop, phone


def test_a_later_edit_from_the_same_older_version_is_a_conflict_with_the_server_copy(client, patient):
    laptop, phone = two_edits_from_the_same_version(client)
    won = only(sync(client, laptop))

    # The phone's clock says later, but it edited pain 3 without seeing pain 5.
    lost = only(sync(client, phone))

    assert won["status"] == "updated"
    assert lost["status"] == "conflict"
    assert lost["server"]["data"]["pain"] == 5
    assert lost["server"]["version"] == won["version"]
    assert lost["server"]["client_id"] == phone["client_id"]
    assert CheckIn.objects.get(user=patient).pain == 5


def test_a_losing_checkin_still_shows_its_own_emergency(client):
    laptop, phone = two_edits_from_the_same_version(client)
    sync(client, laptop)
    phone["data"] = checkin(pain=8, red_flags=["chest_arm_jaw_pain"])

    lost = only(sync(client, phone))

    assert lost["status"] == "conflict"
    assert lost["safety"]["level"] == "emergency"


def test_the_loser_edits_the_server_copy_and_that_edit_wins(client, patient):
    laptop, phone = two_edits_from_the_same_version(client)
    sync(client, laptop)
    server = only(sync(client, phone))["server"]

    again = {**phone, "data": checkin(pain=7), "updated_at": stamp(10), "base_version": server["version"]}
    assert only(sync(client, again))["status"] == "updated"
    assert CheckIn.objects.get(user=patient).pain == 7


def test_a_base_version_the_server_never_gave_is_rejected_naming_it(client, patient):
    created = entry("checkin", checkin(pain=3))
    version = only(sync(client, created))["version"]

    result = only(sync(client, {**created, "data": checkin(pain=9), "base_version": version + 5}))

    assert result["status"] == "rejected"
    assert "base_version" in result["errors"]
    assert CheckIn.objects.get(user=patient).pain == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"base_version": -1}, "base_version"),
        ({"base_version": "three"}, "base_version"),
        ({"base_version": 2**70}, "base_version"),
        ({"device": 42}, "device"),
        ({"device": "x" * 65}, "device"),
    ],
    ids=["negative version", "version text", "version too big", "device a number", "device too long"],
)
def test_bad_versions_and_device_ids_are_rejected_naming_the_field(client, change, field):
    answer = sync(
        client,
        {**entry("checkin", checkin()), **change},
        entry("journal", {"date": "2026-11-21", "text": "ok"}),
    )

    assert [r["status"] for r in answer["results"]] == ["rejected", "created"]
    assert field in answer["results"][0]["errors"]


# --- A device's own edits after a lost answer ----------------------------------------


def test_a_phone_whose_answer_was_lost_can_edit_again_from_the_same_version(client, patient):
    created = entry("checkin", checkin(pain=3))
    version = only(sync(client, created))["version"]
    first = {
        **created,
        "data": checkin(pain=5),
        "updated_at": stamp(5),
        "base_version": version,
        "device": "phone",
    }
    sync(client, first)  # stored; the phone never hears back

    second = {**first, "data": checkin(pain=6), "updated_at": stamp(6)}
    result = only(sync(client, second))

    assert result["status"] == "updated"
    assert CheckIn.objects.get(user=patient).pain == 6
    # ...and the first request, arriving late once more, does not undo the second.
    assert only(sync(client, first))["status"] == "stale"
    assert CheckIn.objects.get(user=patient).pain == 6


def test_a_new_entry_edited_before_its_creation_was_answered_is_its_own_edit(client, patient):
    created = {**entry("checkin", checkin(pain=3)), "base_version": 0, "device": "phone"}
    sync(client, created)  # answer lost

    result = only(sync(client, {**created, "data": checkin(pain=4), "updated_at": stamp(1)}))

    assert result["status"] == "updated"
    assert CheckIn.objects.get(user=patient).pain == 4


def test_another_device_edit_in_between_makes_the_lost_answer_phone_conflict(client, patient):
    created = entry("checkin", checkin(pain=3))
    version = only(sync(client, created))["version"]
    first = {
        **created,
        "data": checkin(pain=5),
        "updated_at": stamp(5),
        "base_version": version,
        "device": "phone",
    }
    stored = only(sync(client, first))["version"]  # the phone never hears back; the laptop pulls it
    laptop = {
        **created,
        "data": checkin(pain=2),
        "updated_at": stamp(4),
        "base_version": stored,
        "device": "laptop",
    }
    assert only(sync(client, laptop))["status"] == "updated"

    result = only(sync(client, {**first, "data": checkin(pain=6), "updated_at": stamp(6)}))

    assert result["status"] == "conflict"
    assert result["server"]["data"]["pain"] == 2
    assert CheckIn.objects.get(user=patient).pain == 2


def test_two_old_clients_without_device_ids_never_pass_for_one_device(client, patient):
    created = entry("checkin", checkin(pain=3))
    version = only(sync(client, created))["version"]
    one = {**created, "data": checkin(pain=5), "updated_at": stamp(5), "base_version": version}
    other = {**created, "data": checkin(pain=6), "updated_at": stamp(6), "base_version": version}
    sync(client, one)

    assert only(sync(client, other))["status"] == "conflict"


# --- v1 clients (no base_version): a high-water mark of times ------------------------


def test_a_v1_write_wins_only_over_every_time_stored_for_the_entry(client, patient):
    created = entry("checkin", checkin(pain=3), minutes=0)
    version = only(sync(client, created))["version"]
    # A phone with a slow clock edits from the current version: it wins, at 07:55.
    slow = {**created, "data": checkin(pain=8), "updated_at": behind(0, 300), "base_version": version}
    assert only(sync(client, slow))["status"] == "updated"

    # A v1 write at 07:58 is newer than what is stored now but not than 08:00, stored before.
    replayed = {**created, "data": checkin(pain=1), "updated_at": behind(0, 120)}
    assert only(sync(client, replayed))["status"] == "stale"
    newer = {**created, "data": checkin(pain=2), "updated_at": stamp(1)}
    assert only(sync(client, newer))["status"] == "updated"
    assert CheckIn.objects.get(user=patient).pain == 2


def test_a_content_equal_resend_never_moves_the_entry_back_in_time(client, patient):
    created = entry("checkin", checkin(pain=1), minutes=30)
    sync(client, created)

    assert only(sync(client, {**created, "updated_at": stamp(10)}))["status"] == "unchanged"

    row = CheckIn.objects.get(user=patient)
    assert row.updated_at == dt.datetime.fromisoformat(stamp(30))
    assert (
        only(sync(client, {**created, "data": checkin(pain=7), "updated_at": stamp(20)}))["status"] == "stale"
    )


def test_a_losing_write_does_not_raise_the_mark(client, patient):
    """Only stored times count: a losing clock far ahead must not shut out later v1 edits."""
    laptop, phone = two_edits_from_the_same_version(client)
    sync(client, laptop)
    phone["updated_at"] = stamp(600)
    v1 = {**laptop, "data": checkin(pain=1), "updated_at": stamp(30)}
    v1.pop("base_version")

    answer = sync(client, phone, v1)  # in one batch, as a phone's outbox and a replay may be

    assert [r["status"] for r in answer["results"]] == ["conflict", "updated"]
    assert CheckIn.objects.get(user=patient).pain == 1
