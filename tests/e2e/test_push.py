"""A reminder pushed to the phone is shown by the service worker with its actions.

No push service is reachable here, so the push event is delivered to the worker
through Chromium's DevTools protocol, exactly as the browser would hand it over."""

from __future__ import annotations

import json

from playwright.sync_api import BrowserContext, Page, expect


def test_the_service_worker_shows_a_pushed_reminder_with_start_and_snooze(
    live_server, page: Page, context: BrowserContext
):
    base = live_server.url
    context.grant_permissions(["notifications"], origin=base)
    cdp = context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"])
    )
    cdp.send("ServiceWorker.enable")
    page.goto(f"{base}/#/login")
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    registration_id = next(r["registrationId"] for r in registrations if r["scopeURL"] == f"{base}/")

    payload = {
        "title": "Time for your stretches",
        "body": "Five calm minutes.",
        "url": "/#/today",
        "kind": "session",
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": base, "registrationId": registration_id, "data": json.dumps(payload)},
    )

    shown = page.evaluate(
        """async () => {
            const registration = await navigator.serviceWorker.ready
            for (let i = 0; i < 50; i++) {
                const list = await registration.getNotifications()
                if (list.length) return list.map((n) => ({ title: n.title, body: n.body, data: n.data,
                    actions: (n.actions || []).map((a) => a.title) }))
                await new Promise((r) => setTimeout(r, 100))
            }
            return []
        }"""
    )
    assert len(shown) == 1
    assert shown[0]["title"] == "Time for your stretches"
    assert shown[0]["body"] == "Five calm minutes."
    assert shown[0]["data"]["url"] == "/#/today"
    assert shown[0]["actions"] == ["Start", "Snooze 15 min"]
