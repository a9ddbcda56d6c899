"""Settings as a patient uses them: keyboard-only logging, a share code for a
clinician, an export, and deleting the account, which leaves nothing behind."""

from __future__ import annotations

import re

from django.core.management import call_command
from playwright.sync_api import BrowserContext, Page, expect

from backend.accounts.models import User
from tests.e2e.test_offline import PASSWORD, sign_up_and_enroll


def test_a_patient_logs_by_keyboard_shares_a_code_exports_and_deletes_everything(
    live_server, page: Page, context: BrowserContext
):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    sign_up_and_enroll(page, base, "keyboard@example.com")

    # Full keyboard use: the tabs come early; a session starts, is skipped and logged by keyboard alone.
    page.reload()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Today")).to_be_focused()
    count = page.get_by_role("region", name="Morning").locator("[data-item-id]").count()
    page.get_by_role("region", name="Morning").get_by_role("link", name="Start").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Skip this question").focus()
    page.keyboard.press("Enter")
    skip = page.get_by_role("button", name=re.compile("^Skip (?!this question)"))
    for n in range(1, count + 1):
        expect(page.get_by_text(f"Exercise {n} of {count}")).to_be_visible()
        skip.focus()
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="How is your pain now?")).to_be_visible()
    page.get_by_role("button", name="Skip this question").focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Back to today").focus()
    page.keyboard.press("Enter")
    first = page.get_by_role("region", name="Morning").locator("[data-item-id]").first
    expect(first.locator(".chip")).to_contain_text("Skipped")
    expect(page.get_by_test_id("pending-count")).to_have_text("All saved", timeout=10_000)

    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    page.get_by_role("button", name="Create a share code").click()
    expect(page.get_by_text(re.compile(r"Your code: \S+"))).to_be_visible()

    href = page.get_by_role("link", name="JSON").get_attribute("href")
    exported = context.request.get(f"{base}{href}")
    assert exported.ok
    assert "keyboard@example.com" in exported.text()

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("checkbox", name="Yes, delete everything").check()
    page.get_by_role("button", name="Delete my account").click()

    expect(page.get_by_text("Your account and all its data are deleted.")).to_be_visible()
    assert not User.objects.filter(email="keyboard@example.com").exists()
    # Nothing of theirs stays on the phone either: the app opens signed out.
    page.reload()
    expect(page.get_by_role("heading", name="Start gently")).to_be_visible()
    expect(page.get_by_role("link", name="Today")).to_have_count(0)
