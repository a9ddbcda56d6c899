"""Every write of the tracker: applying sync batches."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.utils import timezone

from backend.accounts.models import User
from backend.caching import invalidation
from backend.outcomes.instruments import all_instruments
from backend.tracker import entries
from backend.tracker.entries import CONTENT_FIELDS, MODELS, Rejected, Row
from backend.tracker.holds import HOLDING, holds_follow
from backend.tracker.models import CheckIn, QuestionnaireAnswer, SafetyAlert, SyncState
from backend.tracker.safety import safety_answer, safety_rules
from backend.tracker.signals import serious_alerts_opened


@dataclass
class SyncOutcome:
    results: list[dict[str, Any]] = field(default_factory=list)
    cursor: str = ""


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
    if entries.same(row, incoming):
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
    if isinstance(row, QuestionnaireAnswer) and not row.deleted:
        # What the answer scores, and whether to offer support now (a PHQ-4 above its
        # threshold opens the same help a very low mood does).
        scored = all_instruments()[row.questionnaire].score(row.answers)
        result.update(score=scored.score, band=scored.band, support=scored.support)
    return result


def _lost(client_id: Any, status: str, row: Row, incoming: Row) -> dict[str, Any]:
    """A write that was not stored: the server's copy goes back so the device converges now."""
    result = _result(client_id, status, server=entries.render_entry(row))
    # The person just gave these answers: an emergency must show even if they lost.
    shown = incoming if isinstance(incoming, CheckIn) and not incoming.deleted else row
    if isinstance(shown, CheckIn) and not shown.deleted:
        result["safety"] = _safety(shown.safety_level)
    return result


def _rejection(rejected: Rejected) -> dict[str, Any]:
    result = _result(rejected.client_id, "rejected", errors=rejected.errors)
    if rejected.red_flags:
        # Even a refused check-in must not hide an emergency from the person.
        result["safety"] = _safety(safety_rules().evaluate(rejected.red_flags).level)
    return result


def _existing(user: User, valid: list[dict[str, Any]]) -> dict[uuid.UUID, tuple[str, Row]]:
    """The user's stored rows with the batch's client ids, of any type.

    On PostgreSQL one query reads them whole, from every table at once. Elsewhere one
    query finds which ids exist and in which table, and rows are read only from the
    tables that have some. A batch of new entries, the usual case, costs one query.
    """
    ids = [entry["client_id"] for entry in valid]
    if not ids:
        return {}
    if connection.vendor == "postgresql":
        # One query in plain SQL, whole rows as JSON: building five ORM querysets, and
        # reading each table that has some, cost more than the rest of a replay.
        listed = "{" + ",".join(str(client_id) for client_id in ids) + "}"
        with connection.cursor() as cursor:
            cursor.execute(_EXISTING_SQL, [value for _ in MODELS for value in (user.pk, listed)])
            found_rows = cursor.fetchall()
        existing_rows: dict[uuid.UUID, tuple[str, Row]] = {}
        for kind, record in found_rows:
            row = _from_json(MODELS[kind], json.loads(record))
            existing_rows[row.client_id] = (kind, row)
        return existing_rows
    pairs = _existing_pairs(user, ids)
    found: dict[str, list[int]] = {}
    for kind, pk in pairs:
        found.setdefault(kind, []).append(pk)
    existing: dict[uuid.UUID, tuple[str, Row]] = {}
    for kind, pks in found.items():
        for row in MODELS[kind].objects.filter(pk__in=pks):
            existing[row.client_id] = (kind, row)
    return existing


_EXISTING_SQL = " UNION ALL ".join(
    f"SELECT '{kind}', row_to_json(t)::text FROM \"{model._meta.db_table}\" t "  # noqa: S608 - no user input
    f'WHERE "user_id" = %s AND "client_id" = ANY(%s::uuid[])'
    for kind, model in MODELS.items()
)


def _parse_decimal(value: Any) -> Decimal:
    return Decimal(str(value))


# How a column's JSON value (row_to_json) becomes what the ORM would have read.
_FROM_JSON: dict[str, Any] = {
    "DateTimeField": dt.datetime.fromisoformat,
    "DateField": dt.date.fromisoformat,
    "DecimalField": _parse_decimal,
    "UUIDField": uuid.UUID,
    "FloatField": float,
}


@cache
def _json_columns(model: type[Row]) -> tuple[list[str], list[tuple[str, Any]]]:
    fields = model._meta.concrete_fields
    return [f.attname for f in fields], [(f.column, _FROM_JSON.get(f.get_internal_type())) for f in fields]


def _from_json(model: type[Row], record: dict[str, Any]) -> Row:
    """A stored row read as JSON, as the model instance the ORM would have built."""
    names, columns = _json_columns(model)
    values = []
    for column, parse in columns:
        value = record[column]
        values.append(value if value is None or parse is None else parse(value))
    return model.from_db(connection.alias, names, values)


def _existing_pairs(user: User, ids: list[uuid.UUID]) -> list[tuple[str, int]]:
    lookups = [
        model.objects.filter(user=user, client_id__in=ids).values_list(Value(kind), "pk")
        for kind, model in MODELS.items()
    ]
    return list(lookups[0].union(*lookups[1:], all=True))


def _lock_sync_state(user: User) -> SyncState:
    # One round trip once the row exists, which is every batch but a user's first.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_LOCK_SQL, [user.pk])
            found = cursor.fetchone()
        if found is not None:
            locked = SyncState(user_id=user.pk, counter=found[0])
            locked._state.adding, locked._state.db = False, connection.alias
            return locked
    state = SyncState.objects.select_for_update().filter(user=user).first()
    if state is None:
        SyncState.objects.bulk_create([SyncState(user=user)], ignore_conflicts=True)
        state = SyncState.objects.select_for_update().get(user=user)
    return state


_LOCK_SQL = f'SELECT "counter" FROM "{SyncState._meta.db_table}" WHERE "user_id" = %s FOR UPDATE'  # noqa: S608


def sync_apply(
    *, user: User, entries: list[dict[str, Any] | Rejected], cursor: str | None = None
) -> SyncOutcome:
    """Apply a batch from one device, validated entry by entry (``serializers.validate_entries``):
    each is created, updated, unchanged, stale, conflict (see ``_decide``) or rejected.

    A user's batches are serialised on their SyncState row, so two devices syncing at
    once end with one row per client_id and a gap-free change sequence. A refused entry
    is answered with its field errors; the rest are still applied.
    """
    for attempt in range(3):
        try:
            return _apply(user, entries, cursor)
        except IntegrityError:
            # Only reachable where row locks do not exist (SQLite): another batch of
            # this user won a race; re-reading makes this one see its rows.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _apply(user: User, checked: list[dict[str, Any] | Rejected], cursor: str | None) -> SyncOutcome:
    state = _lock_sync_state(user)
    before = state.counter
    seq = before
    valid = [entry for entry in checked if not isinstance(entry, Rejected)]
    existing = _existing(user, valid)

    to_create: dict[str, dict[uuid.UUID, Row]] = {kind: {} for kind in MODELS}
    to_update: dict[str, dict[uuid.UUID, Row]] = {kind: {} for kind in MODELS}
    changed: dict[str, list[Row]] = {kind: [] for kind in MODELS}
    outcome = SyncOutcome()
    for entry in checked:
        if isinstance(entry, Rejected):
            outcome.results.append(_rejection(entry))
            continue
        kind, client_id = entry["type"], entry["client_id"]
        incoming = entries.build_row(user, entry, seq + 1)
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

    inserted = False
    if connection.vendor == "postgresql":
        created_checkins = to_create["checkin"].values()
        # A flagged check-in's alert refers to its id: those batches take bulk_create.
        if not any(row.safety_level != CheckIn.Safety.NONE for row in created_checkins):  # type: ignore[union-attr]
            inserted = _insert(to_create, counter=seq if seq != before else None, user_id=user.pk)
    for kind, model in MODELS.items():
        # Each dict holds rows of this kind's model only (mypy sees the union of the three).
        manager: Any = model.objects
        if to_create[kind] and not inserted:
            manager.bulk_create(to_create[kind].values(), batch_size=500)
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
            manager.bulk_update(to_update[kind].values(), fields, batch_size=250)
    _follow_alerts(
        created=[row for row in to_create["checkin"].values() if isinstance(row, CheckIn)],
        updated=[row for row in changed["checkin"] if isinstance(row, CheckIn)],
    )
    if seq != before:
        if not inserted:
            state.counter = seq
            state.save(update_fields=["counter"])
        invalidation.user_changed(user.pk)  # today's plan, clinicians' patient lists

    country = user.effective_country
    for result in outcome.results:
        if "safety" in result:
            # Who to call depends on where the person is, not on the entry.
            result["safety"] = safety_answer(result["safety"]["level"], country=country)

    # The device may move its cursor past this batch only if it had already seen
    # everything before it; otherwise it must pull from where it was.
    if entries.parse_cursor(cursor) == before:
        outcome.cursor = str(seq)
    else:
        outcome.cursor = cursor or ""
    return outcome


@cache
def _columns(model: type[Row]) -> list[tuple[str, str, str | None]]:
    """(attribute, column, PostgreSQL type) of every column a new row is inserted with."""
    return [
        (field.attname, field.column, field.db_type(connection))
        for field in model._meta.concrete_fields
        if not field.primary_key
    ]


def _json_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, dt.date):  # datetimes too: ISO 8601 with the offset
        return value.isoformat()
    return value


def _insert(to_create: dict[str, dict[uuid.UUID, Row]], *, counter: int | None, user_id: int) -> bool:
    """The batch's new rows, every type, and the user's new change counter in one
    statement: each table's rows travel as one JSON array that PostgreSQL expands
    (``jsonb_to_recordset``), so no parameter is quoted per value, no model field
    prepares a value, and a batch costs one round trip whatever types it holds.
    The created and updated times are the server's (``auto_now``), one for the batch.
    False when there was nothing new (the counter is then the caller's to write).
    """
    now = timezone.now().isoformat()
    parts: list[str] = []
    params: list[Any] = []
    for kind, rows in to_create.items():
        if not rows:
            continue
        model = MODELS[kind]
        columns = _columns(model)
        names = ", ".join(f'"{column}"' for _, column, _ in columns)
        types = ", ".join(f'"{column}" {db_type}' for _, column, db_type in columns)
        records = []
        for row in rows.values():
            record = {column: _json_value(getattr(row, attname)) for attname, column, _ in columns}
            record["created_on_server"] = record["updated_on_server"] = now
            records.append(record)
        # Names and types come from the models, never from a request; the rows are a parameter.
        parts.append(
            f'"{kind}" AS (INSERT INTO "{model._meta.db_table}" ({names}) '  # noqa: S608
            f"SELECT {names} FROM jsonb_to_recordset(%s::jsonb) AS r({types}))"
        )
        params.append(json.dumps(records))
    if not parts:
        return False
    if counter is None:
        final = "SELECT 1"
    else:
        final = f'UPDATE "{SyncState._meta.db_table}" SET "counter" = %s WHERE "user_id" = %s'  # noqa: S608
        params += [counter, user_id]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} {final}", params)
    return True


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
    rising: set[int] = set()  # alerts whose level went up, or that came back
    lowered: list[CheckIn] = []  # no longer holding: edited below urgent, or deleted
    for checkin in [*created, *updated]:
        alert = alerts.get(checkin.pk)
        flagged = not checkin.deleted and checkin.safety_level != CheckIn.Safety.NONE
        if (
            alert is not None
            and alert.withdrawn_at is None
            and alert.level in HOLDING
            and (checkin.deleted or checkin.safety_level not in HOLDING)
        ):
            lowered.append(checkin)
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
        if alert.withdrawn_at is not None or SAFETY_RANK[checkin.safety_level] > SAFETY_RANK[alert.level]:
            # More serious than what a clinician acknowledged (or back after being
            # withdrawn): it needs a new look, and the clinicians a new notice.
            alert.acknowledged_at = alert.acknowledged_by = None
            rising.add(alert.pk)
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
    serious = [
        alert for alert in [*to_create, *(a for a in to_update if a.pk in rising)] if alert.level in HOLDING
    ]
    written = {checkin.pk: checkin for checkin in [*created, *updated]}
    holds_follow(
        user_id=[*created, *updated][0].user_id,
        serious=[written[alert.checkin_id] for alert in serious],
        lowered=lowered,
    )
    if serious:
        ids = [alert.pk for alert in serious]
        transaction.on_commit(lambda: serious_alerts_opened.send(sender=SafetyAlert, alert_ids=ids))
