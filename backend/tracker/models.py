"""What a person logs: session logs, daily check-ins and journal entries.

Every row is created by a client (often offline) under its own UUID ``client_id``,
unique per user, and carries the client's ``updated_at``. Deletions are tombstones
(``deleted``) so they reach the user's other devices; a tombstone keeps only the date.
``seq`` orders every change of one user for the sync cursor (see ``SyncState``), and is
also the entry's ``version``: it grows with each stored change of the entry, so an edit
can say which version it was made from (``services.sync_apply`` has the rule).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class SyncState(models.Model):
    """Per-user change counter: the sync cursor, and the lock that orders a user's syncs."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True)
    counter = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"sync state of {self.user_id}: {self.counter}"


class Entry(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_id = models.UUIDField()
    updated_at = models.DateTimeField(help_text="The client's time of the edit that wrote this content.")
    deleted = models.BooleanField(default=False)
    seq = models.BigIntegerField(
        help_text="Position in the user's change stream (sync cursor), and the entry's version."
    )
    # Clocks disagree and versioned edits win whatever their time says, so updated_at
    # can go back; an edit without base_version must beat every time ever stored.
    latest_updated_at = models.DateTimeField(
        help_text="The latest updated_at any write of this entry carried (v1 clients' high-water mark)."
    )
    # Who wrote the current content, from which version: a phone whose answer was
    # lost sends its next edit from the same old version, which is its own, not a conflict.
    written_by_device = models.CharField(max_length=64, blank=True, default="")
    written_from_version = models.BigIntegerField(null=True, blank=True)
    date = models.DateField(help_text="The user's local date the entry is about.")
    created_on_server = models.DateTimeField(auto_now_add=True)
    updated_on_server = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.client_id} on {self.date}"


class SessionLog(Entry):
    class Status(models.TextChoices):
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"

    item_id = models.CharField(max_length=160, blank=True)
    program = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, blank=True)
    sets = models.PositiveSmallIntegerField(null=True, blank=True)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    effort = models.PositiveSmallIntegerField(null=True, blank=True)
    # The pain (0-10) the person reported just before and just after the session, when
    # they chose to answer: what the session did, for them and for later adaptation.
    pain_before = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_after = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "client_id"], name="sessionlog_client_id_unique"),
            models.UniqueConstraint(fields=["user", "seq"], name="sessionlog_seq_unique"),
            models.CheckConstraint(
                condition=Q(latest_updated_at__gte=F("updated_at")),
                name="sessionlog_latest_updated_at_is_latest",
            ),
            models.CheckConstraint(condition=Q(effort__lte=10), name="sessionlog_effort_range"),
            models.CheckConstraint(condition=Q(pain_before__lte=10), name="sessionlog_pain_before_range"),
            models.CheckConstraint(condition=Q(pain_after__lte=10), name="sessionlog_pain_after_range"),
            models.CheckConstraint(
                condition=Q(deleted=True) | (Q(status__in=["done", "skipped"]) & ~Q(item_id="")),
                name="sessionlog_live_has_item_and_status",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "date"], name="sessionlog_user_date"),
            # Adherence for a clinician's whole patient list: an index-only scan, in order.
            models.Index(
                fields=["user", "date", "item_id"],
                condition=Q(status="done", deleted=False),
                name="sessionlog_done_items",
            ),
        ]


class CheckIn(Entry):
    class Safety(models.TextChoices):
        NONE = "none", "None"
        SEE_DOCTOR = "see_doctor", "See a doctor"
        URGENT = "urgent", "Urgent"
        EMERGENCY = "emergency", "Emergency"

    # pain, stress and mood may be null on a live check-in too: not answered.
    pain = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_areas = models.JSONField(default=list, blank=True)
    stress = models.PositiveSmallIntegerField(null=True, blank=True)
    sleep_hours = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    sleep_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    mood = models.PositiveSmallIntegerField(null=True, blank=True)
    red_flags = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    # Evaluated from red_flags when the check-in is stored; kept for clinicians.
    safety_level = models.CharField(max_length=16, choices=Safety.choices, default=Safety.NONE)
    # --- Issue 17, stress factors: what weighed on the day (built-in slugs of
    # content/factors.yaml and the person's own labels, folded, in the order tapped).
    factors = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "client_id"], name="checkin_client_id_unique"),
            models.UniqueConstraint(fields=["user", "seq"], name="checkin_seq_unique"),
            models.CheckConstraint(
                condition=Q(latest_updated_at__gte=F("updated_at")),
                name="checkin_latest_updated_at_is_latest",
            ),
            models.CheckConstraint(condition=Q(pain__lte=10), name="checkin_pain_range"),
            models.CheckConstraint(condition=Q(stress__lte=10), name="checkin_stress_range"),
            models.CheckConstraint(
                condition=Q(sleep_hours__gte=0) & Q(sleep_hours__lte=24), name="checkin_sleep_hours_range"
            ),
            models.CheckConstraint(
                condition=Q(sleep_quality__gte=1) & Q(sleep_quality__lte=5),
                name="checkin_sleep_quality_range",
            ),
            models.CheckConstraint(condition=Q(mood__gte=1) & Q(mood__lte=5), name="checkin_mood_range"),
        ]
        indexes = [
            models.Index(fields=["user", "date"], name="checkin_user_date"),
            # Latest scores and trends for a clinician's whole patient list, index-only.
            models.Index(
                fields=["user", "date", "updated_at", "seq"],
                include=["pain", "stress"],
                condition=Q(deleted=False),
                name="checkin_live_scores",
            ),
        ]


class JournalEntry(Entry):
    feeling = models.TextField(blank=True)
    want_to_feel = models.TextField(blank=True)
    gratitude = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    # --- Issue 17, the reframing prompts: what is in my control, an anxious thought,
    # and a kinder view of it.
    in_control = models.TextField(blank=True)
    anxious_thought = models.TextField(blank=True)
    kinder_view = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "journal entries"
        constraints = [
            models.UniqueConstraint(fields=["user", "client_id"], name="journal_client_id_unique"),
            models.UniqueConstraint(fields=["user", "seq"], name="journal_seq_unique"),
            models.CheckConstraint(
                condition=Q(latest_updated_at__gte=F("updated_at")),
                name="journal_latest_updated_at_is_latest",
            ),
        ]
        indexes = [models.Index(fields=["user", "date"], name="journal_user_date")]


class SafetyAlert(models.Model):
    """A check-in that answered a red-flag question, for the patient's clinicians.

    One per check-in; it follows the check-in's edits: a higher level reopens it, a
    check-in edited to no red flag or deleted withdraws it.
    """

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_alerts"
    )
    checkin = models.OneToOneField(CheckIn, on_delete=models.CASCADE, related_name="alert")
    level = models.CharField(max_length=16, choices=CheckIn.Safety.choices)
    red_flags = models.JSONField(default=list)
    date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["patient"],
                condition=Q(acknowledged_at__isnull=True, withdrawn_at__isnull=True),
                name="safetyalert_open_by_patient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} alert for {self.patient_id} on {self.date}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None and self.withdrawn_at is None


class SafetyHold(models.Model):
    """The exercises paused after an ``urgent`` or ``emergency`` answer, until released.

    Opened by a check-in (as it syncs; the phone holds its plan at once, offline), it
    pauses every exercise and the session reminders; check-ins go on. A person has at
    most one open hold: a more serious answer meanwhile raises its level. It ends when
    the person says they have been seen (or answered by mistake), or a clinician with
    the ``prescribe`` scope releases it; the row stays, as the record of the release.
    """

    class Reason(models.TextChoices):
        SEEN_PROFESSIONAL = "seen_professional", "Seen a professional"
        CLEARED_BY_CLINICIAN = "cleared_by_clinician", "Cleared by a clinician"
        ANSWERED_BY_MISTAKE = "answered_by_mistake", "Answered by mistake"
        CHECK_IN_CHANGED = "check_in_changed", "The check-in was changed or deleted"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_holds"
    )
    level = models.CharField(max_length=16, choices=CheckIn.Safety.choices)
    since = models.DateTimeField()
    # The latest check-in that opened or raised it; the phone releases the hold it knows.
    check_in = models.ForeignKey(CheckIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    check_in_client_id = models.UUIDField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept so the record still says who released it if that account goes.
    released_by_name = models.CharField(max_length=254, blank=True, default="")
    release_reason = models.CharField(max_length=32, choices=Reason.choices, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(released_at__isnull=True), name="safetyhold_one_open"
            ),
            models.CheckConstraint(
                condition=Q(level__in=["urgent", "emergency"]), name="safetyhold_level_serious"
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True, release_reason="")
                | (Q(released_at__isnull=False) & ~Q(release_reason="")),
                name="safetyhold_release_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["patient", "-since"], name="safetyhold_patient_since")]

    def __str__(self) -> str:
        state = "open" if self.released_at is None else f"released ({self.release_reason})"
        return f"{self.level} hold of {self.patient_id} since {self.since:%Y-%m-%d %H:%M}, {state}"


class Flare(models.Model):
    """Flare-up mode: "my back is bad today". For 48 hours (unless ended sooner) the
    usual plan gives way to the short flare plan and the days are not due.

    Started by the person (from a phone that may have shown it offline first, so
    ``started_at`` may be a little in the past). At most one runs per person; starting
    again while it runs is the same flare. The row stays once ended, as the record a
    clinician reads: ``ended_by`` says whether the person ended it or it ran out.
    Until a write notices, a flare past ``ends_at`` has expired all the same: readers
    compare with the clock, they never rely on ``ended_at`` alone.
    """

    class EndedBy(models.TextChoices):
        ENDED = "ended", "Ended by the person"
        EXPIRED = "expired", "Ran its 48 hours"

    class Feeling(models.TextChoices):
        BETTER = "better", "Better"
        SAME = "same", "About the same"
        WORSE = "worse", "Worse"

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flares")
    started_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=16, choices=EndedBy.choices, blank=True, default="")
    # The check-in at its end ("How is your back now?"); blank until answered. Whatever
    # the answer, the plan resumes a week easier (programs/progression.py).
    check_in_feeling = models.CharField(max_length=8, choices=Feeling.choices, blank=True, default="")
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(ended_at__isnull=True), name="flare_one_open"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("started_at")), name="flare_ends_after_start"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, ended_by="")
                | (Q(ended_at__isnull=False) & ~Q(ended_by="")),
                name="flare_end_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["patient", "-started_at"], name="flare_patient_started")]

    def __str__(self) -> str:
        state = "open" if self.ended_at is None else self.ended_by
        return f"flare of {self.patient_id} from {self.started_at:%Y-%m-%d %H:%M}, {state}"

    @property
    def until(self) -> dt.datetime:
        """When it stops (or stopped) holding the plan."""
        return self.ends_at if self.ended_at is None else min(self.ended_at, self.ends_at)


# --- Lessons read (issue 17) ---------------------------------------------------------


class LessonRead(Entry):
    """A lesson the person read on ``date``, synced as type ``lesson``. Lessons are
    content (``programs/content/lessons.yaml``), named by slug; a tombstone makes the
    lesson unread again. Several devices may each log the same lesson: the earliest
    live read is the one shown."""

    lesson = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "client_id"], name="lessonread_client_id_unique"),
            models.UniqueConstraint(fields=["user", "seq"], name="lessonread_seq_unique"),
            models.CheckConstraint(
                condition=Q(latest_updated_at__gte=F("updated_at")),
                name="lessonread_latest_updated_at_is_latest",
            ),
            models.CheckConstraint(
                condition=Q(deleted=True) | (Q(status="read") & ~Q(lesson="")),
                name="lessonread_live_has_lesson_and_status",
            ),
        ]
        indexes = [
            # /lessons/ and the plan read a user's live reads: an index-only scan.
            models.Index(
                fields=["user", "lesson", "date"], condition=Q(deleted=False), name="lessonread_live"
            ),
        ]


# --- Questionnaire answers (issue 18) -------------------------------------------------


class QuestionnaireAnswer(Entry):
    """One answer to a validated questionnaire (``outcomes/content/questionnaires.yaml``),
    synced as type ``questionnaire``. The score, band and subscale scores are worked out
    by the server from the answers (never taken from the client). The first live answer
    of an instrument is the person's baseline."""

    questionnaire = models.CharField(max_length=32, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    score = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=16, blank=True)
    subscores = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_id"], name="questionnaireanswer_client_id_unique"
            ),
            models.UniqueConstraint(fields=["user", "seq"], name="questionnaireanswer_seq_unique"),
            models.CheckConstraint(
                condition=Q(latest_updated_at__gte=F("updated_at")),
                name="questionnaireanswer_latest_updated_at_is_latest",
            ),
            models.CheckConstraint(
                condition=Q(deleted=True) | (~Q(questionnaire="") & Q(score__isnull=False)),
                name="questionnaireanswer_live_is_scored",
            ),
        ]
        indexes = [
            # The schedule, the plan and the charts read a user's live answers by instrument and date.
            models.Index(
                fields=["user", "questionnaire", "date"],
                condition=Q(deleted=False),
                name="questionnaireanswer_live",
            ),
        ]
