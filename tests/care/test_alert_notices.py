"""Clinicians hear of an urgent or emergency alert: one Web Push per device and one
email, once per alert and level, naming the patient and the level and nothing else.

The first tests run the notice service in this process against the local push
service (which verifies VAPID and decrypts) and Django's locmem outbox; the last
ones run a real Celery worker on the Redis broker, with the check-in synced through
the API, and kill it mid-send."""

from __future__ import annotations

import datetime as dt
import email
import logging
import time
from collections import Counter
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from backend.care import notify
from backend.care.models import AlertNotice, CareLink
from backend.care.services import care_link_end, care_link_redeem, share_code_create
from backend.care.tasks import send_alert_notices, sweep_alert_notices
from backend.celery import app as celery_app
from backend.reminders.models import PushSubscription
from backend.reminders.subscriptions import push_subscription_save
from backend.tracker.models import SafetyAlert
from backend.tracker.safety import safety_rules
from backend.tracker.signals import serious_alerts_opened
from tests.accounts.factories import ClinicianFactory, UserFactory
from tests.conftest import signed_in
from tests.reminders import conftest as push_fixtures
from tests.reminders.worker import Worker, flush_broker
from tests.tracker.helpers import checkin, entry, sync

pytestmark = [pytest.mark.postgres]

# The reminders' local push service, VAPID keys and sender (push_settings is autouse).
vapid_keys = push_fixtures.vapid_keys
push_settings = push_fixtures.push_settings
push_service = push_fixtures.push_service
push_sender = push_fixtures.push_sender

EMERGENCY_FLAG = "chest_breathless"
URGENT_FLAG = "leg_weakness"


def linked(patient, clinician) -> CareLink:
    code, _ = share_code_create(patient=patient)
    return care_link_redeem(clinician=clinician, code=code)


def subscribe(user, push_service):
    device = push_service.subscribe()
    push_subscription_save(user=user, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth)
    return device


def report_checkin(client, *red_flags: str, client_id: str | None = None, minutes: int = 0, **data) -> dict:
    """The patient's phone syncs a check-in that answered these red-flag questions."""
    return sync(
        client,
        entry("checkin", checkin(red_flags=list(red_flags), **data), client_id=client_id, minutes=minutes),
    )


@pytest.fixture
def ward(db, push_service):
    """A patient, a linked clinician with one device, and the patient's phone."""
    patient, clinician = UserFactory(email="ana@example.com"), ClinicianFactory(email="dr.ruiz@example.org")
    linked(patient, clinician)
    device = subscribe(clinician, push_service)
    return patient, clinician, device, signed_in(patient)


def the_alert(patient) -> SafetyAlert:
    return SafetyAlert.objects.get(patient=patient)


def notices() -> list[tuple[str, str, str]]:
    return sorted(
        AlertNotice.objects.filter(status="sent").values_list("clinician__email", "channel", "level")
    )


# --- The service, in this process --------------------------------------------------------------


def test_an_emergency_reaches_the_clinicians_device_and_inbox_once(ward, push_service, push_sender, settings):
    settings.APP_URL = "https://backtrack.example.org"
    patient, _, device, phone = ward
    report_checkin(phone, EMERGENCY_FLAG)
    alert = the_alert(patient)

    notify.alert_notices_send(alert_id=alert.pk, sender=push_sender)

    (received,) = push_service.wait_for(1, timeout=10)
    assert received.token == device.token
    notice = AlertNotice.objects.get(channel="push")
    assert received.payload == {
        "title": "Backtrack: a patient needs attention",
        "body": "ana@example.com has an emergency alert. Open Backtrack to see it.",
        "url": f"/#/patients/{patient.pk}",
        "kind": "safety_alert",
        "id": notice.pk,
        "alert": alert.pk,
    }
    assert (received.urgency, received.topic) == ("high", f"backtrack-alert-{alert.pk}")
    assert received.ttl >= 12 * 3600, "a clinician's phone that is off for the night still gets it"
    (message,) = mail.outbox
    assert message.to == ["dr.ruiz@example.org"]
    assert message.subject == "Backtrack: ana@example.com has an emergency alert"
    assert f"https://backtrack.example.org/#/patients/{patient.pk}" in message.body
    assert notices() == [
        ("dr.ruiz@example.org", "email", "emergency"),
        ("dr.ruiz@example.org", "push", "emergency"),
    ]

    # A rerun (a redelivered task, the sweep) finds both notices sent.
    again = notify.alert_notices_send(alert_id=alert.pk, sender=push_sender)
    notify.alert_notices_sweep(enqueue=pytest.fail)

    assert (again.sent, again.messages) == ([], 0)
    time.sleep(0.3)
    assert len(push_service.received) == 1 and len(mail.outbox) == 1


def test_the_email_names_patient_and_level_and_no_health_detail(ward, push_sender):
    patient, _, _, phone = ward
    report_checkin(
        phone, URGENT_FLAG, "saddle_numbness", "fever", pain=9, stress=8, note="dizzy since Tuesday"
    )

    notify.alert_notices_send(alert_id=the_alert(patient).pk, sender=push_sender)

    (message,) = mail.outbox
    assert "ana@example.com" in message.subject and "urgent" in message.subject
    assert "ana@example.com, who shares their Backtrack data with you, has an urgent alert" in message.body
    text = f"{message.subject}\n{message.body}".lower()
    rules = safety_rules()
    for flag in (URGENT_FLAG, "saddle_numbness", "fever"):
        assert flag not in text and rules.rules[flag].question.lower() not in text
    for detail in ("dizzy", "pain", "stress", "9", "8", "check-in", "checkin", "numb", "leg", "fever"):
        assert detail not in text, f"the email mentions {detail!r}"
    # No APP_URL: no link, but where to look.
    assert "http" not in text and "patient list" in text


def test_urgent_then_emergency_is_a_second_notice_and_the_same_level_again_is_not(
    ward, push_service, push_sender
):
    patient, _, device, phone = ward
    first = report_checkin(phone, URGENT_FLAG)
    client_id = first["results"][0]["client_id"]
    alert = the_alert(patient)
    notify.alert_notices_send(alert_id=alert.pk, sender=push_sender)

    report_checkin(phone, URGENT_FLAG, EMERGENCY_FLAG, client_id=client_id, minutes=5)  # edited: worse
    notify.alert_notices_send(alert_id=alert.pk, sender=push_sender)
    report_checkin(phone, EMERGENCY_FLAG, client_id=client_id, minutes=10)  # edited, still emergency
    notify.alert_notices_send(alert_id=alert.pk, sender=push_sender)

    received = push_service.wait_for(2, timeout=10)
    time.sleep(0.3)
    assert [r.payload["body"] for r in push_service.for_subscription(device)] == [
        "ana@example.com has an urgent alert. Open Backtrack to see it.",
        "ana@example.com has an emergency alert. Open Backtrack to see it.",
    ]
    assert len(received) == 2
    assert [m.subject for m in mail.outbox] == [
        "Backtrack: ana@example.com has an urgent alert",
        "Backtrack: ana@example.com has an emergency alert",
    ]


def test_a_see_doctor_answer_notifies_nobody(
    ward, push_service, push_sender, django_capture_on_commit_callbacks
):
    patient, _, _, phone = ward
    queued = []

    def listen(sender, alert_ids, **kwargs):
        queued.append(alert_ids)

    serious_alerts_opened.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report_checkin(phone, "fever", "tingling")
    finally:
        serious_alerts_opened.disconnect(listen)
    alert = the_alert(patient)

    notify.alert_notices_send(alert_id=alert.pk, sender=push_sender)
    notify.alert_notices_sweep(enqueue=pytest.fail)

    assert alert.level == "see_doctor"
    assert queued == [], "nothing was queued for the clinicians"
    assert AlertNotice.objects.count() == 0 and mail.outbox == []
    time.sleep(0.3)
    assert push_service.received == []


def test_only_clinicians_linked_at_send_time_hear_of_it(db, push_service, push_sender):
    patient = UserFactory(email="ana@example.com")
    stays, leaves, stranger = (
        ClinicianFactory(email=f"{n}@example.org") for n in ("stays", "leaves", "stranger")
    )
    linked(patient, stays)
    ended = linked(patient, leaves)
    devices = {c.email: subscribe(c, push_service) for c in (stays, leaves, stranger)}
    # The stranger is linked to someone else, and was once linked to this patient.
    linked(UserFactory(), stranger)
    care_link_end(link=linked(patient, stranger))
    report_checkin(signed_in(patient), EMERGENCY_FLAG)
    care_link_end(link=ended)  # after the alert opened, before it was sent

    notify.alert_notices_send(alert_id=the_alert(patient).pk, sender=push_sender)

    push_service.wait_for(1, timeout=10)
    time.sleep(0.3)
    assert [r.token for r in push_service.received] == [devices["stays@example.org"].token]
    assert [m.to for m in mail.outbox] == [["stays@example.org"]]


def test_an_alert_withdrawn_or_acknowledged_before_sending_is_not_sent(ward, push_service, push_sender):
    patient, clinician, _, phone = ward
    answer = report_checkin(phone, EMERGENCY_FLAG)
    report_checkin(phone, client_id=answer["results"][0]["client_id"], minutes=5)  # "no, by mistake"
    other = UserFactory()
    linked(other, clinician)
    report_checkin(signed_in(other), URGENT_FLAG)
    SafetyAlert.objects.filter(patient=other).update(
        acknowledged_at=timezone.now(), acknowledged_by=clinician
    )

    for alert in SafetyAlert.objects.all():
        notify.alert_notices_send(alert_id=alert.pk, sender=push_sender)
    notify.alert_notices_sweep(enqueue=pytest.fail)

    assert the_alert(patient).withdrawn_at is not None
    assert mail.outbox == [] and AlertNotice.objects.filter(status="sent").count() == 0
    time.sleep(0.3)
    assert push_service.received == []


def test_every_device_gets_one_and_a_clinician_without_one_still_gets_the_email(
    db, push_service, push_sender
):
    patient = UserFactory()
    phone_and_laptop, no_device = ClinicianFactory(), ClinicianFactory()
    for clinician in (phone_and_laptop, no_device):
        linked(patient, clinician)
    phone, laptop = subscribe(phone_and_laptop, push_service), subscribe(phone_and_laptop, push_service)
    report_checkin(signed_in(patient), URGENT_FLAG)

    notify.alert_notices_send(alert_id=the_alert(patient).pk, sender=push_sender)

    received = push_service.wait_for(2, timeout=10)
    assert sorted(r.token for r in received) == sorted([phone.token, laptop.token])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([phone_and_laptop.email, no_device.email])
    assert AlertNotice.objects.get(clinician=no_device, channel="push").status == "no_device"


def test_a_device_that_failed_is_retried_alone(db, push_service, push_sender):
    patient, clinician = UserFactory(), ClinicianFactory()
    linked(patient, clinician)
    good, flaky, gone = (subscribe(clinician, push_service) for _ in range(3))
    push_service.fail_next(503, subscription=flaky)
    push_service.unsubscribe(gone)
    report_checkin(signed_in(patient), EMERGENCY_FLAG)
    alert = the_alert(patient)

    first = notify.alert_notices_send(alert_id=alert.pk, owner="task-1", sender=push_sender)
    retried = notify.alert_notices_send(alert_id=alert.pk, owner="task-1", sender=push_sender)  # its retry

    push = AlertNotice.objects.get(channel="push")
    assert first.retry_ids == [push.pk] and retried.retry_ids == []
    assert [Counter(r.token for r in push_service.received)[d.token] for d in (good, flaky, gone)] == [
        1,
        1,
        0,
    ]
    assert push.status == "sent"
    assert not PushSubscription.objects.filter(endpoint=gone.endpoint).exists()  # 410: forgotten
    assert len(mail.outbox) == 1


def test_a_second_task_leaves_notices_another_holds_alone(ward, push_service, push_sender):
    patient, _, _, phone = ward
    report_checkin(phone, URGENT_FLAG)
    alert = the_alert(patient)
    now = timezone.now()
    held = notify.alert_notices_claim(alert_id=alert.pk, owner="task-1", now=now)

    other = notify.alert_notices_send(alert_id=alert.pk, owner="task-2", sender=push_sender)
    late = notify.alert_notices_claim(
        alert_id=alert.pk, owner="task-3", now=now + notify.lease() + dt.timedelta(seconds=1)
    )

    assert held is not None and len(held.notices) == 2
    assert other.messages == 0 and mail.outbox == []
    assert late is not None and len(late.notices) == 2, "a lease run out is free again"


def test_the_task_query_count_does_not_grow_with_the_clinicians(
    db, push_service, push_sender, django_assert_max_num_queries, monkeypatch
):
    # Receipts are written once at the end here, not also while slow requests are in
    # flight (how many writes that makes depends on the machine's speed).
    monkeypatch.setattr(notify, "RECORD_EVERY_SECONDS", 60.0)

    def send_for(clinicians: int) -> None:
        patient = UserFactory()
        for _ in range(clinicians):
            clinician = ClinicianFactory()
            linked(patient, clinician)
            subscribe(clinician, push_service)
        report_checkin(signed_in(patient), EMERGENCY_FLAG)
        alert = the_alert(patient)
        with django_assert_max_num_queries(15):
            notify.alert_notices_send(alert_id=alert.pk, sender=push_sender)

    send_for(1)
    send_for(5)
    assert len(push_service.wait_for(6, timeout=10)) == 6 and len(mail.outbox) == 6


# --- The sweep --------------------------------------------------------------------------------


def test_the_sweep_queues_unsent_alerts_once_per_lease(
    ward, push_service, push_sender, django_capture_on_commit_callbacks
):
    patient, _, _, phone = ward
    report_checkin(phone, EMERGENCY_FLAG)  # the broker was down: nothing queued
    alert = the_alert(patient)
    queued: list[list[int]] = []

    with django_capture_on_commit_callbacks(execute=True):
        notify.alert_notices_sweep(enqueue=queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        notify.alert_notices_sweep(enqueue=queued.append)  # the next tick: the task has not run yet
    later = timezone.now() + notify.lease() + dt.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        notify.alert_notices_sweep(enqueue=queued.append, now=later)  # that task was lost too

    assert queued == [[alert.pk], [alert.pk]]
    notify.alert_notices_send(alert_id=alert.pk, sender=push_sender)  # what the queued task runs
    with django_capture_on_commit_callbacks(execute=True):
        notify.alert_notices_sweep(enqueue=queued.append, now=later + notify.lease() * 2)
    assert len(queued) == 2 and len(mail.outbox) == 1
    assert len(push_service.wait_for(1, timeout=10)) == 1


def test_the_sweep_looks_back_one_day_only(ward, django_capture_on_commit_callbacks):
    _, _, _, phone = ward
    report_checkin(phone, URGENT_FLAG)
    queued: list[list[int]] = []

    with django_capture_on_commit_callbacks(execute=True):
        notify.alert_notices_sweep(enqueue=queued.append, now=timezone.now() + dt.timedelta(hours=25))

    assert queued == [] and AlertNotice.objects.count() == 0


def test_a_broker_down_does_not_fail_the_sync_and_the_sweep_sends_later(
    ward, push_service, push_sender, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    patient, _, _, phone = ward
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_write_url", None)

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        answer = report_checkin(phone, EMERGENCY_FLAG)

    assert answer["results"][0]["safety"]["level"] == "emergency"  # the patient is told what to do
    assert time.monotonic() - started < 2, "the request waited for the broker"
    alert = the_alert(patient)
    assert f"alert notices of [{alert.pk}] not queued" in caplog.text
    queued: list[list[int]] = []
    with django_capture_on_commit_callbacks(execute=True):
        notify.alert_notices_sweep(enqueue=queued.append)
    assert queued == [[alert.pk]]
    notify.alert_notices_send(alert_id=alert.pk, sender=push_sender)
    assert len(push_service.wait_for(1, timeout=10)) == 1 and len(mail.outbox) == 1


# --- A real worker on the Redis broker ------------------------------------------------------

LEASE_SECONDS = 3  # the worker's CARE_NOTICE_LEASE: short, so the kill test waits little


def eventually(check, *, timeout: float, worker: Worker, what: str):
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; worker log:\n{worker.tail()}")
        time.sleep(0.1)
    return result


def read_mail(folder: Path) -> list[email.message.Message]:
    """What the worker's file-based mail backend wrote: one file per connection."""
    messages = []
    for path in sorted(folder.iterdir()):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip()))
    return messages


def tasks_done(worker: Worker) -> int:
    return worker.log.read_text().count(" succeeded in ")


@pytest.fixture(scope="module")
def mail_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, vapid_keys, tmp_path_factory, mail_folder):
    with django_db_blocker.unblock():
        flush_broker()
        process = Worker(log_dir=tmp_path_factory.mktemp("worker"), vapid_private_key=vapid_keys[1])
        process.env.update(TESTS_EMAIL_FILE_PATH=str(mail_folder), CARE_NOTICE_LEASE=str(LEASE_SECONDS))
        process.start()
    yield process
    process.stop()
    flush_broker()


@pytest.fixture
def inbox(mail_folder) -> Path:
    for path in mail_folder.iterdir():
        path.unlink()
    return mail_folder


def synced_emergency(push_service, *, devices: int = 1):
    """A patient linked to a clinician with ``devices`` subscriptions syncs an emergency
    check-in through the API; the request queues the notice task as it commits."""
    patient, clinician = UserFactory(email="ana@example.com"), ClinicianFactory(email="dr.ruiz@example.org")
    linked(patient, clinician)
    subscribed = [subscribe(clinician, push_service) for _ in range(devices)]
    phone = signed_in(patient)
    return patient, subscribed, lambda: report_checkin(phone, EMERGENCY_FLAG)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_synced_emergency_reaches_the_clinician_through_the_worker_once(worker, push_service, inbox):
    patient, (device,), report = synced_emergency(push_service)

    report()

    (received,) = push_service.wait_for(1, timeout=30)
    assert received.token == device.token
    assert received.payload["body"] == "ana@example.com has an emergency alert. Open Backtrack to see it."
    assert received.topic == f"backtrack-alert-{the_alert(patient).pk}"
    (message,) = eventually(lambda: read_mail(inbox), timeout=30, worker=worker, what="the email")
    assert message["To"] == "dr.ruiz@example.org"
    assert message["Subject"] == "Backtrack: ana@example.com has an emergency alert"
    assert "chest" not in message.get_payload().lower()
    eventually(lambda: len(notices()) == 2, timeout=10, worker=worker, what="both notices closed")

    # The same task again (a redelivery) and the beat's sweep: nothing more is sent.
    done = tasks_done(worker)
    send_alert_notices.delay(the_alert(patient).pk)
    sweep_alert_notices.delay()
    eventually(lambda: tasks_done(worker) >= done + 2, timeout=30, worker=worker, what="both tasks")
    assert len(push_service.received) == 1
    assert len(read_mail(inbox)) == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_push_service_failure_is_retried_and_delivered_once(worker, push_service, inbox):
    _, (device,), report = synced_emergency(push_service)
    push_service.fail_next(503, retry_after="1", subscription=device)

    report()

    (received,) = push_service.wait_for(1, timeout=30)
    assert received.token == device.token
    assert [status for _, status, _ in push_service.attempts] == [503, 201]
    eventually(lambda: len(notices()) == 2, timeout=10, worker=worker, what="both notices closed")
    time.sleep(0.5)
    assert len(push_service.received) == 1
    assert len(read_mail(inbox)) == 1, "the email went once, while the push waited for its retry"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_is_finished_by_the_sweep_sending_nothing_twice(worker, push_service, inbox):
    """One device has the notice, the other's request hangs when the worker is killed
    (SIGKILL, as the OOM killer would); the message stays unacknowledged for an hour.
    The sweep finds the lease run out and queues the alert: the other device gets it
    and the email goes, once each."""
    _, devices, report = synced_emergency(push_service, devices=2)
    push_service.hold_after(1)

    report()

    push = eventually(
        lambda: AlertNotice.objects.filter(channel="push").exclude(pushed_to=[]).first(),
        timeout=30,
        worker=worker,
        what="one device's receipt",
    )
    eventually(lambda: push_service.held == 1, timeout=10, worker=worker, what="the held request")
    worker.kill()
    push_service.release()  # the held request died with the worker's socket: not delivered
    try:
        assert sorted(AlertNotice.objects.values_list("channel", "status")) == [
            ("email", "pending"),
            ("push", "pending"),
        ]
        assert read_mail(inbox) == []
        worker.start()
        eventually(
            lambda: not AlertNotice.objects.filter(lease_until__gte=timezone.now()).exists(),
            timeout=LEASE_SECONDS + 5,
            worker=worker,
            what="the dead task's lease to run out",
        )

        sweep_alert_notices.delay()  # what beat sends every two minutes

        eventually(lambda: len(notices()) == 2, timeout=30, worker=worker, what="both notices sent")
        done = tasks_done(worker)
        sweep_alert_notices.delay()
        eventually(lambda: tasks_done(worker) > done, timeout=30, worker=worker, what="the next sweep")
    finally:
        if worker.process is None or worker.process.poll() is not None:
            worker.start()  # for the tests after this one

    per_device = Counter(r.token for r in push_service.received)
    assert per_device == {d.token: 1 for d in devices}, "a device got it twice, or never"
    assert len(read_mail(inbox)) == 1
    assert AlertNotice.objects.get(pk=push.pk).attempts == 2
