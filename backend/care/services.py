"""Every write of the care app: share codes, links, the access log, alerts and notes."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from backend.accounts.models import User
from backend.caching import invalidation
from backend.care.models import DEFAULT_SCOPES, SCOPES, AccessLogEntry, CareLink, ClinicianNote, ShareCode
from backend.core.errors import ApplicationError
from backend.programs import services as plan_services
from backend.programs.models import PainRule, Prescription, SetAside
from backend.tracker.holds import safety_hold_release
from backend.tracker.models import SafetyAlert, SafetyHold

CODE_LIFETIME = dt.timedelta(hours=24)
# Crockford's base32: no I, L, O or U, so a code read aloud or typed is unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 random bits
MAX_OPEN_CODES = 5
INVALID_CODE = "This code is not valid or has expired. Ask your patient for a new one."


def normalize_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OIL", "011"))


def _hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


@transaction.atomic
def share_code_create(*, patient: User) -> tuple[str, ShareCode]:
    """A new single-use code; only its hash is kept, so it is shown once."""
    now = timezone.now()
    open_codes = ShareCode.objects.filter(patient=patient, used_at__isnull=True, expires_at__gt=now)
    if open_codes.count() >= MAX_OPEN_CODES:
        raise ApplicationError(
            f"You already have {MAX_OPEN_CODES} unused codes. Use one, or wait for them to expire in a day."
        )
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    code = "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))
    share = ShareCode.objects.create(patient=patient, code_hash=_hash(code), expires_at=now + CODE_LIFETIME)
    return code, share


@transaction.atomic
def care_link_redeem(*, clinician: User, code: str) -> CareLink:
    """Turn a patient's code into a link. Every failure reads the same: no oracle."""
    now = timezone.now()
    share = (
        ShareCode.objects.select_for_update().select_related("patient").filter(code_hash=_hash(code)).first()
    )
    if share is None or share.used_at is not None or share.expires_at <= now:
        raise ApplicationError(INVALID_CODE, field="code")
    if share.patient_id == clinician.pk or share.patient.role != User.Role.PATIENT:
        raise ApplicationError(INVALID_CODE, field="code")
    share.used_at, share.used_by = now, clinician
    share.save(update_fields=["used_at", "used_by"])
    existing = CareLink.objects.filter(
        patient=share.patient, clinician=clinician, ended_at__isnull=True
    ).first()
    if existing:
        return existing
    invalidation.links_changed(clinician.pk)
    try:
        with transaction.atomic():
            return CareLink.objects.create(
                patient=share.patient, clinician=clinician, scopes=list(DEFAULT_SCOPES)
            )
    except IntegrityError:
        return CareLink.objects.get(patient=share.patient, clinician=clinician, ended_at__isnull=True)


def care_link_end(*, link: CareLink) -> None:
    """Either side ends the link; the clinician's access stops with this write."""
    CareLink.objects.filter(pk=link.pk, ended_at__isnull=True).update(ended_at=timezone.now())
    invalidation.links_changed(link.clinician_id)


def care_link_set_scopes(*, link: CareLink, scopes: Iterable[str]) -> CareLink:
    wanted = set(scopes)
    unknown = wanted - set(SCOPES)
    if unknown:
        raise ApplicationError(f"Unknown scopes: {', '.join(sorted(unknown))}.", field="scopes")
    if not set(DEFAULT_SCOPES) <= wanted:
        raise ApplicationError(
            "Logs and check-ins are always shared while you are linked; end the link to stop sharing.",
            field="scopes",
        )
    link.scopes = [scope for scope in SCOPES if scope in wanted]
    link.save(update_fields=["scopes"])
    invalidation.links_changed(link.clinician_id)
    return link


def access_log_record(*, clinician: User, patient_ids: Iterable[int], what: str, ip: str | None) -> None:
    """One row per patient whose data this clinician was just shown.

    On PostgreSQL one ``INSERT ... SELECT`` over the ids as one array: the patient list
    logs every patient on it at each load, and a model instance per row (bulk_create)
    was a tenth of the list's cost per patient.
    """
    ids = list(patient_ids)
    if not ids:
        return
    if connection.vendor != "postgresql":
        AccessLogEntry.objects.bulk_create(
            AccessLogEntry(
                patient_id=pid, clinician=clinician, clinician_email=clinician.email, what=what, ip=ip
            )
            for pid in ids
        )
        return
    table = AccessLogEntry._meta.db_table
    ip = AccessLogEntry._meta.get_field("ip").get_db_prep_value(ip, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (patient_id, clinician_id, clinician_email, what, ip, at)"  # noqa: S608
            " SELECT shown.patient_id, %s, %s, %s, %s::inet, %s"
            " FROM unnest(%s::bigint[]) WITH ORDINALITY AS shown(patient_id, n) ORDER BY shown.n",
            [clinician.pk, clinician.email, what, ip, timezone.now(), ids],
        )


@transaction.atomic
def safety_alert_acknowledge(*, alert: SafetyAlert, clinician: User, ip: str | None) -> SafetyAlert:
    """Mark the alert seen; the patient's access log shows who did, as for every read
    (the answer carries the alert)."""
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), clinician
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        invalidation.user_changed(alert.patient_id)  # no longer an open alert
    access_log_record(clinician=clinician, patient_ids=[alert.patient_id], what="alert acknowledged", ip=ip)
    return alert


def safety_hold_clear(*, link: CareLink, clinician: User, ip: str | None) -> bool:
    """A clinician the patient allowed to (``prescribe``) ends the patient's safety hold.
    Recorded on the hold, and in the patient's access log like every act on their data."""
    released, _ = safety_hold_release(
        patient=link.patient, reason=SafetyHold.Reason.CLEARED_BY_CLINICIAN, by=clinician
    )
    access_log_record(
        clinician=clinician,
        patient_ids=[link.patient_id],
        what="safety hold released" if released else "safety hold (none open)",
        ip=ip,
    )
    return released


def clinician_note_create(*, clinician: User, patient: User, text: str) -> ClinicianNote:
    return ClinicianNote.objects.create(clinician=clinician, patient=patient, text=text)


def clinician_note_update(*, note: ClinicianNote, text: str) -> ClinicianNote:
    note.text = text
    note.save(update_fields=["text", "updated_at"])
    return note


def clinician_note_delete(*, note: ClinicianNote) -> None:
    note.delete()


# --- Prescribing (issue 16): a clinician changes a patient's plan ----------------------

NO_PRESCRIBE = "The patient has not allowed you to change their plan (the prescribe scope)."


def require_prescribe(link: CareLink) -> None:
    """Refuse (403) a clinician whose link lacks the ``prescribe`` scope."""
    if "prescribe" not in link.scopes:
        raise ApplicationError(NO_PRESCRIBE, status=403)


def _locked(link: CareLink) -> CareLink:
    """The link, locked for this write and read again: one ended meanwhile (the patient
    pressed "End sharing" while the clinician was editing) is a 404, and one whose
    ``prescribe`` was turned off a 403, with nothing written. Ending or re-scoping a
    link waits for this transaction, and this one for theirs."""
    locked = (
        CareLink.objects.select_for_update(of=("self",))
        .select_related("patient")
        .filter(pk=link.pk, ended_at__isnull=True)
        .first()
    )
    if locked is None:
        raise Http404
    require_prescribe(locked)
    return locked


@transaction.atomic
def prescription_add(*, link: CareLink, clinician: User, ip: str | None, **fields: Any) -> Prescription:
    link = _locked(link)
    created = plan_services.prescription_create(patient=link.patient, by=clinician, **fields)
    access_log_record(clinician=clinician, patient_ids=[link.patient_id], what="prescription added", ip=ip)
    return created


@transaction.atomic
def prescription_change(
    *, link: CareLink, clinician: User, row: Prescription, ip: str | None, **changes: Any
) -> Prescription:
    link = _locked(link)
    changed = plan_services.prescription_update(row=row, by=clinician, **changes)
    access_log_record(clinician=clinician, patient_ids=[link.patient_id], what="prescription changed", ip=ip)
    return changed


@transaction.atomic
def prescription_remove(
    *, link: CareLink, clinician: User, prescription: Prescription, ip: str | None
) -> None:
    link = _locked(link)
    plan_services.prescription_end(prescription=prescription, by=clinician)
    access_log_record(clinician=clinician, patient_ids=[link.patient_id], what="prescription ended", ip=ip)


@transaction.atomic
def exclusion_add(
    *, link: CareLink, clinician: User, exercise: str, reason: str, ip: str | None
) -> tuple[SetAside, bool]:
    link = _locked(link)
    row, created = plan_services.set_aside_add(
        patient=link.patient, by=clinician, exercise=exercise, reason=reason
    )
    access_log_record(clinician=clinician, patient_ids=[link.patient_id], what="exercise set aside", ip=ip)
    return row, created


@transaction.atomic
def exclusion_remove(*, link: CareLink, clinician: User, exercise: str, ip: str | None) -> None:
    link = _locked(link)
    plan_services.set_aside_end(patient=link.patient, by=clinician, exercise=exercise)
    access_log_record(clinician=clinician, patient_ids=[link.patient_id], what="exercise brought back", ip=ip)


@transaction.atomic
def pain_rule_change(*, link: CareLink, clinician: User, ip: str | None, **limits: int) -> PainRule:
    link = _locked(link)
    rule = plan_services.pain_rule_set(patient=link.patient, by=clinician, **limits)
    access_log_record(clinician=clinician, patient_ids=[link.patient_id], what="pain rule changed", ip=ip)
    return rule
