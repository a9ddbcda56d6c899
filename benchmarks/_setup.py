"""Shared set-up for the benchmark scripts: a PostgreSQL database of their own.

Benchmarks run by hand, never in the test suite: this machine is shared and noisy,
so they print medians rather than assert times.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backtrack_bench")
os.environ.setdefault("SECRET_KEY", "benchmarks-only-secret-key-not-used-elsewhere-0123456789")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")


def setup_django() -> None:
    """Create the benchmark database if needed, migrate it and load the programs."""
    import django
    import psycopg

    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1]
        admin_url = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("load_programs", verbosity=0)


# --- Seeds that stay current -------------------------------------------------------
# A benchmark that seeds once and reuses its database (load.py, care.py) seeds dates
# relative to the day it seeded. Read weeks later, "the last 28 days" would find
# nothing, and the benchmark would measure an empty summary. So a seed records its day
# (record_seed), and each later run moves its dated rows forward by the days since
# (shift_seed_dates), as if seeded that morning:
#
#     setup_django()
#     shift_seed_dates("care", users="email LIKE 'care-%'")   # before reading the seed
#     if not seeded: seed(); record_seed("care")
#
# Cached renderings of those users (/today/, summaries, patient lists) were made from
# the old dates: a benchmark that keeps Redis between runs must drop them (replace the
# users' generations, backend/caching/generations.py), as load.py does.

DATE_IN_TEXT = r"\d{4}-\d{2}-\d{2}$"
# Far enough that no shifted row meets one not shifted yet under a unique constraint.
PARK_DAYS = 100_000
# Which column says whose row it is, in that order of preference (an alert's patient,
# not the clinician who acknowledged it).
OWNER_COLUMNS = ("user_id", "patient_id")


def _seed_table(cursor: CursorWrapper) -> None:
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS benchmark_seed (tag text PRIMARY KEY, seeded_on date NOT NULL)"
    )


def record_seed(tag: str, day: dt.date | None = None) -> None:
    """Note that the seed ``tag`` is dated from ``day``, by default today (call it right
    after seeding)."""
    from django.db import connection

    with connection.cursor() as cursor:
        _seed_table(cursor)
        cursor.execute(
            "INSERT INTO benchmark_seed (tag, seeded_on) VALUES (%s, %s) "
            "ON CONFLICT (tag) DO UPDATE SET seeded_on = EXCLUDED.seeded_on",
            [tag, day or dt.date.today()],
        )


def seed_day(tag: str) -> dt.date | None:
    """The day the seed ``tag`` is dated from, if recorded."""
    from django.db import connection

    with connection.cursor() as cursor:
        _seed_table(cursor)
        cursor.execute("SELECT seeded_on FROM benchmark_seed WHERE tag = %s", [tag])
        row = cursor.fetchone()
    return row[0] if row else None


def dated_tables(cursor: CursorWrapper) -> dict[str, tuple[str, list[str]]]:
    """Each table with a ``date`` column and an owner: {table: (owner column, date columns)}.

    The owner is a foreign key to ``accounts_user`` named in OWNER_COLUMNS; a dated table
    without one is left out (none has a date that the endpoints read yet).
    """
    cursor.execute(
        """
        SELECT c.table_name, c.column_name FROM information_schema.columns c
        WHERE c.table_schema = 'public' AND c.data_type = 'date' AND c.table_name <> 'benchmark_seed'
        ORDER BY 1, 2
        """
    )
    dates: dict[str, list[str]] = {}
    for table, column in cursor.fetchall():
        dates.setdefault(table, []).append(column)
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.contype = 'f' AND c.confrelid = 'accounts_user'::regclass
        """
    )
    owners: dict[str, set[str]] = {}
    for table, column in cursor.fetchall():
        owners.setdefault(table, set()).add(column)
    found = {}
    for table, columns in dates.items():
        owner = next((c for c in OWNER_COLUMNS if c in owners.get(table, ())), None)
        if owner:
            found[table] = (owner, columns)
    return found


def shift_seed_dates(tag: str, *, users: str) -> int:
    """Move the seed ``tag``'s dated rows forward by the days since it was seeded.

    ``users`` is an SQL condition on ``accounts_user`` naming the seed's users (e.g.
    ``"email LIKE 'load-%'"``); only their rows move, so seeds of other
    tags in the same database keep theirs. Every ``date`` column of every table owned
    by a user (check-ins, session logs, journal entries, alerts, enrollments' start and
    end, prescriptions, set-asides, reports) moves by the same number of days, in SQL,
    and so does the date that ends a session log's ``item_id``
    (``back-stretches:cat-cow:2026-11-21``), so that each log still ticks its day's
    plan item. Returns the days moved: 0 when the seed is from today or was never
    recorded (then nothing is known to move; call ``record_seed`` after seeding).
    """
    import datetime as dt

    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        _seed_table(cursor)
        cursor.execute("SELECT seeded_on FROM benchmark_seed WHERE tag = %s FOR UPDATE", [tag])
        row = cursor.fetchone()
        if row is None:
            return 0
        days = (dt.date.today() - row[0]).days
        if days <= 0:
            return 0
        for table, (owner, columns) in dated_tables(cursor).items():
            # Two steps: parked far ahead, then brought back to the target, so that no
            # row is moved onto a date another row still holds (unique constraints are
            # checked row by row).
            for step in (PARK_DAYS, days - PARK_DAYS):
                sets = [f'"{c}" = "{c}" + {int(step)}' for c in columns]
                if table == "tracker_sessionlog":
                    sets.append(
                        f"item_id = CASE WHEN item_id ~ '{DATE_IN_TEXT}' THEN regexp_replace(item_id, "
                        f"'{DATE_IN_TEXT}', to_char(substring(item_id FROM '{DATE_IN_TEXT}')::date + "
                        f"{int(step)}, 'YYYY-MM-DD')) ELSE item_id END"
                    )
                # Names from the catalog; ``users`` is the calling benchmark's own SQL.
                cursor.execute(
                    f'UPDATE "{table}" SET {", ".join(sets)} '  # noqa: S608
                    f'WHERE "{owner}" IN (SELECT id FROM accounts_user WHERE {users})'
                )
        cursor.execute("UPDATE benchmark_seed SET seeded_on = %s WHERE tag = %s", [dt.date.today(), tag])
    return days
