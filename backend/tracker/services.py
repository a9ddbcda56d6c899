"""Every write of the tracker: applying sync batches."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Value
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.caching import invalidation
from backend.programs.models import Program
from backend.programs.schedule import parse_item_id
from backend.tracker.models import CheckIn, JournalEntry, SafetyAlert, SessionLog, SyncState
from backend.tracker.safety import safety_rules
from backend.tracker.serializers import EntrySerializer, entry_data, parse_cursor, render_entry

Row = SessionLog | CheckIn | JournalEntry
MODELS: dict[str, type[Row]] = {"session": SessionLog, "checkin": CheckIn, "journal": JournalEntry}
CONTENT_FIELDS: dict[str, list[str]] = {
    "session": [
        "item_id",
        "program",
        "status",
        "sets",
        "reps",
        "hold_seconds",
        "duration_seconds",
        "effort",
        "note",
    ],
    "checkin": [
        "pain",
        "pain_areas",
        "stress",
        "sleep_hours",
        "sleep_quality",
        "mood",
        "red_flags",
        "note",
        "safety_level",
    ],
    "journal": ["feeling", "want_to_feel", "gratitude", "text"],
}
EMPTY: dict[str, Any] = {
    "item_id": "",
    "program": "",
    "status": "",
    "note": "",
    "pain_areas": [],
    "red_flags": [],
    "gratitude": [],
    "feeling": "",
    "want_to_feel": "",
    "text": "",
    "safety_level": CheckIn.Safety.NONE,
}


@dataclass
class SyncOutcome:
    results: list[dict[str, Any]] = field(default_factory=list)
    cursor: str = ""


def _build_row(user: User, entry: dict[str, Any], seq: int) -> Row:
    """An unsaved row holding exactly what the entry says (a tombstone keeps only its date)."""
    kind = entry["type"]
    data = entry["data"]
    values: dict[str, Any] = {name: EMPTY.get(name) for name in CONTENT_FIELDS[kind]}
    if not entry["deleted"]:
        for name in CONTENT_FIELDS[kind]:
            if name in data:
                values[name] = data[name]
        if kind == "checkin":
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


def _same(row: Row, incoming: Row) -> bool:
    return row.deleted == incoming.deleted and entry_data(row) == entry_data(incoming)


def _decide(row: Row, incoming: Row, entry: dict[str, Any]) -> str:
    """What a write of an entry the server holds does: the merge rule of sync.

    ``unchanged``: the same content again (a replay, or the same answers saved twice).
    With ``base_version`` (the version the edit was made from), the first edit made
    from a version to reach the server wins, whatever the clocks say: from the stored
    version it is ``updated``; from an older one it lost to an edit made meanwhile on
    another device, a ``conflict``. A device's own writes are told apart by its
    ``device`` id: after its answer was lost, a phone sends its next edit from the
    same old version, and that edit follows its own (``updated``); a write of its own
    older than the stored one is ``stale``. Without ``base_version`` (v1 clients) the
    later ``updated_at`` wins, but only over every time the server has stored for the
    entry, so a replayed old write never undoes a later edit (``stale``).
    ``ahead``: a base version the server never gave for this entry.
    """
    if _same(row, incoming):
        return "unchanged"
    base = entry.get("base_version")
    if base is None:
        return "updated" if incoming.updated_at > row.latest_updated_at else "stale"
    if base > row.seq:
        return "ahead"
    if base == row.seq:
        return "updated"
    device = entry.get("device")
    if device and row.written_by_device == device:
        if row.written_from_version == base and incoming.updated_at > row.updated_at:
            return "updated"
        return "stale"
    return "conflict"


def _safety(level: str) -> dict[str, str]:
    found = safety_rules().levels[level]
    return {"level": found.level, "title": found.title, "message": found.message}


def _result(client_id: Any, status: str, row: Row | None = None, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "client_id": None if client_id is None else str(client_id),
        "status": status,
        **extra,
    }
    if row is not None:
        result["version"] = row.seq
    if isinstance(row, CheckIn) and not row.deleted:
        result["safety"] = _safety(row.safety_level)
    return result


def _lost(client_id: Any, status: str, row: Row, incoming: Row) -> dict[str, Any]:
    """A write that was not stored: the server's copy goes back so the device converges now."""
    result = _result(client_id, status, server=render_entry(row))
    # The person just gave these answers: an emergency must show even if they lost.
    shown = incoming if isinstance(incoming, CheckIn) and not incoming.deleted else row
    if isinstance(shown, CheckIn) and not shown.deleted:
        result["safety"] = _safety(shown.safety_level)
    return result


def _rejection(raw: Any, errors: dict) -> dict[str, Any]:
    client_id = raw.get("client_id") if isinstance(raw, dict) else None
    if not isinstance(client_id, str) or len(client_id) > 64:
        client_id = None
    result = _result(client_id, "rejected", errors=errors)
    # Even a refused check-in must not hide an emergency from the person.
    if isinstance(raw, dict) and raw.get("type") == "checkin" and isinstance(raw.get("data"), dict):
        flags = raw["data"].get("red_flags")
        rules = safety_rules()
        if isinstance(flags, list) and flags and all(isinstance(f, str) and f in rules.rules for f in flags):
            result["safety"] = _safety(rules.evaluate(flags).level)
    return result


# Program slugs this process has seen in the catalog. Programs are retired, never
# deleted (session logs name them), so a slug once known stays valid: only a batch
# naming one not seen yet reads the catalog again.
_KNOWN_PROGRAMS: set[str] = set()


def _program_of(raw: dict) -> str | None:
    """The program a raw session entry names, if its item id is well formed."""
    data = raw.get("data")
    item_id = data.get("item_id") if isinstance(data, dict) else None
    parsed = parse_item_id(item_id) if isinstance(item_id, str) else None
    return parsed[0] if parsed else None


def program_slugs(named: set[str]) -> set[str]:
    """The catalog's program slugs, read only when ``named`` has one not known yet."""
    if not named <= _KNOWN_PROGRAMS:
        _KNOWN_PROGRAMS.update(Program.objects.values_list("slug", flat=True))
    return _KNOWN_PROGRAMS


def _existing(user: User, validated: list[dict[str, Any] | None]) -> dict[uuid.UUID, tuple[str, Row]]:
    """The user's stored rows with the batch's client ids, of any type.

    One query finds which ids exist and in which table; rows are read only from the
    tables that have some. A batch of new entries, the usual case, costs one query.
    """
    ids = [entry["client_id"] for entry in validated if entry is not None]
    if not ids:
        return {}
    lookups = [
        model.objects.filter(user=user, client_id__in=ids).values_list(Value(kind), "pk")
        for kind, model in MODELS.items()
    ]
    found: dict[str, list[int]] = {}
    for kind, pk in lookups[0].union(*lookups[1:], all=True):
        found.setdefault(kind, []).append(pk)
    existing: dict[uuid.UUID, tuple[str, Row]] = {}
    for kind, pks in found.items():
        for row in MODELS[kind].objects.filter(pk__in=pks):
            existing[row.client_id] = (kind, row)
    return existing


def _lock_sync_state(user: User) -> SyncState:
    # One round trip once the row exists, which is every batch but a user's first.
    state = SyncState.objects.select_for_update().filter(user=user).first()
    if state is None:
        SyncState.objects.bulk_create([SyncState(user=user)], ignore_conflicts=True)
        state = SyncState.objects.select_for_update().get(user=user)
    return state


def sync_apply(*, user: User, entries: list[Any], cursor: str | None = None) -> SyncOutcome:
    """Apply a batch from one device: each entry is created, updated, unchanged, stale,
    conflict (see ``_decide``) or rejected.

    A user's batches are serialised on their SyncState row, so two devices syncing at
    once end with one row per client_id and a gap-free change sequence. A bad entry
    is rejected with its field errors; the rest are still applied.
    """
    now = timezone.now()
    context: dict[str, Any] = {"today": local_today(user.timezone), "now": now}
    named = {_program_of(raw) for raw in entries if isinstance(raw, dict) and raw.get("type") == "session"}
    named.discard(None)  # a malformed item id is refused by validation, whatever the catalog holds
    if named:
        context["program_slugs"] = program_slugs(named)
    validated: list[dict[str, Any] | None] = []
    rejections: dict[int, dict[str, Any]] = {}
    validator = EntrySerializer(context=context)
    for index, raw in enumerate(entries):
        if not isinstance(raw, dict):
            rejections[index] = _rejection(raw, {"non_field_errors": ["Each entry must be a JSON object."]})
            validated.append(None)
            continue
        entry, errors = validator.check(raw)
        if errors is not None:
            rejections[index] = _rejection(raw, errors)
        validated.append(entry)

    for attempt in range(3):
        try:
            return _apply(user, validated, rejections, cursor)
        except IntegrityError:
            # Only reachable where row locks do not exist (SQLite): another batch of
            # this user won a race; re-reading makes this one see its rows.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _apply(
    user: User,
    validated: list[dict[str, Any] | None],
    rejections: dict[int, dict[str, Any]],
    cursor: str | None,
) -> SyncOutcome:
    state = _lock_sync_state(user)
    before = state.counter
    seq = before
    existing = _existing(user, validated)

    to_create: dict[str, dict[uuid.UUID, Row]] = {kind: {} for kind in MODELS}
    to_update: dict[str, dict[uuid.UUID, Row]] = {kind: {} for kind in MODELS}
    changed: dict[str, list[Row]] = {kind: [] for kind in MODELS}
    outcome = SyncOutcome()
    for index, entry in enumerate(validated):
        if entry is None:
            outcome.results.append(rejections[index])
            continue
        kind, client_id = entry["type"], entry["client_id"]
        incoming = _build_row(user, entry, seq + 1)
        found = existing.get(client_id)
        if found is None:
            seq += 1
            existing[client_id] = (kind, incoming)
            to_create[kind][client_id] = incoming
            outcome.results.append(_result(client_id, "created", incoming))
            continue
        found_kind, row = found
        if found_kind != kind:
            outcome.results.append(
                _result(
                    client_id,
                    "rejected",
                    errors={"type": [f"This client_id is already a {found_kind} entry."]},
                )
            )
            continue
        decision = _decide(row, incoming, entry)
        if decision == "ahead":
            outcome.results.append(
                _result(
                    client_id,
                    "rejected",
                    errors={"base_version": ["This version was not given by the server for this entry."]},
                )
            )
            continue
        if decision in ("updated", "unchanged") and incoming.updated_at > row.latest_updated_at:
            # A stored time raises the mark, even by a write that changes nothing: a v1
            # edit older than this resend must not win later (issue 12, finding 3).
            row.latest_updated_at = incoming.updated_at
            if decision == "unchanged" and client_id not in to_create[kind]:
                to_update[kind][client_id] = row
        if decision == "updated":
            seq += 1
            row.updated_at = incoming.updated_at
            row.deleted = incoming.deleted
            row.date = incoming.date
            row.seq = seq
            row.written_by_device = incoming.written_by_device
            row.written_from_version = incoming.written_from_version
            row.updated_on_server = timezone.now()
            for name in CONTENT_FIELDS[kind]:
                setattr(row, name, getattr(incoming, name))
            if client_id not in to_create[kind]:
                to_update[kind][client_id] = row
                changed[kind].append(row)
            outcome.results.append(_result(client_id, "updated", row))
        elif decision == "unchanged":
            outcome.results.append(_result(client_id, "unchanged", row))
        else:
            outcome.results.append(_lost(client_id, decision, row, incoming))

    for kind, model in MODELS.items():
        if to_create[kind]:
            model.objects.bulk_create(to_create[kind].values(), batch_size=500)
        if to_update[kind]:
            # One statement for edits and raised marks alike: an unedited row writes its own values back.
            fields = [
                "updated_at",
                "latest_updated_at",
                "deleted",
                "date",
                "seq",
                "written_by_device",
                "written_from_version",
                "updated_on_server",
                *CONTENT_FIELDS[kind],
            ]
            model.objects.bulk_update(to_update[kind].values(), fields, batch_size=250)
    _follow_alerts(created=list(to_create["checkin"].values()), updated=changed["checkin"])
    if seq != before:
        state.counter = seq
        state.save(update_fields=["counter"])
        invalidation.user_changed(user.pk)  # today's plan, clinicians' patient lists

    # The device may move its cursor past this batch only if it had already seen
    # everything before it; otherwise it must pull from where it was.
    if parse_cursor(cursor) == before:
        outcome.cursor = str(seq)
    else:
        outcome.cursor = cursor or ""
    return outcome


SAFETY_RANK = {level: rank for rank, level in enumerate(("none", "see_doctor", "urgent", "emergency"))}


def _follow_alerts(*, created: list[CheckIn], updated: list[CheckIn]) -> None:
    """Open, update or withdraw the clinicians' safety alert of each written check-in.

    Only an updated check-in can have an alert already: new ones need no read.
    """
    if not created and not updated:
        return
    now = timezone.now()
    alerts = (
        {a.checkin_id: a for a in SafetyAlert.objects.filter(checkin__in=[c.pk for c in updated])}
        if updated
        else {}
    )
    to_create, to_update = [], []
    for checkin in [*created, *updated]:
        alert = alerts.get(checkin.pk)
        flagged = not checkin.deleted and checkin.safety_level != CheckIn.Safety.NONE
        if alert is None:
            if flagged:
                to_create.append(
                    SafetyAlert(
                        patient_id=checkin.user_id,
                        checkin=checkin,
                        level=checkin.safety_level,
                        red_flags=checkin.red_flags,
                        date=checkin.date,
                    )
                )
            continue
        if not flagged:
            if alert.withdrawn_at is None:
                alert.withdrawn_at = now
                to_update.append(alert)
            continue
        if SAFETY_RANK[checkin.safety_level] > SAFETY_RANK[alert.level]:
            # More serious than what a clinician acknowledged: it needs a new look.
            alert.acknowledged_at = alert.acknowledged_by = None
        alert.level, alert.red_flags, alert.date, alert.withdrawn_at = (
            checkin.safety_level,
            checkin.red_flags,
            checkin.date,
            None,
        )
        to_update.append(alert)
    if to_create:
        SafetyAlert.objects.bulk_create(to_create)
    if to_update:
        SafetyAlert.objects.bulk_update(
            to_update, ["level", "red_flags", "date", "withdrawn_at", "acknowledged_at", "acknowledged_by"]
        )
