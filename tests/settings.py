"""Settings for the test suite: the real settings, with test-only defaults.

The environment still decides the database and broker (CI points DATABASE_URL and
REDIS_URL at the machine's PostgreSQL and Redis).
"""

import os

# Never a developer's .env (`make run` writes one): tests, and every process they
# start, see only what the test environment says.
os.environ["BACKTRACK_DOTENV"] = ""
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("DEBUG", "0")
# Tests speak plain HTTP to the test client.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

# Under pytest-xdist each worker has its own test database (pytest-django adds the
# worker's name) and needs its own Redis database too: a worker's Celery queue, or a
# FLUSHDB, must never reach the other's. gw0 keeps the given one, gw1 the next. Once
# only: the processes a test starts (a Celery worker) inherit the moved URL.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if (
    _worker.startswith("gw")
    and _worker[2:].isdigit()
    and os.environ.get("REDIS_URL")
    and not os.environ.get("TESTS_REDIS_PER_WORKER")
):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    if _db.isdigit():
        os.environ["REDIS_URL"] = f"{_base}/{(int(_db) + int(_worker[2:])) % 16}"
    os.environ["TESTS_REDIS_PER_WORKER"] = "1"

from backend.settings import *  # noqa: E402, F403

# Tasks the tests queue (a serious alert's notices, from the e2e server) must never
# reach a development worker: without Redis they go to a folder of their own.
if not REDIS_URL:  # noqa: F405
    CELERY_FILESYSTEM_BROKER_DIR = BASE_DIR / "var" / "test-broker"  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "data_folder_in": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "control"),
    }
# Hashing passwords properly is slow by design; tests need speed, not strength.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker subprocess cannot reach this process's mail.outbox: tests that start one
# have it write its mail to files instead (tests/reminders/worker.py).
if os.environ.get("TESTS_EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["TESTS_EMAIL_FILE_PATH"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Serve static files straight from the apps (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Throttle counters per test process, cleared between tests (conftest): never the
# Redis the broker uses.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# One process, so the per-process cache is shared by every request: keep the
# cached renderings on, as in production.
USER_CACHE_SECONDS = 3600
PATIENT_LIST_CACHE_SECONDS = 300
