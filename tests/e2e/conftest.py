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
            # One browser at a time on this 2-core machine: under `-n 2 --dist loadgroup`
            # every browser test runs on the same worker while the other takes the rest.
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(autouse=True)
def _e2e_requirements() -> None:
    reason = _missing()
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _database_before_browser(django_db_setup) -> None:
    """The test database is made before Playwright starts its event loop in this thread."""


@pytest.fixture(scope="package", autouse=True)
def _sync_orm_beside_playwright():
    """Playwright's sync API keeps an event loop in the test thread, which Django's
    async-safety check mistakes for async code; the ORM calls these tests make (and
    their database teardown) are plain synchronous calls. Only while the e2e package
    runs: `check --deploy`, run by another test, refuses the variable."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# pytest-playwright starts Playwright for the whole session; here it lives only while
# this package runs, so its event loop is gone before the rest of the suite touches
# the database from this thread.
@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(pw)
    yield pw
    pw.stop()


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name: str):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args: dict, browser_type):
    return lambda **kwargs: browser_type.launch(**{**browser_type_launch_args, **kwargs})


@pytest.fixture(scope="package")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="package")
def browser_context_args() -> dict:
    """A phone: 390x844 (the screenshots' size), touch, in the patient's time zone."""
    return {
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


@pytest.fixture(autouse=True)
def _no_csp_violations(context):
    """The app runs under the production Content-Security-Policy; any violation
    (Chromium logs "Refused to ... Content Security Policy") fails the test."""
    violations: list[str] = []
    context.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield
    assert not violations, violations
