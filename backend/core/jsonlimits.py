"""Requests no view can handle are refused before anything parses them: JSON bodies
nested deeper than ``MAX_DEPTH``, and paths or query strings holding the NUL character.

NUL (``%00`` in a URL) can be stored in no PostgreSQL text column and makes the driver
raise ``ValueError`` wherever it reaches a query (a slug looked up, a filter): a 500.
No path or parameter of the API can hold it. In a JSON body it is left to the fields,
which name it (DRF's text fields refuse it), so that a sync batch refuses only the
entry that holds it.

Python's ``json`` parser recurses once per level: a few thousand ``[`` in a body make
it raise ``RecursionError`` (a 500) in DRF's parser and in allauth's, before any view
could refuse it. No request of the API needs more than a handful of levels (a sync
batch is ``{"entries": [{"data": {"gratitude": [...]}}]}``: five).

The depth is measured without parsing and at C speed: strings are removed (brackets
inside them do not count), then everything but brackets, then the innermost ``[]``
and ``{}`` pairs are removed level by level, at most ``MAX_DEPTH + 1`` times;
brackets left unclosed count as levels too.
"""

from __future__ import annotations

import re

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.http.request import RawPostDataException

MAX_DEPTH = 32
MESSAGE = f"The JSON body is nested more than {MAX_DEPTH} levels deep."
NUL_MESSAGE = "A path or query parameter cannot contain the NUL character (%00)."


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


def too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON text ``body`` nests arrays and objects deeper than ``limit``.

    Malformed text is not this function's business: the parser reports it.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    for level in range(limit + 1):
        shorter = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if len(shorter) == len(brackets):
            # No pair left. Brackets never closed still make the parser recurse before
            # it finds the text malformed: count them as levels too.
            unclosed = brackets.count(b"[") + brackets.count(b"{")
            return level + unclosed > limit
        brackets = shorter
    return True


class JsonDepthMiddleware:
    """400 naming the problem for a body nested too deep, or NUL in a path or query, on every endpoint."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return JsonResponse({"detail": NUL_MESSAGE}, status=400)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                body = request.body
            except (RequestDataTooBig, RawPostDataException):
                body = b""  # the view answers a body too large with its own 413
            if body and too_deep(body):
                return JsonResponse({"detail": MESSAGE}, status=400)
        return self.get_response(request)
