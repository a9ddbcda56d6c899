"""Responses the tracker's views and the clinician's views both send."""

from __future__ import annotations

from django.http import HttpResponse

from backend.accounts.timezones import local_today
from backend.caching.user_cache import cached
from backend.tracker import selectors


def summary_response(user, days: int) -> HttpResponse:
    """The user's summary over ``days``, from the per-user cache (``backend/caching/user_cache.py``)."""
    today = local_today(user.timezone)
    body = cached(
        name="summary",
        user_id=user.pk,
        day=today,
        variant=str(days),
        render=lambda: selectors.summary(user=user, days=days, today=today),
    )
    return HttpResponse(body, content_type="application/json")
