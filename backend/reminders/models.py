"""Reminder rules, push subscriptions, and one delivery row per reminder fired.

Reminders are rows, not far-future task ETAs: each rule keeps its next firing
instant in UTC (``next_fire_at``); a dispatcher claims the due ones every minute.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

# Desk breaks every 45-60 minutes, posture resets every 30 (GUIDANCE.md); 15 is the
# floor so nobody is nagged more often than that, 4 hours the ceiling of "every".
MIN_EVERY_MINUTES = 15
MAX_EVERY_MINUTES = 240
MAX_TIMES = 12


class Kind(models.TextChoices):
    SESSION = "session", "Session"
    CHECKIN = "checkin", "Check-in"
    BREATHING = "breathing", "Breathing"
    BEDTIME = "bedtime", "Bedtime wind-down"
    DESK_BREAK = "desk_break", "Desk break"


class ReminderRule(models.Model):
    """When to remind one user of one kind of thing, in their local time.

    Either ``times`` (["07:30", "19:00"]) or ``every_minutes`` within ``window``
    (["09:00", "17:00"]); ``weekdays`` with Monday=0; ``quiet_hours`` (["22:00",
    "07:00"], may wrap midnight) silence slots that fall inside them.
    """

    # No index of its own: (user, kind) below leads with the user. Each tick moves every
    # due rule's indexed next_fire_at on, which writes a new entry in every index of
    # the table (four before this one was dropped, three now).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_rules", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    times = models.JSONField(default=list, blank=True)
    every_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    window = models.JSONField(null=True, blank=True)
    weekdays = models.JSONField(default=list)
    quiet_hours = models.JSONField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    # The next instant this rule fires, UTC; null when disabled or it never fires.
    next_fire_at = models.DateTimeField(null=True, blank=True)
    # Set once the user edits a rule: enrolling in another program then leaves it
    # alone instead of merging the program's times into it.
    customized = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The dispatcher's query: enabled rules due now, oldest first.
            models.Index(fields=["next_fire_at"], condition=Q(enabled=True), name="reminder_rule_due"),
            models.Index(fields=["user", "kind"], name="reminder_rule_user_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="reminder_rule_kind_valid"),
            models.CheckConstraint(
                condition=Q(every_minutes__isnull=True)
                | Q(every_minutes__gte=MIN_EVERY_MINUTES, every_minutes__lte=MAX_EVERY_MINUTES),
                name="reminder_rule_every_minutes_range",
            ),
            # An interval needs its window and a window means an interval.
            models.CheckConstraint(
                condition=Q(every_minutes__isnull=True, window__isnull=True)
                | Q(every_minutes__isnull=False, window__isnull=False),
                name="reminder_rule_interval_has_window",
            ),
            models.CheckConstraint(
                condition=Q(enabled=True) | Q(next_fire_at__isnull=True),
                name="reminder_rule_disabled_never_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder of user {self.user_id}"


class PushSubscription(models.Model):
    """A browser's ``PushSubscription``: where to POST and the keys to encrypt for.

    The endpoint is unique: the same browser re-subscribing (or another account
    signing in on it) updates the row instead of adding one.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.CharField(max_length=2048)
    p256dh = models.CharField(max_length=128)
    auth = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=256, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # Consecutive failed sends; reset by a success.
    failure_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["endpoint"], name="push_subscription_endpoint_unique")]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of user {self.user_id}"

    def as_subscription_info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class Delivery(models.Model):
    """One reminder fired (or deliberately not) at one instant.

    Unique per (rule, fire time): two dispatchers claiming the same slot cannot
    both record it, so it is sent at most once. Test notifications have no rule.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent by push"
        EMAILED = "emailed", "Sent by email"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    class Reason(models.TextChoices):
        NONE = "", "None"
        LATE = "late", "More than an hour late"
        DONE = "done", "Today's session already logged"
        NO_PROGRAM = "no_program", "No program running (paused, left or finished)"
        SAFETY_HOLD = "safety_hold", "Exercises paused by a safety hold"
        FLARE = "flare", "Flare-up mode: the usual sessions are paused"
        NO_TARGET = "no_target", "No push subscription accepted it"
        RETRIES_EXHAUSTED = "retries_exhausted", "Push service kept failing"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # No index of its own: the unique (rule, fire_at) leads with the rule, and every
    # delivery the dispatcher records pays for each index it has.
    rule = models.ForeignKey(
        ReminderRule,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,
    )
    # "test" for POST /reminders/test/, otherwise the rule's kind.
    kind = models.CharField(max_length=16)
    fire_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=24, choices=Reason.choices, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Who may send it now. Queued: owner "" until leased_until, when the dispatcher's
    # sweep sends it to the queue again (the broker may have lost the message). Being
    # sent: the send task's id, so a redelivery of that same task may carry on while
    # any other copy of it leaves the delivery alone.
    lease_owner = models.CharField(max_length=64, blank=True, default="")
    leased_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["created_at"], name="delivery_created"),
            models.Index(
                fields=["leased_until"], condition=Q(status="pending"), name="delivery_pending_lease"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["rule", "fire_at"], name="delivery_rule_fire_at_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "emailed", "skipped", "failed"]),  # Status.values
                name="delivery_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder {self.pk} at {self.fire_at:%Y-%m-%d %H:%M}Z ({self.status})"


class PushReceipt(models.Model):
    """A push service accepted (201) this delivery for this subscription.

    What makes sending idempotent: a retried or redelivered send task skips the
    subscriptions that already have a receipt.
    """

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="receipts")
    subscription = models.ForeignKey(PushSubscription, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["delivery", "subscription"], name="push_receipt_unique")
        ]

    def __str__(self) -> str:
        return f"delivery {self.delivery_id} accepted for subscription {self.subscription_id}"
