from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from rest_framework.test import APIClient

TODAY = dt.date(2026, 11, 21)
NOW = "2026-11-21T09:00:00Z"


def stamp(minutes: int = 0) -> str:
    """An updated_at some minutes after 08:00 Paris time on TODAY."""
    moment = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))) + dt.timedelta(
        minutes=minutes
    )
    return moment.isoformat()


def session(
    item: str = "core-strength:bridge", day: dt.date = TODAY, status: str = "done", **data: Any
) -> dict:
    return {"date": day.isoformat(), "item_id": f"{item}:{day.isoformat()}", "status": status, **data}


def checkin(day: dt.date = TODAY, pain: int = 4, stress: int = 6, **data: Any) -> dict:
    return {"date": day.isoformat(), "pain": pain, "stress": stress, **data}


def journal(day: dt.date = TODAY, **data: Any) -> dict:
    return {"date": day.isoformat(), "feeling": "tense", **data}


def entry(
    kind: str, data: dict, *, client_id: str | None = None, minutes: int = 0, deleted: bool = False
) -> dict[str, Any]:
    return {
        "client_id": client_id or str(uuid.uuid4()),
        "type": kind,
        "updated_at": stamp(minutes),
        "deleted": deleted,
        "data": data,
    }


def sync(client: APIClient, *entries: dict, cursor: str | None = None, expect: int = 200) -> dict:
    body: dict[str, Any] = {"entries": list(entries)}
    if cursor is not None:
        body["cursor"] = cursor
    response = client.post("/api/v1/sync/", body, format="json")
    assert response.status_code == expect, response.content
    return response.json()


def statuses(answer: dict) -> list[str]:
    return [result["status"] for result in answer["results"]]


def apply_batch(user, raw_entries: list, cursor: str | None = None):
    """What the sync endpoint does with a batch: validate each entry, then apply them."""
    from django.utils import timezone

    from backend.accounts.timezones import local_today
    from backend.tracker.serializers import validate_entries
    from backend.tracker.services import sync_apply

    checked = validate_entries(raw_entries, today=local_today(user.timezone), now=timezone.now())
    return sync_apply(user=user, entries=checked, cursor=cursor)
