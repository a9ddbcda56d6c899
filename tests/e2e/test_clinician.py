"""A clinician's first day, as they live it: sign in through the PWA, set up an
authenticator app (TOTP), link a patient with their share code, sign in again with
a code, find who needs attention first, sort the list, open the patient, see the
same charts the patient sees and the logs, acknowledge a red-flag alert and keep a
private note."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import uuid

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.care import selectors, services
from backend.care.models import ClinicianNote
from backend.programs.models import Program
from backend.tracker.models import SafetyAlert
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import signed_in
from tests.programs.factories import EnrollmentFactory

CLINICIAN = "dr.lee@example.com"
DESKTOP = {"width": 1280, "height": 900}
PHONE_WIDTH = 390  # the conftest's phone


def totp_code(secret: str, used: set[str]) -> str:
    """A valid code allauth has not seen yet: it refuses a code used in the last 30 s,
    and accepts the next step's code too (one step of clock drift is tolerated)."""
    step = int(time.time()) // 30
    for counter in (step, step + 1):
        code = format_hotp_value(hotp_value(secret, counter))
        if code not in used:
            used.add(code)
            return code
    raise AssertionError("no unused TOTP code")


def wrong_code(secret: str) -> str:
    """Six digits that no step near now accepts."""
    step = int(time.time()) // 30
    valid = {format_hotp_value(hotp_value(secret, step + n)) for n in range(-2, 3)}
    return next(code for code in ("000000", "111111", "222222") if code not in valid)


def seed_patient(email: str, *, pains: list[int], stresses: list[int], flags_today: list[str] = ()) -> User:
    """A patient on the back-stretches program with a check-in a day (oldest first,
    ending today) and one stretch done on each of the last five days."""
    patient = UserFactory(email=email)
    today = local_today(patient.timezone)
    program = Program.objects.get(slug="back-stretches")
    EnrollmentFactory(user=patient, program=program, start_date=today - dt.timedelta(days=20))
    now = timezone.now().isoformat()
    entries = []
    for n, (pain, stress) in enumerate(zip(pains, stresses, strict=True)):
        day = today - dt.timedelta(days=len(pains) - 1 - n)
        data = {"date": day.isoformat(), "pain": pain, "stress": stress}
        if day == today and flags_today:
            data["red_flags"] = list(flags_today)
        entries.append({"client_id": str(uuid.uuid4()), "type": "checkin", "updated_at": now, "data": data})
    for days_ago in range(1, 6):
        day = (today - dt.timedelta(days=days_ago)).isoformat()
        entries.append(
            {
                "client_id": str(uuid.uuid4()),
                "type": "session",
                "updated_at": now,
                "data": {
                    "date": day,
                    "item_id": f"back-stretches:cat-cow:{day}",
                    "status": "done",
                    "effort": 4,
                },
            }
        )
    answer = signed_in(patient).post("/api/v1/sync/", {"entries": entries}, format="json")
    assert answer.status_code == 200, answer.content
    assert {r["status"] for r in answer.json()["results"]} == {"created"}, answer.json()
    return patient


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/#/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def desktop_window(browser: Browser, phone: BrowserContext) -> tuple[BrowserContext, list[str]]:
    """A desktop browser signed in as on the phone (same session cookie), with its CSP
    violations collected as the conftest does for the phone."""
    desktop = browser.new_context(
        viewport=DESKTOP,
        storage_state=phone.storage_state(),
        locale="en-GB",
        timezone_id="Europe/Paris",
        service_workers="allow",
    )
    violations: list[str] = []
    desktop.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return desktop, violations


def cat_cow_start() -> dict:
    """The start-position picture the public catalog gives the logged stretch."""
    detail = APIClient().get("/api/v1/programs/back-stretches/").json()
    items = [item for week in detail["schedule"] for item in week["items"] if item["key"] == "cat-cow"]
    return items[0]["exercise"]["illustrations"][0]


def assert_logged_exercise_pictured(page: Page) -> None:
    """Every row of the exercise log shows cat-cow's start position, named by its alt
    text, loaded (not a broken image) and no wider than the row's name cell allows."""
    picture = cat_cow_start()
    rows = page.get_by_role("region", name="Exercises").locator("tbody tr")
    for n in range(rows.count()):
        image = rows.nth(n).get_by_role("img", name=picture["alt"], exact=True)
        expect(image).to_have_attribute("src", picture["url"])
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0, picture["url"]
    # The picture sits beside the name, inside the table's own sideways scroll.
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") == width


def body_rows(page: Page):
    return page.get_by_role("table", name=re.compile("Your linked patients")).locator("tbody tr")


def test_a_clinician_sets_up_totp_links_a_patient_and_acknowledges_an_alert(
    live_server, browser: Browser, context: BrowserContext, page: Page, artifacts
):
    call_command("load_programs", verbosity=0)
    call_command(
        "create_clinician", CLINICIAN, password=PASSWORD, timezone="Europe/Paris", stdout=io.StringIO()
    )
    clinician = User.objects.get(email=CLINICIAN)
    # Pain and stress rose this week, and today's check-in answered a red-flag question.
    alex = seed_patient(
        "alex@example.com",
        pains=[3] * 7 + [5, 5, 6, 6, 6, 6, 7],
        stresses=[3] * 7 + [6, 6, 7, 7, 7, 8, 8],
        flags_today=["leg_weakness"],
    )
    blake = seed_patient("blake@example.com", pains=[2] * 14, stresses=[3] * 14)
    alex_code = signed_in(alex).post("/api/v1/care/share-codes/").json()["code"]
    base = live_server.url
    used: set[str] = set()

    # First sign-in: no authenticator yet, so patient data waits for TOTP setup.
    log_in(page, base, CLINICIAN)
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    page.screenshot(path=str(artifacts / "clinician-totp-setup.png"), full_page=True)
    # Opening the screen again made a new secret: the one shown now is the one to use.
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_label("6-digit code").fill(wrong_code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator("#totp-password-error")).to_have_text("Incorrect password.")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("6-digit code").fill(totp_code(secret, used))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Keep your recovery codes")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("button", name="I have saved them").click()

    # No patients yet: the page says how a patient shares a code.
    expect(page.get_by_role("heading", name="No patients yet")).to_be_visible()
    expect(page.get_by_text("Create a share code")).to_be_visible()
    code_field = page.get_by_label("Share code from your patient")
    code_field.fill("ABCD-EFGH-JKMN")
    page.get_by_role("button", name="Add patient").click()
    expect(page.locator("#share-code-error")).to_have_text(
        "This code is not valid or has expired. Ask your patient for a new one."
    )
    expect(code_field).to_have_attribute("aria-invalid", "true")
    code_field.fill(alex_code.lower())
    page.get_by_role("button", name="Add patient").click()
    expect(
        page.get_by_role("status").filter(has_text="You are now linked with alex@example.com.")
    ).to_be_visible()
    expect(body_rows(page)).to_have_count(1)
    # Blake shared a code earlier and the link was accepted then.
    blake_code, _ = services.share_code_create(patient=blake)
    services.care_link_redeem(clinician=clinician, code=blake_code)

    # Signing in again now takes the authenticator code.
    page.get_by_role("button", name="Log out").click()
    log_in(page, base, CLINICIAN)
    expect(page.get_by_role("heading", name="One more step")).to_be_visible()
    expect(page.get_by_text("Enter the 6-digit code from your authenticator app")).to_be_visible()
    page.get_by_label("6-digit code").fill(wrong_code(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#code-error")).to_have_text("Incorrect code.")
    page.get_by_label("6-digit code").fill(totp_code(secret, used))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your patients")).to_be_visible()

    # Who needs attention first: Alex, with the open urgent alert and rising pain.
    rows = body_rows(page)
    expect(rows).to_have_count(2)
    rows_shown, _zones = selectors.overview(links=selectors.overview_links(clinician=clinician))
    expected = {row["email"]: row for row in rows_shown}
    first = rows.nth(0)
    expect(first.get_by_role("rowheader")).to_contain_text("alex@example.com")
    expect(first).to_contain_text("Urgent")
    expect(first).to_contain_text("urgent red flag · pain rising · stress rising")
    expect(first.locator("td").nth(0)).to_contain_text("1 open safety alert: urgent")
    expect(first.locator("td").nth(1)).to_have_text(
        f"{round(expected['alex@example.com']['adherence_7'] * 100)}%"
    )
    expect(first.locator("td").nth(3)).to_have_text("Today")
    pain, stress = first.locator("td").nth(4), first.locator("td").nth(5)
    expect(pain.locator("b")).to_have_text("7")
    expect(pain.locator(".trend")).to_have_text("↑")
    expect(pain).to_contain_text("out of 10, rising compared with the week before")
    expect(stress.locator("b")).to_have_text("8")
    expect(stress).to_contain_text("out of 10, rising compared with the week before")
    second = rows.nth(1)
    expect(second.get_by_role("rowheader")).to_contain_text("blake@example.com")
    expect(second.locator("td").nth(0)).to_have_text("None")
    expect(second.locator("td").nth(4).locator("b")).to_have_text("2")
    expect(second.locator("td").nth(4)).to_contain_text("about the same as the week before")

    # On a phone only the table scrolls sideways, never the page.
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE_WIDTH
    page.screenshot(path=str(artifacts / "clinician-patients-phone.png"), full_page=True)

    # Sorting by a column: highest pain first, then lowest first; the header says which.
    pain_header = page.get_by_role("columnheader", name=re.compile("Latest pain"))
    pain_header.get_by_role("button").click()
    expect(pain_header).to_have_attribute("aria-sort", "descending")
    expect(rows.nth(0).get_by_role("rowheader")).to_contain_text("alex@example.com")
    pain_header.get_by_role("button").click()
    expect(pain_header).to_have_attribute("aria-sort", "ascending")
    expect(rows.nth(0).get_by_role("rowheader")).to_contain_text("blake@example.com")
    expect(page.get_by_role("columnheader", name=re.compile("Safety alerts"))).not_to_have_attribute(
        "aria-sort", re.compile(".")
    )
    page.get_by_role("button", name="Who needs attention first").click()
    expect(rows.nth(0).get_by_role("rowheader")).to_contain_text("alex@example.com")

    # The same session on a desktop screen (a separate, non-phone browser window).
    desktop, console = desktop_window(browser, context)
    wide = desktop.new_page()
    wide.goto(f"{base}/#/patients")
    expect(body_rows(wide)).to_have_count(2)
    # Serious alerts can reach this device too, only when the clinician asks.
    alerts_here = wide.get_by_role("region", name="Safety alerts on this device")
    expect(alerts_here.get_by_role("button", name="Notify me on this device")).to_have_attribute(
        "aria-pressed", "false"
    )
    wide.screenshot(path=str(artifacts / "clinician-patients-desktop.png"), full_page=True)

    # The patient page: the patient's own charts, the logs, the alert, notes.
    wide.get_by_role("link", name="alex@example.com").click()
    expect(wide.get_by_role("heading", name="alex@example.com", level=1)).to_be_visible()
    chart = wide.get_by_role("img", name=re.compile("Pain and stress by day"))
    expect(chart).to_be_visible()
    expect(chart.locator("canvas")).to_have_count(1)
    expect(wide.get_by_text("day streak")).to_be_visible()
    today = local_today(alex.timezone).isoformat()
    checkins = wide.get_by_role("region", name="Check-ins")
    today_row = checkins.get_by_role("row", name=re.compile(today))
    expect(today_row.locator("td").nth(0)).to_have_text("7")
    expect(today_row.locator("td").nth(1)).to_have_text("8")
    expect(today_row).to_contain_text("leg weakness")
    expect(checkins.locator("tbody tr")).to_have_count(14)
    expect(wide.get_by_role("region", name="Exercises").locator("tbody tr")).to_have_count(5)
    expect(wide.get_by_role("region", name="Exercises")).to_contain_text("Cat cow (back stretches)")
    # Each logged exercise shows its start position, as drawn in the public catalog.
    assert_logged_exercise_pictured(wide)
    expect(wide.get_by_text("The patient has not shared their journal.")).to_be_visible()
    expect(wide.get_by_role("link", name="Spreadsheet (CSV)")).to_have_attribute(
        "href", f"/api/v1/care/patients/{alex.pk}/export/?format=csv"
    )

    alerts = wide.get_by_role("region", name="Safety alerts")
    expect(alerts).to_contain_text(
        "Since yesterday, have you had new weakness in one or both legs, or new trouble walking?"
    )
    wide.screenshot(path=str(artifacts / "clinician-patient-desktop.png"), full_page=True)
    alerts.get_by_role("button", name="Acknowledge").click()
    expect(alerts.get_by_role("status")).to_contain_text(f"Alert of {today} acknowledged.")
    expect(alerts).to_contain_text("No open safety alerts.")
    alert = SafetyAlert.objects.get(patient=alex)
    assert alert.acknowledged_at is not None
    assert alert.acknowledged_by == clinician

    note = "Leg weakness reported; called Alex, GP visit booked for tomorrow."
    wide.get_by_label("New note").fill(note)
    wide.get_by_role("button", name="Add note").click()
    notes = wide.get_by_role("list", name="Your notes, newest first")
    expect(notes.get_by_role("listitem")).to_have_count(1)
    expect(notes).to_contain_text(note)
    assert list(
        ClinicianNote.objects.filter(clinician=clinician, patient=alex).values_list("text", flat=True)
    ) == [note]
    desktop.close()
    assert not console, console

    # On the phone: the note is there, and the acknowledged alert has left Alex's row.
    page.get_by_role("link", name="alex@example.com").click()
    expect(page.get_by_role("list", name="Your notes, newest first")).to_contain_text(note)
    expect(page.get_by_role("region", name="Safety alerts")).to_contain_text("No open safety alerts.")
    assert_logged_exercise_pictured(page)
    page.screenshot(path=str(artifacts / "clinician-patient-phone.png"), full_page=True)
    page.get_by_role("link", name="All patients").click()
    expect(page.get_by_role("row", name=re.compile("alex@example.com")).locator("td").nth(0)).to_have_text(
        "None"
    )

    # Offline, the screens say so plainly: patient data is never kept on the device.
    context.set_offline(True)
    expect(page.get_by_text("so these screens need a connection")).to_be_visible()
    expect(page.get_by_text("so the patient list needs a connection")).to_be_visible()
    context.set_offline(False)
    expect(page.get_by_text("so these screens need a connection")).to_have_count(0)
    expect(page.get_by_text("so the patient list needs a connection")).to_have_count(0)
    expect(page.get_by_role("row", name=re.compile("alex@example.com"))).to_be_visible()
