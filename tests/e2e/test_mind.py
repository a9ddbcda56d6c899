"""Mind and body (issue 17), as a person lives it on a phone: a lesson read with no
signal that reaches the server as read once; a check-in with two things that weighed
on the day; the sophrology session played in the player with its cues moving on by
themselves (the page's clock is moved, never waited; headless Chromium may have no
voice, which is fine: the words on screen move on); and Progress saying in words how
a factor went with pain."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.core.management import call_command
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.test_offline import (
    install_daytime_clock,
    play_to_the_end,
    server_entries,
    sign_up_and_enroll,
    wait_for_service_worker,
)
from tests.e2e.test_safety import assert_no_axe_violations

PROGRAMS = ("Guided relaxation",)


def both_schemes(page: Page, artifacts, name: str) -> None:
    """A phone-size screenshot in light and in dark, each checked with axe first."""
    assert_no_axe_violations(page)
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=False)
    page.emulate_media(color_scheme="dark")
    try:
        assert_no_axe_violations(page)
        page.screenshot(path=str(artifacts / f"{name}-dark.png"), full_page=False)
    finally:
        page.emulate_media(color_scheme="light")


def post_sync(page: Page, entries: list[dict]) -> dict:
    """Entries sent as another of the person's devices would (the session's cookie)."""
    return page.evaluate(
        """async (entries) => {
            const token = decodeURIComponent((document.cookie.match(/(?:^|;\\s*)csrftoken=([^;]+)/) || [])[1] || '')
            const response = await fetch('/api/v1/sync/', {
                method: 'POST',
                credentials: 'same-origin',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
                body: JSON.stringify({entries}),
            })
            return {status: response.status, body: await response.json()}
        }""",
        entries,
    )


def test_a_lesson_read_offline_is_shown_read_at_once_and_syncs_as_read_once(
    live_server, page: Page, context: BrowserContext, artifacts
):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    sign_up_and_enroll(page, base, "lesson@example.com", programs=PROGRAMS)
    wait_for_service_worker(page)

    # The first weeks offer a lesson a day on Today, calmly, beside the sessions.
    card = page.get_by_test_id("today-lesson")
    expect(card).to_be_visible()
    expect(card).to_contain_text(re.compile(r"Today's lesson · \d+ min"))
    first_title = card.locator(".lesson-title").inner_text()
    card.scroll_into_view_if_needed()
    both_schemes(page, artifacts, "today-lesson")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learn").click()
    expect(page.get_by_role("heading", name="Learn", exact=True)).to_be_visible()
    rows = page.locator("[data-lesson]")
    expect(rows.first).to_be_visible()
    count = rows.count()
    assert count >= 2, count
    expect(page.get_by_test_id("lessons-read")).to_have_text(f"0 of {count} read")
    # Every lesson's text is on the phone once Learn has been opened online.
    page.wait_for_function(
        """async (n) => {
            const db = await new Promise((ok, ko) => { const r = indexedDB.open('backtrack'); r.onsuccess = () => ok(r.result); r.onerror = ko })
            const keys = await new Promise((ok) => { const r = db.transaction('cache').objectStore('cache').getAllKeys(); r.onsuccess = () => ok(r.result) })
            db.close()
            return keys.filter((k) => String(k).startsWith('lesson:')).length >= n
        }""",
        arg=count,
    )
    both_schemes(page, artifacts, "learn")

    context.set_offline(True)
    second = rows.nth(1)
    slug = second.get_attribute("data-lesson")
    second.click()
    reader = page.locator(f'main.reader[data-lesson="{slug}"]')
    expect(reader).to_be_visible()
    expect(reader.locator(".reader-section").first).to_be_visible()
    sources = reader.get_by_test_id("sources")
    sources.locator("summary").click()
    expect(sources).to_contain_text("From:")
    both_schemes(page, artifacts, "reader")
    page.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_test_id("lesson-read")).to_be_visible()
    expect(page.get_by_test_id("pending-count")).to_have_text("1 waiting to send · offline")
    # Tapped twice (or read again): still one entry.
    page.get_by_role("button", name="Mark as unread").click()
    page.get_by_role("button", name="Mark as read").click()
    page.get_by_role("link", name="All lessons").first.click()
    expect(page.locator(f'[data-lesson="{slug}"]')).to_have_attribute("data-read", "yes")
    expect(page.get_by_test_id("lessons-read")).to_have_text(f"1 of {count} read")
    # The day's lesson (a different one) is still offered, not ticked.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    expect(page.get_by_test_id("today-lesson")).to_contain_text(first_title)

    context.set_offline(False)
    expect(page.get_by_test_id("pending-count")).to_have_text("All saved", timeout=15_000)
    lessons = [e for e in server_entries(context, base) if e["type"] == "lesson"]
    assert len(lessons) == 1, lessons
    assert lessons[0]["data"]["lesson"] == slug
    assert lessons[0]["data"]["status"] == "read"
    assert not lessons[0]["deleted"]
    listed = {row["slug"]: row for row in context.request.get(f"{base}/api/v1/lessons/").json()}
    assert listed[slug]["status"] == "read"


def test_a_check_in_with_two_factors(live_server, page: Page, context: BrowserContext, artifacts):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    sign_up_and_enroll(page, base, "factors@example.com", programs=PROGRAMS)
    wait_for_service_worker(page)
    page.goto(f"{base}/#/checkin")
    checkin = page.get_by_role("region", name="How are you today?")
    checkin.get_by_role("slider", name="Pain").fill("5")
    group = checkin.get_by_role("group", name="What weighed on today?")
    work = group.get_by_role("button", name="Work", exact=True)
    sleep = group.get_by_role("button", name="Poor sleep")
    work.click()
    sleep.click()
    expect(work).to_have_attribute("aria-pressed", "true")
    expect(sleep).to_have_attribute("aria-pressed", "true")
    # One more tap takes one off again; two stay.
    money = group.get_by_role("button", name="Money")
    money.click()
    money.click()
    expect(money).to_have_attribute("aria-pressed", "false")
    group.scroll_into_view_if_needed()
    both_schemes(page, artifacts, "checkin-factors")
    checkin.get_by_role("button", name="Save check-in").click()
    expect(checkin.get_by_role("status").first).to_contain_text("saved")
    expect(page.get_by_test_id("pending-count")).to_have_text("All saved", timeout=15_000)

    checkins = [e for e in server_entries(context, base) if e["type"] == "checkin"]
    assert len(checkins) == 1, checkins
    assert sorted(checkins[0]["data"]["factors"]) == ["poor_sleep", "work"]
    # Opened again, the chips show what was chosen.
    page.reload()
    group = page.get_by_role("group", name="What weighed on today?")
    expect(group.get_by_role("button", name="Work", exact=True)).to_have_attribute("aria-pressed", "true")


def test_the_sophrology_session_plays_in_the_player_with_cues_that_move_on(
    live_server, page: Page, context: BrowserContext, artifacts
):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    install_daytime_clock(page)
    sign_up_and_enroll(page, base, "relax@example.com", programs=PROGRAMS)
    wait_for_service_worker(page)

    page.get_by_role("button", name="Relax now").click()
    practices = page.get_by_test_id("relax-list")
    expect(practices.locator('[data-exercise="sophrology-session"]')).to_be_visible()
    # How long each takes, before one is chosen: the humming breath is three minutes.
    expect(practices.locator('[data-exercise="humming"]')).to_contain_text("3 min")
    practices.scroll_into_view_if_needed()
    both_schemes(page, artifacts, "relax-now")
    practices.locator('[data-exercise="sophrology-session"]').click()
    page.get_by_role("button", name="Skip this question").click()

    player = page.locator('main.guided-player[data-exercise="sophrology-session"]')
    expect(player).to_be_visible()
    cue = page.get_by_test_id("guide-cue")
    expect(cue).to_have_attribute("data-cue", "ready")
    page.clock.fast_forward(6_000)
    expect(cue).to_have_attribute("data-cue", re.compile(r"^1 of \d+$"))
    first = cue.inner_text()
    total = int(cue.get_attribute("data-cue").split(" of ")[1])
    assert total >= 5, total
    # The position, drawn, above the cue: the picture has loaded, not a broken image.
    picture = page.get_by_test_id("guide-picture").locator("img")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
    both_schemes(page, artifacts, "guided-player")
    # Paused, the cue stays; resumed, it moves on by itself.
    page.get_by_role("button", name="Pause").click()
    page.clock.fast_forward(120_000)
    expect(cue).to_have_attribute("data-cue", f"1 of {total}")
    page.get_by_role("button", name="Resume").click()
    for _ in range(120):
        if cue.get_attribute("data-cue") != f"1 of {total}":
            break
        page.clock.fast_forward(2_000)
    expect(cue).to_have_attribute("data-cue", f"2 of {total}")
    assert cue.inner_text() != first
    expect(page.get_by_role("progressbar")).not_to_have_attribute("aria-valuenow", "0")

    play_to_the_end(page)
    page.get_by_role("button", name="3 out of 10").click()
    expect(page.get_by_role("heading", name="Well done")).to_be_visible()
    expect(page.get_by_test_id("pending-count")).to_have_count(0)  # the player has no chrome
    page.get_by_role("link", name="Back to today").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("All saved", timeout=15_000)
    sessions = [e for e in server_entries(context, base) if e["type"] == "session"]
    assert len(sessions) == 1, sessions
    assert sessions[0]["data"]["item_id"].startswith("guided-relaxation:sophrology:")
    assert sessions[0]["data"]["status"] == "done"
    assert sessions[0]["data"]["pain_after"] == 3

    # Heat: a countdown, with how many times today so far.
    page.get_by_role("button", name="Relax now").click()
    page.get_by_test_id("relax-list").locator('[data-exercise="heat-therapy"]').click()
    page.get_by_role("button", name="Skip this question").click()
    expect(page.get_by_test_id("timer").get_by_role("timer")).to_be_visible()
    expect(page.get_by_test_id("times-line")).to_have_text("Up to 3 times a day")
    page.clock.fast_forward(30_000)
    both_schemes(page, artifacts, "timer")
    play_to_the_end(page, step_ms=30_000)
    page.get_by_role("button", name="Skip this question").click()
    page.get_by_role("link", name="Back to today").click()
    page.get_by_role("button", name="Relax now").click()
    page.get_by_test_id("relax-list").locator('[data-exercise="heat-therapy"]').click()
    page.get_by_role("button", name="Skip this question").click()
    expect(page.get_by_test_id("times-line")).to_have_text("Up to 3 times a day · 1 done today")


def test_progress_shows_a_factor_insight_in_words(
    live_server, page: Page, context: BrowserContext, artifacts
):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    sign_up_and_enroll(page, base, "insight@example.com", programs=PROGRAMS)
    wait_for_service_worker(page)
    today = dt.date.fromisoformat(
        page.evaluate("new Intl.DateTimeFormat('en-CA', {timeZone: 'Europe/Paris'}).format(new Date())")
    )
    # Four weeks of check-ins: on work days the pain ran higher.
    entries = []
    for back in range(1, 29):
        day = today - dt.timedelta(days=back)
        work = back % 2 == 0
        data = {"date": day.isoformat(), "pain": 7 if work else 3, "stress": 4, "red_flags": []}
        if work:
            data["factors"] = ["work"]
        entries.append(
            {
                "client_id": str(uuid.uuid4()),
                "type": "checkin",
                "updated_at": dt.datetime.now(dt.UTC).isoformat(),
                "deleted": False,
                "data": data,
            }
        )
    answer = post_sync(page, entries)
    assert answer["status"] == 200, answer
    assert all(r["status"] == "created" for r in answer["body"]["results"]), answer

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Progress").click()
    page.get_by_role("button", name="28 days").click()
    insight = page.locator('[data-testid="insights"] li[data-kind="factor_pain"]')
    expect(insight.first).to_be_visible()
    words = insight.first.inner_text()
    assert "work" in words.lower(), words
    assert not re.search(r"\d", words), words  # words only, no numbers for patients
    expect(page.get_by_test_id("insight-numbers")).to_have_count(0)
    page.get_by_test_id("insights").scroll_into_view_if_needed()
    both_schemes(page, artifacts, "progress-insights")
