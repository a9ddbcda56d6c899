import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from psycopg import sql

from tests.accounts.factories import ClinicianFactory, UserFactory
from tests.programs.factories import EnrollmentFactory
from tests.tracker.helpers import checkin, entry, journal, session, sync

ROOT = Path(__file__).resolve().parent.parent


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    user, password = db.get("USER") or "postgres", db.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def _counts(conn) -> dict[str, int]:
    tables = sorted(m._meta.db_table for m in apps.get_models())
    count = sql.SQL("SELECT count(*) FROM {}")
    return {t: conn.execute(count.format(sql.Identifier(t))).fetchone()[0] for t in tables}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_every_row(catalog, tmp_path, login):
    from django.core.management import call_command

    call_command("load_programs", verbosity=0)
    patient = UserFactory()
    EnrollmentFactory(user=patient)
    ClinicianFactory()
    sync(
        login(patient),
        entry("session", session()),
        entry("checkin", checkin(red_flags=["fever"], note="restored?")),
        entry("journal", journal(text="written before the backup")),
    )
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "backtrack.dump"
    restored = f"restore_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _url(source)}

    backup = subprocess.run(
        ["scripts/backup.sh", str(dump)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert backup.returncode == 0, backup.stderr
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(restored)))
    try:
        restore = subprocess.run(
            ["scripts/restore.sh", str(dump)],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": _url(restored)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert restore.returncode == 0, restore.stderr
        with psycopg.connect(_url(source)) as original, psycopg.connect(_url(restored)) as copy:
            before, after = _counts(original), _counts(copy)
            assert after == before
            assert before["tracker_checkin"] == 1 and before["programs_programitem"] > 0
            assert copy.execute("SELECT text FROM tracker_journalentry").fetchone() == (
                "written before the backup",
            )
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(restored)))
