"""Two-factor authentication as allauth means it: per session, never by timestamps.

A session has passed the second factor when allauth recorded an ``mfa`` step in it
(signing in, or reauthenticating, with an authenticator code or a recovery code), or
when the authenticator was activated in it: activating takes a valid code, and allauth
records no step for that, so ``authenticator_changed`` marks the session explicitly.

Whenever a user's authenticators change (added, removed, recovery codes regenerated),
every other session of theirs ends: one that signed in with a password stolen before
the change must sign in again under the new rules.
"""

from __future__ import annotations

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from backend.accounts.models import User
from backend.accounts.services import user_sessions_end

# allauth keeps the id of the user its records belong to beside them
# (``allauth.account.internal.flows.login``); records of another user do not count.
RECORDS_USER_SESSION_KEY = "account_authentication_methods_user"
ACTIVATED_SESSION_KEY = "backtrack_mfa_activated_by"


def _signed_in_as(session: SessionBase, user: User) -> bool:
    return session.get(SESSION_KEY) == str(user.pk)


def session_passed_mfa(session: SessionBase | None, user: User) -> bool:
    """Whether this session of ``user`` completed a second factor (see the module doc)."""
    if session is None or not _signed_in_as(session, user):
        return False
    if session.get(ACTIVATED_SESSION_KEY) == str(user.pk):
        return True
    if session.get(RECORDS_USER_SESSION_KEY) != str(user.pk):
        return False
    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY)
    if not isinstance(records, list):
        return False
    return any(isinstance(record, dict) and record.get("method") == "mfa" for record in records)


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def authenticator_changed(
    *, request: HttpRequest, user: User, authenticator: Authenticator, added: bool
) -> None:
    """End the user's other sessions; mark this one if it just activated TOTP.

    allauth sends its signals once the change is committed, from inside its view, so
    ``request.session`` is the session that made the change (the browser's cookie
    session, or the app token's session). Should it ever be another one, this one ends
    too: failing closed, the user signs in again with their code.
    """
    session = getattr(request, "session", None)
    own = session is not None and _signed_in_as(session, user)
    if own and added and authenticator.type == Authenticator.Type.TOTP:
        session[ACTIVATED_SESSION_KEY] = str(user.pk)
    user_sessions_end(user_id=user.pk, keep=session.session_key if own else None)
