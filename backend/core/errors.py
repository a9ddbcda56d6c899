"""One error contract: every user-caused failure is a 4xx JSON body naming the field.

Services raise ``ApplicationError`` (or Django's ``ValidationError``); the DRF
exception handler below and the JSON ``handler400/404/500`` views render them.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


class ApplicationError(Exception):
    """A refusal the user can act on: rendered as ``{field: [message]}`` or ``{"detail"}``."""

    def __init__(self, message: str, *, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    def as_body(self) -> dict[str, Any]:
        if self.field:
            return {self.field: [self.message]}
        return {"detail": self.message}


logger = logging.getLogger(__name__)

# A part the request needs is down or restarting: the database (the transaction was
# rolled back), or Redis and the task broker (nothing was queued). The same request
# can simply be sent again.
UNAVAILABLE_ERRORS = (
    OperationalError,
    InterfaceError,
    BrokerUnavailable,
    RedisConnectionError,
    RedisTimeoutError,
)

UNAVAILABLE = (
    "Backtrack is briefly unavailable. Nothing you saved on this device is lost; try again in a moment."
)
RETRY_AFTER_SECONDS = 5


def _log_unavailable(request: HttpRequest | None, exc: BaseException) -> None:
    # Said plainly in the log, or an unmigrated database looks like an outage.
    path = getattr(request, "path", "?")
    logger.error("503 for %s: %s: %s", path, exc.__class__.__name__, exc, exc_info=exc)


def unavailable_response() -> JsonResponse:
    response = JsonResponse({"detail": UNAVAILABLE}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(exc.as_body(), status=exc.status)
    if isinstance(exc, UNAVAILABLE_ERRORS):
        _log_unavailable(context.get("request"), exc)
        return Response(
            {"detail": UNAVAILABLE}, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    return drf_exception_handler(exc, context)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/_allauth/", "/healthz"))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Bad request."}, status=400)


def not_found(request: HttpRequest, exception: Exception | None = None):
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Something went wrong on our side. Please try again."}, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    return JsonResponse(
        {"detail": "CSRF check failed: reload the page and try again.", "reason": reason},
        status=403,
    )


class DatabaseUnavailableMiddleware:
    """503 JSON instead of a 500 when the database or broker drops out under a non-DRF view."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> JsonResponse | None:
        if isinstance(exception, UNAVAILABLE_ERRORS):
            _log_unavailable(request, exception)
            return unavailable_response()
        return None
