"""Every route of the API, from the URL resolver, as everyone who might call it.

The table below says, for each route and method, who may read or write what; a route
missing from it fails the first test, so a new endpoint cannot be forgotten. Every
object in a path belongs to patient A (or to A's clinician, for notes). The personas:
anonymous, patient A (the owner), patient B (another patient), A's linked clinician and
an unlinked clinician, both signed in with their authenticator.
"""

from __future__ import annotations

import time

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from backend.care.models import CareLink, ClinicianNote
from backend.programs.models import Prescription, SetAside
from backend.programs.services import prescription_create, set_aside_add
from backend.reminders.rules import reminder_rule_create
from backend.tracker.models import SafetyAlert
from tests.accounts.factories import ClinicianFactory, UserFactory
from tests.programs.factories import EnrollmentFactory
from tests.tracker.helpers import checkin, entry, journal, sync

PERSONAS = ["anonymous", "patient_a", "patient_b", "linked_clinician", "unlinked_clinician"]
RX_BODY = {"exercise": "childs-pose", "time_of_day": "evening", "prescription": {"hold_seconds": 30}}
SECRET = "patient-a-private-journal-line"

OK = frozenset({200, 201, 202, 204})
INPUT = frozenset({400})  # reached the view and refused the (deliberately empty) input
NOT_FOUND = frozenset({404})
PUBLIC = dict.fromkeys(PERSONAS, OK)
OWN = {"anonymous": {401}, **dict.fromkeys(PERSONAS[1:], OK)}
OWN_INPUT = {"anonymous": {401}, **dict.fromkeys(PERSONAS[1:], INPUT)}
OWNED = {"anonymous": {401}, "patient_a": OK, **dict.fromkeys(PERSONAS[2:], NOT_FOUND)}
PATIENTS = {
    "anonymous": {401},
    "patient_a": OK,
    "patient_b": OK,
    "linked_clinician": {403},
    "unlinked_clinician": {403},
}
CLINICIANS_INPUT = {
    "anonymous": {401},
    "patient_a": {403},
    "patient_b": {403},
    "linked_clinician": INPUT,
    "unlinked_clinician": INPUT,
}
CLINICIANS = {
    "anonymous": {401},
    "patient_a": {403},
    "patient_b": {403},
    "linked_clinician": OK,
    "unlinked_clinician": OK,
}
LINKED = {
    "anonymous": {401},
    "patient_a": {403},
    "patient_b": {403},
    "linked_clinician": OK,
    "unlinked_clinician": {404},
}
LINK_PATIENT_SIDE = {"anonymous": {401}, "patient_a": OK, **dict.fromkeys(PERSONAS[2:], NOT_FOUND)}
LINK_EITHER_SIDE = {**LINK_PATIENT_SIDE, "linked_clinician": OK}

# (route name, method) -> (expected statuses by persona, request body)
TABLE: dict[tuple[str, str], tuple[dict[str, set[int]], dict | None]] = {
    ("me", "get"): (OWN, None),
    ("me", "patch"): (OWN, {"timezone": "Europe/Paris"}),
    ("me", "delete"): (OWN_INPUT, {}),
    ("access-log", "get"): (OWN, None),
    ("export", "get"): (OWN, None),
    ("today", "get"): (OWN, None),
    ("plan", "get"): (OWN, None),
    ("program-list", "get"): (PUBLIC, None),
    ("program-detail", "get"): (PUBLIC, None),
    ("enrollment-list", "get"): (OWN, None),
    ("enrollment-list", "post"): (OWN_INPUT, {}),
    ("enrollment-detail", "get"): (OWNED, None),
    ("enrollment-detail", "patch"): (OWNED, {"status": "paused"}),
    ("enrollment-detail", "delete"): (OWNED, None),
    ("sync", "get"): (OWN, None),
    ("sync", "post"): (OWN, {"entries": []}),
    ("safety-rules", "get"): (PUBLIC, None),
    ("screening", "put"): (OWN, {"answers": {}}),
    ("safety-hold-release", "post"): (OWN, {"reason": "seen_professional"}),
    ("flare", "post"): (OWN, {}),
    ("flare", "delete"): (OWN, None),
    ("flare-plan", "get"): (OWN, None),
    ("flare-check-in", "post"): (OWN_INPUT, {}),
    ("logs", "get"): (OWN, None),
    ("checkins", "get"): (OWN, None),
    ("journal", "get"): (OWN, None),
    ("summary", "get"): (OWN, None),
    ("factors", "get"): (OWN, None),
    ("push-public-key", "get"): (OWN, None),
    ("push-subscriptions", "post"): (OWN_INPUT, {}),
    ("push-subscriptions", "delete"): (OWN_INPUT, {}),
    ("reminder-list", "get"): (OWN, None),
    ("reminder-list", "post"): (OWN_INPUT, {}),
    ("reminder-test", "post"): (OWN, None),
    ("reminder-detail", "get"): (OWNED, None),
    ("reminder-detail", "patch"): (OWNED, {"enabled": False}),
    ("reminder-detail", "delete"): (OWNED, None),
    ("care-share-codes", "post"): (PATIENTS, None),
    ("care-links", "get"): (OWN, None),
    ("care-links", "post"): (CLINICIANS_INPUT, {"code": "AAAA-BBBB-CCCC"}),
    ("care-link", "patch"): (LINK_PATIENT_SIDE, {"scopes": ["logs", "checkins", "journal"]}),
    ("care-link", "delete"): (LINK_EITHER_SIDE, None),
    ("care-patients", "get"): (CLINICIANS, None),
    ("care-patient", "get"): (LINKED, None),
    ("care-patient-summary", "get"): (LINKED, None),
    ("care-patient-logs", "get"): (LINKED, None),
    ("care-patient-journal", "get"): (LINKED, None),
    ("care-patient-export", "get"): (LINKED, None),
    ("care-patient-alerts", "get"): (LINKED, None),
    ("care-alert-acknowledge", "post"): (LINKED, None),
    # The link below has the prescribe scope; without it, 403 (tests/care/test_safety_hold_release.py).
    ("care-patient-safety-hold-release", "post"): (LINKED, None),
    ("care-patient-notes", "get"): (LINKED, None),
    ("care-patient-notes", "post"): (LINKED, {"text": "a note"}),
    ("care-patient-note", "patch"): (LINKED, {"text": "an edited note"}),
    ("care-patient-note", "delete"): (LINKED, None),
    # Prescribing (issue 16): the link below has prescribe; without it, writes are 403
    # (test_a_linked_clinician_without_prescribe_reads_but_never_writes).
    ("care-patient-plan", "get"): (LINKED, None),
    ("care-patient-prescriptions", "get"): (LINKED, None),
    ("care-patient-prescriptions", "post"): (LINKED, RX_BODY),
    ("care-patient-prescription", "patch"): (LINKED, {"prescription": {"reps": 3}}),
    ("care-patient-prescription", "delete"): (LINKED, None),
    ("care-patient-pain-rule", "get"): (LINKED, None),
    ("care-patient-pain-rule", "put"): (LINKED, {"during_max": 4}),
    ("care-patient-exclusions", "get"): (LINKED, None),
    ("care-patient-exclusions", "post"): (LINKED, {"exercise": "bird-dog"}),
    ("care-patient-exclusion", "delete"): (LINKED, None),
    ("not-for-me", "get"): (OWN, None),
    ("not-for-me", "post"): (OWN_INPUT, {}),
    ("not-for-me-detail", "delete"): (OWNED, None),
    ("plan-changes", "get"): (OWN, None),
    # Content for anyone signed in; a lesson's status is the caller's own.
    ("sources", "get"): (OWN, None),
    ("lessons", "get"): (OWN, None),
    ("questionnaires", "get"): (OWN, None),
    ("lesson-detail", "get"): (OWN, None),
}

# What a linked clinician whose link lacks ``prescribe`` gets: reads, never writes.
WITHOUT_PRESCRIBE = {
    ("care-patient-plan", "get"): 200,
    ("care-patient-prescriptions", "get"): 200,
    ("care-patient-prescriptions", "post"): 403,
    ("care-patient-prescription", "patch"): 403,
    ("care-patient-prescription", "delete"): 403,
    ("care-patient-pain-rule", "get"): 200,
    ("care-patient-pain-rule", "put"): 403,
    ("care-patient-exclusions", "get"): 200,
    ("care-patient-exclusions", "post"): 403,
    ("care-patient-exclusion", "delete"): 403,
    ("care-patient-safety-hold-release", "post"): 403,
}


def _routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith("api/v1/"):
            callback = pattern.callback
            actions = getattr(callback, "actions", None)
            # HEAD follows GET (the router lists it too); it is not a separate right.
            methods = (
                [m for m in actions if m != "head"]
                if actions
                else [m for m in ("get", "post", "put", "patch", "delete") if hasattr(callback.view_class, m)]
            )
            for method in methods:
                yield pattern.name, method


def test_every_api_route_and_method_is_in_the_table():
    routes = set(_routes())

    assert routes - set(TABLE) == set(), f"new routes need a row in TABLE: {routes - set(TABLE)}"
    assert set(TABLE) - routes == set(), "TABLE names routes that no longer exist"


def _signed_in(user, *, mfa: bool = False) -> APIClient:
    client = APIClient()
    client.force_login(user)
    if mfa:
        # As after allauth's sign-in with the authenticator code (its own flow is
        # tested in tests/care/ and the end-to-end tests).
        session = client.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "at": time.time()}]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
    assert client.get("/api/v1/me/").status_code == 200
    return client


@pytest.fixture
def world(catalog, settings):
    from backend.reminders.vapid import generate_key_pair

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = generate_key_pair()
    a, b = UserFactory(), UserFactory()
    linked, unlinked = ClinicianFactory(), ClinicianFactory()
    for clinician in (linked, unlinked):
        TOTP.activate(clinician, generate_totp_secret())
    clients = {
        "anonymous": APIClient(),
        "patient_a": _signed_in(a),
        "patient_b": _signed_in(b),
        "linked_clinician": _signed_in(linked, mfa=True),
        "unlinked_clinician": _signed_in(unlinked, mfa=True),
    }
    enrollment = EnrollmentFactory(user=a)
    sync(
        clients["patient_a"],
        entry("checkin", checkin(red_flags=["fever"])),
        entry("journal", journal(text=SECRET)),
    )
    link = CareLink.objects.create(
        patient=a, clinician=linked, scopes=["logs", "checkins", "journal", "prescribe"]
    )
    ids = {
        "pk": None,
        "slug": "core-strength",
        "patient_id": a.pk,
        "alert_id": SafetyAlert.objects.get(patient=a).pk,
        "note_id": ClinicianNote.objects.create(clinician=linked, patient=a, text="private").pk,
        "enrollment": enrollment.pk,
        "reminder": reminder_rule_create(user=a, kind="checkin", times=["20:00"]).pk,
        "link": link.pk,
        "rx": prescription_create(
            patient=a, by=linked, exercise="cat-cow", time_of_day="evening", prescription={"reps": 4}
        ).pk,
        # One exercise A set aside, one A's clinician did (only that one they may bring back).
        "aside": set_aside_add(patient=a, by=a, exercise="plank")[0].exercise.slug,
        "exclusion": set_aside_add(patient=a, by=linked, exercise="dead-bug")[0].exercise.slug,
    }
    return {"clients": clients, "ids": ids, "a": a, "link": link}


def _url(name: str, ids: dict) -> str:
    from django.urls import reverse

    patient = {"patient_id": ids["patient_id"]}
    kwargs = {
        "enrollment-detail": {"pk": ids["enrollment"]},
        "reminder-detail": {"pk": ids["reminder"]},
        "care-link": {"pk": ids["link"]},
        "program-detail": {"slug": ids["slug"]},
        "lesson-detail": {"slug": "the-desk"},
        "care-alert-acknowledge": {**patient, "alert_id": ids["alert_id"]},
        "care-patient-note": {**patient, "note_id": ids["note_id"]},
        "care-patient-prescription": {**patient, "pk": ids["rx"]},
        "care-patient-exclusion": {**patient, "slug": ids["exclusion"]},
        "not-for-me-detail": {"slug": ids["aside"]},
    }.get(name)
    if (kwargs is None and name.startswith("care-patient-")) or name == "care-patient":
        kwargs = patient
    return reverse(f"api:{name}", kwargs=kwargs)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "method"), sorted(TABLE))
def test_who_may_read_and_write_what(world, name, method, persona):
    expected, body = TABLE[(name, method)]
    client = world["clients"][persona]
    url = _url(name, world["ids"])

    response = (
        getattr(client, method)(url, body, format="json")
        if body is not None
        else getattr(client, method)(url)
    )

    assert response.status_code in expected[persona], (
        name,
        method,
        persona,
        response.status_code,
        response.content[:300],
    )
    if persona not in ("patient_a", "linked_clinician"):
        # Nobody else ever sees patient A's words or address.
        text = response.content.decode(errors="replace")
        assert SECRET not in text
        assert world["a"].email not in text
    if name == "me" and method == "delete" and persona != "anonymous":
        # Erasure needs the password; the deliberately empty body erased nothing.
        assert "password" in response.json()


@pytest.mark.parametrize(("name", "method"), sorted(WITHOUT_PRESCRIBE))
def test_a_linked_clinician_without_prescribe_reads_but_never_writes(world, name, method):
    CareLink.objects.filter(pk=world["link"].pk).update(scopes=["logs", "checkins", "journal"])
    expected, body = WITHOUT_PRESCRIBE[(name, method)], TABLE[(name, method)][1]
    before = (
        list(Prescription.objects.values_list("id", "prescription", "ends_on")),
        list(SetAside.objects.values_list("id", "ends_on")),
    )
    client = world["clients"]["linked_clinician"]
    url = _url(name, world["ids"])

    response = (
        getattr(client, method)(url, body, format="json")
        if body is not None
        else getattr(client, method)(url)
    )

    assert response.status_code == expected, (name, method, response.status_code, response.content[:300])
    after = (
        list(Prescription.objects.values_list("id", "prescription", "ends_on")),
        list(SetAside.objects.values_list("id", "ends_on")),
    )
    assert after == before
    if expected == 403:
        assert "prescribe" in response.json()["detail"]
