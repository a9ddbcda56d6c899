"""How whitenoise serves the built PWA (frontend/dist) at the site root.

The app shell, the service worker and the manifest must be revalidated on every
load, or a phone keeps running an old version; Vite's hashed assets never change.
"""

from __future__ import annotations

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
