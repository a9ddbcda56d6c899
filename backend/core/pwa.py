"""How the built PWA (frontend/dist) is served at the site root: whitenoise's headers,
and the shell view for when whitenoise has no build to serve.

The app shell, the service worker and the manifest must be revalidated on every
load, or a phone keeps running an old version; Vite's hashed assets never change.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Revalidated on every request: a new deploy reaches phones on their next visit.
ALWAYS_REVALIDATE = frozenset({"/", "/index.html", "/sw.js", "/manifest.webmanifest"})


def add_headers(headers, path: str, url: str) -> None:
    """whitenoise's WHITENOISE_ADD_HEADERS_FUNCTION for files under WHITENOISE_ROOT."""
    if url in ALWAYS_REVALIDATE:
        headers["Cache-Control"] = "no-cache"
    elif url.startswith("/assets/"):
        # Vite puts a content hash in every file name here.
        headers["Cache-Control"] = "public, max-age=31536000, immutable"
    if url == "/sw.js":
        # The worker controls the whole origin (its default scope is its folder, "/").
        headers["Service-Worker-Allowed"] = "/"


_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def inline_style_hashes(index: Path) -> list[str]:
    """CSP sources allowing exactly the <style> blocks the build inlined in index.html.

    The build inlines the stylesheet so the first screen paints without another
    request; hashing it keeps `style-src` free of 'unsafe-inline'.
    """
    try:
        html = index.read_text(encoding="utf-8")
    except OSError:
        return []
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode() + "'"
        for block in _STYLE_BLOCK.findall(html)
    ]


@never_cache
@require_GET
def app_shell(request: HttpRequest) -> HttpResponse:
    """The PWA's index.html (whitenoise serves it too, once the build exists at startup)."""
    index = settings.FRONTEND_DIST / "index.html"
    if index.is_file():
        return FileResponse(index.open("rb"), content_type="text/html; charset=utf-8")
    return HttpResponse(
        "<!doctype html><title>Backtrack</title><p>The app has not been built yet: run "
        "<code>make run</code>. The API is at <a href='/api/docs/'>/api/docs/</a>.</p>",
        status=503,
    )
