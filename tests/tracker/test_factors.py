"""Stress factors on the check-in and the journal's reframing prompts (issue 17)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from rest_framework.test import APIClient

from backend.tracker.factors import builtin_factors
from tests.tracker.helpers import TODAY, checkin, entry, journal, statuses, sync

pytestmark = pytest.mark.usefixtures("frozen_time")

BUILTIN = [
    "work",
    "conflict",
    "money",
    "caring",
    "poor_sleep",
    "long_sitting",
    "caffeine",
    "alcohol",
    "screens",
    "travel",
]


@pytest.fixture
def client(catalog, patient_client):
    return patient_client


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def pulled(client, kind: str) -> list[dict]:
    body = client.get("/api/v1/sync/").json()
    return [e["data"] for e in body["entries"] if e["type"] == kind and not e["deleted"]]


@pytest.mark.parametrize(
    "factors",
    [
        pytest.param("work", id="not a list"),
        pytest.param({"work": True}, id="an object"),
        pytest.param([f"label {n}" for n in range(13)], id="13 items"),
        pytest.param(["x" * 41], id="a 41-character label"),
        pytest.param(["   "], id="a blank label"),
        pytest.param([""], id="an empty label"),
        pytest.param([5], id="a number"),
        pytest.param([None], id="null"),
        pytest.param([["work"]], id="a nested list"),
        pytest.param([{"slug": "work"}], id="an object in the list"),
    ],
)
def test_bad_factors_are_rejected_naming_the_field_and_the_rest_of_the_batch_applies(client, factors):
    answer = sync(
        client,
        entry("checkin", checkin(days_ago(1), factors=factors)),
        entry("checkin", checkin(days_ago(2), factors=["work"])),
    )

    assert statuses(answer) == ["rejected", "created"]
    assert "factors" in answer["results"][0]["errors"]
    assert [d["date"] for d in pulled(client, "checkin")] == [days_ago(2).isoformat()]


def test_twelve_factors_and_a_forty_character_label_are_fine(client):
    labels = ["y" * 40, *BUILTIN, "Neighbours' building work"]
    answer = sync(client, entry("checkin", checkin(factors=labels)))

    assert statuses(answer) == ["created"]
    assert pulled(client, "checkin")[0]["factors"] == labels


def test_duplicates_are_folded_and_a_label_that_spells_a_factor_is_that_factor(client):
    sync(
        client,
        entry(
            "checkin",
            checkin(factors=["work", "  Work ", "Poor sleep", "Dog  walking", "dog walking", "caffeine"]),
        ),
    )

    assert pulled(client, "checkin")[0]["factors"] == ["work", "poor_sleep", "Dog walking", "caffeine"]


def test_factors_round_trip_through_pull_history_and_export(client):
    sync(client, entry("checkin", checkin(factors=["money", "Moving house"])))

    assert pulled(client, "checkin")[0]["factors"] == ["money", "Moving house"]
    assert client.get("/api/v1/checkins/").json()[0]["factors"] == ["money", "Moving house"]
    document = json.loads(client.get("/api/v1/me/export/?format=json").content)
    assert document["checkins"][0]["factors"] == ["money", "Moving house"]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/me/export/?format=csv").content.decode())))
    assert rows[0]["factors"] == "money; Moving house"


def test_a_check_in_without_factors_has_none_and_an_edit_can_clear_them(client):
    first = entry("checkin", checkin(factors=["work"]))
    sync(client, first)
    cleared = {**first, "data": checkin(), "updated_at": "2026-11-21T08:30:00+01:00"}
    sync(client, cleared)

    assert "factors" not in pulled(client, "checkin")[0]


def test_factors_list_builtins_then_my_own_labels_most_used_first(client, other_patient, login):
    sync(
        client,
        *[entry("checkin", checkin(days_ago(n), factors=["Commute", "work"])) for n in range(1, 4)],
        entry("checkin", checkin(days_ago(4), factors=["Garden"])),
        *[entry("checkin", checkin(days_ago(n), factors=["Kids"])) for n in range(5, 7)],
        # Older than 90 days: not offered again.
        entry("checkin", checkin(days_ago(95), factors=["Old job"])),
    )
    sync(login(other_patient), entry("checkin", checkin(factors=["Their secret"])))

    body = client.get("/api/v1/factors/").json()

    assert [f["slug"] for f in body[: len(BUILTIN)]] == BUILTIN
    assert all(f["custom"] is False and f["label"] for f in body[: len(BUILTIN)])
    assert body[0] == {"slug": "work", "label": builtin_factors()["work"].label, "custom": False}
    assert body[len(BUILTIN) :] == [
        {"slug": "Commute", "label": "Commute", "custom": True},
        {"slug": "Kids", "label": "Kids", "custom": True},
        {"slug": "Garden", "label": "Garden", "custom": True},
    ]


def test_factors_offer_at_most_twelve_of_my_own_labels(client):
    sync(
        client,
        *[
            entry("checkin", checkin(days_ago(n), factors=[f"Label {m:02}" for m in range(12)] if n else []))
            for n in range(3)
        ],
        entry("checkin", checkin(days_ago(3), factors=[f"Rare {m}" for m in range(5)])),
    )

    custom = [f["slug"] for f in client.get("/api/v1/factors/").json() if f["custom"]]

    assert custom == [f"Label {m:02}" for m in range(12)]


def test_factors_need_a_sign_in(catalog):
    assert APIClient().get("/api/v1/factors/").status_code == 401


def test_factors_take_one_query_whatever_the_history(client, django_assert_max_num_queries):
    def count() -> int:
        with django_assert_max_num_queries(3) as ctx:
            assert client.get("/api/v1/factors/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    sync(client, *[entry("checkin", checkin(days_ago(n), factors=[f"L{n}", "work"])) for n in range(60)])
    assert count() == few


# --- The journal's reframing prompts ---------------------------------------------


REFRAMING = {
    "in_control": "How I answer the email, and when.",
    "anxious_thought": "My back will never get better.",
    "kinder_view": "It has eased before, and I am doing things that help.",
}


def test_reframing_prompts_round_trip_through_pull_history_and_export(client):
    sync(client, entry("journal", {"date": TODAY.isoformat(), **REFRAMING}))

    assert pulled(client, "journal")[0] == {"date": TODAY.isoformat(), **REFRAMING}
    record = client.get("/api/v1/journal/").json()[0]
    assert {k: record[k] for k in REFRAMING} == REFRAMING
    document = json.loads(client.get("/api/v1/me/export/?format=json").content)
    assert {k: document["journal"][0][k] for k in REFRAMING} == REFRAMING
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/me/export/?format=csv").content.decode())))
    assert rows[0]["kinder_view"] == REFRAMING["kinder_view"]


@pytest.mark.parametrize("field", list(REFRAMING))
def test_one_reframing_prompt_is_enough_for_an_entry(client, field):
    answer = sync(client, entry("journal", {"date": TODAY.isoformat(), field: REFRAMING[field]}))

    assert statuses(answer) == ["created"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("in_control", "x" * 10001),
        ("anxious_thought", "x" * 10001),
        ("kinder_view", "x" * 10001),
        ("in_control", 5),
        ("anxious_thought", ["a thought"]),
        ("kinder_view", {"text": "kind"}),
    ],
)
def test_bad_reframing_prompts_are_rejected_naming_the_field(client, field, value):
    answer = sync(
        client,
        entry("journal", journal(**{field: value})),
        entry("journal", journal(days_ago(1), kinder_view="fine")),
    )

    assert statuses(answer) == ["rejected", "created"]
    assert field in answer["results"][0]["errors"]


def test_a_journal_entry_of_blank_prompts_is_refused(client):
    answer = sync(
        client, entry("journal", {"date": TODAY.isoformat(), "in_control": "  ", "kinder_view": ""})
    )

    assert statuses(answer) == ["rejected"]
    assert "text" in answer["results"][0]["errors"]
