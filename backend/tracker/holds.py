"""The safety hold: exercises paused after an ``urgent`` or ``emergency`` answer.

Opened (or raised) by a check-in as it syncs, in the same transaction as the check-in
and its clinicians' alert; released by the person or by a clinician the person allowed
to (the ``prescribe`` scope). Every change of a hold changes what /today/ and /plan/
show, so each one tells the cache (``invalidation.user_changed``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.caching import invalidation
from backend.tracker.models import CheckIn, SafetyHold

# Levels that pause the exercises; see_doctor keeps them, gently.
HOLDING = ("urgent", "emergency")
RANK = {"urgent": 0, "emergency": 1}


def holds_follow(*, user_id: int, serious: list[CheckIn], lowered: list[CheckIn]) -> None:
    """Open or raise the person's hold for check-ins that newly answered ``urgent`` or
    ``emergency`` (``serious``), and release it when the check-in that holds it is
    edited below that or deleted (``lowered``). Called inside the sync transaction,
    which holds the user's SyncState lock, so no other write of this user's holds races.
    """
    if not serious and not lowered:
        return
    hold = SafetyHold.objects.filter(patient_id=user_id, released_at__isnull=True).first()
    now = timezone.now()
    if hold is not None and lowered and hold.check_in_id in {c.pk for c in lowered}:
        _release(hold, reason=SafetyHold.Reason.CHECK_IN_CHANGED, by=None, now=now)
        hold = None
    if not serious:
        return
    newest = max(serious, key=lambda c: c.seq)
    level = max((c.safety_level for c in serious), key=RANK.__getitem__)
    if hold is None:
        SafetyHold.objects.create(
            patient_id=user_id,
            level=level,
            since=now,
            check_in=newest,
            check_in_client_id=newest.client_id,
        )
        return
    if RANK[level] > RANK[hold.level]:
        hold.level = level
    hold.check_in, hold.check_in_client_id = newest, newest.client_id
    hold.save(update_fields=["level", "check_in", "check_in_client_id"])


def _release(hold: SafetyHold, *, reason: str, by: User | None, now: dt.datetime) -> None:
    hold.released_at, hold.release_reason = now, reason
    hold.released_by = by
    hold.released_by_name = "" if by is None else by.email
    hold.save(update_fields=["released_at", "release_reason", "released_by", "released_by_name"])


def safety_hold_release(
    *, patient: User, reason: str, by: User, check_in: Any | None = None
) -> tuple[bool, SafetyHold | None]:
    """End the patient's open hold; ``(released, the hold still open)``.

    ``check_in`` (a client id) is the check-in whose hold the releasing device knows:
    a hold raised since by a later check-in (from another device, say) is not the one
    the person saw, so it stays, and goes back to be shown.
    """
    with transaction.atomic():
        hold = (
            SafetyHold.objects.select_for_update(of=("self",))
            .select_related("check_in")
            .filter(patient=patient, released_at__isnull=True)
            .first()
        )
        if hold is None:
            return False, None
        if (
            check_in is not None
            and str(check_in) != str(hold.check_in_client_id)
            and not _as_recent(patient, check_in, hold)
        ):
            return False, hold
        _release(hold, reason=reason, by=by, now=timezone.now())
    invalidation.user_changed(patient.pk)
    return True, None


def _as_recent(patient: User, client_id: Any, hold: SafetyHold) -> bool:
    """Whether the named check-in was written after the one that holds (so it saw it)."""
    if hold.check_in is None:
        return True  # the holding check-in is gone: nothing newer to have missed
    named = CheckIn.objects.filter(user=patient, client_id=client_id).values_list("seq", flat=True).first()
    return named is not None and named >= hold.check_in.seq


def open_hold(user_id: int) -> SafetyHold | None:
    return (
        SafetyHold.objects.filter(patient_id=user_id, released_at__isnull=True)
        .select_related("check_in", "patient")
        .first()
    )


def held_from(hold: SafetyHold, zone: str) -> dt.date:
    """The first local date whose exercises the hold pauses: the day of the report, or
    the day the server heard of it if that is earlier (a report backdated in the app)."""
    opened = local_today(zone, now=hold.since)
    reported = hold.check_in.date if hold.check_in is not None else opened
    return min(opened, reported)


def render_hold(hold: SafetyHold | None) -> dict[str, Any] | None:
    if hold is None:
        return None
    return {
        "level": hold.level,
        "since": hold.since.isoformat().replace("+00:00", "Z"),
        "check_in": None if hold.check_in_client_id is None else str(hold.check_in_client_id),
    }


def render_history(holds: list[SafetyHold]) -> list[dict[str, Any]]:
    """The record a clinician reads: each hold, and who released it, why and when."""
    return [
        {
            **(render_hold(hold) or {}),
            "released_at": None
            if hold.released_at is None
            else hold.released_at.isoformat().replace("+00:00", "Z"),
            "release_reason": hold.release_reason or None,
            "released_by": None
            if hold.released_at is None or hold.released_by_name == ""
            else {"name": hold.released_by_name, "self": hold.released_by_id == hold.patient_id},
        }
        for hold in holds
    ]
