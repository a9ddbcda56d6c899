"""Guided practice (issue 15), as a person lives it: onboarding with a daily budget and
only the reminders they chose, a day of sessions, a session played in the full-screen
player whose timers move on by themselves (the browser's clock is moved, never
waited), pain before and after, the session folded as done; offline too."""

from __future__ import annotations

import re
from collections import Counter

from django.core.management import call_command
from playwright.sync_api import BrowserContext, Page, expect

from backend.reminders.models import ReminderRule
from tests.e2e.test_offline import (
    install_daytime_clock,
    play_to_the_end,
    server_entries,
    sign_up_and_enroll,
    wait_for_service_worker,
)
from tests.e2e.test_safety import assert_no_axe_violations

PROGRAMS = ("Core strengthening", "Hamstring and back stretches")


def axe_light_and_dark(page: Page, dark_shot=None) -> None:
    assert_no_axe_violations(page)
    page.emulate_media(color_scheme="dark")
    try:
        assert_no_axe_violations(page)
        if dark_shot:
            page.screenshot(path=str(dark_shot), full_page=False)
    finally:
        page.emulate_media(color_scheme="light")


def morning(page: Page):
    return page.locator('[data-session="morning"]')


def test_a_new_person_plays_a_morning_session_by_itself_and_sees_it_done(
    live_server, page: Page, context: BrowserContext, artifacts
):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    install_daytime_clock(page)

    # Onboarding: the budget screen is checked and drawn on the way through.
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Start gently")).to_be_visible()  # a first visit: sign up

    def at_budget(page: Page) -> None:
        # Closed mid-way and opened again from the home screen: onboarding resumes here.
        page.goto(f"{base}/#/today")
        page.reload()
        expect(page.get_by_role("heading", name="How much time a day?")).to_be_visible()
        page.get_by_role("radio", name="20 minutes").check()
        expect(page.get_by_role("navigation", name="Main")).to_have_count(0)  # no tab bar yet
        expect(page.get_by_test_id("pending-count")).to_have_count(0)  # nor a sync chip
        page.screenshot(path=str(artifacts / "onboarding-budget.png"), full_page=False)
        axe_light_and_dark(page)

    def at_reminders(page: Page) -> None:
        expect(page.get_by_label("Check-in time")).to_have_value("20:00")
        expect(page.get_by_label("Practice time")).to_have_count(0)  # not chosen: no fields
        page.screenshot(path=str(artifacts / "onboarding-reminders.png"), full_page=False)
        axe_light_and_dark(page)

    sign_up_and_enroll(
        page,
        base,
        "guided@example.com",
        at_reminders=at_reminders,
        programs=PROGRAMS,
        budget="20 minutes",
        reminders=("Check-in",),
        at_budget=at_budget,
    )
    rules = list(ReminderRule.objects.filter(user__email="guided@example.com"))
    assert [r.kind for r in rules] == ["checkin"], rules
    assert rules[0].times == ["20:00"]

    # Today: one card per session, the next first, its minutes, one Start.
    expect(page.get_by_test_id("day-total")).to_contain_text("min")
    card = morning(page)
    expect(card.get_by_text("Next up")).to_be_visible()
    expect(card.get_by_role("link", name="Start")).to_have_count(1)
    names = card.locator(".item-name").all_text_contents()
    assert names and not [n for n, c in Counter(names).items() if c > 1], names  # cat-cow once
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "today-sessions.png"), full_page=False)
    axe_light_and_dark(page, artifacts / "today-sessions-dark.png")

    card.get_by_role("link", name="Start").click()
    expect(page.get_by_role("heading", name="How is your pain right now?")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)  # full screen
    axe_light_and_dark(page)
    page.get_by_role("button", name="3 out of 10").click()

    # The timer moves on by itself: get ready, then the first rep or hold.
    timer = page.get_by_test_id("timer")
    expect(timer).to_contain_text("Get ready")
    page.clock.run_for(5_500)
    expect(timer).not_to_contain_text("Get ready")
    axe_light_and_dark(page)

    # On to the first hold; mid-hold it counts down.
    for _ in range(300):
        if page.locator('main[data-step="hold"]').count():
            break
        page.clock.fast_forward(1_000)
    expect(page.locator('main[data-step="hold"]')).to_be_visible()
    expect(timer).to_contain_text("Hold")
    before = int(timer.get_by_role("timer").inner_text())
    page.clock.run_for(1_000)
    page.screenshot(path=str(artifacts / "player-hold.png"), full_page=False)
    assert int(timer.get_by_role("timer").inner_text()) < before
    page.get_by_role("button", name="Pause").click()
    axe_light_and_dark(page, artifacts / "player-hold-dark.png")
    page.get_by_role("button", name="Resume").click()

    # Pause stands still; resume carries on.
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_text("Paused", exact=True)).to_be_visible()
    held_at = timer.inner_text()
    page.clock.fast_forward(20_000)
    assert timer.inner_text() == held_at
    page.get_by_role("button", name="Resume").click()

    play_to_the_end(page)
    axe_light_and_dark(page)
    page.get_by_role("button", name="1 out of 10").click()
    expect(page.get_by_role("heading", name="Well done")).to_be_visible()

    # The check-in is its own short step, offered after the first session.
    page.get_by_role("link", name="How are you today? Check in").click()
    checkin = page.get_by_role("region", name="How are you today?")
    expect(checkin).to_be_visible()
    axe_light_and_dark(page, artifacts / "checkin-step-dark.png")
    page.get_by_role("link", name="Back to today").click()

    card = morning(page)
    expect(card.get_by_text("· done")).to_be_visible()
    expect(card.get_by_role("link", name="Start")).to_have_count(0)
    card.locator("summary").click()  # a folded session opens again
    expect(card.locator(".chip.done").first).to_be_visible()
    expect(page.get_by_test_id("pending-count")).to_have_text("All saved", timeout=15_000)

    sessions = [e for e in server_entries(context, base) if e["type"] == "session"]
    assert sessions and len({e["data"]["item_id"] for e in sessions}) == len(sessions)
    assert all(e["data"]["status"] == "done" for e in sessions), sessions
    assert {(e["data"]["pain_before"], e["data"]["pain_after"]) for e in sessions} == {(3, 1)}

    # Progress and Settings, light and dark.
    page.get_by_role("link", name="Progress").click()
    expect(page.get_by_role("heading", name="Progress")).to_be_visible()
    expect(page.get_by_text("day streak")).to_be_visible()
    expect(page.get_by_text(re.compile(r"r = "))).to_have_count(0)  # no coefficients for the person
    axe_light_and_dark(page)
    # Offline, the last summary stays on the phone instead of an empty screen.
    context.set_offline(True)
    page.reload()
    expect(page.get_by_text(re.compile("Offline: showing your progress as it was on"))).to_be_visible()
    expect(page.get_by_text("day streak")).to_be_visible()
    page.screenshot(path=str(artifacts / "progress-offline.png"), full_page=False)
    context.set_offline(False)
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Reminders")).to_be_visible()
    expect(page.get_by_role("radio", name="20 minutes")).to_be_checked()
    # Every field of the chosen reminder, with labels that say which reminder they set.
    rule = page.locator('[data-kind="checkin"]')
    expect(rule.get_by_label("Check-in time")).to_have_value("20:00")
    rule.get_by_label("Check-in time").fill("19:30")
    rule.get_by_role("checkbox", name="Sunday").uncheck()
    rule.get_by_role("checkbox", name="Nothing between two times").check()
    rule.get_by_role("button", name="Save check-in reminder").click()
    expect(page.get_by_text("Check-in reminder saved.")).to_be_visible()
    saved = ReminderRule.objects.get(user__email="guided@example.com")
    assert (saved.times, saved.weekdays, saved.quiet_hours) == (
        ["19:30"],
        [0, 1, 2, 3, 4, 5],
        ["22:00", "07:00"],
    )
    page.get_by_role("button", name="Add desk breaks").click()
    desk = page.locator('[data-kind="desk_break"]')
    expect(desk.get_by_label("Desk breaks: every")).to_be_visible()
    expect(desk.get_by_label("Desk breaks: from")).to_have_value("09:00")
    page.screenshot(path=str(artifacts / "settings-reminders.png"), full_page=True)
    axe_light_and_dark(page)


def test_offline_a_session_plays_and_its_logs_with_pain_reach_the_server_later(
    live_server, page: Page, context: BrowserContext
):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    install_daytime_clock(page)
    sign_up_and_enroll(page, base, "guided-offline@example.com", programs=PROGRAMS, budget="20 minutes")
    assert not ReminderRule.objects.filter(user__email="guided-offline@example.com").exists()
    wait_for_service_worker(page)
    expect(page.get_by_test_id("pending-count")).to_have_text("All saved")

    context.set_offline(True)
    page.reload()
    morning(page).get_by_role("link", name="Start").click()
    page.get_by_role("button", name="5 out of 10").click()
    # Skip the first exercise: it is logged as skipped.
    page.get_by_role("button", name=re.compile("^Skip")).click()
    play_to_the_end(page)
    page.get_by_role("button", name="Skip this question").click()
    expect(page.get_by_role("heading", name="Well done")).to_contain_text("Well done")
    expect(page.get_by_text("Saved on this phone")).to_be_visible()
    page.get_by_role("link", name="Back to today").click()
    expect(morning(page).get_by_text("· done")).to_be_visible()
    expect(page.get_by_test_id("pending-count")).to_contain_text("waiting to send")

    context.set_offline(False)
    expect(page.get_by_test_id("pending-count")).to_have_text("All saved", timeout=15_000)
    sessions = [e for e in server_entries(context, base) if e["type"] == "session"]
    statuses = Counter(e["data"]["status"] for e in sessions)
    assert statuses["skipped"] == 1 and statuses["done"] >= 1, sessions
    assert all(e["data"]["pain_before"] == 5 for e in sessions)
    # Not answered: never sent as a score.
    assert all("pain_after" not in e["data"] or e["data"]["pain_after"] is None for e in sessions)


def test_the_breathing_pacer_is_full_screen_and_calm(live_server, page: Page, artifacts):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    install_daytime_clock(page)
    sign_up_and_enroll(page, base, "pacer@example.com", programs=("Breathing and relaxation",))
    morning(page).get_by_role("link", name="Start").click()
    page.get_by_role("button", name="Skip this question").click()
    page.clock.run_for(5_500)
    pacer = page.locator(".pacer")
    expect(pacer).to_be_visible()
    expect(pacer).to_contain_text("Breathe in")
    page.clock.run_for(1_000)
    page.screenshot(path=str(artifacts / "pacer.png"), full_page=False)
    axe_light_and_dark(page, artifacts / "pacer-dark.png")
    page.clock.run_for(3_500)
    expect(pacer).to_contain_text("Hold")

    # The cue toggles are remembered: a soft sound chosen once stays chosen.
    page.get_by_role("button", name="Sound off").click()
    expect(page.get_by_role("button", name="Sound on")).to_have_attribute("aria-pressed", "true")

    # Under reduced motion: words and a count, no moving circle.
    page.emulate_media(reduced_motion="reduce")
    page.clock.run_for(8_000)
    expect(page.locator(".pacer.still")).to_be_visible()
    expect(page.locator(".pacer-ring")).to_have_count(0)
    page.emulate_media(reduced_motion="no-preference")
    page.get_by_role("button", name="Close the session").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    page.get_by_role("link", name="Start", exact=True).first.click()
    page.get_by_role("button", name="Skip this question").click()
    expect(page.get_by_role("button", name="Sound on")).to_be_visible()


# The browser's device APIs are the edge of the world: each call is recorded as the
# player makes it. Headless Chromium may have no Wake Lock, so a stand-in is given.
RECORD_DEVICE_CALLS = """
window.__spoken = []
window.__vibrated = []
window.__wakeLocks = []
window.__wakeLockSentinels = []
if (window.speechSynthesis) {
  const speak = speechSynthesis.speak.bind(speechSynthesis)
  speechSynthesis.speak = (utterance) => {
    window.__spoken.push(utterance.text)
    try { speak(utterance) } catch (e) {}
  }
}
Object.defineProperty(navigator, 'vibrate', {
  configurable: true,
  value: (pattern) => { window.__vibrated.push(pattern); return true },
})
const sentinel = () => {
  const s = new EventTarget()
  s.released = false
  s.type = 'screen'
  s.release = () => { s.released = true; return Promise.resolve() }
  return s
}
Object.defineProperty(navigator, 'wakeLock', {
  configurable: true,
  value: {
    request: (type) => {
      window.__wakeLocks.push({ type, visibility: document.visibilityState })
      const lock = sentinel()
      window.__wakeLockSentinels.push(lock)
      return Promise.resolve(lock)
    },
  },
})
"""


def set_visibility(page: Page, state: str) -> None:
    page.evaluate(
        """state => {
            Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state })
            Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' })
            document.dispatchEvent(new Event('visibilitychange'))
        }""",
        state,
    )


def test_with_voice_on_the_player_speaks_the_hold_vibrates_and_keeps_the_screen_on(live_server, page: Page):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    page.add_init_script(RECORD_DEVICE_CALLS)
    install_daytime_clock(page)
    sign_up_and_enroll(page, base, "cues@example.com", programs=PROGRAMS, budget="20 minutes")
    morning(page).get_by_role("link", name="Start").click()
    page.get_by_role("button", name="Skip this question").click()
    expect(page.get_by_test_id("timer")).to_contain_text("Get ready")

    # Playing keeps the screen on; coming back to the app takes the lock again.
    page.wait_for_function("window.__wakeLocks.length === 1")
    assert page.evaluate("window.__wakeLocks") == [{"type": "screen", "visibility": "visible"}]
    set_visibility(page, "hidden")
    set_visibility(page, "visible")
    page.wait_for_function("window.__wakeLocks.length === 2")
    assert page.evaluate("window.__wakeLocks")[1] == {"type": "screen", "visibility": "visible"}

    page.get_by_role("button", name="Voice off").click()
    expect(page.get_by_role("button", name="Voice on")).to_have_attribute("aria-pressed", "true")

    # Through a whole hold, a second at a time: its start, the countdown, the release.
    for _ in range(300):
        if page.locator('main[data-step="hold"]').count():
            break
        page.clock.fast_forward(1_000)
    expect(page.locator('main[data-step="hold"]')).to_be_visible()
    for _ in range(60):
        if page.locator('main[data-step="release"]').count():
            break
        page.clock.fast_forward(1_000)
    expect(page.locator('main[data-step="release"]')).to_be_visible()
    page.clock.run_for(100)  # Preact runs effects (the cues) on the page's own timers
    spoken = page.evaluate("window.__spoken")
    start = len(spoken) - 1 - spoken[::-1].index("Hold")
    hold = spoken[start:]
    assert hold[0] == "Hold" and hold[-1] == "Release", spoken
    assert hold[-3:-1] == ["2", "1"], spoken  # "3" too when the hold is longer than 3 s
    # A change is felt too: the hold's double pulse (vibration is on by default).
    assert [80, 60, 80] in page.evaluate("window.__vibrated"), page.evaluate("window.__vibrated")

    # Hidden, the lock is not asked for; the session closed, the screen may sleep again.
    set_visibility(page, "hidden")
    page.clock.fast_forward(1_000)
    assert len(page.evaluate("window.__wakeLocks")) == 2
    set_visibility(page, "visible")
    page.wait_for_function("window.__wakeLocks.length === 3")
    page.get_by_role("button", name="Close the session").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    assert page.evaluate("window.__wakeLockSentinels.at(-1).released") is True
    assert len(page.evaluate("window.__wakeLocks")) == 3
