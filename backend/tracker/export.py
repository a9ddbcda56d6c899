"""A person's data, whole, as JSON, CSV or a FHIR R4 Bundle (rendering only)."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from django.utils import timezone

from backend.accounts.models import User
from backend.programs.models import Enrollment
from backend.tracker.models import CheckIn, JournalEntry, SessionLog
from backend.tracker.serializers import render_record

# Stable, opaque FHIR ids: no database id leaves the server.
FHIR_NAMESPACE = uuid.UUID("6f1f5e0a-8a59-4c1e-9d0c-2b7f3f6f4a10")
LOINC = "http://loinc.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
BACKTRACK_CODES = "https://backtrack.invalid/fhir/CodeSystem/observation"
CSV_LISTS = ("pain_areas", "red_flags", "gratitude")
CSV_COLUMNS = [
    "record_type",
    "date",
    "client_id",
    "updated_at",
    "item_id",
    "status",
    "sets",
    "reps",
    "hold_seconds",
    "duration_seconds",
    "effort",
    "pain",
    "pain_areas",
    "stress",
    "sleep_hours",
    "sleep_quality",
    "mood",
    "red_flags",
    "safety_level",
    "feeling",
    "want_to_feel",
    "gratitude",
    "text",
    "note",
]


def collect(
    user: User,
    *,
    logs: list[SessionLog],
    checkins: list[CheckIn],
    journal: list[JournalEntry] | None,
    enrollments: list[Enrollment],
    extra: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The JSON export. ``journal`` None means it is not shared (clinician exports);
    ``extra`` adds other apps' sections (reminders, devices, sharing) as they are."""
    document: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "email": user.email,
            "role": user.role,
            "timezone": user.timezone,
            "date_joined": user.date_joined.isoformat(),
        },
        "enrollments": [
            {
                "program": e.program.slug,
                "start_date": e.start_date.isoformat(),
                "status": e.status,
                "pauses": e.pauses,
                "ended_on": e.ended_on.isoformat() if e.ended_on else None,
            }
            for e in enrollments
        ],
        "session_logs": [render_record(row) for row in logs],
        "checkins": [render_record(row) for row in checkins],
    }
    if journal is not None:
        document["journal"] = [render_record(row) for row in journal]
    document.update(extra or {})
    return document


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    # A cell starting like a formula would run in a spreadsheet (CSV injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def to_csv(document: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for record_type, key in (("session", "session_logs"), ("checkin", "checkins"), ("journal", "journal")):
        for record in document.get(key, []):
            writer.writerow({"record_type": record_type, **{k: _cell(v) for k, v in record.items()}})
    return buffer.getvalue()


def _observation(patient_ref: str, checkin: dict[str, Any], code: dict, value: dict, suffix: str) -> dict:
    return {
        "fullUrl": f"urn:uuid:{uuid.uuid5(FHIR_NAMESPACE, checkin['client_id'] + suffix)}",
        "resource": {
            "resourceType": "Observation",
            "id": str(uuid.uuid5(FHIR_NAMESPACE, checkin["client_id"] + suffix)),
            "status": "final",
            "category": [
                {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
            ],
            "code": code,
            "subject": {"reference": patient_ref},
            "effectiveDateTime": checkin["date"],
            "issued": checkin["updated_at"],
            **value,
        },
    }


def to_fhir(user: User, document: dict[str, Any]) -> dict[str, Any]:
    """A FHIR R4 Bundle (type collection): the patient and their check-in observations.

    Pain is LOINC 72514-3 (0-10 numeric rating), sleep duration LOINC 93832-4; stress
    (0-10) has no LOINC code and uses Backtrack's own code system with a plain text.
    """
    patient_id = str(uuid.uuid5(FHIR_NAMESPACE, f"user:{user.pk}"))
    patient_ref = f"urn:uuid:{patient_id}"
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": patient_ref,
            "resource": {
                "resourceType": "Patient",
                "id": patient_id,
                "telecom": [{"system": "email", "value": user.email}],
            },
        }
    ]
    for checkin in document["checkins"]:
        entries.append(
            _observation(
                patient_ref,
                checkin,
                {
                    "coding": [
                        {
                            "system": LOINC,
                            "code": "72514-3",
                            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
                        }
                    ],
                    "text": "Pain (0-10)",
                },
                {"valueInteger": checkin["pain"]},
                ":pain",
            )
        )
        entries.append(
            _observation(
                patient_ref,
                checkin,
                {
                    "coding": [
                        {"system": BACKTRACK_CODES, "code": "stress-0-10", "display": "Stress (0-10)"}
                    ],
                    "text": "Stress (0-10, self-reported)",
                },
                {"valueInteger": checkin["stress"]},
                ":stress",
            )
        )
        if checkin.get("sleep_hours") is not None:
            entries.append(
                _observation(
                    patient_ref,
                    checkin,
                    {
                        "coding": [{"system": LOINC, "code": "93832-4", "display": "Sleep duration"}],
                        "text": "Sleep",
                    },
                    {
                        "valueQuantity": {
                            "value": checkin["sleep_hours"],
                            "unit": "h",
                            "system": "http://unitsofmeasure.org",
                            "code": "h",
                        }
                    },
                    ":sleep",
                )
            )
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": document["exported_at"],
        "entry": entries,
    }
