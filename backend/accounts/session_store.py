"""The session engine: Django's cached_db sessions, stored with their owner's id.

Reads come from the cache (Redis in production) as before; every write goes through
to ``UserSession``, which also records whose session it is.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore


class SessionStore(CachedDBStore):
    @classmethod
    def get_model_class(cls):
        from backend.accounts.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        obj = super().create_model_instance(data)
        obj.user_id = owner_id(data)
        return obj

    async def acreate_model_instance(self, data):
        obj = await super().acreate_model_instance(data)
        obj.user_id = owner_id(data)
        return obj


def owner_id(data: dict) -> int | None:
    """The signed-in user of decoded session data, if any."""
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None
