"""Many users and reminder rules at once, in SQL (ORM objects take minutes at 200,000).

For the dispatcher's tests at scale and ``benchmarks/reminders_dispatch.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection

from backend.accounts.models import User
from backend.reminders.models import ReminderRule

ALL_DAYS = [0, 1, 2, 3, 4, 5, 6]


@dataclass(frozen=True)
class SeedRule:
    """One user (in ``zone``) with one rule due at ``due``; fields as the API stores them."""

    zone: str
    due: dt.datetime
    kind: str = "checkin"
    times: Sequence[str] = ()
    every_minutes: int | None = None
    window: Sequence[str] | None = None
    weekdays: Sequence[int] = field(default_factory=lambda: ALL_DAYS)
    quiet_hours: Sequence[str] | None = None


def seed_users(zones: Sequence[str], *, prefix: str = "seed") -> list[int]:
    """A user per zone given (in that order), copied in SQL from one made by the ORM."""
    quote = connection.ops.quote_name
    table = quote(User._meta.db_table)
    template = User.objects.create_user(email=f"{prefix}-template@example.org", timezone="UTC")
    columns = [f.column for f in User._meta.concrete_fields if f.column not in ("id", "email", "timezone")]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (email, timezone, {', '.join(map(quote, columns))}) "  # noqa: S608
            f"SELECT %s || z.n || '@example.org', z.zone, {', '.join('t.' + quote(c) for c in columns)} "
            f"FROM {table} t, unnest(%s::text[]) WITH ORDINALITY AS z(zone, n) WHERE t.id = %s "
            "ORDER BY z.n RETURNING id",
            [prefix, list(zones), template.pk],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [template.pk])  # noqa: S608
    return ids


def seed_rules(rules: Sequence[SeedRule], *, prefix: str = "seed") -> list[int]:
    """A user and a rule for each, in one statement each; the rules' ids in order.

    The distinct schedules travel once, each rule as its schedule's number, kind and due
    time: a fraction of the values to send and parse."""
    users = seed_users([rule.zone for rule in rules], prefix=prefix)

    def as_json(value: Sequence | None) -> str | None:
        return None if value is None else json.dumps(list(value))

    pool: dict[tuple, int] = {}
    numbers = [
        pool.setdefault(
            (
                as_json(r.times),
                r.every_minutes,
                as_json(r.window),
                as_json(r.weekdays),
                as_json(r.quiet_hours),
            ),
            len(pool) + 1,
        )
        for r in rules
    ]
    schedules = list(zip(*pool, strict=True))
    table = connection.ops.quote_name(ReminderRule._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH pool AS (
                SELECT * FROM unnest(%s::text[], %s::int[], %s::text[], %s::text[], %s::text[])
                    WITH ORDINALITY AS p(times, every_minutes, "window", weekdays, quiet_hours, number)
            )
            INSERT INTO {table} (user_id, kind, times, every_minutes, "window", weekdays, quiet_hours,
                enabled, next_fire_at, customized, created_at, updated_at)
            SELECT s.user_id, s.kind, p.times::jsonb, p.every_minutes, p."window"::jsonb, p.weekdays::jsonb,
                p.quiet_hours::jsonb, true, s.due, false, now(), now()
            FROM unnest(%s::bigint[], %s::text[], %s::int[], %s::timestamptz[]) WITH ORDINALITY
                AS s(user_id, kind, number, due, n)
            JOIN pool p ON p.number = s.number
            ORDER BY s.n RETURNING id
            """,  # noqa: S608 - the table name from the model
            [
                *(list(column) for column in schedules),
                users,
                [r.kind for r in rules],
                numbers,
                [r.due for r in rules],
            ],
        )
        ids = [row[0] for row in cursor.fetchall()]
        # Statistics as a real table would have them (ANALYZE may run in a transaction).
        cursor.execute(f"ANALYZE {connection.ops.quote_name(User._meta.db_table)}")
        cursor.execute(f"ANALYZE {table}")
    return ids
