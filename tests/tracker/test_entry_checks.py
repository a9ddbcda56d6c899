"""The quick check of synced entries (``entry_checks.quick_entry``) never disagrees
with the serializers: what it accepts, ``EntrySerializer`` accepts with the very same
value; everything else it leaves to the serializer (which words the refusal)."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.outcomes.instruments import instruments
from backend.programs.lessons import lesson_catalog
from backend.tracker.entries import DATA_FIELDS
from backend.tracker.entry_checks import quick_entry
from backend.tracker.serializers import (
    _TIMESTAMP,
    DATA_SERIALIZERS,
    MAX_CLOCK_AHEAD,
    EntrySerializer,
    validate_entries,
)
from backend.tracker.services import sync_apply
from tests.tracker.helpers import TODAY, checkin, entry, journal, session, stamp

NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
CONTEXT: dict[str, Any] = {
    "today": TODAY,
    "now": NOW,
    "clock_ahead": MAX_CLOCK_AHEAD,
    "program_slugs": {"core-strength", "back-stretches"},
}
LESSON = next(iter(lesson_catalog()))
PHQ4 = {item.id: 1 for item in instruments()["phq4"].items}


def plain_entries() -> list[dict[str, Any]]:
    """What the PWA sends every day."""
    return [
        entry("session", session(sets=2, reps=10, effort=4, note="ok")),
        entry("session", session(item="back-stretches:cat-cow", status="skipped")),
        entry(
            "checkin",
            checkin(
                pain_areas=["legs", "lower_back"],
                sleep_hours=6.55,
                sleep_quality=3,
                mood=4,
                red_flags=["fever"],
                note="  stiff  ",
                factors=["work", "Long  drive"],
            ),
        ),
        entry("checkin", checkin(pain=None, stress=None)),
        entry("journal", journal(gratitude=["tea"], text="A day.", kinder_view="")),
        entry("lesson", {"date": TODAY.isoformat(), "lesson": LESSON, "status": "read"}),
        entry("questionnaire", {"date": TODAY.isoformat(), "questionnaire": "phq4", "answers": PHQ4}),
        {**entry("checkin", {"date": TODAY.isoformat()}, deleted=True), "base_version": 3, "device": "phone"},
        entry("journal", {}, deleted=True),
    ]


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 == 1.0 == True would hide a difference)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) or (a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a))
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dt.datetime):
        return a == b and a.isoformat() == b.isoformat() and a.tzinfo == b.tzinfo
    return a == b


def _agree(raw: Any) -> dict | None:
    quick = quick_entry(copy.deepcopy(raw), CONTEXT, _TIMESTAMP)
    full, errors = EntrySerializer(context=CONTEXT).check(copy.deepcopy(raw))
    if quick is not None:
        assert errors is None, (raw, errors)
        assert quick.keys() == full.keys()
        assert all(_same(quick[k], full[k]) for k in quick), (raw, quick, full)
    return quick


@pytest.mark.parametrize("raw", plain_entries(), ids=lambda raw: raw["type"])
def test_the_entries_a_phone_sends_take_the_quick_check_and_give_what_the_serializer_gives(raw):
    assert _agree(raw) is not None


# Values that tempt a hand-written check to differ from DRF's fields.
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.sampled_from([2**62, 2**62 + 1, -1, 10**30, 101, 1001, 7201, 86401]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([5.0, 6.0, 24.0, 24.01, -0.0, 1e308]),
    st.sampled_from(["5", " 5 ", "", "   ", "\x00", "a\ud800", "read", " read", "done", "skipped", "x" * 65]),
    st.sampled_from(["2026-11-21", " 2026-11-21 ", "2026-11-22", "2026-11-23", "2026-02-30", "1999-12-31"]),
    st.sampled_from(
        [
            "2026-11-21T08:00:00+01:00",
            "2026-11-21T08:00:00Z",
            "2026-11-21T08:00:00",
            "2026-11-23T09:00:00+00:00",
            "2026-11-21T08:00:00+0100",
            " 2026-11-21T08:00:00+01:00",
            "2026-11-21T25:00:00+01:00",
        ]
    ),
    st.sampled_from(
        [str(uuid.uuid4()), uuid.uuid4().hex, "{" + str(uuid.uuid4()) + "}", "not-a-uuid", 12345]
    ),
    st.sampled_from(["session", "checkin", "journal", "lesson", "questionnaire", "Session", "note"]),
    st.text(max_size=8),
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "legs",
                    "lower_back",
                    "fever",
                    " fever ",
                    "leg_weakness",
                    "cancer_history",
                    "bogus",
                    "",
                    "work",
                    "  ",
                ]
            ),
            st.text(max_size=3),
            st.integers(0, 3),
            st.none(),
        ),
        max_size=14,
    ),
    st.dictionaries(
        st.sampled_from(["1", "2", "3", "4", "5", 1]),
        st.one_of(st.integers(-1, 4), st.booleans(), st.just("1")),
        max_size=5,
    ),
    st.sampled_from(
        [
            "core-strength:bridge:2026-11-21",
            "core-strength:bridge:2026-11-20",
            "nowhere:bridge:2026-11-21",
            "flare:rest:2026-11-21",
            " core-strength:bridge:2026-11-21",
            LESSON,
            "no-such-lesson",
            "phq4",
            "peg",
            "nope",
        ]
    ),
)
TOP = ["client_id", "type", "updated_at", "deleted", "data", "base_version", "device"]
DATA = [
    "date", "item_id", "status", "sets", "reps", "hold_seconds", "duration_seconds", "effort", "pain_before",
    "pain_after", "note", "pain", "pain_areas", "stress", "sleep_hours", "sleep_quality", "mood", "red_flags",
    "factors", "feeling", "want_to_feel", "gratitude", "text", "in_control", "anxious_thought", "kinder_view",
    "lesson", "questionnaire", "answers", "score",
]  # fmt: skip


def _edges(kind: str, name: str) -> list[Any]:
    """The edges of a data field, read from its serializer field: just inside, just outside."""
    serializer = DATA_SERIALIZERS.get(kind)
    field = serializer().fields.get(name) if serializer else None
    values: list[Any] = []
    for attr in ("min_value", "max_value"):
        edge = getattr(field, attr, None)
        if edge is not None:
            values += [edge - 1, edge, edge + 1, float(edge), str(edge)]
    length = getattr(field, "max_length", None)
    if length is not None:
        values += [
            "x" * length,
            "x" * (length + 1),
            " " + "x" * length + " ",
            ["x"] * length,
            ["x"] * (length + 1),
        ]
    return values or [None]


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    raw = copy.deepcopy(draw(st.sampled_from(plain_entries())))
    kind = raw["type"]
    own = ["date", *DATA_FIELDS[kind]]
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.integers(0, 5))
        if where == 0:
            key, target = draw(st.sampled_from(TOP)), raw
        else:
            key = draw(st.sampled_from(own if where > 1 else DATA))
            target = raw["data"] if isinstance(raw.get("data"), dict) else raw
        if draw(st.integers(0, 5)) == 0:
            target.pop(key, None)
        elif draw(st.booleans()):
            target[key] = draw(st.sampled_from(_edges(kind, key)))
        else:
            target[key] = draw(ODD)
    return raw


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_the_quick_check_accepts_nothing_the_serializer_refuses_and_changes_no_value(raw):
    _agree(raw)


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_time")
def test_a_batch_gets_the_same_answers_with_and_without_the_quick_check(catalog, patient, other_patient):
    good = plain_entries()
    bad = [
        entry("session", session(sets="3")),  # DRF reads "3" as 3: the serializer decides, and accepts
        entry("checkin", checkin(pain=11)),
        entry("checkin", checkin(red_flags=["cancer_history", "leg_weakness"])),
        entry("journal", journal(feeling="", gratitude=["  "])),
        entry("questionnaire", {"date": TODAY.isoformat(), "questionnaire": "phq4", "answers": {"1": 9}}),
        {**entry("lesson", {"date": TODAY.isoformat(), "lesson": LESSON, "status": "unread"}), "device": 5},
        {**entry("session", session()), "updated_at": "2026-11-21T08:00:00"},
        {"client_id": "x" * 80, "type": "checkin", "updated_at": stamp(), "data": None},
        "not an object",
    ]
    batch = [item for pair in zip(good, bad, strict=False) for item in pair] + good[len(bad) :]
    now = dt.datetime.now(dt.UTC)
    today = TODAY
    quick = validate_entries(copy.deepcopy(batch), today=today, now=now)
    full = validate_entries(copy.deepcopy(batch), today=today, now=now, quick=False)
    assert repr(quick) == repr(full)
    # And what the person sees of it: the same results, entry by entry.
    first = sync_apply(user=patient, entries=quick).results
    second = sync_apply(user=other_patient, entries=full).results
    assert first == second
    assert [r["status"] for r in first].count("rejected") == 8
