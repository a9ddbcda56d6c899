"""A care team that can prescribe (issue 16), at the physiotherapist's desk: with the
patient's `prescribe` permission a clinician names themselves, lowers a program
item's dose and adds an exercise from the catalog through the PWA, and sees both in
the patient's week with "Set by <name>"; without it the editor is not there; and when
the patient turns it off (or ends the sharing) in the middle of an edit, the refusal
is said calmly and everything typed stays in the form.

Screenshots at 1280 px (a desk) and 820 px (a tablet) go to test-artifacts/."""

from __future__ import annotations

import io
import re

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, expect

from backend.accounts.models import User
from backend.accounts.services import user_screening_set
from backend.care import services
from backend.care.models import CareLink
from backend.programs.models import Program
from backend.programs.selectors import pain_limits_for
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import signed_in
from tests.e2e.test_clinician import CLINICIAN, log_in, totp_code
from tests.e2e.test_safety import assert_no_axe_violations
from tests.programs.factories import EnrollmentFactory, exercises_of

DESK = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180}
ALL_SCOPES = ["logs", "checkins", "journal", "prescribe"]


def setup(*, scopes: list[str]) -> tuple[User, str, CareLink]:
    """A clinician with an authenticator, and a patient on the back-stretches program
    linked with them with these permissions."""
    call_command("load_programs", verbosity=0)
    call_command(
        "create_clinician", CLINICIAN, password=PASSWORD, timezone="Europe/Paris", stdout=io.StringIO()
    )
    clinician = User.objects.get(email=CLINICIAN)
    secret = generate_totp_secret()
    TOTP.activate(clinician, secret)
    patient = UserFactory(email="sam@example.com", timezone="Europe/Paris")
    EnrollmentFactory(user=patient, program=Program.objects.get(slug="back-stretches"))
    code, _ = services.share_code_create(patient=patient)
    link = services.care_link_redeem(clinician=clinician, code=code)
    link = services.care_link_set_scopes(link=link, scopes=scopes)
    return patient, secret, link


def open_desk(browser: Browser, base: str, secret: str) -> tuple[BrowserContext, Page, list[str]]:
    """The clinician signed in at a desk-sized window, with its CSP violations collected."""
    desk = browser.new_context(viewport=DESK, locale="en-GB", timezone_id="Europe/Paris")
    violations: list[str] = []
    desk.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page = desk.new_page()
    log_in(page, base, CLINICIAN)
    page.get_by_label("6-digit code").fill(totp_code(secret, set()))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your patients")).to_be_visible()
    return desk, page, violations


def plan_items(patient: User) -> list[dict]:
    """The patient's own next 7 days, as their phone reads them."""
    answer = signed_in(patient).get("/api/v1/plan/?days=7")
    assert answer.status_code == 200, answer.content
    return [item for day in answer.json()["days"] for item in exercises_of(day)]


def pain_rule_of(patient: User, page: Page) -> int:
    """The most pain during or right after that the patient's progression allows, as the
    server holds it, read without writing once the page has no request in flight. On
    SQLite (`make test`'s default) the test and the server share one in-memory database
    in which a write meeting another connection's open statement fails at once
    ("database table is locked") instead of waiting; signing a client in here, which
    saves a session, did that now and then."""
    page.wait_for_load_state("networkidle")
    return pain_limits_for(patient).during_max


def test_a_clinician_allowed_to_prescribe_lowers_a_dose_and_adds_an_exercise(
    live_server, browser: Browser, artifacts
):
    patient, secret, _ = setup(scopes=ALL_SCOPES)
    desk, page, violations = open_desk(browser, live_server.url, secret)
    try:
        # The list shows what the patient shares at a glance.
        row = page.get_by_role("row", name=re.compile(patient.email))
        expect(row).to_contain_text("Prescribe")
        expect(row).to_contain_text("you may prescribe")

        # The name patients will read beside what is set.
        name = page.get_by_role("region", name="Your name as patients see it")
        name.get_by_label("Name").fill("Dr Rao")
        name.get_by_role("button", name="Save name").click()
        expect(name.get_by_role("status")).to_contain_text("Patients see “Dr Rao”")
        page.screenshot(path=str(artifacts / "clinician-patients-scopes.png"), full_page=True)

        row.get_by_role("link").click()
        sharing = page.get_by_role("region", name="What they share with you")
        expect(sharing).to_contain_text("you may prescribe")
        plan = page.get_by_role("region", name="Their plan, next 7 days")
        cat_cow = plan.get_by_role("listitem").filter(has_text="Cat-cow")
        expect(cat_cow).to_contain_text("8 reps")
        expect(cat_cow).not_to_contain_text("Set by")

        # Lower a program item's dose, for this patient only.
        cat_cow.get_by_role("button", name="Change dose of Cat-cow").click()
        editor = page.get_by_role("form", name="Change the dose of Cat-cow")
        reps = editor.get_by_label(re.compile("^Repetitions"))
        expect(reps).to_have_value("8")
        reps.fill("5")
        editor.get_by_label(re.compile("Note the patient will see")).fill(
            "Smaller range this week, and slowly."
        )
        editor.get_by_role("button", name="Save the change").click()
        expect(page.get_by_role("region", name="Prescriptions").get_by_role("status")).to_contain_text(
            "Cat-cow changed to 5 reps"
        )
        expect(cat_cow).to_contain_text("5 reps")
        expect(cat_cow).to_contain_text("Set by Dr Rao")
        expect(cat_cow).to_contain_text("Smaller range this week")

        # Add an exercise from the catalog: found by name, with its picture and kind.
        page.get_by_role("button", name="Add an exercise").click()
        editor = page.get_by_role("form", name="Add an exercise")
        editor.get_by_label("Find an exercise").fill("plank")
        choices = editor.get_by_role("list", name="Exercises").get_by_role("button")
        expect(choices).to_have_count(2)  # the forearm and the side plank
        plank = editor.get_by_role("button", name=re.compile("^Forearm plank"))
        expect(plank).to_contain_text("Held position")
        expect(plank.locator("img")).to_be_visible()
        page.screenshot(path=str(artifacts / "clinician-prescribe-picker.png"), full_page=False)
        assert_no_axe_violations(page)
        plank.click()
        # The form fits a held position: sets, times and a hold in seconds, no minutes.
        expect(editor.get_by_label(re.compile("^Hold"))).to_have_value("15")
        expect(editor.get_by_label(re.compile("^Duration"))).to_have_count(0)
        editor.get_by_label(re.compile("^Sets")).fill("2")
        editor.get_by_label(re.compile("^Hold")).fill("10")
        editor.get_by_label("Time of day").select_option("evening")
        editor.get_by_role("checkbox", name="Saturday").uncheck()
        editor.get_by_role("checkbox", name="Sunday").uncheck()
        expect(editor).to_contain_text("Weekdays")
        editor.get_by_role("button", name="Add to their plan").click()
        expect(page.get_by_role("region", name="Prescriptions").get_by_role("status")).to_contain_text(
            "Forearm plank added to the patient's plan: 2 sets, hold 10 s"
        )
        added = plan.get_by_role("listitem").filter(has_text="Forearm plank")
        expect(added).to_contain_text("Set by Dr Rao")
        expect(added).to_contain_text("Evening · Weekdays")

        # Changing it again edits that prescription: the form starts from it.
        cat_cow.get_by_role("button", name="Change dose of Cat-cow").click()
        editor = page.get_by_role("form", name="Change the dose of Cat-cow")
        expect(editor.get_by_label(re.compile("^Repetitions"))).to_have_value("5")
        expect(editor.get_by_label(re.compile("Note the patient will see"))).to_have_value(
            "Smaller range this week, and slowly."
        )
        editor.get_by_label(re.compile("^Repetitions")).fill("6")
        editor.get_by_role("button", name="Save the change").click()
        expect(cat_cow).to_contain_text("6 reps")
        expect(page.get_by_role("region", name="Prescriptions").get_by_role("listitem")).to_have_count(2)

        # The patient's own plan: both, marked with the clinician's name.
        items = plan_items(patient)
        cat = [i for i in items if i["exercise"]["slug"] == "cat-cow"]
        assert cat and all(i["prescription"].get("reps") == 6 for i in cat), cat
        assert all(i["prescribed_by"] == {"name": "Dr Rao"} for i in cat)
        assert all(i["note"] == "Smaller range this week, and slowly." for i in cat)
        planks = [i for i in items if i["exercise"]["slug"] == "plank"]
        assert planks, "the added exercise is in the patient's week"
        assert all(i["time_of_day"] == "evening" and i["prescribed_by"] == {"name": "Dr Rao"} for i in planks)
        assert all(i["prescription"].get("hold_seconds") == 10 for i in planks)

        # Every change is in the plan's history, in plain words.
        changes = page.get_by_role("region", name="Changes to their plan")
        expect(changes.get_by_role("listitem")).to_have_count(3)
        expect(changes).to_contain_text("Forearm plank")
        expect(changes).to_contain_text("Cat-cow")

        # On the patient's phone, Today shows what was set, with the clinician's name.
        phone_sees_what_was_set(browser, live_server.url, patient, artifacts)

        # The pain rule: one limit lower, then back to the published default.
        rule = page.get_by_role("region", name="Pain rule")
        rule.get_by_label("Pain during or right after, at most").select_option("4")
        rule.get_by_role("button", name="Save the pain rule").click()
        expect(rule.get_by_role("status")).to_contain_text("Pain rule saved")
        expect(rule).to_contain_text("Pain up to 4/10")
        assert pain_rule_of(patient, page) == 4
        rule.get_by_role("button", name="Reset to default").click()
        expect(rule.get_by_role("status")).to_contain_text("reset to the default")
        expect(rule.get_by_label("Pain during or right after, at most")).to_have_value("5")
        assert pain_rule_of(patient, page) == 5

        # Not for this patient: it leaves the week, is listed with why, and comes back.
        child = plan.get_by_role("listitem").filter(has_text="Child's pose")
        child.get_by_role("button", name="Not for this patient: Child's pose").click()
        aside = page.get_by_role("group", name="Set Child's pose aside for this patient?")
        aside.get_by_label(re.compile("^Why")).fill("Kneeling hurts her knee")
        aside.get_by_role("button", name="Set aside").click()
        expect(plan.get_by_role("status")).to_contain_text("Child's pose is set aside")
        expect(child).to_have_count(0)
        listing = page.get_by_role("region", name="Not for this patient", exact=True)
        expect(listing).to_contain_text("Kneeling hurts her knee")
        assert not [i for i in plan_items(patient) if i["exercise"]["slug"] == "childs-pose"]
        listing.get_by_role("button", name="Bring back Child's pose").click()
        expect(listing.get_by_role("status")).to_contain_text("back in the patient's plan")
        expect(plan.get_by_role("listitem").filter(has_text="Child's pose")).to_have_count(1)

        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(artifacts / "clinician-prescribe-desk.png"), full_page=True)
        assert_no_axe_violations(page)
        page.set_viewport_size(TABLET)
        plan.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "clinician-prescribe-tablet.png"), full_page=False)
        # Nothing wider than the tablet's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]

        # Undone: the program's own dose again, the added exercise gone.
        prescriptions = page.get_by_role("region", name="Prescriptions")
        prescriptions.get_by_role("button", name="Back to the program dose: Cat-cow").click()
        expect(prescriptions.get_by_role("status")).to_contain_text("Cat-cow is back to its program's dose")
        expect(cat_cow).to_contain_text("8 reps")
        expect(cat_cow).not_to_contain_text("Set by")
        prescriptions.get_by_role("button", name="Remove: Forearm plank").click()
        expect(prescriptions.get_by_role("status")).to_contain_text("Forearm plank is removed")
        expect(plan.get_by_role("listitem").filter(has_text="Forearm plank")).to_have_count(0)
        assert not [i for i in plan_items(patient) if i["prescribed_by"]]
    finally:
        desk.close()
    assert not violations, violations


def test_without_the_permission_the_editor_is_not_there(live_server, browser: Browser, artifacts):
    """Read-only: the week, the flare the patient is in, and where they could allow more."""
    patient, secret, _ = setup(scopes=["logs", "checkins"])
    assert signed_in(patient).post("/api/v1/flare/", {}, format="json").status_code in (200, 201)
    desk, page, violations = open_desk(browser, live_server.url, secret)
    try:
        row = page.get_by_role("row", name=re.compile(patient.email))
        expect(row).to_contain_text("you cannot prescribe")
        expect(row).not_to_contain_text("Prescribe")
        expect(row).to_contain_text(re.compile(r"Flare-up since \d\d:\d\d"))
        row.screenshot(path=str(artifacts / "clinician-patients-flare.png"))
        row.get_by_role("link").click()
        expect(page.get_by_role("region", name="What they share with you")).to_contain_text(
            "they follow the short flare plan"
        )
        plan = page.get_by_role("region", name="Their plan, next 7 days")
        expect(plan).to_contain_text("they follow the short flare plan")
        expect(plan.get_by_role("listitem").filter(has_text="Cat-cow")).to_contain_text("8 reps")
        prescriptions = page.get_by_role("region", name="Prescriptions")
        expect(prescriptions).to_contain_text("can allow it from their Settings")
        expect(page.get_by_role("button", name=re.compile("Change dose"))).to_have_count(0)
        expect(page.get_by_role("button", name="Add an exercise")).to_have_count(0)
        expect(page.get_by_role("button", name="Save the pain rule")).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile("Not for this patient"))).to_have_count(0)
        prescriptions.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "clinician-no-prescribe.png"), full_page=False)
    finally:
        desk.close()
    assert not violations, violations


def test_a_refusal_mid_edit_keeps_what_was_typed(live_server, browser: Browser, artifacts):
    patient, secret, link = setup(scopes=ALL_SCOPES)
    desk, page, violations = open_desk(browser, live_server.url, secret)
    try:
        page.get_by_role("row", name=re.compile(patient.email)).get_by_role("link").click()
        page.get_by_role("button", name="Add an exercise").click()
        editor = page.get_by_role("form", name="Add an exercise")
        editor.get_by_label("Find an exercise").fill("plank")
        editor.get_by_role("button", name=re.compile("^Forearm plank")).click()
        editor.get_by_label(re.compile("^Hold")).fill("25")
        editor.get_by_role("checkbox", name="Wednesday").uncheck()
        note = editor.get_by_label(re.compile("Note the patient will see"))
        note.fill("Knees down if your back complains.")

        # Meanwhile, on the patient's phone: "prescribe" off.
        services.care_link_set_scopes(link=link, scopes=["logs", "checkins"])
        editor.get_by_role("button", name="Add to their plan").click()
        refusal = editor.get_by_role("alert")
        expect(refusal).to_contain_text("no longer lets you change their plan")
        expect(refusal).to_contain_text("What you typed is kept here")
        expect(editor.get_by_label(re.compile("^Hold"))).to_have_value("25")
        expect(note).to_have_value("Knees down if your back complains.")
        expect(editor.get_by_role("checkbox", name="Wednesday")).not_to_be_checked()
        expect(editor.get_by_role("checkbox", name="Thursday")).to_be_checked()
        editor.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "clinician-prescribe-refused.png"), full_page=False)
        assert_no_axe_violations(page)
        assert not [i for i in plan_items(patient) if i["exercise"]["slug"] == "plank"]

        # Allowed again: the same form, untouched, saves.
        services.care_link_set_scopes(link=link, scopes=ALL_SCOPES)
        editor.get_by_role("button", name="Add to their plan").click()
        expect(page.get_by_role("region", name="Prescriptions").get_by_role("status")).to_contain_text(
            "Forearm plank added"
        )

        # The sharing ends while another edit is open: said plainly, the form kept.
        page.get_by_role("button", name="Add an exercise").click()
        editor = page.get_by_role("form", name="Add an exercise")
        editor.get_by_label("Find an exercise").fill("bridge")
        editor.get_by_role("button", name=re.compile("^Glute bridge")).click()
        editor.get_by_label(re.compile("^Repetitions")).fill("6")
        services.care_link_end(link=CareLink.objects.get(pk=link.pk))
        editor.get_by_role("button", name="Add to their plan").click()
        expect(editor.get_by_role("alert")).to_contain_text("sharing with this patient has ended")
        expect(editor.get_by_label(re.compile("^Repetitions"))).to_have_value("6")
    finally:
        desk.close()
    assert not violations, violations


def phone_sees_what_was_set(browser: Browser, base: str, patient: User, artifacts) -> None:
    """The patient's Today on a phone: each item a clinician set carries "Set by Dr Rao"
    and the note written for it (cat-cow is every morning; the plank on weekday evenings)."""
    user_screening_set(user=patient, answers={"cancer_history": False, "fall_or_injury": False})
    today = exercises_of(signed_in(patient).get("/api/v1/today/").json())
    prescribed = [item for item in today if item["prescribed_by"]]
    assert any(item["exercise"]["slug"] == "cat-cow" for item in prescribed), today
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-GB", timezone_id="Europe/Paris"
    )
    try:
        mobile = phone.new_page()
        log_in(mobile, base, patient.email)
        expect(mobile.get_by_role("heading", name="Today", exact=True)).to_be_visible()
        for item in prescribed:
            session = mobile.locator(f'[data-session="{item["time_of_day"]}"]')
            session.locator("details").first.evaluate("el => { el.open = true }")
            row = mobile.locator(f'[data-item-id="{item["id"]}"]')
            expect(row).to_contain_text("Set by Dr Rao")
            if item["note"]:
                expect(row).to_contain_text(item["note"])
        cat_cow = next(item for item in prescribed if item["exercise"]["slug"] == "cat-cow")
        expect(mobile.locator(f'[data-item-id="{cat_cow["id"]}"]')).to_contain_text("6 reps")
        mobile.locator(f'[data-item-id="{cat_cow["id"]}"]').scroll_into_view_if_needed()
        mobile.screenshot(path=str(artifacts / "today-set-by.png"), full_page=False)
    finally:
        phone.close()
