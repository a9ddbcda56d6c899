"""A synced entry, in one place: what each type holds, how a stored row is built from a
validated entry and compared with another, how it is rendered (as a sync entry and as a
history record), and the sync cursor.

Everything else follows these lists: the data serializers that validate an entry
(``serializers.py``, checked against ``DATA_FIELDS`` by a test), the sync service, the
history and export renderings (``privacy/export.py`` takes its CSV columns from here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from backend.accounts.models import User
from backend.outcomes.instruments import all_instruments
from backend.tracker.models import CheckIn, JournalEntry, LessonRead, QuestionnaireAnswer, SessionLog
from backend.tracker.safety import safety_rules

Row = SessionLog | CheckIn | JournalEntry | LessonRead | QuestionnaireAnswer
ENTRY_TYPES = ("session", "checkin", "journal", "lesson", "questionnaire")
# An entry's limits, read by the serializers and by the quick check
# (``entry_checks``), which must agree with them.
# An instant must state its UTC offset.
OFFSET = re.compile(r"(?:[zZ]|[+-]\d{2}:?\d{2})$")
NOTE_MAX = 2000
FEELING_MAX = 500
JOURNAL_TEXT_MAX = 10000
# A journal entry must hold at least one of these.
JOURNAL_WRITTEN = (
    "feeling",
    "want_to_feel",
    "gratitude",
    "text",
    "in_control",
    "anxious_thought",
    "kinder_view",
)
MODELS: dict[str, type[Row]] = {
    "session": SessionLog,
    "checkin": CheckIn,
    "journal": JournalEntry,
    "lesson": LessonRead,
    "questionnaire": QuestionnaireAnswer,
}
ENTRY_TYPE_OF: dict[type[Row], str] = {model: kind for kind, model in MODELS.items()}

# What a client sends in ``data`` for each type (besides ``date``), in the contract's order.
DATA_FIELDS: dict[str, tuple[str, ...]] = {
    "session": (
        "item_id",
        "status",
        "sets",
        "reps",
        "hold_seconds",
        "duration_seconds",
        "effort",
        "pain_before",
        "pain_after",
        "note",
    ),
    "checkin": (
        "pain",
        "pain_areas",
        "stress",
        "sleep_hours",
        "sleep_quality",
        "mood",
        "red_flags",
        "note",
        # Issue 17: stress factors.
        "factors",
    ),
    # Issue 17 added the reframing prompts after text.
    "journal": (
        "feeling",
        "want_to_feel",
        "gratitude",
        "text",
        "in_control",
        "anxious_thought",
        "kinder_view",
    ),
}
# Rendered even when empty; the others only when they hold something.
ALWAYS_RENDERED: dict[str, tuple[str, ...]] = {
    "session": ("item_id", "status"),
    "checkin": ("pain", "stress", "pain_areas", "red_flags"),
    "journal": (),
}
# Stored besides the data, worked out by the server: the session's program (from its
# item id) and the check-in's safety level (from its red flags).
DERIVED_FIELDS: dict[str, tuple[str, ...]] = {
    "session": ("program",),
    "checkin": ("safety_level",),
    "journal": (),
}

# --- Lessons read (issue 17): a lesson's slug, and "read" --------------------------
DATA_FIELDS["lesson"] = ("lesson", "status")
ALWAYS_RENDERED["lesson"] = ("lesson", "status")
DERIVED_FIELDS["lesson"] = ()
# --- Questionnaire answers (issue 18): the instrument and the answers; the server
# scores them (the score, band and subscale scores are rendered, never read back).
DATA_FIELDS["questionnaire"] = ("questionnaire", "answers")
ALWAYS_RENDERED["questionnaire"] = ("questionnaire", "answers")
DERIVED_FIELDS["questionnaire"] = ("score", "band", "subscores")
# ---------------------------------------------------------------------------------

# Every stored content column of a type: what an edit overwrites.
CONTENT_FIELDS: dict[str, tuple[str, ...]] = {
    kind: DATA_FIELDS[kind] + DERIVED_FIELDS[kind] for kind in ENTRY_TYPES
}
# A tombstone keeps only its date: every content column goes back to this.
EMPTY: dict[str, Any] = {
    "item_id": "",
    "program": "",
    "status": "",
    "lesson": "",
    "questionnaire": "",
    "answers": {},
    "score": None,
    "band": "",
    "subscores": {},
    "note": "",
    "pain_areas": [],
    "red_flags": [],
    "gratitude": [],
    "feeling": "",
    "want_to_feel": "",
    "text": "",
    "safety_level": CheckIn.Safety.NONE,
    # Issue 17: stress factors and the reframing prompts.
    "factors": [],
    "in_control": "",
    "anxious_thought": "",
    "kinder_view": "",
}
# One column per field in the CSV export: the record's keys, then every type's data.
RECORD_COLUMNS: tuple[str, ...] = (
    "record_type",
    "date",
    "client_id",
    "updated_at",
    *dict.fromkeys(
        name for kind in ENTRY_TYPES for name in (*DATA_FIELDS[kind], "safety_level") if name != "note"
    ),
    "note",
)


@dataclass(frozen=True)
class Rejected:
    """An entry refused by validation, before the service: its errors, and what is
    needed to answer it (its client id if usable, red flags to still show an emergency)."""

    client_id: str | None
    errors: dict[str, Any]
    red_flags: list[str] | None = None


def build_row(user: User, entry: dict[str, Any], seq: int) -> Row:
    """An unsaved row holding exactly what a validated entry says (a tombstone keeps only its date)."""
    kind = entry["type"]
    data = entry["data"]
    values: dict[str, Any] = {name: EMPTY.get(name) for name in CONTENT_FIELDS[kind]}
    if not entry["deleted"]:
        for name in DATA_FIELDS[kind]:
            if name in data:
                values[name] = data[name]
        if kind == "session":
            values["program"] = data["program"]
        elif kind == "questionnaire":
            scored = all_instruments()[values["questionnaire"]].score(values["answers"])
            values.update(score=scored.score, band=scored.band or "", subscores=scored.subscores)
        elif kind == "checkin":
            if values["sleep_hours"] is not None:
                values["sleep_hours"] = Decimal(str(values["sleep_hours"]))
            values["safety_level"] = safety_rules().evaluate(values["red_flags"]).level
    return MODELS[kind](
        user=user,
        client_id=entry["client_id"],
        updated_at=entry["updated_at"],
        latest_updated_at=entry["updated_at"],
        deleted=entry["deleted"],
        seq=seq,
        date=data.get("date") or entry["updated_at"].date(),
        written_by_device=entry.get("device") or "",
        written_from_version=entry.get("base_version"),
        **values,
    )


def same(row: Row, incoming: Row) -> bool:
    """Whether two rows hold the same content (a replay, or the same answers saved again)."""
    return row.deleted == incoming.deleted and entry_data(row) == entry_data(incoming)


def entry_data(row: Row) -> dict[str, Any]:
    """A stored entry's ``data``, in the shape clients post (tombstones keep the date)."""
    data: dict[str, Any] = {"date": row.date.isoformat()}
    if row.deleted:
        return data
    kind = ENTRY_TYPE_OF[type(row)]
    always = ALWAYS_RENDERED[kind]
    for name in DATA_FIELDS[kind]:
        value = getattr(row, name)
        if name not in always and value in (None, "", []):
            continue
        if isinstance(value, Decimal):
            value = float(value)
        elif isinstance(value, list):
            value = list(value)
        data[name] = value
    if kind == "questionnaire":
        data.update(score=row.score, band=row.band or None, subscores=dict(row.subscores))
    return data


def render_entry(row: Row) -> dict[str, Any]:
    """The entry as sync sends it back (pulls, and the server's copy in a result)."""
    return {
        "client_id": str(row.client_id),
        "type": ENTRY_TYPE_OF[type(row)],
        "updated_at": row.updated_at.isoformat(),
        "deleted": row.deleted,
        "data": entry_data(row),
        "version": row.seq,
    }


def render_record(row: Row) -> dict[str, Any]:
    """A history record: the data fields at top level, plus client_id and updated_at."""
    record = {"client_id": str(row.client_id), "updated_at": row.updated_at.isoformat(), **entry_data(row)}
    if isinstance(row, CheckIn):
        record["safety_level"] = row.safety_level
    return record


def parse_cursor(value: str | None) -> int | None:
    """A cursor is the opaque decimal string the server gave; '' or None means the beginning."""
    if not value:
        return 0
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)
