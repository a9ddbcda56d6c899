"""The 90-day report is made by a Celery task (it takes about a second): the request
answers 202 and a poll URL, which answers 202 until the PDF is made, then the PDF, to
the one who asked and nobody else."""

from __future__ import annotations

import time

import pytest

from backend.accounts.timezones import local_today
from backend.care.models import AccessLogEntry, CareLink
from backend.celery import app as celery_app
from backend.reminders.vapid import generate_key_pair
from backend.reports import services
from backend.reports.models import ReportFile
from backend.reports.services import report_file_make
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import signed_in
from tests.reminders.worker import Worker, flush_broker
from tests.reports.conftest import NAME, opened


def poll_path(response) -> str:
    assert response.status_code == 202, response.content[:300]
    body = response.json()
    assert body["status"] == "pending"
    assert body["poll"].startswith("/api/v1/me/report/")
    return body["poll"]


@pytest.mark.redis
def test_the_poll_answers_202_until_made_then_the_pdf_to_the_asker_only(seeded, patient_client, at_no_worker):
    poll = poll_path(patient_client.get("/api/v1/me/report/?days=90"))

    assert poll_path(patient_client.get(poll)) == poll
    # Asking again meanwhile (a second tap) is the same report, made once.
    assert poll_path(patient_client.get("/api/v1/me/report/?days=90")) == poll
    assert ReportFile.objects.count() == 1
    assert signed_in(UserFactory()).get(poll).status_code == 404

    report_file_make(report_id=ReportFile.objects.get().pk)  # what the task does

    pdf = opened(patient_client.get(poll))
    assert NAME in pdf.text and "(90 days)" in pdf.text
    assert signed_in(UserFactory()).get(poll).status_code == 404


@pytest.mark.redis
def test_a_clinician_s_poll_is_logged_when_the_pdf_is_served_and_stops_with_the_link(
    link, doctor, patient, patient_client, at_no_worker
):
    poll = poll_path(doctor[1].get(f"/api/v1/care/patients/{patient.pk}/report/?days=90"))
    assert poll_path(doctor[1].get(poll)) == poll
    assert not AccessLogEntry.objects.filter(what="report").exists()  # nothing shown yet
    assert patient_client.get(poll).status_code == 404  # not the patient's request

    report_file_make(report_id=ReportFile.objects.get().pk)
    assert opened(doctor[1].get(poll)).pages >= 1
    assert AccessLogEntry.objects.filter(patient=patient, what="report").count() == 1

    CareLink.objects.filter(pk=link["id"]).update(ended_at=patient.date_joined)
    assert doctor[1].get(poll).status_code == 404


@pytest.mark.redis
def test_a_report_that_could_not_be_made_says_so_and_can_be_asked_again(
    seeded, patient_client, at_no_worker, monkeypatch
):
    poll = poll_path(patient_client.get("/api/v1/me/report/?days=90"))

    def broken(data):
        raise RuntimeError("a drawing that failed")

    monkeypatch.setattr(services, "render", broken)
    assert report_file_make(report_id=ReportFile.objects.get().pk) == "failed"

    response = patient_client.get(poll)
    assert response.status_code == 503
    assert response.json() == {
        "status": "failed",
        "detail": "The report could not be made. Please try again in a moment.",
    }
    # Asking again makes a new one; the same task run again leaves the failed one alone.
    assert poll_path(patient_client.get("/api/v1/me/report/?days=90")) != poll
    assert report_file_make(report_id=poll.rstrip("/").rsplit("/", 1)[1]) == "gone"


@pytest.mark.redis
def test_erasing_the_account_erases_its_reports(seeded, patient, patient_client, at_no_worker):
    poll_path(patient_client.get("/api/v1/me/report/?days=90"))
    report_file_make(report_id=ReportFile.objects.get().pk)

    response = patient_client.delete("/api/v1/me/", {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    assert not ReportFile.objects.exists()


def test_with_the_broker_down_the_report_is_made_in_the_request(seeded, patient_client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")  # nothing listens there

    pdf = opened(patient_client.get("/api/v1/me/report/?days=90"))

    assert "(90 days)" in pdf.text
    assert ReportFile.objects.get().status == ReportFile.Status.READY


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        flush_broker()
        process = Worker(log_dir=tmp_path_factory.mktemp("worker"), vapid_private_key=generate_key_pair()[1])
        process.start()
    yield process
    process.stop()
    flush_broker()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_real_worker_makes_the_90_day_report(worker, seeded, patient, patient_client):
    poll = poll_path(patient_client.get("/api/v1/me/report/?days=90"))

    deadline = time.monotonic() + 60
    response = patient_client.get(poll)
    while response.status_code == 202:
        assert time.monotonic() < deadline, f"no report after 60 s:\n{worker.tail()}"
        time.sleep(0.25)
        response = patient_client.get(poll)

    pdf = opened(response)
    assert NAME in pdf.text
    today = local_today(patient.timezone)
    assert f"{today.day} {today:%b %Y} (90 days)" in pdf.text
    assert len(pdf.images) >= 4
