"""What a reminder says and how the push service should treat it.

Plain, kind words: a reminder invites, it never counts missed days or scolds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

TEST_KIND = "test"


@dataclass(frozen=True)
class Notification:
    kind: str
    title: str
    body: str
    url: str
    # Seconds the push service keeps the message for an offline device. pywebpush's
    # default of 0 would drop it unless the device is online at that very moment.
    ttl: int
    # RFC 8030 Urgency: "normal" reaches a phone on battery; "low" may wait for power/Wi-Fi.
    urgency: str

    @property
    def topic(self) -> str:
        """RFC 8030 Topic: a newer reminder of a kind replaces an undelivered older one.

        At most 32 characters of the base64url alphabet.
        """
        return f"backtrack-{self.kind}"[:32]

    def payload(self, *, delivery_id: int) -> bytes:
        body = {"title": self.title, "body": self.body, "url": self.url, "kind": self.kind, "id": delivery_id}
        return json.dumps(body, separators=(",", ":")).encode()


NOTIFICATIONS: dict[str, Notification] = {
    n.kind: n
    for n in [
        Notification(
            kind="session",
            title="Time for today's practice",
            body="A few easy minutes for your back, whenever suits you.",
            url="/#/today",
            ttl=2 * 3600,
            urgency="normal",
        ),
        Notification(
            kind="checkin",
            title="How is your back today?",
            body="A one-minute check-in on pain, stress and sleep helps you see what works.",
            url="/#/checkin",
            ttl=4 * 3600,
            urgency="normal",
        ),
        Notification(
            kind="breathing",
            title="A moment to breathe",
            body="In through the nose, a longer breath out. A few slow rounds can ease tense shoulders.",
            url="/#/today",
            ttl=3600,
            urgency="normal",
        ),
        Notification(
            kind="bedtime",
            title="Time to wind down",
            body="Screens away soon, something calm, and let your shoulders drop.",
            url="/#/today",
            ttl=3600,
            urgency="normal",
        ),
        Notification(
            kind="desk_break",
            title="Time for a short break",
            body="Stand up, stretch or walk for a minute or two.",
            url="/#/today",
            # A desk break is stale once the next one is due.
            ttl=15 * 60,
            urgency="normal",
        ),
        Notification(
            kind=TEST_KIND,
            title="Reminders are on",
            body="This is how Backtrack reminders will look on this device.",
            url="/#/settings",
            ttl=10 * 60,
            urgency="high",
        ),
    ]
}
