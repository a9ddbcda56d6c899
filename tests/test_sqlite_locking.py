"""`make run` runs the web server, a worker and beat on one SQLite file. A transaction
that read first and writes later must wait for another writer, not fail with
"database is locked" (a 503): transactions take the write lock when they start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import threading, time
import django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS t (x integer)")
connection.close()

started, errors = threading.Event(), []

def writer():
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO t VALUES (1)")
            started.set()
            time.sleep(0.5)
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()

def reader_then_writer():
    try:
        started.wait(5)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM t")
                cursor.execute("INSERT INTO t VALUES (2)")
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=writer), threading.Thread(target=reader_then_writer)]
for thread in threads: thread.start()
for thread in threads: thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM t")
    print("rows", cursor.fetchone()[0], "errors", errors)
"""


def test_a_transaction_that_reads_then_writes_waits_for_another_writer(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "rows 2 errors []", result.stdout + result.stderr[-2000:]
