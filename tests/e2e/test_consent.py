"""The consent centre on the phone (issue 16): the patient makes a share code and
copies it, their physiotherapist redeems it and reads their data, and the patient
sees that read in plain words, turns what the clinician may see off and on again
(each change effective at once on the server), finds it all read-only and calm
offline, and ends sharing.

Screenshots (390x844) go to test-artifacts/; axe-core checks the screens."""

from __future__ import annotations

import datetime as dt
import re

from django.core.management import call_command
from playwright.sync_api import BrowserContext, Page, expect

from backend.accounts.services import user_screening_set
from backend.accounts.timezones import local_today
from backend.care.models import CareLink
from backend.programs.models import Program
from tests.accounts.factories import UserFactory
from tests.conftest import signed_in
from tests.e2e.test_clinician import log_in
from tests.e2e.test_offline import wait_for_service_worker
from tests.e2e.test_safety import assert_no_axe_violations, wait_until
from tests.programs.factories import EnrollmentFactory, exercises_of


def test_the_patient_sees_who_read_what_changes_what_they_may_see_and_ends_sharing(
    live_server, page: Page, context: BrowserContext, make_clinician, artifacts
):
    call_command("load_programs", verbosity=0)
    patient = UserFactory(email="consent@example.com")
    user_screening_set(user=patient, answers={"cancer_history": False, "fall_or_injury": False})
    EnrollmentFactory(user=patient, program=Program.objects.get(slug="back-stretches"))
    clinician, desk = make_clinician()
    if hasattr(clinician, "display_name"):
        clinician.display_name = "Dr Rao"
        clinician.save(update_fields=["display_name"])
    name = getattr(clinician, "display_name", "") or clinician.email
    base = live_server.url
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)

    log_in(page, base, patient.email)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    wait_for_service_worker(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    care = page.get_by_role("region", name="Your care team")
    expect(care).to_contain_text("Nobody watches Backtrack live")
    expect(care.get_by_test_id("access-log")).to_contain_text("No clinician has looked at your data yet.")

    # A share code, with when it stops working in human words, copied in one tap.
    care.get_by_role("button", name="Create a share code").click()
    box = care.get_by_test_id("share-code")
    expect(box).to_contain_text(re.compile(r"Your code: \S+"))
    expect(care.get_by_test_id("share-expiry")).to_have_text(
        re.compile(r"^Works once, valid until tomorrow \d\d:\d\d\.$")
    )
    code = box.locator(".code").inner_text()
    box.get_by_role("button", name="Copy").click()
    expect(care.get_by_text("Code copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == code
    # Share: the phone's share sheet where it has one; this browser has none, so it copies.
    box.get_by_role("button", name="Share").click()
    expect(care.get_by_text("Code copied.")).to_be_visible()

    # The physiotherapist redeems it and reads the patient's logs and check-ins.
    redeemed = desk.post("/api/v1/care/links/", {"code": code}, format="json")
    assert redeemed.status_code == 201, redeemed.content
    today = local_today(patient.timezone)
    window = f"from={(today - dt.timedelta(days=7)).isoformat()}&to={today.isoformat()}"
    read = desk.get(f"/api/v1/care/patients/{patient.pk}/logs/?{window}")
    assert read.status_code == 200 and "checkins" in read.json(), read.content

    page.reload()
    care = page.get_by_role("region", name="Your care team")
    link = care.locator(f'[data-link-id="{redeemed.json()["id"]}"]')
    expect(link.get_by_role("heading", name=name)).to_be_visible()
    expect(care.get_by_test_id("access-log")).to_contain_text(
        re.compile(
            rf"{re.escape(name)} looked at your (exercise logs|sessions) and check-ins, today \d\d:\d\d"
        )
    )
    # Logs and check-ins go with every link; the journal and changing the plan are switches.
    for always in ("logs", "checkins"):
        expect(link.locator(f'[data-scope="{always}"]')).to_contain_text("Always, while you share")
    journal = link.get_by_role("switch", name="Journal")
    prescribe = link.get_by_role("switch", name="Change my plan")
    expect(journal).not_to_be_checked()
    expect(prescribe).not_to_be_checked()
    expect(link).to_contain_text("Can change your exercises and doses")
    care.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(artifacts / "settings-care.png"), full_page=False)
    link.screenshot(path=str(artifacts / "settings-care-link.png"))
    assert_no_axe_violations(page)
    page.emulate_media(color_scheme="dark")
    assert_no_axe_violations(page)
    page.screenshot(path=str(artifacts / "settings-care-dark.png"), full_page=False)
    page.emulate_media(color_scheme="light")

    journal_path = f"/api/v1/care/patients/{patient.pk}/journal/?{window}"
    assert desk.get(journal_path).status_code == 404
    # The journal on: effective at once, the clinician can read it.
    journal.click()
    expect(link.get_by_text(f"Journal: on for {name}, from now.")).to_be_visible()
    expect(journal).to_be_checked()
    assert "journal" in CareLink.objects.get(pk=redeemed.json()["id"]).scopes
    assert desk.get(journal_path).status_code == 200
    # And off again: the clinician's next read is refused.
    journal.click()
    expect(link.get_by_text(f"Journal: off for {name}, from now.")).to_be_visible()
    expect(journal).not_to_be_checked()
    assert desk.get(journal_path).status_code == 404
    prescribe.click()
    expect(prescribe).to_be_checked()
    expect(link.get_by_text(f"Change my plan: on for {name}, from now.")).to_be_visible()
    assert "prescribe" in CareLink.objects.get(pk=redeemed.json()["id"]).scopes

    # Offline: how things stood, read-only, with a calm note.
    context.set_offline(True)
    page.reload()
    care = page.get_by_role("region", name="Your care team")
    expect(care.get_by_text(re.compile("You are offline. This is how things stood"))).to_be_visible()
    link = care.locator(f'[data-link-id="{redeemed.json()["id"]}"]')
    expect(link.get_by_role("switch", name="Change my plan")).to_be_checked()
    expect(link.get_by_role("switch", name="Journal")).to_be_disabled()
    expect(link.get_by_role("button", name=re.compile("End sharing"))).to_be_disabled()
    expect(care.get_by_test_id("access-log")).to_contain_text(
        re.compile("looked at your (exercise logs|sessions) and check-ins")
    )
    care.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(artifacts / "settings-care-offline.png"), full_page=False)
    context.set_offline(False)
    page.reload()

    # End sharing: a confirm that says what it means, then effective at once.
    care = page.get_by_role("region", name="Your care team")
    link = care.locator(f'[data-link-id="{redeemed.json()["id"]}"]')
    link.get_by_role("button", name=re.compile("End sharing")).click()
    expect(link).to_contain_text("they see nothing of yours and can change nothing")
    link.get_by_role("button", name="Yes, end sharing").click()
    expect(care.get_by_text(f"You no longer share with {name}. It took effect at once.")).to_be_visible()
    expect(care.locator("[data-link-id]")).to_have_count(0)
    assert CareLink.objects.get(pk=redeemed.json()["id"]).ended_at is not None
    assert desk.get(f"/api/v1/care/patients/{patient.pk}/").status_code == 404
    assert_no_axe_violations(page)


def test_an_exercise_set_aside_offline_leaves_the_plan_and_comes_back_from_settings(
    live_server, page: Page, context: BrowserContext, artifacts
):
    call_command("load_programs", verbosity=0)
    patient = UserFactory(email="less@example.com")
    user_screening_set(user=patient, answers={"cancer_history": False, "fall_or_injury": False})
    EnrollmentFactory(user=patient, program=Program.objects.get(slug="back-stretches"))
    api = signed_in(patient)
    item = next(i for i in api.get("/api/v1/today/").json()["items"] if i["time_of_day"] == "morning")
    slug, title = item["exercise"]["slug"], item["exercise"]["name"]
    base = live_server.url

    log_in(page, base, patient.email)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    wait_for_service_worker(page)

    # With no signal: "Not for me", a confirm that says what it does, and it is gone.
    context.set_offline(True)
    morning = page.locator('[data-session="morning"]')
    morning.locator("summary").first.click()
    row = morning.locator(f'[data-item-id="{item["id"]}"]')
    row.get_by_role("button", name=f"Not for me: {title}").click()
    expect(row).to_contain_text("It will stop appearing in your plan. You can bring it back in Settings.")
    row.screenshot(path=str(artifacts / "not-for-me-confirm.png"))
    row.get_by_role("button", name="Set it aside").click()
    expect(page.locator(f'[data-item-id="{item["id"]}"]')).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", name="Morning")).to_be_visible()
    expect(page.locator(f'[data-item-id="{item["id"]}"]')).to_have_count(0)

    # Online: sent, and the server's plan leaves it out too.
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert wait_until(lambda: [r["exercise"] for r in api.get("/api/v1/me/not-for-me/").json()] == [slug])
    assert slug not in {i["exercise"]["slug"] for i in exercises_of(api.get("/api/v1/today/").json())}

    # Settings: who set it aside, the change in the plan's history, and "Bring back".
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    aside = page.get_by_role("region", name="Exercises you set aside")
    expect(aside).to_contain_text(f"{title} · set aside by you")
    expect(page.get_by_test_id("plan-changes")).to_contain_text(title)
    aside.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(artifacts / "settings-set-aside.png"), full_page=False)
    assert_no_axe_violations(page)
    aside.get_by_role("button", name=f"Bring back {title}").click()
    expect(page.get_by_text(f"{title} is back in your plan.")).to_be_visible()
    assert wait_until(lambda: api.get("/api/v1/me/not-for-me/").json() == [])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    expect(page.locator(f'[data-item-id="{item["id"]}"]')).to_have_count(1)
