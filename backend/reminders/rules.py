"""Reminder rules: validating their fields, creating, changing and rescheduling them.

No rule is made for the person: they choose each one (at onboarding or in Settings),
since a reminder nobody asked for is noise, and noise is what gets notifications turned
off."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.core.errors import ApplicationError
from backend.reminders.models import (
    MAX_EVERY_MINUTES,
    MAX_TIMES,
    MIN_EVERY_MINUTES,
    Kind,
    ReminderRule,
)
from backend.reminders.schedule import (
    Schedule,
    format_hhmm,
    next_fire_after,
    parse_hhmm,
)

logger = logging.getLogger(__name__)

ALL_DAYS = [0, 1, 2, 3, 4, 5, 6]


def _times_list(value: Any, *, name: str, exact: int | None = None, limit: int = MAX_TIMES) -> list[str]:
    if not isinstance(value, list | tuple):
        raise ApplicationError('Give a list of times "HH:MM".', field=name)
    if exact is not None and len(value) != exact:
        raise ApplicationError(f'Give exactly {exact} times "HH:MM": a start and an end.', field=name)
    if len(value) > limit:
        raise ApplicationError(f"At most {limit} times.", field=name)
    try:
        return [format_hhmm(parse_hhmm(item)) for item in value]
    except ValueError as exc:
        raise ApplicationError(f"{exc}.", field=name) from None


@dataclass(frozen=True)
class RuleFields:
    kind: str
    times: list[str]
    every_minutes: int | None
    window: list[str] | None
    weekdays: list[int]
    quiet_hours: list[str] | None
    enabled: bool


def rule_fields_validate(
    *,
    kind: Any,
    times: Any,
    every_minutes: Any,
    window: Any,
    weekdays: Any,
    quiet_hours: Any,
    enabled: Any,
    zone: str,
) -> RuleFields:
    """Normalise a rule's fields or raise ``ApplicationError`` naming the field.

    The one validator of a rule, whoever the caller (the API passes the body's
    fields as sent; defaults on enrollment, the admin): each field, and the fields
    together.
    """
    if kind not in Kind.values:
        raise ApplicationError(f"Choose one of {', '.join(Kind.values)}.", field="kind")
    times = sorted(set(_times_list(times or [], name="times")))
    if window is not None:
        window = _times_list(window, name="window", exact=2)
        if parse_hhmm(window[1]) <= parse_hhmm(window[0]):
            raise ApplicationError("The window must end after it starts (same day).", field="window")
    if every_minutes is not None:
        if isinstance(every_minutes, bool) or not isinstance(every_minutes, int):
            raise ApplicationError("A whole number of minutes.", field="every_minutes")
        if not MIN_EVERY_MINUTES <= every_minutes <= MAX_EVERY_MINUTES:
            raise ApplicationError(
                f"Between {MIN_EVERY_MINUTES} and {MAX_EVERY_MINUTES} minutes.", field="every_minutes"
            )
    if times and (every_minutes is not None or window is not None):
        raise ApplicationError("Give either times, or every_minutes with a window, not both.", field="times")
    if not times:
        if every_minutes is None and window is None:
            raise ApplicationError("Give at least one time, or every_minutes with a window.", field="times")
        if every_minutes is None:
            raise ApplicationError("A window needs every_minutes.", field="every_minutes")
        if window is None:
            raise ApplicationError('every_minutes needs a daily window ["HH:MM", "HH:MM"].', field="window")
    if (
        not isinstance(weekdays, list | tuple)
        or not weekdays
        or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays)
    ):
        raise ApplicationError("Give at least one weekday, 0 (Monday) to 6 (Sunday).", field="weekdays")
    weekdays = sorted(set(weekdays))
    if quiet_hours is not None:
        quiet_hours = _times_list(quiet_hours, name="quiet_hours", exact=2)
        if quiet_hours[0] == quiet_hours[1]:
            raise ApplicationError("Quiet hours need a start and a different end.", field="quiet_hours")
    if not isinstance(enabled, bool):
        raise ApplicationError("true or false.", field="enabled")
    fields = RuleFields(
        kind=kind,
        times=times,
        every_minutes=every_minutes,
        window=window,
        weekdays=weekdays,
        quiet_hours=quiet_hours,
        enabled=enabled,
    )
    if not schedule_of(fields, zone=zone).daily_times():
        raise ApplicationError("Every reminder time falls within the quiet hours.", field="quiet_hours")
    return fields


def schedule_of(rule: ReminderRule | RuleFields, *, zone: str) -> Schedule:
    return Schedule.from_fields(
        zone=zone,
        times=rule.times,
        every_minutes=rule.every_minutes,
        window=rule.window,
        weekdays=rule.weekdays,
        quiet_hours=rule.quiet_hours,
    )


def _next_fire(fields: RuleFields | ReminderRule, *, zone: str, after: dt.datetime) -> dt.datetime | None:
    if not fields.enabled:
        return None
    return next_fire_after(schedule_of(fields, zone=zone), after)


@transaction.atomic
def reminder_rule_create(
    *,
    user: User,
    kind: str,
    times: list[str] | None = None,
    every_minutes: int | None = None,
    window: list[str] | None = None,
    weekdays: list[int] | None = None,
    quiet_hours: list[str] | None = None,
    enabled: bool = True,
    customized: bool = True,
) -> ReminderRule:
    fields = rule_fields_validate(
        kind=kind,
        times=times,
        every_minutes=every_minutes,
        window=window,
        weekdays=ALL_DAYS if weekdays is None else weekdays,
        quiet_hours=quiet_hours,
        enabled=enabled,
        zone=user.timezone,
    )
    return ReminderRule.objects.create(
        user=user,
        **asdict(fields),
        next_fire_at=_next_fire(fields, zone=user.timezone, after=timezone.now()),
        customized=customized,
    )


_UNSET: Any = object()


@transaction.atomic
def reminder_rule_update(
    *,
    rule: ReminderRule,
    kind: str = _UNSET,
    times: list[str] = _UNSET,
    every_minutes: int | None = _UNSET,
    window: list[str] | None = _UNSET,
    weekdays: list[int] = _UNSET,
    quiet_hours: list[str] | None = _UNSET,
    enabled: bool = _UNSET,
) -> ReminderRule:
    """Change some fields; the rest keep their values.

    Switching between fixed times and an interval needs only the new side:
    sending ``times`` drops ``every_minutes``/``window`` and the other way round.
    """
    rule = ReminderRule.objects.select_for_update().select_related("user").get(pk=rule.pk)
    changes = {
        name: value
        for name, value in {
            "kind": kind,
            "times": times,
            "every_minutes": every_minutes,
            "window": window,
            "weekdays": weekdays,
            "quiet_hours": quiet_hours,
            "enabled": enabled,
        }.items()
        if value is not _UNSET
    }
    merged = {
        "kind": rule.kind,
        "times": rule.times,
        "every_minutes": rule.every_minutes,
        "window": rule.window,
        "weekdays": rule.weekdays,
        "quiet_hours": rule.quiet_hours,
        "enabled": rule.enabled,
        **changes,
    }
    if changes.get("times") and "every_minutes" not in changes and "window" not in changes:
        merged["every_minutes"] = merged["window"] = None
    elif ("every_minutes" in changes or "window" in changes) and "times" not in changes:
        merged["times"] = []
    fields = rule_fields_validate(**merged, zone=rule.user.timezone)
    for name in ("kind", "times", "every_minutes", "window", "weekdays", "quiet_hours", "enabled"):
        setattr(rule, name, getattr(fields, name))
    rule.customized = True
    rule.next_fire_at = _next_fire(fields, zone=rule.user.timezone, after=timezone.now())
    rule.save()
    return rule


@transaction.atomic
def reminder_rule_delete(*, rule: ReminderRule) -> None:
    rule.delete()


@transaction.atomic
def reminder_rules_reschedule(*, user: User) -> int:
    """Recompute every rule's next firing, e.g. after the user's time zone changed."""
    now = timezone.now()
    rules = list(ReminderRule.objects.select_for_update().filter(user=user))
    for rule in rules:
        rule.next_fire_at = _next_fire(rule, zone=user.timezone, after=now)
    ReminderRule.objects.bulk_update(rules, ["next_fire_at"])
    return len(rules)
