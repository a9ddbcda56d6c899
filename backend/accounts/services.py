from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

from backend.accounts.models import User, UserSession
from backend.accounts.session_store import SessionStore
from backend.reminders.rules import reminder_rules_reschedule

# "Not given", for fields where None is a value (no daily budget).
UNCHANGED: Any = object()


@transaction.atomic
def user_update(
    *,
    user: User,
    timezone: str | None = None,
    country: str | None = None,
    daily_minutes: int | None = UNCHANGED,
    display_name: str | None = None,
) -> User:
    """Change what is given; ``country=""`` follows the time zone's country again;
    ``daily_minutes=None`` removes the daily budget.

    Saving the user makes its cached plans stale (``caching.invalidation.user_saved``).
    """
    fields: list[str] = []
    if daily_minutes is not UNCHANGED and daily_minutes != user.daily_minutes:
        user.daily_minutes = daily_minutes
        fields.append("daily_minutes")
    if timezone is not None and timezone != user.timezone:
        user.timezone = timezone
        fields.append("timezone")
    if display_name is not None and display_name != user.display_name:
        user.display_name = display_name
        fields.append("display_name")
    if country is not None and country != user.country:
        user.country = country
        fields.append("country")
    if fields:
        user.full_clean(exclude=["password"], validate_unique=False)
        user.save(update_fields=fields)
    if "timezone" in fields:
        # Reminders fire at local times: their next UTC instants move with the zone.
        reminder_rules_reschedule(user=user)
    return user


@transaction.atomic
def user_screening_set(*, user: User, answers: dict[str, bool]) -> User:
    """Store the person's history answers (validated ids of "once" rules), replacing the last."""
    user.screening = dict(sorted(answers.items()))
    user.save(update_fields=["screening"])
    return user


def user_sessions_end(*, user_id: int, keep: str | None = None) -> int:
    """Sign the user out everywhere (browsers and app tokens) but the session ``keep``.

    Sessions are read from the cache first: deleting only the rows would leave every
    cached session signed in until it expired. Returns how many sessions ended.
    """
    rows = UserSession.objects.filter(user_id=user_id)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    if not keys:
        return 0
    # Rows first: a request that misses the cache then finds no row to cache again,
    # and one that already holds the session cannot save it back (UpdateError).
    UserSession.objects.filter(session_key__in=keys).delete()
    cache = caches[settings.SESSION_CACHE_ALIAS]
    cache_keys = [SessionStore.cache_key_prefix + key for key in keys]
    cache.delete_many(cache_keys)
    # Inside a transaction other requests still see the rows until it commits and
    # could cache them again meanwhile: clear once more then.
    transaction.on_commit(lambda: cache.delete_many(cache_keys))
    return len(keys)
