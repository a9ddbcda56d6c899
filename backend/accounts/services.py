from __future__ import annotations

from django.db import transaction

from backend.accounts.models import User
from backend.reminders.rules import reminder_rules_reschedule


@transaction.atomic
def user_update(*, user: User, timezone: str | None = None) -> User:
    fields: list[str] = []
    if timezone is not None and timezone != user.timezone:
        user.timezone = timezone
        fields.append("timezone")
    if fields:
        user.full_clean(exclude=["password"], validate_unique=False)
        user.save(update_fields=fields)
    if "timezone" in fields:
        # Reminders fire at local times: their next UTC instants move with the zone.
        reminder_rules_reschedule(user=user)
    return user
