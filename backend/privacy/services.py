"""Erasing an account: the person's right to leave with nothing of theirs kept."""

from __future__ import annotations

from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest

from backend.accounts.models import User
from backend.accounts.services import user_sessions_end
from backend.core.errors import ApplicationError


@transaction.atomic
def account_erase(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """Delete the account and everything of it, after the password is confirmed."""
    if not password or not user.check_password(password):
        raise ApplicationError("That password is not right.", field="password")
    if request is not None and getattr(request, "session", None) is not None:
        logout(request)
    # Every table holding the user's data cascades from the user row.
    User.objects.filter(pk=user.pk).delete()  # cached renderings: backend/caching/invalidation.py
    # Sessions are not rows of the user's: each other device's session (and cached
    # copy) would keep the id and email until it expired.
    user_sessions_end(user_id=user.pk)
