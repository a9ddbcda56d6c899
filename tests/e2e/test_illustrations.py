"""Every exercise's pictures as a person sees them: one contact sheet, light and dark,
to look at (test-artifacts/illustrations-sheet*.png), and the pictures still there
with no signal."""

from __future__ import annotations

import json
import re

from django.core.management import call_command
from playwright.sync_api import Browser, Page

from tests.e2e.test_offline import sign_up_and_enroll, wait_for_service_worker

SHEET = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Illustrations</title>
<style>
  :root { color-scheme: light dark; font: 14px system-ui, sans-serif; }
  body { margin: 16px; background: Canvas; color: CanvasText; }
  main { display: grid; grid-template-columns: repeat(4, 300px); gap: 14px; }
  figure { margin: 0; }
  img { display: block; width: 300px; height: 200px; }
  figcaption { margin-top: 4px; }
  figcaption b { display: block; }
</style></head><body><main id="sheet"></main>
<script>
  const sheet = document.getElementById('sheet')
  for (const [name, picture] of PICTURES) {
    const figure = document.createElement('figure')
    const img = document.createElement('img')
    img.src = picture.url
    img.alt = picture.alt
    const caption = document.createElement('figcaption')
    caption.innerHTML = '<b></b><span></span>'
    caption.querySelector('b').textContent = name
    caption.querySelector('span').textContent = picture.url.split('/').pop()
    figure.append(img, caption)
    sheet.append(figure)
  }
</script></body></html>"""


def exercises_from_the_api(page: Page, base: str) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for program in page.request.get(f"{base}/api/v1/programs/").json():
        detail = page.request.get(f"{base}/api/v1/programs/{program['slug']}/").json()
        for week in detail["schedule"]:
            for item in week["items"]:
                found[item["exercise"]["slug"]] = item["exercise"]
    return found


def all_loaded(page: Page, selector: str = "img") -> list[str]:
    """The images that failed to load (none, once every one has settled)."""
    page.wait_for_function(
        "(selector) => [...document.querySelectorAll(selector)].every((img) => img.complete)", arg=selector
    )
    return page.evaluate(
        "(selector) => [...document.querySelectorAll(selector)].filter((img) => !img.naturalWidth).map((img) => img.src)",
        selector,
    )


def test_a_contact_sheet_of_every_illustration_light_and_dark(live_server, browser: Browser, artifacts):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    # A page of our own beside the app (same origin, so the images are the app's files);
    # no service worker, which would answer this address with the app shell.
    context = browser.new_context(viewport={"width": 1300, "height": 900}, service_workers="block")
    page = context.new_page()
    exercises = exercises_from_the_api(page, base)
    # Every exercise a program plans: all of them but cold, which is for a fresh flare-up
    # and no program schedules.
    assert len(exercises) == 29
    pictures = [
        (exercise["name"], picture)
        for exercise in sorted(exercises.values(), key=lambda e: e["slug"])
        for picture in exercise["illustrations"]
    ]
    html = SHEET.replace("PICTURES", json.dumps(pictures))
    context.route(
        f"{base}/__illustrations-sheet", lambda route: route.fulfill(body=html, content_type="text/html")
    )

    page.goto(f"{base}/__illustrations-sheet")
    assert page.locator("img").count() == len(pictures) >= 35
    assert all_loaded(page) == []
    page.screenshot(path=str(artifacts / "illustrations-sheet.png"), full_page=True)

    page.emulate_media(color_scheme="dark")
    page.reload()
    assert all_loaded(page) == []
    page.screenshot(path=str(artifacts / "illustrations-sheet-dark.png"), full_page=True)
    context.close()


def test_todays_cards_show_the_pictures_and_they_load_with_no_signal(
    live_server, page: Page, context, artifacts
):
    call_command("load_programs", verbosity=0)
    base = live_server.url
    sign_up_and_enroll(page, base, "pictures@example.com")
    # The session's exercises, with their pictures, one tap away on its card.
    page.locator('[data-session="morning"]').get_by_text(re.compile("^See all")).click()
    card = page.locator("[data-item-id]").first
    pictures = card.locator("img.illustration")
    assert pictures.count() == 2
    pictures.first.scroll_into_view_if_needed()
    pictures.evaluate_all("(imgs) => Promise.all(imgs.map((img) => img.decode()))")
    assert pictures.evaluate_all("(imgs) => imgs.map((img) => img.naturalWidth)") == [240, 240]
    assert pictures.first.get_attribute("alt")
    page.screenshot(path=str(artifacts / "today-illustrations.png"))
    wait_for_service_worker(page)
    page.reload()  # now the worker controls the page
    exercise = exercises_from_the_api(page, base)["glute-bridge"]
    urls = [picture["url"] for picture in exercise["illustrations"]]
    cached = page.evaluate(
        """async () => {
            const urls = []
            for (const name of await caches.keys()) {
                for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname)
            }
            return urls
        }"""
    )
    assert sum(url.startswith("/illustrations/") for url in cached) >= 35
    assert set(urls) <= set(cached)

    context.set_offline(True)
    sizes = page.evaluate(
        """(urls) => Promise.all(urls.map((url) => new Promise((resolve) => {
            const img = new Image()
            img.onload = () => resolve(img.naturalWidth)
            img.onerror = () => resolve(0)
            img.src = url
        })))""",
        urls,
    )
    assert sizes == [240, 240]
