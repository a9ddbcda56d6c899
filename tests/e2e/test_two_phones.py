"""Two phones, one person, clocks that disagree (issue 12, finding 4, in a real browser).

Phone B's clock runs 90 seconds behind. An edit it makes after seeing phone A's copy
is the one the person meant, and it wins whatever the clocks say. When B edits offline
while A edits the same check-in online, A's reached the server first: B is told, in
plain words, and shows what the server holds.
"""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_offline import PASSWORD, server_entries, sign_up_and_enroll, wait_for_service_worker

EMAIL = "two-phones@example.com"


def to_checkin(page: Page) -> None:
    """The check-in is its own short step (#/checkin)."""
    if not page.url.endswith("#/checkin"):
        page.evaluate("location.hash = '#/checkin'")


def check_in(page: Page, pain: str, stress: str) -> None:
    to_checkin(page)
    checkin = page.get_by_role("region", name="How are you today?")
    checkin.get_by_role("slider", name="Pain").fill(pain)
    checkin.get_by_role("slider", name="Stress").fill(stress)
    checkin.get_by_role("button", name="check-in").click()
    expect(checkin.get_by_role("status")).to_contain_text("Check-in saved")


def all_saved(page: Page) -> None:
    """The outbox is empty, and the server has answered every entry."""
    expect(page.get_by_test_id("pending-count")).to_have_text("All saved", timeout=15_000)


def pain_shown(page: Page):
    to_checkin(page)
    return page.get_by_role("region", name="How are you today?").get_by_role("slider", name="Pain")


def test_the_edit_made_last_wins_whatever_the_clocks_and_a_lost_edit_is_told(
    live_server, page: Page, context, browser: Browser, browser_context_args: dict, artifacts
):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    sign_up_and_enroll(page, base, EMAIL)
    wait_for_service_worker(page)
    check_in(page, "3", "4")
    all_saved(page)

    # Phone B, its clock 90 s behind, signs in and is shown phone A's check-in.
    other = browser.new_context(**browser_context_args)
    phone_b = other.new_page()
    phone_b.clock.install(time=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=90))
    try:
        phone_b.goto(f"{base}/#/login")
        phone_b.get_by_label("Email").fill(EMAIL)
        phone_b.get_by_label("Password").fill(PASSWORD)
        phone_b.get_by_role("button", name="Log in").click()
        expect(phone_b.get_by_role("heading", name="Today", exact=True)).to_be_visible()
        expect(pain_shown(phone_b)).to_have_value("3", timeout=15_000)
        assert phone_b.evaluate("Date.now()") < page.evaluate("Date.now()") - 60_000  # B's clock is behind

        # B's edit, stamped 90 s "before" A's, was made after seeing it: it is kept.
        check_in(phone_b, "8", "4")
        all_saved(phone_b)
        (stored,) = [e for e in server_entries(other, base) if e["type"] == "checkin"]
        assert stored["data"]["pain"] == 8, stored

        # B edits offline; meanwhile A, online, reopens the app (it pulls B's 8) and edits.
        wait_for_service_worker(phone_b)
        other.set_offline(True)
        check_in(phone_b, "6", "4")
        page.reload()
        expect(pain_shown(page)).to_have_value("8", timeout=15_000)
        check_in(page, "5", "4")
        all_saved(page)

        # B comes back: A's edit reached the server first. B shows it, and says so.
        other.set_offline(False)
        phone_b.evaluate("window.dispatchEvent(new Event('online'))")
        notice = phone_b.get_by_test_id("replaced")
        expect(notice).to_contain_text(
            "was changed on another device, so we kept that version", timeout=15_000
        )
        expect(pain_shown(phone_b)).to_have_value("5")
        expect(phone_b.get_by_test_id("pending-count")).to_have_text("All saved")
        notice.scroll_into_view_if_needed()
        phone_b.screenshot(path=str(artifacts / "today-changed-on-another-device.png"), full_page=False)
        notice.get_by_role("button", name="OK").click()
        expect(notice).to_have_count(0)
    finally:
        other.close()

    (stored,) = [e for e in server_entries(context, base) if e["type"] == "checkin"]
    assert stored["data"]["pain"] == 5
