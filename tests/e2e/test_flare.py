"""Flare-up mode on the phone (issue 16), as a person lives it: a bad day with no
signal, one tap on "My back is bad today", the gentle plan shown at once from what the
phone keeps, the streak unbroken on Progress offline and on the server once the start
is sent (with the phone's own start time), then the flare ended early and the kind
check-in at its end.

The phone's clock is moved (page.clock), never waited: the flare starts "yesterday"
on the phone, so the day it covers is one the person did not practise.

Screenshots (390x844) go to test-artifacts/; axe-core checks the flare screens."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from backend.accounts.services import user_screening_set
from backend.accounts.timezones import local_today
from backend.programs.models import Program
from backend.tracker.models import Flare
from tests.accounts.factories import UserFactory
from tests.conftest import signed_in
from tests.e2e.test_clinician import log_in
from tests.e2e.test_offline import wait_for_service_worker
from tests.e2e.test_safety import assert_no_axe_violations, wait_until
from tests.programs.factories import EnrollmentFactory


def practised(patient, days: list[dt.date]) -> None:
    """Every item of those days logged done, as another device would have sent them."""
    client = signed_in(patient)
    entries = []
    for day in days:
        plan = client.get(f"/api/v1/plan/?start={day.isoformat()}&days=1").json()["days"][0]
        entries += [
            {
                "client_id": str(uuid.uuid4()),
                "type": "session",
                "updated_at": timezone.now().isoformat(),
                "data": {"date": day.isoformat(), "item_id": item["id"], "status": "done"},
            }
            for item in plan["items"]
        ]
    answer = client.post("/api/v1/sync/", {"entries": entries}, format="json").json()
    assert {r["status"] for r in answer["results"]} == {"created"}, answer


def streak(page: Page) -> str:
    return page.locator(".stat", has_text="day streak").locator("b").inner_text()


def test_a_flare_started_offline_shows_the_gentle_plan_keeps_the_streak_and_ends_with_a_check_in(
    live_server, page: Page, context: BrowserContext, artifacts
):
    call_command("load_programs", verbosity=0)
    patient = UserFactory(email="flare@example.com")
    user_screening_set(user=patient, answers={"cancer_history": False, "fall_or_injury": False})
    today = local_today(patient.timezone)
    EnrollmentFactory(
        user=patient,
        program=Program.objects.get(slug="back-stretches"),
        start_date=today - dt.timedelta(days=3),
    )
    # Practised three and two days ago; yesterday was a bad day with nothing done.
    practised(patient, [today - dt.timedelta(days=3), today - dt.timedelta(days=2)])
    base = live_server.url
    real_now = dt.datetime.now(dt.UTC)
    page.clock.install(time=real_now)

    log_in(page, base, patient.email)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    wait_for_service_worker(page)
    # Online once: the phone keeps the flare plan for a bad day with no signal.
    assert wait_until(lambda: page.evaluate(FLARE_PLAN_KEPT)), "the flare plan was not kept on the phone"
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Progress").click()
    expect(page.get_by_text("day streak")).to_be_visible()
    # Yesterday, missed, broke the streak (for now).
    expect(page.locator(".stat", has_text="day streak").locator("b")).to_have_text("0")
    nav.get_by_role("link", name="Today").click()

    # Yesterday evening on the phone, with no signal: the back is bad. (Yesterday at
    # 21:00 is always on the day before and less than 48 hours ago, whatever the hour now.)
    context.set_offline(True)
    started = dt.datetime.combine(
        today - dt.timedelta(days=1), dt.time(21), tzinfo=ZoneInfo(patient.timezone)
    ).astimezone(dt.UTC)
    page.clock.set_system_time(started)
    page.reload()
    start = page.get_by_role("button", name="My back is bad today")
    expect(start).to_be_visible()
    start.click()
    confirm = page.get_by_test_id("flare-confirm")
    expect(confirm).to_contain_text("48 hours")
    expect(confirm).to_contain_text("Your usual plan is paused")
    expect(confirm).to_contain_text("streak is not broken")
    page.screenshot(path=str(artifacts / "flare-confirm.png"), full_page=False)
    assert_no_axe_violations(page)
    confirm.get_by_role("button", name="Start the gentle plan").click()

    panel = page.get_by_test_id("flare-panel")
    expect(panel).to_contain_text("about 2 days left")
    expect(page.get_by_test_id("flare-advice")).to_contain_text("not in bed for more than a day or two")
    # The gentle plan, from what the phone kept: the usual exercises are gone.
    names = page.locator(".item-name")
    expect(names.filter(has_text=re.compile("breath", re.I)).first).to_be_visible()
    expect(names.filter(has_text=re.compile("heat|warm", re.I)).first).to_be_visible()
    # Cold, for a new and sharp pain, is offered in the morning beside the breathing.
    expect(
        page.locator('[data-session="morning"] .item-name').filter(has_text="Cold for a sore spot")
    ).to_be_visible()
    expect(page.locator('[data-item-id^="back-stretches:"]')).to_have_count(0)
    expect(page.locator('[data-item-id^="flare:"] .illustration').first).to_be_visible()
    expect(page.get_by_role("button", name="My back is bad today")).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "flare-today.png"), full_page=False)
    page.screenshot(path=str(artifacts / "flare-today-full.png"), full_page=True)
    assert_no_axe_violations(page)
    page.emulate_media(color_scheme="dark")
    assert_no_axe_violations(page)
    page.screenshot(path=str(artifacts / "flare-today-dark.png"), full_page=False)
    page.emulate_media(color_scheme="light")

    # The heat pack's timer: the player counts it down like any timed exercise.
    page.locator('[data-session="midday"]').get_by_role("link", name="Start").click()
    expect(page.get_by_role("heading", name="How is your pain right now?")).to_be_visible()
    page.get_by_role("button", name="Skip this question").click()
    timer = page.get_by_test_id("timer")
    expect(page.get_by_text(re.compile("cold for 10 to 15 minutes may feel better"))).to_be_visible()
    page.clock.run_for(6_500)
    expect(timer).not_to_contain_text("Get ready")
    page.clock.run_for(60_000)
    expect(timer.get_by_role("timer")).to_contain_text(re.compile(r"1[34]:\d\d"))
    page.screenshot(path=str(artifacts / "flare-heat-timer.png"), full_page=False)
    page.goto(f"{base}/#/today")

    # This morning, still offline: the flare goes on, and the streak is unbroken.
    page.clock.set_system_time(real_now + dt.timedelta(minutes=1))
    page.reload()
    expect(page.get_by_test_id("flare-panel")).to_contain_text(re.compile(r"about (\d+ hours|2 days) left"))
    nav.get_by_role("link", name="Progress").click()
    expect(page.get_by_text(re.compile("Offline: showing your progress"))).to_be_visible()
    expect(page.locator(".stat", has_text="day streak").locator("b")).to_have_text("2")
    page.screenshot(path=str(artifacts / "flare-progress-offline.png"), full_page=False)
    # Yesterday and today are said as flare-up days, not as a plan missed.
    page.get_by_text("Show as a table").click()
    expect(page.locator("table.data tbody tr").filter(has_text="Flare-up day")).to_have_count(2)
    assert not Flare.objects.filter(patient=patient).exists()  # nothing sent yet

    # Back online: the start reaches the server with the phone's start time, and the
    # server's streak agrees.
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert wait_until(lambda: Flare.objects.filter(patient=patient).exists()), "the start was not sent"
    flare = Flare.objects.get(patient=patient)
    assert abs((flare.started_at - started).total_seconds()) < 60, flare.started_at
    assert flare.ended_at is None
    page.reload()
    expect(page.get_by_text(re.compile("Offline: showing"))).to_have_count(0)
    expect(page.locator(".stat", has_text="day streak").locator("b")).to_have_text("2")
    summary = signed_in(patient).get("/api/v1/summary/?days=7").json()
    assert summary["streak"]["current"] == 2, summary["streak"]

    # Feeling a little better: ended early, then asked kindly how the back is.
    nav.get_by_role("link", name="Today").click()
    panel = page.get_by_test_id("flare-panel")
    panel.get_by_role("button", name="I feel better: end it early").click()
    expect(panel).to_contain_text("Your usual plan comes back, one step easier")
    panel.get_by_role("button", name="Yes, end it now").click()
    checkin = page.get_by_test_id("flare-checkin")
    expect(checkin.get_by_role("heading", name="How is your back now?")).to_be_visible()
    expect(page.get_by_test_id("flare-panel")).to_have_count(0)
    assert wait_until(lambda: Flare.objects.get(pk=flare.pk).ended_at is not None), "the end was not sent"
    assert Flare.objects.get(pk=flare.pk).ended_by == Flare.EndedBy.ENDED
    page.screenshot(path=str(artifacts / "flare-checkin.png"), full_page=False)
    assert_no_axe_violations(page)

    checkin.get_by_role("button", name="Worse").click()
    resumed = page.get_by_test_id("flare-resumed")
    expect(resumed).to_contain_text("one step easier")
    expect(resumed).to_contain_text("doctor or physiotherapist")
    expect(resumed.get_by_role("link", name="Need help now?")).to_have_attribute("href", "#/help")
    expect(page.get_by_test_id("flare-checkin")).to_have_count(0)
    # The usual plan is back.
    expect(page.locator('[data-item-id^="back-stretches:"]').first).to_be_attached()
    expect(page.get_by_role("button", name="My back is bad today")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "flare-resumed.png"), full_page=False)
    assert_no_axe_violations(page)
    # Each exercise says, in one quiet line, that its dose stepped back after the flare.
    morning = page.locator('[data-session="morning"]')
    morning.locator("summary").first.click()
    step = morning.get_by_test_id("progression").first
    expect(step).to_contain_text("One step easier")
    expect(step).to_have_attribute("data-state", "regress")
    morning.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "today-after-flare.png"), full_page=False)
    # The check-in is sent, and the server asks it no more.
    assert wait_until(lambda: Flare.objects.get(pk=flare.pk).check_in_feeling == "worse")
    assert signed_in(patient).get("/api/v1/me/").json()["flare_check_in"] is None
    page.reload()
    expect(page.get_by_test_id("flare-checkin")).to_have_count(0)


FLARE_PLAN_KEPT = """
new Promise((resolve) => {
  const open = indexedDB.open('backtrack')
  open.onsuccess = () => {
    const get = open.result.transaction('cache').objectStore('cache').get('flare-plan')
    get.onsuccess = () => resolve(Boolean(get.result && get.result.items && get.result.items.length))
    get.onerror = () => resolve(false)
  }
  open.onerror = () => resolve(false)
})
"""
