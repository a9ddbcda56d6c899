"""Django serves the built PWA (frontend/dist) so that phones pick up new versions
and the browser accepts the manifest and the service worker."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import REQUIRE_SERVICES


@pytest.fixture
def dist():
    index = settings.FRONTEND_DIST / "index.html"
    if not (settings.FRONTEND_DIST / "sw.js").is_file() or not settings.WHITENOISE_ROOT:
        reason = "the PWA is not built: run `make frontend` (make test does)"
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return index.read_text()


def test_the_app_shell_is_served_at_the_root_and_always_revalidated(dist):
    response = Client().get("/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"] == "no-cache"
    assert b'<div id="app">' in b"".join(response.streaming_content)


def test_the_service_worker_is_javascript_never_cached_and_may_control_the_whole_site(dist):
    response = Client().get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"


def test_the_manifest_has_the_install_fields_and_its_own_media_type(dist):
    response = Client().get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert response["Cache-Control"] == "no-cache"
    manifest = json.loads(b"".join(response.streaming_content))
    assert manifest["display"] == "standalone"
    assert manifest["short_name"] == "Backtrack"
    assert manifest["start_url"].startswith("/")
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert Client().get(icon["src"]).status_code == 200


def test_hashed_assets_are_cached_for_good(dist):
    script = re.search(r'src="(/assets/[^"]+\.js)"', dist).group(1)

    response = Client().get(script)

    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]


def test_the_api_is_never_answered_by_the_app_shell(dist, db):
    response = Client().get("/api/v1/me/")

    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/json"
