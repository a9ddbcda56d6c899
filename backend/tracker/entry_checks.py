"""The quick check of a synced entry: plain Python for the entries a phone sends every
day, the DRF serializers (``serializers.EntrySerializer``) for everything else.

DRF validation is most of a sync batch's CPU (fields run through validators, deep
copies, lazy messages). Here an entry is accepted only when it is well formed in the
plain way clients send it (JSON strings, whole numbers, lists of strings); the value
returned is exactly what ``EntrySerializer.run_validation`` returns for it. Anything
else, any error or any doubt (a number sent as a string, a float for a whole number,
an unknown red flag, a missing field), answers ``None`` and the serializer decides:
so every refusal, and its message, still comes from the serializers, and a test
(tests/tracker/test_entry_checks.py) compares the two on generated entries.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any

from django.utils.dateparse import parse_datetime

from backend.core.fields import _ISO_DATE, MAX_YEAR, MIN_YEAR
from backend.outcomes.instruments import instruments
from backend.programs.lessons import lesson_catalog
from backend.programs.schedule import FLARE_PROGRAM, RX_PROGRAM, parse_item_id
from backend.tracker.entries import (
    ENTRY_TYPES,
    FEELING_MAX,
    JOURNAL_TEXT_MAX,
    JOURNAL_WRITTEN,
    NOTE_MAX,
    OFFSET,
)
from backend.tracker.factors import fold_factors
from backend.tracker.safety import safety_rules


class _Doubt(Exception):
    """Raised inside to hand the entry to the serializer; never leaves this module."""


_DOUBT = _Doubt()
_ABSENT = object()
_PAIN_AREAS = ("neck_shoulders", "upper_back", "lower_back", "legs")
_TYPES = frozenset(ENTRY_TYPES)
_SESSION_STATUSES = frozenset(("done", "skipped"))


def _text(value: object, max_length: int, *, allow_blank: bool) -> str:
    """DRF's trimmed CharField (with StrictCharField's JSON-string rule)."""
    if value.__class__ is not str:
        raise _DOUBT
    text = value.strip()  # type: ignore[attr-defined]
    if not text:
        if allow_blank:
            return ""
        raise _DOUBT
    if len(text) > max_length or "\x00" in text:
        raise _DOUBT
    if not text.isascii():
        try:
            text.encode("utf-8")  # surrogates cannot be encoded: DRF refuses them
        except UnicodeEncodeError:
            raise _DOUBT from None
    return text


def _int(value: object, low: int, high: int) -> int | None:
    """DRF's IntegerField for a JSON whole number (or null where null is allowed)."""
    if value is None:
        return None
    if value.__class__ is not int or not low <= value <= high:  # type: ignore[operator]
        raise _DOUBT
    return value  # type: ignore[return-value]


def _date(value: object, today: dt.date | None) -> dt.date:
    """``EntryDateField`` (CalendarDateField, not more than a day ahead of today)."""
    if value.__class__ is not str:
        raise _DOUBT
    text = value.strip()  # type: ignore[attr-defined]
    if not _ISO_DATE.match(text):
        raise _DOUBT
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise _DOUBT from None
    if not MIN_YEAR <= day.year <= MAX_YEAR or (today is not None and day > today + dt.timedelta(days=1)):
        raise _DOUBT
    return day


def _strings(value: object, max_items: int, max_length: int) -> list[str]:
    """A ListField of trimmed, non-blank StrictCharFields."""
    if value.__class__ is not list or len(value) > max_items:  # type: ignore[arg-type]
        raise _DOUBT
    return [_text(item, max_length, allow_blank=False) for item in value]  # type: ignore[attr-defined]


def _session(data: dict, context: dict) -> dict:
    out: dict[str, Any] = {"date": _date(data.get("date", _ABSENT), context.get("today"))}
    out["item_id"] = _text(data.get("item_id"), 160, allow_blank=False)
    status = data.get("status")
    if status.__class__ is not str or status not in _SESSION_STATUSES:
        raise _DOUBT
    out["status"] = status
    for name, high in (
        ("sets", 100),
        ("reps", 1000),
        ("hold_seconds", 7200),
        ("duration_seconds", 86400),
        ("effort", 10),
        ("pain_before", 10),
        ("pain_after", 10),
    ):
        value = data.get(name, _ABSENT)
        if value is not _ABSENT:
            out[name] = _int(value, 0, high)
    note = data.get("note", _ABSENT)
    if note is not _ABSENT:
        out["note"] = _text(note, NOTE_MAX, allow_blank=True)
    parsed = parse_item_id(out["item_id"])
    if parsed is None:
        raise _DOUBT
    program, _key, day = parsed
    if day != out["date"]:
        raise _DOUBT
    known = context.get("program_slugs")
    if known is not None and program not in known and program not in (FLARE_PROGRAM, RX_PROGRAM):
        raise _DOUBT
    out["program"] = program
    return out


def _checkin(data: dict, context: dict) -> dict:
    out: dict[str, Any] = {"date": _date(data.get("date", _ABSENT), context.get("today"))}
    out["pain"] = _int(data.get("pain", _ABSENT), 0, 10)
    areas = data.get("pain_areas", _ABSENT)
    if areas is not _ABSENT:
        if areas.__class__ is not list or len(areas) > len(_PAIN_AREAS):  # type: ignore[arg-type]
            raise _DOUBT
        for area in areas:  # type: ignore[attr-defined]
            if area.__class__ is not str or area not in _PAIN_AREAS:
                raise _DOUBT
        out["pain_areas"] = sorted(set(areas), key=_PAIN_AREAS.index)  # type: ignore[arg-type]
    out["stress"] = _int(data.get("stress", _ABSENT), 0, 10)
    sleep = data.get("sleep_hours", _ABSENT)
    if sleep is not _ABSENT:
        if sleep is None:
            out["sleep_hours"] = None
        else:
            if sleep.__class__ not in (int, float):
                raise _DOUBT
            hours = float(sleep)  # type: ignore[arg-type]
            if not math.isfinite(hours) or not 0 <= hours <= 24:
                raise _DOUBT
            out["sleep_hours"] = round(hours, 1)
    for name in ("sleep_quality", "mood"):
        value = data.get(name, _ABSENT)
        if value is not _ABSENT:
            out[name] = _int(value, 1, 5)
    flags = data.get("red_flags", _ABSENT)
    if flags is not _ABSENT:
        given = _strings(flags, 50, 64)
        rules = safety_rules().rules
        for flag in given:
            rule = rules.get(flag)
            if rule is None or rule.asked != "daily":
                raise _DOUBT
        out["red_flags"] = sorted(set(given))
    note = data.get("note", _ABSENT)
    if note is not _ABSENT:
        out["note"] = _text(note, NOTE_MAX, allow_blank=True)
    factors = data.get("factors", _ABSENT)
    if factors is not _ABSENT:
        if factors.__class__ is not list:
            raise _DOUBT
        for factor in factors:  # type: ignore[attr-defined]
            if factor.__class__ is not str:
                raise _DOUBT
        out["factors"] = fold_factors(factors)  # type: ignore[arg-type]  # raises on anything wrong
    return out


_JOURNAL_TEXTS = (
    ("feeling", FEELING_MAX),
    ("want_to_feel", FEELING_MAX),
    ("text", JOURNAL_TEXT_MAX),
    ("in_control", JOURNAL_TEXT_MAX),
    ("anxious_thought", JOURNAL_TEXT_MAX),
    ("kinder_view", JOURNAL_TEXT_MAX),
)


def _journal(data: dict, context: dict) -> dict:
    out: dict[str, Any] = {"date": _date(data.get("date", _ABSENT), context.get("today"))}
    for name, max_length in _JOURNAL_TEXTS[:2]:
        value = data.get(name, _ABSENT)
        if value is not _ABSENT:
            out[name] = _text(value, max_length, allow_blank=True)
    gratitude = data.get("gratitude", _ABSENT)
    if gratitude is not _ABSENT:
        out["gratitude"] = _strings(gratitude, 3, 200)
    for name, max_length in _JOURNAL_TEXTS[2:]:
        value = data.get(name, _ABSENT)
        if value is not _ABSENT:
            out[name] = _text(value, max_length, allow_blank=True)
    if not any(out.get(name) for name in JOURNAL_WRITTEN):
        raise _DOUBT
    return out


def _lesson(data: dict, context: dict) -> dict:
    out: dict[str, Any] = {"date": _date(data.get("date", _ABSENT), context.get("today"))}
    lesson = _text(data.get("lesson"), 64, allow_blank=False)
    if lesson not in lesson_catalog() or data.get("status") != "read" or data["status"].__class__ is not str:
        raise _DOUBT
    out["lesson"] = lesson
    out["status"] = "read"
    return out


def _questionnaire(data: dict, context: dict) -> dict:
    out: dict[str, Any] = {"date": _date(data.get("date", _ABSENT), context.get("today"))}
    slug = _text(data.get("questionnaire"), 32, allow_blank=False)
    offered = instruments()
    answers = data.get("answers")
    if slug not in offered or answers.__class__ is not dict:
        raise _DOUBT
    instrument = offered[slug]
    if len(answers) != len(instrument.items):  # type: ignore[arg-type]
        raise _DOUBT
    chosen = {}
    for item in instrument.items:
        value = answers.get(item.id, _ABSENT)  # type: ignore[attr-defined]
        if value.__class__ is not int or value not in [a.value for a in item.answers]:
            raise _DOUBT
        chosen[item.id] = value
    out["questionnaire"] = slug
    out["answers"] = chosen
    return out


_DATA = {
    "session": _session,
    "checkin": _checkin,
    "journal": _journal,
    "lesson": _lesson,
    "questionnaire": _questionnaire,
}


def quick_entry(raw: dict, context: dict, timestamp: Any) -> dict | None:
    """The validated entry, as ``EntrySerializer`` gives it, or None: let it decide.

    ``timestamp`` is an ``OffsetDateTimeField`` (its time zone rule is DRF's)."""
    try:
        client_id = raw.get("client_id")
        kind = raw.get("type")
        stamp = raw.get("updated_at")
        if client_id.__class__ is not str or kind.__class__ is not str or stamp.__class__ is not str:
            return None
        if kind not in _TYPES or OFFSET.search(stamp.strip()) is None:
            return None
        parsed = parse_datetime(stamp)
        if parsed is None or parsed.tzinfo is None:
            return None
        updated_at = timestamp.enforce_timezone(parsed)
        if updated_at > context["now"] + context["clock_ahead"]:
            return None
        deleted = raw.get("deleted", False)
        if deleted.__class__ is not bool:
            return None
        data = raw.get("data", _ABSENT)
        if data is _ABSENT:
            data = {}
        elif data.__class__ is not dict:
            return None
        entry: dict[str, Any] = {
            "client_id": uuid.UUID(hex=client_id),
            "type": kind,
            "updated_at": updated_at,
            "deleted": deleted,
        }
        if deleted:
            date = data.get("date", _ABSENT)
            entry["data"] = {} if date is _ABSENT else {"date": _date(date, None)}
        else:
            entry["data"] = _DATA[kind](data, context)
        base = raw.get("base_version", _ABSENT)
        if base is not _ABSENT:
            entry["base_version"] = _int(base, 0, 2**62)
        device = raw.get("device", _ABSENT)
        if device is not _ABSENT:
            entry["device"] = _text(device, 64, allow_blank=True)
        return entry
    except Exception:  # any doubt at all: the serializer decides, and says why
        return None
