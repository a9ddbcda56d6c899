"""allauth's app-client session tokens, looked up with one read of the session store."""

from __future__ import annotations

from allauth.headless.internal import sessionkit
from allauth.headless.tokens.strategies.sessions import SessionTokenStrategy as AllauthSessionTokenStrategy
from django.contrib.sessions.backends.base import SessionBase


class SessionTokenStrategy(AllauthSessionTokenStrategy):
    """allauth's session token strategy (the token is the session key), minus a read.

    allauth's ``SessionTokenStrategy.lookup_session`` asks the store whether the key
    exists and then loads it: two cache reads on every API call. allauth's own
    ``sessionkit.lookup_session`` loads it once; a missing or expired session clears
    the key, so an unknown token is still refused.
    """

    def lookup_session(self, session_token: str) -> SessionBase | None:
        # Session keys are 32 lowercase letters and digits: anything else is not one,
        # and is refused without a read.
        if not (8 <= len(session_token) <= 64 and session_token.isascii() and session_token.isalnum()):
            return None
        return sessionkit.lookup_session(session_token)
