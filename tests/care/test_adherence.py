"""The summary, its last week and the clinician's list give one adherence for one history
(backend/tracker/adherence.py defines it)."""

from __future__ import annotations

import datetime as dt

from backend.accounts.timezones import local_today
from backend.programs.models import Program
from tests.programs.factories import EnrollmentFactory
from tests.tracker.helpers import entry, session, sync


def test_the_summary_its_week_and_the_clinicians_list_agree(link, patient, patient_client, doctor):
    today = local_today(patient.timezone)
    EnrollmentFactory(
        user=patient,
        program=Program.objects.get(slug="back-stretches"),
        start_date=today - dt.timedelta(days=20),
    )
    plan = patient_client.get("/api/v1/today/").json()["items"]
    first, second = plan[0]["id"], plan[1]["id"]
    earlier = [
        entry("session", session(first.rsplit(":", 1)[0], today - dt.timedelta(days=n))) for n in (1, 3, 4)
    ]
    today_logs = [
        entry("session", session(first.rsplit(":", 1)[0], today)),
        entry("session", {**session(second.rsplit(":", 1)[0], today), "status": "skipped"}),
    ]
    sync(patient_client, *earlier, *today_logs)

    summary = patient_client.get("/api/v1/summary/?days=7").json()
    (row,) = doctor[1].get("/api/v1/care/patients/").json()
    due_per_day = len(plan)
    expected = round(4 / (6 * due_per_day + 2), 3)  # today: one done, one skipped, the rest pending
    assert summary["adherence"] == row["adherence_7"] == expected
    assert summary["weekly"][-1]["adherence"] == expected
    assert (summary["done"], summary["due"]) == (4, 6 * due_per_day + 2)
