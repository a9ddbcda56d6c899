"""The production settings plus one extra route: the ceiling view for benchmarks/load.py."""

from backend.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"

# load.py reads each PostgreSQL backend's CPU from /proc/<pid>/stat before and after a
# phase; a backend that closed in between (production recycles them after
# CONN_MAX_AGE, 60 s) would take its CPU with it. Persistent connections keep the
# count whole; the reconnection they save costs a few ms per thread a minute.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
