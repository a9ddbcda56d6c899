"""OpenAPI post-processing: document the error answers every endpoint can give.

drf-spectacular documents success responses from the views; the error contract is
global (``backend/core/errors.py``), so it is added here once: 400 where the operation takes
input, 401 and 403 where it needs a user, 404 where the path names an object, 413 and
429 where they apply, and 503 everywhere (database briefly unavailable).
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        'Either {"detail": "message"} or {"field": ["message", ...]} naming each offending field '
        "(allauth's own endpoints use their documented shape)."
    ),
    "additionalProperties": True,
}

# Operations throttled per user (DRF throttles): they may answer 429 with Retry-After.
THROTTLED = {
    ("/api/v1/sync/", "post"),
    ("/api/v1/sync/", "get"),
    ("/api/v1/care/links/", "post"),
    ("/api/v1/reminders/test/", "post"),
}
TOO_LARGE = {("/api/v1/sync/", "post")}
PUBLIC = {
    ("/healthz", "get"),
    ("/api/v1/programs/", "get"),
    ("/api/v1/programs/{slug}/", "get"),
    ("/api/v1/safety-rules/", "get"),
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            key = (path, method)
            has_input = bool(operation.get("requestBody") or operation.get("parameters"))
            if has_input or method in {"post", "put", "patch", "delete"}:
                responses.setdefault("400", _error("The request is malformed or a field is invalid."))
            if key not in PUBLIC:
                responses.setdefault("401", _error("Not signed in."))
                responses.setdefault("403", _error("Signed in, but not allowed (or CSRF check failed)."))
            if "{" in path:
                responses.setdefault("404", _error("No such object, or not yours (no existence leak)."))
            if key in TOO_LARGE:
                responses.setdefault("413", _error("The request body is too large."))
            if key in THROTTLED:
                responses.setdefault("429", _error("Too many requests: wait for Retry-After seconds."))
            responses.setdefault("503", _error("Briefly unavailable; try again after Retry-After seconds."))
    return result
