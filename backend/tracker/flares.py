"""Flare-up mode: "my back is bad today".

For ``FLARE_HOURS`` from its start (unless the person ends it sooner) the plan serves
the short flare plan (``backend/programs/content/flare.yaml``) instead of the usual
items, its days are not due in adherence, session reminders are not sent, and linked
clinicians see it. Like the safety hold, a person has at most one running, and an
ended flare stays as the record of it.

A flare runs out on the clock: nothing has to write for it to end, so every reader
asks ``running(now)`` rather than trusting ``ended_at``. The next write of the
person's flares (a start or an end) records an expired one as ``expired``.

Starting and ending change what /today/, /plan/, the summary and the clinician's list
show, so both tell the cache (``invalidation.user_changed``); the end by expiry is
carried by the cached /today/ itself, which is kept only until the flare's end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.caching import invalidation
from backend.core.errors import ApplicationError
from backend.tracker.models import Flare

FLARE_HOURS = 48
FLARE_LENGTH = dt.timedelta(hours=FLARE_HOURS)
# A phone's clock may run a little ahead of the server's: a start this far in the
# future is taken as "now", not refused.
CLOCK_SLACK = dt.timedelta(minutes=5)
_INSTANT = dt.timedelta(microseconds=1)


def running(flare: Flare | None, now: dt.datetime) -> bool:
    return flare is not None and flare.ended_at is None and flare.started_at <= now < flare.ends_at


def open_flare(user_id: int, now: dt.datetime | None = None) -> Flare | None:
    """The person's running flare, if any (one indexed query)."""
    now = now or timezone.now()
    flare = Flare.objects.filter(patient_id=user_id, ended_at__isnull=True).first()
    return flare if running(flare, now) else None


def flare_start(*, user: User, started_at: dt.datetime | None = None) -> tuple[Flare, bool]:
    """Start the person's flare; ``(the running flare, whether it is new)``.

    Starting while one runs answers that one, unchanged: phones retry, and a second
    tap is the same bad day. ``started_at`` is when an offline phone started it (what
    it showed since); it may not be in the future nor older than the flare lasts.
    """
    now = timezone.now()
    if started_at is not None:
        if started_at > now + CLOCK_SLACK:
            raise ApplicationError("A flare cannot start in the future.", field="started_at")
        if started_at <= now - FLARE_LENGTH:
            raise ApplicationError(
                f"A flare lasts {FLARE_HOURS} hours: one started that long ago is already over.",
                field="started_at",
            )
        started_at = min(started_at, now)
    with transaction.atomic():
        # The user's row orders concurrent starts and ends of their flares.
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
        current = Flare.objects.filter(patient=user, ended_at__isnull=True).first()
        if current is not None:
            if running(current, now):
                return current, False
            _close(current, Flare.EndedBy.EXPIRED, now)
        start = started_at or now
        flare = Flare.objects.create(patient=user, started_at=start, ends_at=start + FLARE_LENGTH)
    invalidation.user_changed(user.pk)
    return flare, True


def flare_end(*, user: User) -> bool:
    """End the person's running flare; whether one was running. Idempotent."""
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
        current = Flare.objects.filter(patient=user, ended_at__isnull=True).first()
        if current is None:
            return False
        ended = running(current, now)
        _close(current, Flare.EndedBy.ENDED if ended else Flare.EndedBy.EXPIRED, now)
    invalidation.user_changed(user.pk)
    return ended


# How long after its end a flare still asks "How is your back now?".
CHECK_IN_DAYS = 7


def check_in_due(user_id: int, now: dt.datetime | None = None) -> Flare | None:
    """The person's last flare, if it is over, unanswered and ended within
    ``CHECK_IN_DAYS`` (one indexed query): the one the end-of-flare check-in is about."""
    now = now or timezone.now()
    last = Flare.objects.filter(patient_id=user_id).order_by("-started_at").first()
    if last is None or running(last, now) or last.checked_in_at is not None:
        return None
    return last if now - last.until <= dt.timedelta(days=CHECK_IN_DAYS) else None


def flare_check_in(*, user: User, feeling: str) -> Flare:
    """Answer "How is your back now?" for the person's last flare (ending it if it still
    runs: answering is being done with it). Answering again corrects the answer.

    Whatever the answer, the usual plan is back, a week easier (the flare's end is a
    step back in ``programs/progression.py``).
    """
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
        last = Flare.objects.filter(patient=user).order_by("-started_at").first()
        if last is None:
            raise ApplicationError("There is no flare-up to check in about.", status=404)
        if last.ended_at is None:
            _close(last, Flare.EndedBy.ENDED if running(last, now) else Flare.EndedBy.EXPIRED, now)
        last.check_in_feeling = feeling
        last.checked_in_at = now
        last.save(update_fields=["check_in_feeling", "checked_in_at"])
    invalidation.user_changed(user.pk)
    return last


def _close(flare: Flare, reason: str, now: dt.datetime) -> None:
    # An expired flare ended when its time was up, whenever a write noticed.
    flare.ended_at = now if reason == Flare.EndedBy.ENDED else flare.ends_at
    flare.ended_by = reason
    flare.save(update_fields=["ended_at", "ended_by"])


def flare_dates(flare: Flare, zone: str) -> tuple[dt.date, dt.date]:
    """The first and last local dates the flare covers, in part or whole: its days."""
    tz = ZoneInfo(zone)
    return flare.started_at.astimezone(tz).date(), (flare.until - _INSTANT).astimezone(tz).date()


def flares_between(*, user: User, start: dt.date, end: dt.date) -> list[Flare]:
    """The person's flares that cover any of these local dates (one query)."""
    tz = ZoneInfo(user.timezone)
    first = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return [
        flare
        for flare in Flare.objects.filter(patient=user, started_at__lt=after, ends_at__gt=first).order_by(
            "started_at"
        )
        if flare.until > first
    ]


def _instant(value: dt.datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def render_flare(flare: Flare | None) -> dict[str, Any] | None:
    """The running flare as /me/ and the day show it."""
    if flare is None:
        return None
    return {"started_at": _instant(flare.started_at), "ends_at": _instant(flare.ends_at)}


def render_check_in_due(flare: Flare | None) -> dict[str, Any] | None:
    """The flare /me/ asks about (``check_in_due``): when it ran and when it ended."""
    if flare is None:
        return None
    return {"started_at": _instant(flare.started_at), "ended_at": _instant(flare.until)}


def _check_in(flare: Flare) -> dict[str, Any] | None:
    if flare.checked_in_at is None:
        return None
    return {"feeling": flare.check_in_feeling, "at": _instant(flare.checked_in_at)}


def render_history(flares: Iterable[Flare], now: dt.datetime) -> list[dict[str, Any]]:
    """The record a clinician reads: each flare, and how and when it ended."""
    rows = []
    for flare in flares:
        # Run out with no write since: expired at its end all the same.
        expired = flare.ended_at is None and not running(flare, now)
        ended_at = flare.ends_at if expired else flare.ended_at
        rows.append(
            {
                "started_at": _instant(flare.started_at),
                "ends_at": _instant(flare.ends_at),
                "ended_at": None if ended_at is None else _instant(ended_at),
                "ended_by": Flare.EndedBy.EXPIRED.value if expired else (flare.ended_by or None),
                "check_in": _check_in(flare),
            }
        )
    return rows
