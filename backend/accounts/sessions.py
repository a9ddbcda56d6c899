"""Session lifetimes: an inactivity timeout and an absolute lifetime, by role.

A patient's phone stays signed in for weeks (they log offline and come back); a
clinician's session, which opens other people's health data, ends after a short idle
time and within a working day. Applies to browser sessions (middleware) and to
allauth's app-client session tokens (``SessionTokenAuthentication``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse

STARTED = "backtrack_session_started"
LAST_SEEN = "backtrack_session_last_seen"
# Writing the session on every request would cost a query each; a minute's precision
# is plenty for timeouts counted in minutes and days.
TOUCH_EVERY = 60


def _limits(role: str) -> tuple[int, int]:
    if role == "clinician":
        return settings.SESSION_IDLE_TIMEOUT_CLINICIAN, settings.SESSION_MAX_AGE_CLINICIAN
    return settings.SESSION_IDLE_TIMEOUT_PATIENT, settings.SESSION_MAX_AGE_PATIENT


def _signed_in_at(session: SessionBase) -> float | None:
    """When allauth recorded the sign-in (password, code...) of this session."""
    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY)
    if not isinstance(records, list):
        return None
    times = [r["at"] for r in records if isinstance(r, dict) and isinstance(r.get("at"), int | float)]
    return min(times) if times else None


def session_expired(session: SessionBase, role: str, *, now: float | None = None) -> bool:
    """Whether this signed-in session has outlived its idle or absolute limit; else touch it."""
    now = time.time() if now is None else now
    idle, max_age = _limits(role)
    started = session.get(STARTED)
    last_seen = session.get(LAST_SEEN)
    if started is None or last_seen is None:
        started = _signed_in_at(session) or now
        session[STARTED] = started
        session[LAST_SEEN] = now
        return now - started > max_age
    if now - last_seen > idle or now - started > max_age:
        return True
    if now - last_seen >= TOUCH_EVERY:
        session[LAST_SEEN] = now
    return False


class SessionTimeoutMiddleware:
    """Signs out a browser session that was idle too long or has lived too long."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and session_expired(request.session, user.role):
            logout(request)
        return self.get_response(request)
