"""The offline promise, as a person lives it: sign up, enroll, lose the signal, log,
close and reopen the app with no signal, and find everything sent exactly once
when the connection comes back."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.core.management import call_command
from playwright.sync_api import BrowserContext, Page, expect

PASSWORD = "calm-steady-breathing-42"
BROWSER_ZONE = ZoneInfo("Europe/Paris")  # the browser context's timezone_id (conftest)


def install_daytime_clock(page: Page) -> None:
    """page.clock.install(), but never so late in the phone's evening that a test which
    moves the clock on through long practices crosses midnight (a new day resets what
    "today" shows). After 20:00 on the phone it starts at noon of the same local date,
    which is still the server's today for the person."""
    now = dt.datetime.now(BROWSER_ZONE)
    if now.hour >= 20:
        page.clock.install(time=now.replace(hour=12, minute=0, second=0, microsecond=0))
    else:
        page.clock.install()


def answer_history(page: Page, yes: tuple[str, ...] = ()) -> None:
    """The history questions come first at onboarding: each answered Yes or No."""
    expect(page.get_by_role("heading", name="Your health history")).to_be_visible()
    groups = page.locator("fieldset.yesno")
    expect(groups.first).to_be_visible()
    for index in range(groups.count()):
        group = groups.nth(index)
        answer = "Yes" if group.get_attribute("data-rule") in yes else "No"
        group.get_by_role("radio", name=answer).check()
    page.get_by_role("button", name="Save and continue").click()


def baseline_later(page: Page) -> None:
    """The baseline questionnaires are offered next (issue 18): left for later, they stay due on Today."""
    expect(page.get_by_role("heading", name="Where you are starting from")).to_be_visible()
    page.get_by_role("button", name="Later").click()


def sign_up_and_enroll(
    page: Page,
    base_url: str,
    email: str,
    *,
    history_yes: tuple[str, ...] = (),
    programs: tuple[str, ...] = ("Core strengthening",),
    budget: str = "No limit",
    reminders: tuple[str, ...] = (),
    at_budget: Callable[[Page], None] | None = None,
    at_reminders: Callable[[Page], None] | None = None,
    at_baseline: Callable[[Page], None] = baseline_later,
) -> None:
    """Signs up and walks onboarding: history, the baseline questionnaires (Later unless
    `at_baseline` answers them), programs, a daily budget, reminders."""
    page.goto(f"{base_url}/#/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Let's set you up")).to_be_visible()
    answer_history(page, history_yes)
    at_baseline(page)
    for program in programs:
        page.get_by_role("checkbox", name=re.compile(program)).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="How much time a day?")).to_be_visible()
    if at_budget:
        at_budget(page)
    page.get_by_role("radio", name=budget, exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Reminders you want")).to_be_visible()
    for kind in reminders:
        page.get_by_role("checkbox", name=re.compile(f"^{kind}")).check()
    if at_reminders:
        at_reminders(page)
    page.get_by_role("button", name="Start my plan").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Morning")).to_be_visible()


def play_to_the_end(page: Page, *, step_ms: int = 5_000, limit: int = 600) -> None:
    """Moves the page's clock (page.clock.install) on until the player asks about pain after."""
    after = page.get_by_role("heading", name="How is your pain now?")
    for _ in range(limit):
        if after.is_visible():
            return
        page.clock.fast_forward(step_ms)
    expect(after).to_be_visible()


def wait_for_service_worker(page: Page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


def server_entries(context: BrowserContext, base_url: str) -> list[dict]:
    response = context.request.get(f"{base_url}/api/v1/sync/")
    assert response.ok, response.text()
    return response.json()["entries"]


def test_entries_made_offline_survive_a_reload_and_reach_the_server_once(
    live_server, page: Page, context: BrowserContext, artifacts
):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    install_daytime_clock(page)
    sign_up_and_enroll(page, base, "offline@example.com")
    wait_for_service_worker(page)
    pending = page.get_by_test_id("pending-count")
    expect(pending).to_have_text("All saved")

    context.set_offline(True)
    # The morning session, played offline: the first two exercises done, the rest skipped.
    morning = page.get_by_role("region", name="Morning")
    ids = morning.locator("[data-item-id]").evaluate_all("items => items.map((i) => i.dataset.itemId)")
    first_id, second_id = ids[0], ids[1]
    morning.get_by_role("link", name="Start").click()
    page.get_by_role("button", name="Skip this question").click()
    exercise = page.get_by_text(re.compile(r"^Exercise \d+ of \d+"))
    for _ in range(600):
        if exercise.inner_text().startswith("Exercise 3 of"):
            break
        page.clock.fast_forward(5_000)
    for n in range(3, len(ids) + 1):
        expect(page.get_by_text(f"Exercise {n} of {len(ids)}")).to_be_visible()
        page.get_by_role("button", name=re.compile("^Skip (?!this question)")).click()
    expect(page.get_by_role("heading", name="How is your pain now?")).to_be_visible()
    page.get_by_role("button", name="Skip this question").click()
    page.get_by_role("link", name="How are you today? Check in").click()
    checkin = page.get_by_role("region", name="How are you today?")
    checkin.get_by_role("slider", name="Pain").fill("4")
    checkin.get_by_role("slider", name="Stress").fill("6")
    checkin.get_by_role("checkbox", name="Lower back").check()
    # The red-flag rules are evaluated on the phone: the emergency advice needs no signal.
    chest = checkin.get_by_role("checkbox", name=re.compile("pain in your chest, left arm or jaw"))
    chest.check()
    expect(page.get_by_role("alert")).to_contain_text("Call your emergency number now")
    chest.uncheck()
    expect(page.get_by_role("alert")).to_have_count(0)
    checkin.get_by_role("button", name="Save check-in").click()

    expect(checkin.get_by_role("status")).to_contain_text("saved on this phone")
    logged = len(ids)
    expect(pending).to_have_text(f"{logged + 1} waiting to send · offline")

    # Closing and reopening with no signal: the service worker serves the app and
    # IndexedDB still holds the three entries.
    page.get_by_role("link", name="Back to today").click()
    page.reload()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    expect(pending).to_have_text(f"{logged + 1} waiting to send · offline")
    for item_id in (first_id, second_id):
        item = page.locator(f'[data-item-id="{item_id}"]')
        expect(item.locator(".chip")).to_have_text("Done (waiting to send)")
    expect(morning.get_by_text("· done")).to_be_visible()  # the session folded as done
    expect(morning.get_by_role("link", name="Start")).to_have_count(0)
    page.get_by_role("link", name="Check-in done · change it").click()
    checkin = page.get_by_role("region", name="How are you today?")
    expect(checkin.get_by_role("slider", name="Pain")).to_have_value("4")
    page.screenshot(path=str(artifacts / "today-offline.png"), full_page=False)

    context.set_offline(False)
    expect(pending).to_have_text("All saved", timeout=15_000)

    entries = server_entries(context, base)
    sessions = [e for e in entries if e["type"] == "session"]
    checkins = [e for e in entries if e["type"] == "checkin"]
    assert len(entries) == logged + 1, entries
    status = {e["data"]["item_id"]: e["data"]["status"] for e in sessions}
    assert sorted(status) == sorted(ids)
    assert (status[first_id], status[second_id]) == ("done", "done")
    assert all(status[i] == "skipped" for i in ids[2:])
    assert len(checkins) == 1
    assert (checkins[0]["data"]["pain"], checkins[0]["data"]["stress"]) == (4, 6)
    assert checkins[0]["data"]["pain_areas"] == ["lower_back"]

    # Syncing again (as a replay after a lost answer would) changes nothing.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(1000)
    assert len(server_entries(context, base)) == logged + 1

    page.get_by_role("link", name="Back to today").click()
    page.screenshot(path=str(artifacts / "today.png"), full_page=False)
    page.get_by_role("link", name="Progress").click()
    expect(page.get_by_role("heading", name="Progress")).to_be_visible()
    expect(page.get_by_text("day streak")).to_be_visible()
    page.screenshot(path=str(artifacts / "progress.png"), full_page=False)
