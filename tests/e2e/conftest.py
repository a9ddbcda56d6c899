"""End-to-end tests: Python Playwright driving Debian's Chromium against a live
Django server that serves the built PWA (frontend/dist) and the real API.

They skip when Chromium, Playwright or the build is missing, and fail instead
under REQUIRE_SERVICES=1 (CI), like the other service-backed tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import REQUIRE_SERVICES

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Known to work on these machines; without the background-networking flags Chromium
# keeps trying to reach the internet, which is refused here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _missing() -> str | None:
    if not Path(CHROMIUM).is_file():
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "needs Playwright: pip install -r requirements-test.txt"
    if not (settings.FRONTEND_DIST / "sw.js").is_file() or not settings.WHITENOISE_ROOT:
        return "needs the built PWA: run `make frontend` (make test does)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _e2e_requirements() -> None:
    reason = _missing()
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "service_workers": "allow",
        "locale": "en-GB",
        "timezone_id": "Europe/Paris",
    }


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
