"""A session's pain before and after (API.md "Guided practice"): optional, 0-10."""

from __future__ import annotations

import csv
import io

import pytest

from backend.tracker.models import SessionLog
from tests.tracker.helpers import TODAY, entry, journal, session, statuses, sync

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def client(catalog, patient_client):
    return patient_client


def test_pain_before_and_after_round_trip_through_sync_records_and_export(client):
    posted = entry("session", session(pain_before=6, pain_after=3))
    assert statuses(sync(client, posted)) == ["created"]

    (pulled,) = client.get("/api/v1/sync/").json()["entries"]
    assert (pulled["data"]["pain_before"], pulled["data"]["pain_after"]) == (6, 3)
    (record,) = client.get("/api/v1/logs/").json()
    assert (record["pain_before"], record["pain_after"]) == (6, 3)
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/me/export/?format=csv").content.decode())))
    (row,) = [r for r in rows if r["record_type"] == "session"]
    assert (row["pain_before"], row["pain_after"]) == ("6", "3")
    # Sending the same again is a replay.
    assert statuses(sync(client, posted)) == ["unchanged"]


def test_pain_is_optional_and_may_be_null(client):
    answer = sync(
        client,
        entry("session", session(item="core-strength:bridge")),
        entry("session", session(item="core-strength:plank", pain_before=None, pain_after=0)),
    )

    assert statuses(answer) == ["created", "created"]
    rows = {r["item_id"]: r for r in client.get("/api/v1/logs/").json()}
    assert "pain_before" not in rows[f"core-strength:bridge:{TODAY}"]
    assert rows[f"core-strength:plank:{TODAY}"]["pain_after"] == 0
    assert "pain_before" not in rows[f"core-strength:plank:{TODAY}"]


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
@pytest.mark.parametrize(
    "value", [11, -1, "5", True, 2.5, [3]], ids=["11", "-1", "text", "true", "2.5", "list"]
)
def test_bad_pain_is_rejected_naming_the_field_and_the_rest_of_the_batch_is_stored(client, field, value):
    answer = sync(client, entry("session", session(**{field: value})), entry("journal", journal()))

    assert statuses(answer) == ["rejected", "created"]
    assert field in answer["results"][0]["errors"]
    assert not SessionLog.objects.exists()
