"""Safety that acts, on the phone (issue 14): history questions before any program,
one emergency message with a number to tap, the plan paused at once with no signal,
help one tap away from every screen, and scores nobody chose never saved.

Screenshots (390x844) go to test-artifacts/; axe-core checks each of those screens."""

from __future__ import annotations

import io
import re
import time
import uuid
from pathlib import Path

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from backend.accounts.models import User
from backend.accounts.services import user_screening_set
from backend.accounts.timezones import local_today
from backend.care import notify, services
from backend.care.models import AlertNotice, CareLink
from backend.programs.models import Program
from backend.tracker.holds import open_hold
from backend.tracker.models import SafetyAlert, SafetyHold
from tests.accounts.factories import PASSWORD, ClinicianFactory, UserFactory
from tests.care.test_alert_notices import linked, subscribe
from tests.conftest import signed_in
from tests.e2e.test_clinician import CLINICIAN, log_in, totp_code
from tests.e2e.test_offline import baseline_later, server_entries, sign_up_and_enroll, wait_for_service_worker
from tests.programs.factories import EnrollmentFactory, exercises_of
from tests.reminders import conftest as push_fixtures

# The local push service that verifies VAPID and decrypts: the clinician's device.
vapid_keys = push_fixtures.vapid_keys
push_settings = push_fixtures.push_settings
push_service = push_fixtures.push_service
push_sender = push_fixtures.push_sender

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"

# The check-in's words for the levels below emergency (backend/tracker/content/safety_rules.yaml).
LOWER_LEVEL_TEXT = ("make an appointment", "checked by a doctor today", "Book a visit")


def assert_no_axe_violations(page: Page) -> None:
    """axe-core's default rules (WCAG A/AA and best practices) on the screen as shown."""
    assert AXE.is_file(), f"{AXE} is missing: run `make frontend` (npm ci installs axe-core)"
    if not page.evaluate("typeof axe !== 'undefined'"):
        # Not add_script_tag: the app's Content-Security-Policy (script-src 'self')
        # refuses an inline <script>, and rightly. Evaluated through the DevTools
        # protocol, axe runs beside the page without weakening its policy.
        page.evaluate(f"() => {{ {AXE.read_text(encoding='utf-8')}\n}}")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert len(result["passes"]) > 20, "axe-core did not check the page"
    problems = [
        (v["id"], v["impact"], v["help"], [node["target"] for node in v["nodes"]][:5])
        for v in result["violations"]
    ]
    assert not problems, problems


def wait_until(check, timeout: float = 15.0):
    """Polls a server-side condition the browser reaches in the background."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.25)


def me(context: BrowserContext, base: str) -> dict:
    response = context.request.get(f"{base}/api/v1/me/")
    assert response.ok, response.text()
    return response.json()


def morning_items(page: Page):
    return page.get_by_role("region", name="Morning").get_by_role("listitem")


def start_button(page: Page):
    """The one way into a session: its Start (a card cannot be ticked without opening it)."""
    return page.get_by_role("region", name="Morning").get_by_role("link", name="Start")


def open_checkin(page: Page):
    """The check-in is its own short step (#/checkin), one tap from Today."""
    page.get_by_role("link", name=re.compile("Check in|Check-in done")).click()
    checkin = page.get_by_role("region", name="How are you today?")
    expect(checkin).to_be_visible()
    return checkin


def test_history_questions_come_before_any_program_and_are_saved(
    live_server, page: Page, context: BrowserContext, artifacts
):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    page.goto(f"{base}/#/signup")
    page.get_by_label("Email").fill("history@example.com")
    page.get_by_label("Choose a password").fill("calm-steady-breathing-42")
    page.get_by_role("button", name="Create account").click()

    # Before any program: the history, each question a Yes or a No.
    expect(page.get_by_role("heading", name="Your health history")).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("Core strengthening"))).to_have_count(0)
    save = page.get_by_role("button", name="Save and continue")
    expect(save).to_be_disabled()
    groups = page.locator("fieldset.yesno")
    rule_ids = [groups.nth(i).get_attribute("data-rule") for i in range(groups.count())]
    assert "cancer_history" in rule_ids
    for rule_id in rule_ids:
        group = page.locator(f'fieldset.yesno[data-rule="{rule_id}"]')
        group.get_by_role("radio", name="Yes" if rule_id == "cancer_history" else "No").check()
    page.screenshot(path=str(artifacts / "onboarding-history.png"), full_page=False)
    save.click()
    baseline_later(page)

    # Said kindly: book a visit, and a gentle start is still fine.
    advice = page.get_by_test_id("screening-advice")
    expect(advice).to_contain_text("Book a visit")
    expect(advice).to_contain_text("You can still start gently")
    page.screenshot(path=str(artifacts / "onboarding-advice.png"), full_page=False)
    assert_no_axe_violations(page)
    page.get_by_role("checkbox", name=re.compile("Core strengthening")).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()  # the daily time, as offered
    page.get_by_role("button", name="Start my plan").click()  # no reminders chosen
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()

    expected = {rule_id: rule_id == "cancer_history" for rule_id in rule_ids}
    assert wait_until(lambda: me(context, base)["screening"] == expected), me(context, base)

    # Editable in Settings, where the answers given are shown.
    page.get_by_role("link", name="Settings").click()
    history = page.get_by_role("region", name="Your health history")
    cancer = history.locator('fieldset.yesno[data-rule="cancer_history"]')
    expect(cancer.get_by_role("radio", name="Yes")).to_be_checked()
    cancer.get_by_role("radio", name="No").check()
    history.get_by_role("button", name="Save my answers").click()
    expect(history.get_by_role("status").first).to_contain_text("Saved")
    expected["cancer_history"] = False
    assert wait_until(lambda: me(context, base)["screening"] == expected), me(context, base)


def test_an_emergency_offline_shows_one_message_a_number_to_call_and_pauses_the_plan(
    live_server, page: Page, context: BrowserContext, artifacts, push_service, push_sender
):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    sign_up_and_enroll(page, base, "emergency@example.com")
    # A physiotherapist the patient shares with, with the app on their phone.
    physio = ClinicianFactory(email="physio@example.org")
    linked(User.objects.get(email="emergency@example.com"), physio)
    physio_phone = subscribe(physio, push_service)
    wait_for_service_worker(page)
    expect(page.get_by_test_id("pending-count")).to_have_text("All saved")
    number = me(context, base)["emergency_number"]  # the time zone's country: France, 15
    expect(start_button(page)).to_be_visible()

    context.set_offline(True)
    checkin = open_checkin(page)
    checkin.get_by_role("checkbox", name=re.compile("chest together with being short of breath")).check()
    checkin.get_by_role("checkbox", name=re.compile("tingling or pins and needles")).check()
    checkin.get_by_role("button", name="Save check-in").click()

    screen = page.get_by_test_id("emergency-screen")
    expect(screen).to_be_visible()
    expect(screen).to_be_in_viewport()
    expect(screen.get_by_role("heading")).to_have_text("Call your emergency number now")
    call = screen.get_by_role("link", name=f"Call {number}")
    expect(call).to_have_attribute("href", f"tel:{number}")
    expect(screen).to_contain_text("Nobody watches Backtrack live")
    # One emergency message, and none of the lower levels' words.
    expect(page.get_by_text(re.compile("problem with your heart or lungs"))).to_have_count(1)
    for words in LOWER_LEVEL_TEXT:
        expect(page.get_by_text(re.compile(words))).to_have_count(0)
    # The exercises are paused at once: nothing to start; the emergency stays on top of Today.
    page.get_by_role("link", name="Back to today").click()
    expect(page.get_by_test_id("emergency-screen")).to_be_visible()
    expect(page.get_by_test_id("safety-hold")).to_contain_text("Your exercises are paused")
    expect(page.get_by_text(re.compile(r"\d+ of \d+ done"))).to_have_count(0)  # no tally while paused
    expect(morning_items(page).first.locator(".chip")).to_have_text("Paused")
    expect(page.get_by_role("link", name="Start", exact=True)).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "emergency-screen.png"), full_page=False)
    assert_no_axe_violations(page)

    # It stays at the top of Today when the app is opened again, with no signal.
    page.reload()
    expect(page.get_by_test_id("emergency-screen")).to_be_visible()
    page.get_by_role("button", name="I have called / I am safe").click()
    expect(page.get_by_test_id("emergency-screen")).to_have_count(0)
    # The hold stays until the person has been seen; the check-in stays open.
    hold = page.get_by_test_id("safety-hold")
    expect(hold).to_be_visible()
    expect(page.get_by_role("link", name="Start", exact=True)).to_have_count(0)
    expect(open_checkin(page).get_by_role("button", name="Update check-in")).to_be_enabled()
    page.get_by_role("link", name="Back to today").click()
    expect(hold).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "today-paused.png"), full_page=False)
    assert_no_axe_violations(page)

    # Back online: the check-in reaches the server.
    context.set_offline(False)
    expect(page.get_by_test_id("pending-count")).to_have_text("All saved", timeout=15_000)
    checkins = [e for e in server_entries(context, base) if e["type"] == "checkin"]
    assert len(checkins) == 1
    assert checkins[0]["data"]["red_flags"] == ["chest_breathless", "tingling"]
    # The server holds the same hold, opened as the check-in synced.
    hold_on_server = me(context, base)["safety_hold"]
    assert hold_on_server is not None
    assert hold_on_server["level"] == "emergency"
    assert hold_on_server["check_in"] == checkins[0]["client_id"]
    today = context.request.get(f"{base}/api/v1/today/").json()
    assert today["safety_hold"]["check_in"] == checkins[0]["client_id"]
    assert {item["status"] for item in exercises_of(today)} == {"held"}
    # The physiotherapist's phone is told once (the task the sync queued, run here),
    # naming the patient and the level only; running it again tells nobody twice.
    alert = SafetyAlert.objects.get(patient__email="emergency@example.com")
    notify.alert_notices_send(alert_id=alert.pk, sender=push_sender)
    notify.alert_notices_send(alert_id=alert.pk, sender=push_sender)
    (received,) = push_service.wait_for(1, timeout=10)
    assert received.token == physio_phone.token
    assert (
        received.payload["body"] == "emergency@example.com has an emergency alert. Open Backtrack to see it."
    )
    time.sleep(0.5)
    assert len(push_service.received) == 1
    assert AlertNotice.objects.filter(channel="push", status="sent").count() == 1
    # Opened again online, the phone and the server agree.
    page.reload()
    expect(page.get_by_test_id("safety-hold")).to_be_visible()
    expect(page.get_by_test_id("emergency-screen")).to_have_count(0)

    # Released offline: shown at once, sent after the check-in.
    context.set_offline(True)
    hold.get_by_role("button", name="I have seen a professional").click()
    expect(page.get_by_test_id("safety-hold")).to_have_count(0)
    expect(start_button(page)).to_be_visible()
    context.set_offline(False)
    assert wait_until(lambda: me(context, base)["safety_hold"] is None), me(context, base)
    released = SafetyHold.objects.get(patient__email="emergency@example.com")
    assert (released.release_reason, released.released_by.email) == (
        "seen_professional",
        "emergency@example.com",
    )
    page.reload()
    expect(start_button(page)).to_be_visible()
    expect(page.get_by_test_id("safety-hold")).to_have_count(0)


def test_help_is_one_tap_from_every_screen_and_offered_after_a_very_low_mood(
    live_server, page: Page, context: BrowserContext, artifacts
):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    sign_up_and_enroll(page, base, "help@example.com")
    wait_for_service_worker(page)

    page.get_by_role("link", name="Need help now?").click()
    expect(page.get_by_role("heading", name="Need help now?", level=1)).to_be_visible()
    number = me(context, base)["emergency_number"]
    expect(page.get_by_role("link", name=f"Call {number}")).to_have_attribute("href", f"tel:{number}")
    lines = me(context, base)["crisis_lines"]
    assert lines, "France has a crisis line in emergency_numbers.yaml"
    expect(page.get_by_role("link", name=re.compile(f"Call {lines[0]['phone']}"))).to_have_attribute(
        "href", f"tel:{lines[0]['phone']}"
    )
    expect(page.get_by_text("Nobody watches Backtrack live")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "crisis-screen.png"), full_page=False)
    assert_no_axe_violations(page)

    # With no signal too, from the cached profile.
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("link", name=re.compile(f"Call {lines[0]['phone']}"))).to_be_visible()
    context.set_offline(False)

    # From Settings as from Today: it is in the header.
    tabs = page.get_by_role("navigation", name="Main")
    tabs.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("link", name="Need help now?")).to_be_visible()
    tabs.get_by_role("link", name="Today").click()

    # A very low mood: help is offered at once, before saving.
    checkin = open_checkin(page)
    checkin.get_by_role("radio", name="Very low").check()
    offer = checkin.get_by_test_id("crisis-offer")
    expect(offer).to_be_visible()
    offer.get_by_role("link", name="Talk to someone now").click()
    expect(page.get_by_role("heading", name="Need help now?", level=1)).to_be_visible()


def test_help_is_there_before_signing_in_too(live_server, page: Page):
    page.goto(f"{live_server.url}/#/login")
    page.get_by_role("link", name="Need help now?").click()

    expect(page.get_by_role("heading", name="Need help now?", level=1)).to_be_visible()
    # Nothing is known of the person yet: the number that works across Europe.
    expect(page.get_by_role("link", name="Call 112")).to_have_attribute("href", "tel:112")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Back to log in").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()


def test_an_untouched_slider_saves_no_score(live_server, page: Page, context: BrowserContext, artifacts):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    sign_up_and_enroll(page, base, "honest@example.com")
    checkin = open_checkin(page)
    stress = checkin.get_by_role("slider", name="Stress")
    expect(stress).to_have_attribute("aria-valuetext", "Not answered")
    expect(checkin.get_by_text("Not answered").first).to_be_visible()
    checkin.screenshot(path=str(artifacts / "checkin-unanswered.png"))

    checkin.get_by_role("slider", name="Pain").fill("3")
    # Touched, then cleared: back to not answered.
    stress.fill("7")
    expect(stress).to_have_attribute("aria-valuetext", re.compile("7 out of 10"))
    checkin.get_by_role("button", name=re.compile("Clear stress")).click()
    expect(stress).to_have_attribute("aria-valuetext", "Not answered")
    checkin.get_by_role("button", name="Save check-in").click()
    expect(checkin.get_by_role("status").last).to_contain_text("Check-in saved")
    expect(page.get_by_test_id("pending-count")).to_have_text("All saved", timeout=15_000)

    (entry,) = [e for e in server_entries(context, base) if e["type"] == "checkin"]
    assert entry["data"]["pain"] == 3
    assert entry["data"]["stress"] is None
    assert entry["data"].get("mood") is None


def test_a_clinician_the_patient_allows_sees_the_hold_and_releases_it(
    live_server, browser: Browser, browser_context_args: dict, page: Page, artifacts
):
    """The hold opened on another device shows on the phone; the patient lets their
    clinician release it (the prescribe scope); the clinician sees it, the history
    answers and the record of releases, and releases it."""
    call_command("load_programs", verbosity=0)
    call_command(
        "create_clinician", CLINICIAN, password=PASSWORD, timezone="Europe/Paris", stdout=io.StringIO()
    )
    clinician = User.objects.get(email=CLINICIAN)
    secret = generate_totp_secret()
    TOTP.activate(clinician, secret)
    patient = UserFactory(email="held@example.com")
    today = local_today(patient.timezone).isoformat()
    EnrollmentFactory(user=patient, program=Program.objects.get(slug="back-stretches"))
    user_screening_set(user=patient, answers={"cancer_history": True, "fall_or_injury": False})
    code, _ = services.share_code_create(patient=patient)
    services.care_link_redeem(clinician=clinician, code=code)
    # An emergency reported on another device: the server holds.
    reported = signed_in(patient).post(
        "/api/v1/sync/",
        {
            "entries": [
                {
                    "client_id": str(uuid.uuid4()),
                    "type": "checkin",
                    "updated_at": timezone.now().isoformat(),
                    "data": {"date": today, "pain": 6, "stress": None, "red_flags": ["chest_breathless"]},
                }
            ]
        },
        format="json",
    )
    assert reported.json()["results"][0]["safety"]["level"] == "emergency"
    assert open_hold(patient.pk) is not None
    base = live_server.url

    # The phone did not see it reported, and shows the plan held all the same.
    log_in(page, base, patient.email)
    expect(page.get_by_test_id("safety-hold")).to_contain_text("another device")
    expect(page.get_by_role("link", name="Start", exact=True)).to_have_count(0)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    share = page.get_by_role("region", name="Your care team")
    expect(share).to_contain_text("Nobody watches Backtrack live")
    share.get_by_role("switch", name="Change my plan").check()
    expect(share.get_by_text(f"Change my plan: on for {CLINICIAN}, from now.")).to_be_visible()
    assert "prescribe" in CareLink.objects.get(patient=patient, ended_at=None).scopes
    share.screenshot(path=str(artifacts / "settings-sharing.png"))

    doctor = browser.new_context(**browser_context_args)
    try:
        desk = doctor.new_page()
        log_in(desk, base, CLINICIAN)
        desk.get_by_label("6-digit code").fill(totp_code(secret, set()))
        desk.get_by_role("button", name="Continue").click()
        desk.get_by_role("link", name=patient.email).click()
        hold = desk.get_by_role("region", name="Safety hold")
        expect(hold).to_contain_text("Emergency")
        expect(hold).to_contain_text("paused since")
        history = desk.get_by_role("region", name=re.compile("Health history"))
        expect(history.get_by_role("row", name=re.compile("Have you ever had cancer"))).to_contain_text("Yes")
        desk.evaluate("window.scrollTo(0, 0)")
        desk.screenshot(path=str(artifacts / "clinician-hold.png"), full_page=False)
        assert_no_axe_violations(desk)
        hold.get_by_role("button", name="Release the hold").click()
        expect(hold.get_by_role("status")).to_contain_text("Hold released")
        expect(hold).to_contain_text(f"released by {CLINICIAN}")
        assert open_hold(patient.pk) is None
    finally:
        doctor.close()

    # Back on the phone: the exercises are back.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    page.reload()
    expect(page.get_by_test_id("safety-hold")).to_have_count(0)
    expect(page.get_by_role("link", name="Start").first).to_be_visible()
