"""The reminders' raw SQL: one multi-row statement where the ORM would build a row at a time."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import Lookup
from django.utils import timezone

from backend.reminders.models import (
    Delivery,
    ReminderRule,
)

logger = logging.getLogger(__name__)


def bulk_insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning_ids: bool = False,
    ignore_conflicts: bool = False,
) -> list[int]:
    """One multi-row INSERT, optionally ``ON CONFLICT DO NOTHING`` / ``RETURNING id``.

    Django's bulk_create prepares every field of every object in Python, a quarter
    of a millisecond a row: most of the dispatcher's and the sender's own time in
    the 10k benchmark. These rows are plain values. On PostgreSQL they travel as one
    array per column (``unnest``): a few parameters instead of thousands, each of
    which the driver would otherwise adapt in Python. Both databases return ids in
    the order the rows are given, which bulk_create relies on too.
    """
    if not rows:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    tail = (" ON CONFLICT DO NOTHING" if ignore_conflicts else "") + (
        " RETURNING id" if returning_ids else ""
    )
    if connection.vendor == "postgresql":
        fields = {f.attname: f for f in model._meta.concrete_fields}
        arrays = ", ".join(f"%s::{fields[column].db_type(connection)}[]" for column in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}){tail}"  # noqa: S608
        params: list[Any] = [list(values) for values in zip(*rows, strict=True)]
    else:
        placeholders = f"({', '.join(['%s'] * len(columns))})"
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([placeholders] * len(rows))}{tail}"  # noqa: S608
        )
        params = [
            connection.ops.adapt_datetimefield_value(value) if isinstance(value, dt.datetime) else value
            for row in rows
            for value in row
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row_id for (row_id,) in cursor.fetchall()] if returning_ids else []


class AnyOf(Lookup):
    """``column = ANY(%s)``: a list of integer ids as one array parameter, for
    ``filter()`` (``filter(AnyOf(F("pk"), ids))``).

    ``pk__in`` prepares every id in Django and writes a placeholder per id, a query
    psycopg then parses afresh each time; psycopg adapting a Python list is slow too,
    so the array goes as its text form (``{1,2,3}``, every id checked an int). With
    250 ids this was a third of a send task's own CPU in the benchmark. SQLite
    (``make run``) gets the ``IN (...)`` it understands.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: Any) -> None:
        super().__init__(lhs, [int(value) for value in rhs])

    def get_prep_lookup(self) -> Any:
        return self.rhs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            array = "{" + ",".join(map(str, self.rhs)) + "}"
            return f"{lhs} = ANY(%s::{self.lhs.output_field.db_type(connection)}[])", [*lhs_params, array]
        if not self.rhs:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*lhs_params, *self.rhs]


DELIVERY_COLUMNS = (
    "user_id",
    "rule_id",
    "kind",
    "fire_at",
    "status",
    "reason",
    "created_at",
    "finished_at",
    "lease_owner",
    "leased_until",
)


def insert_deliveries(deliveries: list[Delivery]) -> None:
    """Insert the batch's deliveries and set their ids."""
    now = timezone.now()
    for delivery in deliveries:
        delivery.created_at = now
    rows = [[getattr(d, column) for column in DELIVERY_COLUMNS] for d in deliveries]
    ids = bulk_insert(Delivery, DELIVERY_COLUMNS, rows, returning_ids=True)
    for delivery, pk in zip(deliveries, ids, strict=True):
        delivery.pk = pk


def set_next_fire_at(pairs: list[tuple[int, dt.datetime | None]]) -> None:
    """One UPDATE for the whole batch (see ``bulk_insert`` for the two forms).

    Django's bulk_update builds a CASE WHEN per row in Python: 1 ms a row, most of
    a 500-rule batch's time.
    """
    if not pairs:
        return
    table = connection.ops.quote_name(ReminderRule._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ids, instants = zip(*pairs, strict=True)
            cursor.execute(
                f"UPDATE {table} SET next_fire_at = v.next_fire_at "  # noqa: S608 - no user input in the SQL
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, next_fire_at) "
                f"WHERE {table}.id = v.id",
                [list(ids), list(instants)],
            )
        else:
            params: list[Any] = []
            for pk, when in pairs:
                params += [pk, connection.ops.adapt_datetimefield_value(when)]
            cursor.execute(
                # VALUES columns are named column1, column2 (SQLite 3.33+ has UPDATE ... FROM).
                f"UPDATE {table} SET next_fire_at = v.column2 "  # noqa: S608 - no user input in the SQL
                f"FROM (VALUES {', '.join(['(%s, %s)'] * len(pairs))}) AS v "
                f"WHERE {table}.id = v.column1",
                params,
            )


# --- The set-based dispatcher (PostgreSQL) ----------------------------------------------------

# A rule's schedule as one text: the zone and the fields that decide when it fires. The
# schedules of a tick are worked out once each (``due_schedules``), then matched to the
# rules by this text. jsonb's text form is canonical, so equal fields give equal texts.
_SCHEDULE_KEY = (
    "concat_ws(chr(31), u.timezone, coalesce(r.times::text, ''), coalesce(r.every_minutes::text, ''), "
    "coalesce(r.\"window\"::text, ''), coalesce(r.weekdays::text, ''), coalesce(r.quiet_hours::text, ''))"
)


def _tables() -> dict[str, str]:
    from backend.accounts.models import User

    quote = connection.ops.quote_name
    return {
        "rule": quote(ReminderRule._meta.db_table),
        "user": quote(User._meta.db_table),
        "delivery": quote(Delivery._meta.db_table),
    }


def due_schedules(*, now: dt.datetime) -> list[tuple[str, str, dict[str, Any]]]:
    """The distinct schedules of the rules due at ``now``: (key, zone, the rule's fields)."""
    tables = _tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT DISTINCT {_SCHEDULE_KEY}, u.timezone, r.times, r.every_minutes, r."window", '  # noqa: S608 - no user input in the SQL
            f"r.weekdays, r.quiet_hours FROM {tables['rule']} r JOIN {tables['user']} u ON u.id = r.user_id "
            "WHERE r.enabled AND r.next_fire_at <= %s",
            [now],
        )
        rows = cursor.fetchall()
    return [
        (
            key,
            zone,
            {
                "times": decode(times) or (),
                "every_minutes": every_minutes,
                "window": decode(window),
                "weekdays": decode(weekdays),
                "quiet_hours": decode(quiet_hours),
            },
        )
        for key, zone, times, every_minutes, window, weekdays, quiet_hours in rows
    ]


def decode(value: Any) -> Any:
    """Raw cursors hand jsonb back as text or already decoded, depending on the driver's set-up."""
    return json.loads(value) if isinstance(value, str | bytes) else value


@dataclass
class ClaimedBatch:
    claimed: int
    # Claimed, but of a schedule not worked out beforehand (edited since): still due, locked.
    unknown_ids: list[int]
    late: int
    pending_ids: list[int]  # queued to send, session reminders aside
    # Pending session reminders, which may yet be skipped: (id, user_id, fire_at, zone, daily_minutes).
    sessions: list[tuple[int, int, dt.datetime, str, int | None]]


def dispatch_claimed(
    *,
    now: dt.datetime,
    late_before: dt.datetime,
    leased_until: dt.datetime,
    limit: int,
    outlook: dict[str, tuple[dt.datetime | None, dt.datetime | None]],
) -> ClaimedBatch:
    """Claim up to ``limit`` due rules, record their deliveries and move them on: one statement.

    ``outlook``: for each schedule key, its last slot since ``late_before`` and its next
    slot after ``now`` (``schedule.recent_and_next``). A rule due before ``late_before``
    is recorded as skipped (late) at its due time, and that last slot, if any, is
    sent instead; a rule due since is sent at the later of its due time and that last
    slot (one reminder after a short outage, not a burst). Every claimed rule moves to
    its schedule's next slot. A slot already recorded (the unique rule and fire_at) is
    not recorded again: it went out before. A claimed rule whose schedule is not in
    ``outlook`` (edited since it was read) is left as it is, locked, its id in
    ``unknown_ids`` for the caller to do.
    """
    tables = _tables()
    statement = f"""
        WITH claimed AS (
            -- Only the rule rows: a join here would have the planner sort every due row
            -- each batch rather than walk the due index and stop at the limit.
            SELECT r.id, r.user_id, r.kind, r.next_fire_at AS due, r.times, r.every_minutes, r."window",
                r.weekdays, r.quiet_hours
            FROM {tables["rule"]} r
            WHERE r.enabled AND r.next_fire_at <= %(now)s
            ORDER BY r.next_fire_at
            LIMIT %(limit)s
            FOR UPDATE SKIP LOCKED
        ),
        matched AS (
            -- The outlook is one jsonb object {{key: [last, next]}}: a lookup per rule, no join.
            SELECT id, user_id, kind, due, o IS NOT NULL AS known,
                (o ->> 0)::timestamptz AS last_slot, (o ->> 1)::timestamptz AS next_slot
            FROM (
                SELECT r.id, r.user_id, r.kind, r.due, %(outlook)s::jsonb -> {_SCHEDULE_KEY} AS o
                FROM claimed r JOIN {tables["user"]} u ON u.id = r.user_id
            ) looked_up
        ),
        moved AS (
            UPDATE {tables["rule"]} r SET next_fire_at = m.next_slot FROM matched m WHERE r.id = m.id AND m.known
        ),
        slots AS (
            SELECT id, user_id, kind, due AS fire_at, 'skipped' AS status, 'late' AS reason,
                %(now)s::timestamptz AS finished_at, NULL::timestamptz AS leased_until
            FROM matched WHERE known AND due < %(late_before)s
            UNION ALL
            SELECT id, user_id, kind,
                CASE WHEN due < %(late_before)s THEN last_slot ELSE GREATEST(due, last_slot) END,
                'pending', '', NULL::timestamptz, %(leased_until)s::timestamptz
            FROM matched WHERE known AND (due >= %(late_before)s OR last_slot IS NOT NULL)
        ),
        inserted AS (
            INSERT INTO {tables["delivery"]}
                (user_id, rule_id, kind, fire_at, status, reason, created_at, finished_at, lease_owner, leased_until)
            SELECT user_id, id, kind, fire_at, status, reason, %(created_at)s, finished_at, '', leased_until
            FROM slots
            ON CONFLICT (rule_id, fire_at) DO NOTHING
            RETURNING id, user_id, kind, fire_at, status, reason
        ),
        sessions AS (
            SELECT i.id, i.user_id, i.fire_at, u.timezone, u.daily_minutes
            FROM inserted i JOIN {tables["user"]} u ON u.id = i.user_id
            WHERE i.status = 'pending' AND i.kind = 'session'
        )
        SELECT
            (SELECT count(*) FROM claimed),
            (SELECT coalesce(array_agg(id), '{{}}') FROM matched WHERE NOT known),
            (SELECT count(*) FROM inserted WHERE reason = 'late'),
            (SELECT coalesce(array_agg(id ORDER BY id), '{{}}') FROM inserted
                WHERE status = 'pending' AND kind <> 'session'),
            (SELECT coalesce(array_agg(id ORDER BY id), '{{}}') FROM sessions),
            (SELECT coalesce(array_agg(user_id ORDER BY id), '{{}}') FROM sessions),
            (SELECT coalesce(array_agg(fire_at ORDER BY id), '{{}}') FROM sessions),
            (SELECT coalesce(array_agg(timezone ORDER BY id), '{{}}') FROM sessions),
            (SELECT coalesce(array_agg(daily_minutes ORDER BY id), '{{}}') FROM sessions)
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        # For this transaction only: the batch's rows stay in memory between the steps
        # (with the default 4 MB they spill to temporary files), and compiling the
        # statement (JIT) costs more than it saves.
        cursor.execute("SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)")
        cursor.execute(
            statement,
            {
                "outlook": json.dumps(
                    {
                        key: [None if t is None else t.isoformat() for t in slots]
                        for key, slots in outlook.items()
                    }
                ),
                "now": now,
                "late_before": late_before,
                "leased_until": leased_until,
                "limit": limit,
                "created_at": timezone.now(),
            },
        )
        claimed, unknown, late, pending_ids, *sessions = cursor.fetchone()
    return ClaimedBatch(
        claimed=claimed,
        unknown_ids=list(unknown),
        late=late,
        pending_ids=list(pending_ids),
        sessions=list(zip(*sessions, strict=True)),
    )


def skip_deliveries(skips: list[tuple[int, str]], *, now: dt.datetime) -> None:
    """Mark these just-recorded deliveries skipped, each for its reason: one UPDATE."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    ids, reasons = zip(*skips, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = 'skipped', reason = v.reason, finished_at = %s "  # noqa: S608 - no user input in the SQL
            f"FROM unnest(%s::bigint[], %s::text[]) AS v(id, reason) WHERE {table}.id = v.id",
            [now, list(ids), list(reasons)],
        )
