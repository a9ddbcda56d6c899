"""Each clinician's patient list (``GET /api/v1/care/patients/``), kept in the cache.

The list is the clinician's dashboard, reloaded all day, and reading it costs a
dozen queries over every linked patient's last four weeks. Between two loads
usually none of those patients has logged anything, so the response body is
cached, stamped with (``backend/caching/generations.py``):

- the clinician's links generation (who is on the list, with which scopes);
- the catalog generation (what was due);
- every listed patient's generation (logs, enrollments, alerts, profile);
- every listed patient's local date (adherence and trends are counted up to it).

A hit costs two ``MGET`` round trips (the value with the links and catalog
generations, then the patients' generations) and no query but the access log,
which is written for every load whether it was cached or not.

Values live ``PATIENT_LIST_CACHE_SECONDS`` (5 minutes by default): short, because
the list carries safety alerts, so that even a missed invalidation could not hide
one for long.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple

from django.conf import settings
from rest_framework.renderers import JSONRenderer

from backend.accounts.timezones import local_today
from backend.caching import generations

Links = list[tuple[int, dt.datetime, list[str]]]


class Cached(NamedTuple):
    links_gen: str | None
    catalog_gen: str | None
    patient_gens: tuple[str | None, ...]
    zones: tuple[str, ...]
    dates: tuple[dt.date, ...]
    patient_ids: tuple[int, ...]
    body: bytes


def value_key(clinician_id: int) -> str:
    return f"patients:{clinician_id}"


def _dates(zones: tuple[str, ...]) -> tuple[dt.date, ...]:
    return tuple(local_today(zone) for zone in zones)


def cached_overview(
    *,
    clinician_id: int,
    links: Callable[[], Links],
    compute: Callable[[Links], tuple[list[dict[str, Any]], dict[int, str]]],
) -> tuple[bytes, list[int]]:
    """(JSON body, ids of the patients it shows), from the cache or from ``compute``.

    ``links()`` reads the clinician's links; ``compute(links)`` the rows and each
    patient's time zone.
    """
    seconds = settings.PATIENT_LIST_CACHE_SECONDS
    key, links_key = value_key(clinician_id), generations.links_key(clinician_id)
    found = generations.read([key, links_key, generations.CATALOG]) if seconds else None
    if found is None:
        return _fresh(links, compute)
    links_gen, catalog_gen = found.get(links_key), found.get(generations.CATALOG)
    value = found.get(key)
    if isinstance(value, Cached) and (value.links_gen, value.catalog_gen) == (links_gen, catalog_gen):
        gens = _patient_gens(value.patient_ids)
        if gens == value.patient_gens and _dates(value.zones) == value.dates:
            return value.body, list(value.patient_ids)

    # Generations are read before the rows they stamp (see backend/caching/generations.py).
    current = links()
    patient_ids = tuple(patient_id for patient_id, _, _ in current)
    gens = _patient_gens(patient_ids)
    if gens is None:
        return _fresh(lambda: current, compute)
    rows, zones_by_id = compute(current)
    body = JSONRenderer().render(rows)
    # The dates the rows were counted for (not read again: midnight may have passed).
    counted = {row["id"]: dt.date.fromisoformat(row["today"]) for row in rows}
    zones = tuple(zones_by_id[patient_id] for patient_id in patient_ids)
    dates = tuple(counted[patient_id] for patient_id in patient_ids)
    generations.store(key, Cached(links_gen, catalog_gen, gens, zones, dates, patient_ids, body), seconds)
    return body, list(counted)


def _patient_gens(patient_ids: tuple[int, ...]) -> tuple[str | None, ...] | None:
    if not patient_ids:
        return ()
    keys = [generations.user_key(patient_id) for patient_id in patient_ids]
    found = generations.read(keys)
    return None if found is None else tuple(found.get(k) for k in keys)


def _fresh(links: Callable[[], Links], compute: Callable) -> tuple[bytes, list[int]]:
    rows, _zones = compute(links())
    return JSONRenderer().render(rows), [row["id"] for row in rows]
