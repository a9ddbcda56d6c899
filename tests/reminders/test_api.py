"""The reminders and Web Push API, as the PWA uses it."""

from __future__ import annotations

import copy

import pytest
from rest_framework.test import APIClient

from backend.reminders import deliveries, sender, tasks
from backend.reminders.models import Delivery, PushSubscription, ReminderRule
from backend.reminders.rules import reminder_rule_create
from tests.accounts.factories import UserFactory

FCM = {
    "endpoint": "https://fcm.googleapis.com/fcm/send/dGVzdC10b2tlbg:APA91bExample",
    "expirationTime": None,
    "keys": {
        "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
        "auth": "tBHItJI5svbpez7KI4CCXg",
    },
}


# The clock stands still at tests.tracker.helpers.NOW (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/push/public-key/"),
        ("post", "/api/v1/push/subscriptions/"),
        ("delete", "/api/v1/push/subscriptions/"),
        ("get", "/api/v1/reminders/"),
        ("post", "/api/v1/reminders/"),
        ("patch", "/api/v1/reminders/1/"),
        ("delete", "/api/v1/reminders/1/"),
        ("post", "/api/v1/reminders/test/"),
    ],
)
def test_every_reminder_route_needs_a_signed_in_user(db, method, path):
    response = getattr(APIClient(), method)(path, {}, format="json")

    assert response.status_code in (401, 403)
    assert "detail" in response.json()


# --- Public key and subscriptions -------------------------------------------------------------


def test_the_public_key_is_the_configured_vapid_key(patient_client, settings):
    response = patient_client.get("/api/v1/push/public-key/")

    assert response.status_code == 200
    assert response.json() == {"public_key": settings.VAPID_PUBLIC_KEY}
    assert len(settings.VAPID_PUBLIC_KEY) == 87  # 65 bytes, base64url


def test_without_vapid_keys_the_public_key_is_a_clear_503(patient_client, settings):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""

    response = patient_client.get("/api/v1/push/public-key/")

    assert response.status_code == 503
    assert "not configured" in response.json()["detail"]


def test_posting_the_same_subscription_again_changes_nothing(patient, patient_client):
    first = patient_client.post("/api/v1/push/subscriptions/", FCM, format="json")
    again = patient_client.post("/api/v1/push/subscriptions/", FCM, format="json")

    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert again.json()["endpoint"] == FCM["endpoint"]
    assert PushSubscription.objects.filter(user=patient).count() == 1


def test_a_browser_that_changes_hands_moves_its_subscription(patient_client, other_patient, login):
    patient_client.post("/api/v1/push/subscriptions/", FCM, format="json")

    response = login(other_patient).post("/api/v1/push/subscriptions/", FCM, format="json")

    assert response.status_code == 200
    assert PushSubscription.objects.get().user == other_patient


def _with(path: str, value):
    body = copy.deepcopy(FCM)
    target = body
    *parents, last = path.split(".")
    for name in parents:
        target = target[name]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return body


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (_with("endpoint", "http://169.254.169.254/latest/meta-data/"), 400, "endpoint"),
        (_with("endpoint", "https://169.254.169.254/latest/meta-data/"), 400, "endpoint"),
        (_with("endpoint", "https://localhost/push"), 400, "endpoint"),
        (_with("endpoint", "https://127.0.0.2/push"), 400, "endpoint"),  # loopback, not listed
        (_with("endpoint", "http://[::1]:8080/push"), 400, "endpoint"),
        (_with("endpoint", "https://192.168.1.10/push"), 400, "endpoint"),
        (_with("endpoint", "https://poisoned.push.apple.com/x"), 400, "endpoint"),
        (_with("endpoint", "https://push.example.com/x"), 400, "endpoint"),
        (_with("endpoint", "not a url"), 400, "endpoint"),
        (_with("endpoint", KeyError), 400, "endpoint"),
        (_with("keys", KeyError), 400, "keys"),
        (_with("keys.p256dh", "AAAA"), 400, "keys"),
        (_with("keys.p256dh", "B" + "A" * 86), 400, "keys"),  # right length, not on the curve
        (_with("keys.auth", "too-short"), 400, "keys"),
        (_with("keys.auth", "!!!!!!!!!!!!!!!!!!!!!!"), 400, "keys"),
    ],
)
def test_bad_subscriptions_are_refused_naming_the_field(patient_client, body, status, field):
    response = patient_client.post("/api/v1/push/subscriptions/", body, format="json")

    assert response.status_code == status, response.content
    assert field in response.json()
    assert not PushSubscription.objects.exists()


def test_the_test_push_service_host_is_allowed_when_listed(patient_client, push_service):
    subscription = push_service.subscribe()

    response = patient_client.post("/api/v1/push/subscriptions/", subscription.as_json(), format="json")

    assert response.status_code == 201, response.content
    assert subscription.endpoint.startswith("http://127.0.0.1:")


def test_unsubscribing_forgets_the_endpoint(patient, patient_client):
    patient_client.post("/api/v1/push/subscriptions/", FCM, format="json")

    gone = patient_client.delete("/api/v1/push/subscriptions/", {"endpoint": FCM["endpoint"]}, format="json")
    again = patient_client.delete("/api/v1/push/subscriptions/", {"endpoint": FCM["endpoint"]}, format="json")

    assert gone.status_code == 204
    assert again.status_code == 404
    assert not PushSubscription.objects.filter(user=patient).exists()


def test_nobody_can_unsubscribe_someone_elses_device(patient_client, other_patient, login):
    patient_client.post("/api/v1/push/subscriptions/", FCM, format="json")

    response = login(other_patient).delete(
        "/api/v1/push/subscriptions/", {"endpoint": FCM["endpoint"]}, format="json"
    )

    assert response.status_code == 404
    assert PushSubscription.objects.count() == 1


# --- Rules --------------------------------------------------------------------------------------


def test_creating_a_reminder_answers_when_it_fires_next(patient_client):
    response = patient_client.post(
        "/api/v1/reminders/", {"kind": "breathing", "times": ["19:00", "08:00"]}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["times"] == ["08:00", "19:00"]
    assert body["weekdays"] == [0, 1, 2, 3, 4, 5, 6]
    assert body["enabled"] is True
    # 10:00 in Paris now: the next is 19:00 Paris today, 18:00 UTC.
    assert body["next_fire_at"] == "2026-11-21T18:00:00Z"


def test_an_interval_reminder_within_a_window(patient_client):
    response = patient_client.post(
        "/api/v1/reminders/",
        {
            "kind": "desk_break",
            "every_minutes": 45,
            "window": ["09:00", "17:00"],
            "weekdays": [0, 1, 2, 3, 4],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["next_fire_at"] == "2026-11-23T08:00:00Z"  # Monday 09:00 Paris
    assert response.json()["times"] == []


GOOD = {"kind": "session", "times": ["07:30"], "weekdays": [0, 1, 2, 3, 4, 5, 6]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"times": ["25:00"]}, "times"),
        ({"times": ["7:30"]}, "times"),
        ({"times": "07:30"}, "times"),
        ({"times": []}, "times"),
        ({"times": [f"{h:02d}:00" for h in range(13)]}, "times"),
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [7]}, "weekdays"),
        ({"weekdays": [-1]}, "weekdays"),
        ({"kind": "nap"}, "kind"),
        ({"kind": None}, "kind"),
        ({"times": [], "every_minutes": 5, "window": ["09:00", "17:00"]}, "every_minutes"),
        ({"times": [], "every_minutes": 1000, "window": ["09:00", "17:00"]}, "every_minutes"),
        ({"times": [], "every_minutes": "often", "window": ["09:00", "17:00"]}, "every_minutes"),
        ({"times": [], "every_minutes": 30, "window": ["17:00", "09:00"]}, "window"),
        ({"times": [], "every_minutes": 30, "window": ["09:00", "09:00"]}, "window"),
        ({"times": [], "every_minutes": 30, "window": ["09:00"]}, "window"),
        ({"times": [], "every_minutes": 30}, "window"),
        ({"times": [], "window": ["09:00", "17:00"]}, "every_minutes"),
        ({"every_minutes": 30, "window": ["09:00", "17:00"]}, "times"),
        ({"quiet_hours": ["22:00", "22:00"]}, "quiet_hours"),
        ({"quiet_hours": ["22:00"]}, "quiet_hours"),
        ({"quiet_hours": ["07:00", "08:00"]}, "quiet_hours"),  # silences the only time
        ({"enabled": "perhaps"}, "enabled"),
    ],
)
def test_bad_reminders_are_refused_naming_the_field(patient_client, change, field):
    response = patient_client.post("/api/v1/reminders/", {**GOOD, **change}, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not ReminderRule.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"times": ["24:00"]}, "times"),
        ({"weekdays": []}, "weekdays"),
        ({"kind": "nap"}, "kind"),
        ({"every_minutes": 14, "window": ["09:00", "17:00"]}, "every_minutes"),
        ({"window": ["18:00", "08:00"], "every_minutes": 60}, "window"),
        ({"window": ["08:00", "18:00"]}, "every_minutes"),
        ({"quiet_hours": ["07:00", "08:00"]}, "quiet_hours"),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(patient, patient_client, change, field):
    rule = reminder_rule_create(user=patient, kind="session", times=["07:30"])

    response = patient_client.patch(f"/api/v1/reminders/{rule.pk}/", change, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    rule.refresh_from_db()
    assert (rule.kind, rule.times, rule.every_minutes) == ("session", ["07:30"], None)


def test_changing_a_time_moves_the_next_reminder(patient, patient_client):
    rule = reminder_rule_create(user=patient, kind="session", times=["07:30"])

    response = patient_client.patch(f"/api/v1/reminders/{rule.pk}/", {"times": ["11:15"]}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["next_fire_at"] == "2026-11-21T10:15:00Z"


def test_switching_from_times_to_an_interval_needs_only_the_interval(patient, patient_client):
    rule = reminder_rule_create(user=patient, kind="desk_break", times=["10:30"])

    response = patient_client.patch(
        f"/api/v1/reminders/{rule.pk}/", {"every_minutes": 60, "window": ["09:00", "12:00"]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["times"] == []
    assert response.json()["next_fire_at"] == "2026-11-21T10:00:00Z"  # 11:00 Paris


def test_a_disabled_reminder_never_fires_until_enabled_again(patient, patient_client):
    rule = reminder_rule_create(user=patient, kind="checkin", times=["20:30"])

    off = patient_client.patch(f"/api/v1/reminders/{rule.pk}/", {"enabled": False}, format="json")
    on = patient_client.patch(f"/api/v1/reminders/{rule.pk}/", {"enabled": True}, format="json")

    assert off.json()["next_fire_at"] is None
    assert on.json()["next_fire_at"] == "2026-11-21T19:30:00Z"


def test_moving_to_another_time_zone_keeps_reminders_at_the_same_local_time(patient, patient_client):
    reminder_rule_create(user=patient, kind="bedtime", times=["21:30"])

    patient_client.patch("/api/v1/me/", {"timezone": "America/New_York"}, format="json")

    assert patient_client.get("/api/v1/reminders/").json()[0]["next_fire_at"] == "2026-11-22T02:30:00Z"


def test_someone_elses_reminder_is_a_404(patient_client, other_patient):
    theirs = reminder_rule_create(user=other_patient, kind="session", times=["07:30"])

    assert patient_client.get(f"/api/v1/reminders/{theirs.pk}/").status_code == 404
    assert (
        patient_client.patch(
            f"/api/v1/reminders/{theirs.pk}/", {"times": ["08:00"]}, format="json"
        ).status_code
        == 404
    )
    assert patient_client.delete(f"/api/v1/reminders/{theirs.pk}/").status_code == 404
    assert patient_client.get("/api/v1/reminders/").json() == []
    theirs.refresh_from_db()
    assert theirs.times == ["07:30"]


def test_deleting_a_reminder(patient, patient_client):
    rule = reminder_rule_create(user=patient, kind="session", times=["07:30"])

    assert patient_client.delete(f"/api/v1/reminders/{rule.pk}/").status_code == 204
    assert patient_client.get(f"/api/v1/reminders/{rule.pk}/").status_code == 404


def test_listing_reminders_takes_the_same_queries_for_many(
    patient, patient_client, django_assert_max_num_queries
):
    for hour in range(20):
        reminder_rule_create(user=patient, kind="breathing", times=[f"{hour:02d}:00"])
    reminder_rule_create(user=UserFactory(), kind="session", times=["07:30"])

    with django_assert_max_num_queries(3):  # session, user, rules
        response = patient_client.get("/api/v1/reminders/")

    assert len(response.json()) == 20


# --- Test notification ------------------------------------------------------------------------


def test_a_test_notification_goes_through_the_queue_to_every_device(
    patient, patient_client, push_service, push_sender, django_capture_on_commit_callbacks
):
    phone, laptop = push_service.subscribe(), push_service.subscribe()
    for device in (phone, laptop):
        patient_client.post("/api/v1/push/subscriptions/", device.as_json(), format="json")

    with django_capture_on_commit_callbacks() as queued:
        response = patient_client.post("/api/v1/reminders/test/")

    assert response.status_code == 202
    assert response.json()["devices"] == 2
    delivery = Delivery.objects.get(pk=response.json()["id"])
    (enqueue,) = queued  # send_reminders.delay([id]) once the transaction commits
    assert enqueue.func is deliveries.notification_test_enqueue
    assert enqueue.args == (tasks.enqueue_sends, delivery.pk)

    sender.deliveries_send(delivery_ids=[delivery.pk], sender=push_sender)  # what the worker runs

    received = push_service.wait_for(2, timeout=10)
    assert {r.token for r in received} == {phone.token, laptop.token}
    assert received[0].payload == {
        "title": "Reminders are on",
        "body": "This is how Backtrack reminders will look on this device.",
        "url": "/#/settings",
        "kind": "test",
        "id": delivery.pk,
    }
    delivery.refresh_from_db()
    assert delivery.status == "sent"
