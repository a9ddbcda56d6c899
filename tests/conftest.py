from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.conf import settings
from rest_framework.test import APIClient

from backend.programs.catalog import read_catalog
from backend.programs.services import catalog_load
from tests.accounts.factories import PASSWORD, ClinicianFactory, UserFactory
from tests.tracker.helpers import NOW

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session")
def django_db_modify_db_settings_tox_suffix() -> Iterator[None]:
    """On SQLite the test database is a file, not Django's shared in-memory one.

    The browser tests' live server and the test itself use the database from two
    threads at once. In a shared in-memory database a write that meets another
    connection's open statement fails at once ("database table is locked"); in a
    file, with the settings' 20 s timeout and WAL, it waits its turn as it does under
    `make run`. Runs before pytest-django gives each xdist worker its own name (this
    fixture stands in for its tox suffix, which this project does not use). Durability
    is off: the file is thrown away with the run.
    """
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        folder = Path(tempfile.mkdtemp(prefix="backtrack-tests-"))
        db.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
        db.setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
        yield
        shutil.rmtree(folder, ignore_errors=True)
    else:
        yield


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1
        ):
            return True
    except OSError:
        return False


def _service_missing(marker: str) -> str | None:
    """Why a service a marked test needs is missing, or None when it is there."""
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    elif marker == "redis":
        if not settings.REDIS_URL:
            return "needs Redis: set REDIS_URL=redis://..."
        if not _reachable(settings.REDIS_URL, 6379):
            return f"Redis at {settings.REDIS_URL} is not reachable"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in ("postgres", "redis"):
        if item.get_closest_marker(marker):
            reason = _service_missing(marker)
            if reason:
                if REQUIRE_SERVICES:
                    pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
                pytest.skip(reason)


@pytest.fixture
def catalog(db):
    """The real program catalog from backend/programs/content."""
    catalog_load(catalog=read_catalog())


@pytest.fixture
def patient(db):
    return UserFactory()


@pytest.fixture
def other_patient(db):
    return UserFactory()


@pytest.fixture
def clinician(db):
    return ClinicianFactory()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def signed_in(user) -> APIClient:
    """A client with a real session cookie for ``user``, past its first request.

    A session's first request records when it started (backend/accounts/sessions.py);
    making it here keeps query counts in tests those of a running app.
    """
    client = APIClient()
    client.force_login(user)
    assert client.get("/api/v1/me/").status_code == 200
    return client


@pytest.fixture
def patient_client(patient) -> APIClient:
    return signed_in(patient)


@pytest.fixture
def login():
    return signed_in


@pytest.fixture
def frozen_time():
    """The clock stands still at ``tests.tracker.helpers.NOW``: Saturday 2026-11-21,
    10:00 in Paris, the factories' zone. A module asks for it with
    ``pytestmark = pytest.mark.usefixtures("frozen_time")``."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Throttle counters and the catalog caches start empty in every test (rolled-back
    rows may reuse ids on SQLite)."""
    from django.core.cache import cache

    from backend.care import selectors as care_selectors
    from backend.programs import selectors
    from backend.tracker import selectors as tracker_selectors

    cache.clear()
    selectors._ITEMS.clear()
    care_selectors._DUE_TABLE.clear()
    tracker_selectors._KNOWN_PROGRAMS.clear()


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in_with_totp(user, secret: str) -> APIClient:
    """Sign in through allauth's app client: password, then the authenticator code."""
    client = APIClient()
    first = client.post(
        "/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert first.status_code == 401, first.content
    body = first.json()
    assert any(flow["id"] == "mfa_authenticate" and flow.get("is_pending") for flow in body["data"]["flows"])
    token = body["meta"]["session_token"]
    second = client.post(
        "/_allauth/app/v1/auth/2fa/authenticate",
        {"code": totp_code(secret)},
        format="json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert second.status_code == 200, second.content
    client.credentials(HTTP_X_SESSION_TOKEN=second.json()["meta"]["session_token"])
    assert client.get("/api/v1/me/").status_code == 200  # the session's first request
    return client


@pytest.fixture
def make_clinician(db):
    def make(mfa: bool = True):
        user = ClinicianFactory()
        if not mfa:
            return user, None
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        return user, sign_in_with_totp(user, secret)

    return make
