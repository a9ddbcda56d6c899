"""The summary, its last week and the clinician's list give one adherence for one history
(backend/tracker/adherence.py defines it)."""

from __future__ import annotations

import datetime as dt

from backend.accounts.timezones import local_today
from backend.programs.models import Program
from tests.programs.factories import EnrollmentFactory, exercises_of
from tests.tracker.helpers import entry, session, sync


def test_the_summary_its_week_and_the_clinicians_list_agree(link, patient, patient_client, doctor):
    today = local_today(patient.timezone)
    EnrollmentFactory(
        user=patient,
        program=Program.objects.get(slug="back-stretches"),
        start_date=today - dt.timedelta(days=20),
    )
    plan = exercises_of(patient_client.get("/api/v1/today/").json())
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


def test_merged_and_optional_items_are_counted_alike_everywhere(link, patient, patient_client, doctor):
    """Two programs with cat-cow in the morning and a 20-minute budget: the merged
    cat-cow is due once (even when logged under both programs' ids), optional items are
    not due, and the summary and the clinician's list agree."""
    today = local_today(patient.timezone)
    for slug in ("core-strength", "back-stretches"):
        EnrollmentFactory(
            user=patient, program=Program.objects.get(slug=slug), start_date=today - dt.timedelta(days=20)
        )
    patient_client.patch("/api/v1/me/", {"daily_minutes": 20}, format="json")
    days = patient_client.get(f"/api/v1/plan/?start={today - dt.timedelta(days=6)}&days=7").json()["days"]
    due = {d["date"]: [i["id"] for i in exercises_of(d) if not i["optional"]] for d in days}
    optional = {d["date"]: [i["id"] for i in exercises_of(d) if i["optional"]] for d in days}
    assert all(optional.values())  # the budget leaves something optional every day

    def log(item_id: str, status: str = "done") -> dict:
        return entry("session", {"date": item_id.rsplit(":", 1)[1], "item_id": item_id, "status": status})

    yesterday = str(today - dt.timedelta(days=1))
    # Yesterday: everything due, cat-cow also under the stretches' id, and one optional item.
    logs = [log(i) for i in due[yesterday]]
    logs += [log(f"back-stretches:cat-cow:{yesterday}"), log(optional[yesterday][0])]
    # Two days ago: one due item only. Today: one done, one skipped.
    logs.append(log(due[str(today - dt.timedelta(days=2))][1]))
    logs += [log(due[str(today)][0]), log(due[str(today)][1], "skipped")]
    sync(patient_client, *logs)

    summary = patient_client.get("/api/v1/summary/?days=7").json()
    (row,) = doctor[1].get("/api/v1/care/patients/").json()

    due_earlier = sum(len(ids) for day, ids in due.items() if day != str(today))
    done = len(due[yesterday]) + 1 + 1
    assert (summary["done"], summary["due"]) == (done, due_earlier + 2)
    assert summary["adherence"] == row["adherence_7"] == round(done / (due_earlier + 2), 3)
    by_day = {d["date"]: d for d in summary["series"]}
    assert by_day[yesterday]["due"] == len(due[yesterday])
    # The optional item done shows in the day's count; cat-cow's second id does not.
    assert by_day[yesterday]["done"] == len(due[yesterday]) + 1
