import re

import pytest
from django.conf import settings

from backend.core.pwa import inline_style_hashes


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.django_db
def test_the_app_shell_is_served_with_a_strict_content_security_policy(client):
    if not (settings.FRONTEND_DIST / "index.html").is_file():
        pytest.skip("needs the built PWA (make frontend)")
    response = client.get("/")

    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    # The inline stylesheet of the first paint is allowed by exactly its hash.
    html = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
    assert re.search(r"<style[^>]*>", html)
    assert set(inline_style_hashes(settings.FRONTEND_DIST / "index.html")) <= set(policy["style-src"])
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline script in the app shell"


@pytest.mark.django_db
def test_api_docs_need_no_inline_script(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert "'unsafe-inline'" not in directives(response)["script-src"]
    assert not re.search(rb"<script(?![^>]*\bsrc=)[^>]*>", response.content)


@pytest.mark.django_db
def test_api_answers_carry_the_usual_protections(client):
    response = client.get("/api/v1/programs/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response
