"""The program catalog (loaded from content/*.yaml) and enrollments.

Daily plans are never stored: they are computed from enrollments and the per-week
prescriptions held on each program item (see ``schedule.py``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q


class TimeOfDay(models.TextChoices):
    MORNING = "morning", "Morning"
    MIDDAY = "midday", "Midday"
    AFTERNOON = "afternoon", "Afternoon"
    EVENING = "evening", "Evening"
    BEDTIME = "bedtime", "Bedtime"


# The order items are shown in within a day.
TIME_OF_DAY_ORDER = {value: index for index, value in enumerate(TimeOfDay.values)}

PRESCRIPTION_FIELDS = ("sets", "reps", "hold_seconds", "duration_seconds", "breaths", "per_side")


class Exercise(models.Model):
    """How to do one thing: steps in plain words, cautions, and where it comes from."""

    class Kind(models.TextChoices):
        HOLD = "hold", "Held position"
        REPS = "reps", "Repetitions"
        BREATHING = "breathing", "Breathing"
        TIMED = "timed", "Timed activity"
        HABIT = "habit", "Daily habit"

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    summary = models.TextField(blank=True)
    steps = models.JSONField(default=list)
    cautions = models.JSONField(default=list)
    # Breathing pattern for the pacer, e.g. {"inhale": 4, "hold": 7, "exhale": 8}.
    pattern = models.JSONField(null=True, blank=True)
    sources = models.JSONField(default=list)
    # Pictures of the position, from content/illustrations.yaml: [{"url", "alt"}, ...],
    # start then end for a movement. The files are served with the PWA.
    illustrations = models.JSONField(default=list)
    # Why this helps a stressed back, in one or two plain sentences.
    why = models.TextField(blank=True)
    # Spoken cues for a guided practice, in order: [{"text", "seconds"}, ...]; the player
    # shows and speaks each text, then waits its seconds. Empty for everything else.
    guide = models.JSONField(default=list, blank=True)
    # How often a day it is safe to do (heat and cold: 3); null when there is no limit.
    max_per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    # A countdown with an end chime (heat and cold, which must not be left on too long).
    timer = models.BooleanField(default=False)

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_per_day__isnull=True) | (Q(max_per_day__gte=1) & Q(max_per_day__lte=24)),
                name="exercise_max_per_day_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=120)
    category = models.CharField(max_length=32)
    weeks = models.PositiveSmallIntegerField()
    summary = models.TextField()
    description = models.TextField(blank=True)
    sources = models.JSONField(default=list)
    # Hidden from the catalog when its file is removed; enrollments keep working.
    is_active = models.BooleanField(default=True)
    # Hash of the source file's content: lets the loader skip unchanged programs.
    content_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(weeks__gte=1) & Q(weeks__lte=52), name="program_weeks_range")
        ]

    def __str__(self) -> str:
        return self.title


class ProgramItem(models.Model):
    """One exercise at one time of day, with a prescription for every week.

    ``weeks`` holds one entry per program week: a dict of prescription fields, or
    ``None`` for a week the item is not practised (e.g. introduced in week 3).
    ``weekdays`` limits it to some days of the week (Monday=0); empty means daily.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(max_length=64)
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="items")
    time_of_day = models.CharField(max_length=16, choices=TimeOfDay.choices)
    position = models.PositiveSmallIntegerField(default=0)
    weekdays = models.JSONField(default=list, blank=True)
    weeks = models.JSONField(default=list)

    class Meta:
        ordering = ["program_id", "position"]
        constraints = [models.UniqueConstraint(fields=["program", "key"], name="program_item_key_unique")]

    def __str__(self) -> str:
        return f"{self.program.slug}:{self.key}"

    def prescription_for_week(self, week: int) -> dict | None:
        if 1 <= week <= len(self.weeks):
            return self.weeks[week - 1]
        return None


class Enrollment(models.Model):
    # Set by programs.selectors.attach_items: the program's items, loaded once per program.
    items: list[ProgramItem]

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        LEFT = "left", "Left"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrollments")
    start_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # Local dates the enrollment was paused: [[first_paused_day, resumed_day or null], ...].
    # Kept so past plans (and adherence) stay true after a resume.
    pauses = models.JSONField(default=list, blank=True)
    # The first local date with no items after leaving.
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_date", "id"]
        indexes = [models.Index(fields=["user", "status"], name="enrollment_user_status")]
        constraints = [
            # One running enrollment per program: re-enrolling needs leaving first.
            models.UniqueConstraint(
                fields=["user", "program"],
                condition=Q(status__in=["active", "paused"]),
                name="enrollment_one_running_per_program",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "paused", "completed", "left"]),
                name="enrollment_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.program_id} from {self.start_date}"

    @property
    def end_date(self) -> dt.date:
        """The first date after the program's last week."""
        return self.start_date + dt.timedelta(weeks=self.program.weeks)

    def week_on(self, day: dt.date) -> int:
        return (day - self.start_date).days // 7 + 1

    def is_paused_on(self, day: dt.date) -> bool:
        for first, resumed in self.pauses:
            if dt.date.fromisoformat(first) <= day and (
                resumed is None or day < dt.date.fromisoformat(resumed)
            ):
                return True
        return False

    def runs_on(self, day: dt.date) -> bool:
        """Whether the program has items for the user on this local date."""
        if day < self.start_date or day >= self.end_date:
            return False
        if self.ended_on is not None and day >= self.ended_on:
            return False
        return not self.is_paused_on(day)

    def effective_status(self, today: dt.date) -> str:
        if self.status == self.Status.ACTIVE and today >= self.end_date:
            return self.Status.COMPLETED
        return self.status


# --- A care team's changes to one patient's plan (issue 16) --------------------------
# Written by backend/care (a clinician with the patient's ``prescribe`` scope) and by the
# patient ("not for me"); applied wherever a plan is computed (``schedule.Adjustments``).


class Prescription(models.Model):
    """An exercise a clinician set for one patient: a new item of their plan, or, with
    ``replaces``, a program item's dose, time and days for that patient.

    It applies from ``starts_on`` to the day before ``ends_on`` (the patient's local
    dates): ending it keeps the row, so past plans (and adherence) stay true.
    """

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prescriptions"
    )
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="prescriptions")
    time_of_day = models.CharField(max_length=16, choices=TimeOfDay.choices)
    # Days of the week (Monday=0); null: every day.
    weekdays = models.JSONField(null=True, blank=True)
    prescription = models.JSONField(default=dict, blank=True)
    # "<program slug>:<item key>" of the program item it stands in for; "" for a new item.
    replaces = models.CharField(max_length=130, blank=True, default="")
    note = models.TextField(blank=True, default="")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept so the patient still sees who set it if the clinician account goes.
    set_by_name = models.CharField(max_length=254)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["patient", "ends_on"], name="prescription_patient")]
        constraints = [
            # One dose at a time for a program item: two would contradict each other.
            models.UniqueConstraint(
                fields=["patient", "replaces"],
                condition=Q(ends_on__isnull=True) & ~Q(replaces=""),
                name="prescription_one_per_item",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="prescription_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise_id} for {self.patient_id}"


class SetAside(models.Model):
    """An exercise marked "not for me", by the patient or a clinician: it leaves every
    day of the plan from ``starts_on``; brought back, ``ends_on`` closes it."""

    class By(models.TextChoices):
        PATIENT = "patient", "The patient"
        CLINICIAN = "clinician", "A clinician"

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="set_aside")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    by = models.CharField(max_length=16, choices=By.choices)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_name = models.CharField(max_length=254)
    reason = models.CharField(max_length=200, blank=True, default="")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["patient", "ends_on"], name="setaside_patient")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "exercise"], condition=Q(ends_on__isnull=True), name="setaside_one_open"
            ),
            models.CheckConstraint(condition=Q(by__in=["patient", "clinician"]), name="setaside_by_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.exercise_id} set aside for {self.patient_id}"


class PainRule(models.Model):
    """One patient's pain limits, as a clinician set them (``progression.PainLimits``);
    no row: the published defaults."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pain_rule"
    )
    during_max = models.PositiveSmallIntegerField()
    morning_rise_max = models.PositiveSmallIntegerField()
    regress_after = models.PositiveSmallIntegerField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_by_name = models.CharField(max_length=254)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(during_max__lte=10), name="painrule_during_max_range"),
            models.CheckConstraint(condition=Q(morning_rise_max__lte=5), name="painrule_morning_rise_range"),
            models.CheckConstraint(
                condition=Q(regress_after__gte=1) & Q(regress_after__lte=5),
                name="painrule_regress_after_range",
            ),
        ]

    def __str__(self) -> str:
        return f"pain rule of {self.patient_id}"


class PlanChange(models.Model):
    """One change to a patient's plan, in plain words: the patient's history of who
    changed what (``text`` follows the actor's name: "changed Cat-cow to ...")."""

    class Kind(models.TextChoices):
        PRESCRIPTION_ADDED = "prescription_added", "Exercise added"
        PRESCRIPTION_CHANGED = "prescription_changed", "Exercise changed"
        PRESCRIPTION_ENDED = "prescription_ended", "Exercise back to its program"
        SET_ASIDE = "set_aside", "Set aside"
        BROUGHT_BACK = "brought_back", "Brought back"
        PAIN_RULE = "pain_rule", "Pain rule changed"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_changes"
    )
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_name = models.CharField(max_length=254)
    by_role = models.CharField(max_length=16)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    text = models.CharField(max_length=500)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "-at"], name="planchange_patient_at")]

    def __str__(self) -> str:
        return f"{self.by_name} {self.text}"
