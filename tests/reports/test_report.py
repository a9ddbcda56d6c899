"""The visit report as a person and their physiotherapist meet it: a PDF of the last 28
or 90 days, with the charts, the questionnaire scores against their baseline, the days
with data as remote monitoring counts them, the safety record, flares, prescriptions
and the patterns with their numbers; downloaded by the patient, or by a clinician the
patient shares with (and then in the patient's access log)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import ScopedRateThrottle

from backend.care.models import AccessLogEntry, CareLink
from backend.reports.data import periods
from backend.reports.models import ReportFile
from backend.tracker.models import SafetyAlert
from tests.reports.conftest import NAME, opened
from tests.tracker.helpers import TODAY, entry, journal, sync

pytestmark = pytest.mark.usefixtures("frozen_time")

START_90 = TODAY - dt.timedelta(days=89)


def day(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


@pytest.fixture
def at_once(settings):
    """Every window made in the request (the 90-day one too), to read it here."""
    settings.REPORT_SYNC_MAX_DAYS = 90


def test_the_patient_downloads_90_days_with_their_scores_and_charts(seeded, patient_client, at_once):
    response = patient_client.get("/api/v1/me/report/?days=90")

    pdf = opened(response)
    assert response["Content-Disposition"] == f'attachment; filename="backtrack-report-{TODAY}.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert f"Backtrack visit report: {NAME}" in pdf.text
    assert f"{day(START_90)} to {day(TODAY)} (90 days)" in pdf.text
    assert "This report shows what was logged in Backtrack. It is not a diagnosis." in pdf.text
    # PEG: the baseline (its first answer) and the latest, a fall of more than 30%.
    assert seeded.peg_latest <= seeded.peg_baseline * 0.7
    assert f"{seeded.peg_baseline:g} on {day(START_90)}" in pdf.text
    assert f"{seeded.peg_latest:g} on {day(TODAY - dt.timedelta(days=5))}" in pdf.text
    assert "yes (a fall of 30% or more)" in pdf.text
    assert "Worry and mood (PHQ-4)" in pdf.text and "1 (normal)" in pdf.text
    assert "none published" in pdf.text
    # Each score against its baseline in the words the app shows beside it.
    changes = patient_client.get("/api/v1/summary/?days=90").json()["outcome_changes"]
    assert {c["questionnaire"] for c in changes} == {"peg", "phq4", "pss4"}
    for change in changes:
        assert " ".join(change["words"].split()) in pdf.text
    assert "That is a meaningful change" in pdf.text
    # Pain, stress and sleep, and the questionnaires: four charts.
    assert len(pdf.images) >= 4
    assert 1 <= pdf.pages <= 4


def test_the_days_with_data_are_counted_in_each_30_days(seeded, patient_client, at_once):
    pdf = opened(patient_client.get("/api/v1/me/report/?days=90"))

    # The seed leaves out days 71 (first period), 55, 32, 31, 30 (second) and 17, 4, 3
    # (third), counted back from today.
    first, second = START_90 + dt.timedelta(days=30), START_90 + dt.timedelta(days=60)
    assert f"{day(START_90)} to {day(first - dt.timedelta(days=1))} 30 29" in pdf.text
    assert f"{day(first)} to {day(second - dt.timedelta(days=1))} 30 26" in pdf.text
    assert f"{day(second)} to {day(TODAY)} 30 27" in pdf.text


def test_the_safety_record_flares_prescriptions_and_patterns_are_in_it(
    seeded, patient_client, doctor, at_once
):
    pdf = opened(patient_client.get("/api/v1/me/report/?days=90"))

    assert "have you had new weakness in one or both legs" in pdf.text
    assert "Urgent" in pdf.text and "said they had been seen" in pdf.text
    assert "ran its 48 hours" in pdf.text and "better" in pdf.text
    assert "Bird-dog" in pdf.text and "2 sets of 8 reps, in the morning, every day" in pdf.text
    assert doctor[0].email in pdf.text
    # The patterns say their numbers: the paired days, the effect and its interval.
    assert "On days you felt more stressed, your pain tended to be higher that day." in pdf.text
    assert "Spearman r +0." in pdf.text and "99% interval" in pdf.text


def test_28_days_come_at_once_with_one_period_of_data(seeded, patient_client):
    response = patient_client.get("/api/v1/me/report/")

    pdf = opened(response)
    start = TODAY - dt.timedelta(days=27)
    assert f"{day(start)} to {day(TODAY)} (28 days)" in pdf.text
    assert f"{day(start)} to {day(TODAY)} 28 25" in pdf.text
    assert len(pdf.images) >= 4
    assert ReportFile.objects.count() == 0


def test_a_person_with_nothing_logged_still_gets_a_kind_report(patient_client):
    pdf = opened(patient_client.get("/api/v1/me/report/?days=28"))

    assert "Nothing logged in these days" not in pdf.text  # drawn in the chart, not text
    assert "No questionnaire answered yet." in pdf.text
    assert "No safety alert in these days." in pdf.text
    assert "No flare-up in these days." in pdf.text
    assert len(pdf.images) == 3


@pytest.mark.parametrize("days", ["7", "abc", "", "90.5", "-28"])
def test_any_other_window_is_refused_naming_days(patient_client, days):
    response = patient_client.get(f"/api/v1/me/report/?days={days}")

    assert response.status_code == 400
    assert "days" in response.json()


def test_reports_are_rate_limited_per_person_but_not_the_poll(patient_client, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "report", "2/hour")
    for _ in range(2):
        assert patient_client.get("/api/v1/me/report/?days=7").status_code == 400

    response = patient_client.get("/api/v1/me/report/?days=28")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 60
    assert patient_client.get(f"/api/v1/me/report/{uuid.uuid4()}/").status_code == 404


def test_a_linked_clinician_downloads_it_and_the_patient_sees_that_they_did(
    link, doctor, patient_client, patient, at_once
):
    alert = SafetyAlert.objects.get(patient=patient)
    assert (
        doctor[1].post(f"/api/v1/care/patients/{patient.pk}/alerts/{alert.pk}/acknowledge/").status_code
        == 200
    )

    response = doctor[1].get(f"/api/v1/care/patients/{patient.pk}/report/?days=90")

    pdf = opened(response)
    assert NAME in pdf.text and "Meaningful change" in pdf.text
    assert f"seen by {doctor[0].name} on {day(TODAY)}" in pdf.text
    assert AccessLogEntry.objects.filter(patient=patient, clinician=doctor[0], what="report").count() == 1
    texts = [row["text"] for row in patient_client.get("/api/v1/me/access-log/").json()]
    assert f"{doctor[0].name} downloaded your visit report" in texts


def test_the_journal_is_never_in_it_even_when_shared(link, doctor, patient, patient_client, at_once):
    secret = "a line only my journal knows"
    sync(patient_client, entry("journal", journal(day=TODAY, text=secret, feeling=secret)))
    CareLink.objects.filter(pk=link["id"]).update(scopes=["logs", "checkins", "journal"])

    for client, url in (
        (patient_client, "/api/v1/me/report/?days=90"),
        (doctor[1], f"/api/v1/care/patients/{patient.pk}/report/?days=90"),
    ):
        assert secret not in opened(client.get(url)).text


def test_an_unlinked_clinician_or_a_link_without_the_scopes_gets_404(
    link, make_clinician, doctor, patient, at_once
):
    _, stranger = make_clinician()
    assert stranger.get(f"/api/v1/care/patients/{patient.pk}/report/?days=28").status_code == 404

    CareLink.objects.filter(pk=link["id"]).update(scopes=["journal"])
    assert doctor[1].get(f"/api/v1/care/patients/{patient.pk}/report/?days=28").status_code == 404
    assert not AccessLogEntry.objects.filter(what="report").exists()


def test_a_clinician_s_bad_window_is_400_before_anything_is_read(link, doctor, patient):
    response = doctor[1].get(f"/api/v1/care/patients/{patient.pk}/report/?days=7")

    assert response.status_code == 400 and "days" in response.json()
    assert not AccessLogEntry.objects.filter(what="report").exists()


def test_the_queries_are_the_same_for_28_and_90_days(
    link, patient, patient_client, doctor, at_once, django_assert_max_num_queries
):
    counts = {}
    for who, client, url, budget in (
        ("patient", patient_client, "/api/v1/me/report/", 16),
        ("clinician", doctor[1], f"/api/v1/care/patients/{patient.pk}/report/", 20),
    ):
        for days in (28, 90):
            with django_assert_max_num_queries(budget), CaptureQueriesContext(connection) as queries:
                assert client.get(f"{url}?days={days}").status_code == 200
            counts[who, days] = len(queries)

    assert counts["patient", 28] == counts["patient", 90], counts
    assert counts["clinician", 28] == counts["clinician", 90], counts


def test_periods_cut_the_window_in_thirty_days_from_its_first():
    start = dt.date(2026, 1, 1)
    dates = {start, start + dt.timedelta(days=29), start + dt.timedelta(days=30)}

    found = periods(start, start + dt.timedelta(days=89), dates)

    assert [(p.length, p.days_with_data) for p in found] == [(30, 2), (30, 1), (30, 0)]
    assert [(p.length, p.days_with_data) for p in periods(start, start + dt.timedelta(days=27), dates)] == [
        (28, 1)
    ]
