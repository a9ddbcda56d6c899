"""A person's data, whole, as JSON, CSV or a FHIR R4 Bundle (rendering only)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.care.selectors import access_log, active_links, safety_holds
from backend.outcomes.instruments import all_instruments
from backend.programs import selectors as plan_selectors
from backend.programs.models import Enrollment, Prescription, SetAside
from backend.programs.plan_changes import render_changes
from backend.programs.serializers import render_pain_rule, render_prescription, render_set_aside
from backend.reminders.selectors import push_subscription_list, reminder_rule_list
from backend.reminders.serializers import ReminderRuleSerializer
from backend.tracker.entries import RECORD_COLUMNS, render_record
from backend.tracker.flares import render_history as render_flares
from backend.tracker.holds import render_history
from backend.tracker.models import CheckIn, Flare, JournalEntry, LessonRead, QuestionnaireAnswer, SessionLog

# Stable, opaque FHIR ids: no database id leaves the server.
FHIR_NAMESPACE = uuid.UUID("6f1f5e0a-8a59-4c1e-9d0c-2b7f3f6f4a10")
LOINC = "http://loinc.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
BACKTRACK_CODES = "https://backtrack.invalid/fhir/CodeSystem/observation"
CSV_LISTS = ("pain_areas", "red_flags", "gratitude", "factors")
CSV_COLUMNS = list(RECORD_COLUMNS)


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
            "country": user.country,
            "screening": user.screening,
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


def lessons_section(reads: Iterable[LessonRead]) -> dict[str, list[dict[str, Any]]]:
    """The lessons a person read (their own export only: reading is no shared scope)."""
    return {"lessons_read": [render_record(row) for row in reads]}


def questionnaires_section(answers: Iterable[QuestionnaireAnswer]) -> dict[str, list[dict[str, Any]]]:
    """Validated questionnaires answered, each with the server's score."""
    return {"questionnaires": [render_record(row) for row in answers]}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        value = json.dumps(value, sort_keys=True)
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
    for record_type, key in (
        ("session", "session_logs"),
        ("checkin", "checkins"),
        ("journal", "journal"),
        ("lesson", "lessons_read"),
        ("questionnaire", "questionnaires"),
    ):
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
    # A score not answered has no observation: FHIR has no "null" reading, and 0 would be false.
    entries = [e for e in entries if e["resource"].get("valueInteger", 0) is not None]
    entries.extend(_questionnaire_resources(patient_ref, document.get("questionnaires") or []))
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": document["exported_at"],
        "entry": entries,
    }


QUESTIONNAIRE_URL = "https://backtrack.invalid/fhir/Questionnaire/"


def _questionnaire_resources(patient_ref: str, answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A ``Questionnaire`` per instrument answered, a ``QuestionnaireResponse`` per answer
    and an ``Observation`` of its total score. LOINC codes only where they were looked
    up (the PHQ-4's items, answers and total); the others carry text only."""
    catalog = all_instruments()
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for record in answers:
        instrument = catalog.get(record["questionnaire"])
        if instrument is None:
            continue
        url = QUESTIONNAIRE_URL + instrument.slug
        if instrument.slug not in seen:
            seen.add(instrument.slug)
            items = []
            for item in instrument.items:
                options = []
                for answer in item.answers:
                    coding = (
                        {"system": LOINC, "code": answer.loinc, "display": answer.label}
                        if answer.loinc
                        else {"system": url, "code": str(answer.value), "display": answer.label}
                    )
                    options.append({"valueCoding": coding})
                entry: dict[str, Any] = {
                    "linkId": item.id,
                    "text": item.text,
                    "type": "choice",
                    "required": True,
                    "answerOption": options,
                }
                if item.loinc:
                    entry["code"] = [{"system": LOINC, "code": item.loinc}]
                items.append(entry)
            resource: dict[str, Any] = {
                "resourceType": "Questionnaire",
                "id": str(uuid.uuid5(FHIR_NAMESPACE, "questionnaire:" + instrument.slug)),
                "url": url,
                "name": instrument.slug.upper(),
                "title": instrument.title,
                "status": "active",
                "subjectType": ["Patient"],
                "copyright": instrument.licence["text"],
                "item": items,
            }
            if instrument.loinc.get("total"):
                resource["code"] = [{"system": LOINC, "code": instrument.loinc["total"]}]
            found.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
        response_id = str(uuid.uuid5(FHIR_NAMESPACE, record["client_id"] + ":response"))
        response_items = []
        for item in instrument.items:
            value = record["answers"].get(item.id)
            answer = next((a for a in item.answers if a.value == value), None)
            if answer is None:
                continue
            coding = (
                {"system": LOINC, "code": answer.loinc, "display": answer.label}
                if answer.loinc
                else {"system": url, "code": str(answer.value), "display": answer.label}
            )
            response_items.append({"linkId": item.id, "text": item.text, "answer": [{"valueCoding": coding}]})
        found.append(
            {
                "fullUrl": f"urn:uuid:{response_id}",
                "resource": {
                    "resourceType": "QuestionnaireResponse",
                    "id": response_id,
                    "questionnaire": url,
                    "status": "completed",
                    "subject": {"reference": patient_ref},
                    "authored": record["updated_at"],
                    "item": response_items,
                },
            }
        )
        # LOINC where it has the total (PHQ-4); else Backtrack's own code, said plainly.
        total = instrument.loinc.get("total")
        code: dict[str, Any] = {
            "coding": [
                {"system": LOINC, "code": total}
                if total
                else {
                    "system": BACKTRACK_CODES,
                    "code": f"{instrument.slug}-total",
                    "display": instrument.title,
                }
            ],
            "text": f"{instrument.title}: total score",
        }
        observation = _observation(
            patient_ref,
            record,
            code,
            {
                "valueQuantity": {"value": record["score"]},
                "derivedFrom": [{"reference": f"urn:uuid:{response_id}"}],
            },
            ":score",
        )
        if record.get("band"):
            observation["resource"]["interpretation"] = [{"text": record["band"]}]
        found.append(observation)
    return found


def own_settings(user: User) -> dict[str, list[dict]]:
    """What else the person has told or allowed us: reminders, devices, sharing."""
    return {
        "reminders": [dict(r) for r in ReminderRuleSerializer(reminder_rule_list(user=user), many=True).data],
        "devices": [
            # Where notifications go; the device's encryption keys stay on the server.
            {"endpoint": s.endpoint, "user_agent": s.user_agent, "created_at": s.created_at.isoformat()}
            for s in push_subscription_list(user=user)
        ],
        "sharing": [
            {"clinician": link.clinician.email, "since": link.created_at.isoformat(), "scopes": link.scopes}
            for link in active_links(user=user)
        ],
        "access_log": [
            {"clinician": e.clinician_email, "what": e.what, "at": e.at.isoformat()}
            for e in access_log(patient=user)
        ],
        # When the exercises were paused after a serious answer, and who ended it.
        "safety_holds": render_history(safety_holds(patient=user, limit=1000)),
        # Each flare-up: when it ran, how it ended, and the check-in at its end.
        "flares": render_flares(Flare.objects.filter(patient=user).order_by("started_at"), timezone.now()),
        # What the care team (or the person) changed in the plan, ended ones too.
        "prescriptions": [
            {**render_prescription(row), "starts_on": row.starts_on.isoformat(), "ends_on": _day(row.ends_on)}
            for row in Prescription.objects.filter(patient=user)
            .select_related("exercise", "set_by")
            .order_by("id")
        ],
        "not_for_me": [
            {**render_set_aside(row), "starts_on": row.starts_on.isoformat(), "ends_on": _day(row.ends_on)}
            for row in SetAside.objects.filter(patient=user).select_related("exercise").order_by("id")
        ],
        "pain_rule": render_pain_rule(plan_selectors.pain_rule_of(user=user)),
        "plan_changes": render_changes(plan_selectors.plan_changes(patient=user, limit=10000), user.pk),
    }


def _day(value) -> str | None:
    return None if value is None else value.isoformat()


def export_response(*, subject: User, document: dict[str, Any], fmt: str, stem: str) -> HttpResponse:
    """The export as a download: ``stem-YYYY-MM-DD.{json,csv,fhir.json}``, never cached."""
    stamp = local_today(subject.timezone).isoformat()
    if fmt == "csv":
        response = HttpResponse(to_csv(document), content_type="text/csv; charset=utf-8")
        filename = f"{stem}-{stamp}.csv"
    elif fmt == "fhir":
        response = HttpResponse(json.dumps(to_fhir(subject, document)), content_type="application/fhir+json")
        filename = f"{stem}-{stamp}.fhir.json"
    else:
        response = HttpResponse(json.dumps(document), content_type="application/json")
        filename = f"{stem}-{stamp}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
