from __future__ import annotations

from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from backend.accounts.models import User
from backend.core.fields import CalendarDateField, QuerySerializer, StrictCharField, StrictIntegerField
from backend.programs.models import (
    Enrollment,
    Exercise,
    PainRule,
    Prescription,
    Program,
    ProgramItem,
    SetAside,
    TimeOfDay,
)
from backend.programs.progression import PainLimits
from backend.programs.sources import SOURCE_KINDS, render_sources
from backend.tracker.serializers import FlareSerializer, ProfileSerializer, SafetyHoldSerializer


class SourceRefSerializer(serializers.Serializer):
    """A source an item names: "Why this, from where"."""

    id = serializers.CharField(help_text="As listed by /api/v1/sources/.")
    title = serializers.CharField()
    author = serializers.CharField(required=False, help_text="Left out where not known.")
    url = serializers.CharField(required=False, help_text="Left out where no address is known.")


class SourceSerializer(SourceRefSerializer):
    kind = serializers.ChoiceField(choices=list(SOURCE_KINDS))


@extend_schema_field(SourceRefSerializer(many=True))
class SourcesField(serializers.Field):
    """Stored source ids (content files name ids), rendered as source objects."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", "Where this comes from: each as /api/v1/sources/ lists it.")
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> list[dict[str, str]]:
        return render_sources(value or ())


def sources_list(**kwargs: Any) -> serializers.ListSerializer:
    """The schema of ``sources`` already rendered by ``render_sources``."""
    return SourceRefSerializer(many=True, **kwargs)


class IllustrationSerializer(serializers.Serializer):
    url = serializers.CharField(
        help_text="A same-origin SVG served with the app, e.g. /illustrations/plank-start.svg."
    )
    alt = serializers.CharField(help_text="What the picture shows, in plain words.")


class GuideCueSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="What the player shows and speaks.")
    seconds = serializers.IntegerField(
        min_value=1, max_value=600, help_text="How long to wait after this cue before the next."
    )


class ExerciseSerializer(serializers.ModelSerializer):
    illustrations = IllustrationSerializer(
        many=True,
        read_only=True,
        help_text="At least one picture; a movement (reps, hold, timed) has its start then its end "
        "position, a guided practice (a `guide`) one.",
    )
    why = serializers.CharField(
        read_only=True, help_text="Why this helps a stressed back, in one or two plain sentences."
    )
    guide = GuideCueSerializer(
        many=True,
        read_only=True,
        help_text="Spoken cues of a guided practice, in order; empty for everything else. The "
        "written version stays in `steps`.",
    )
    # Declared, not derived from the column: a database's range for a small integer
    # differs between SQLite and PostgreSQL, and the schema must not.
    max_per_day = serializers.IntegerField(
        min_value=1,
        max_value=24,
        allow_null=True,
        read_only=True,
        help_text="How many times a day at most (heat and cold: 3); null: no limit.",
    )
    timer = serializers.BooleanField(
        read_only=True, help_text="Show a countdown that chimes at the end (heat and cold)."
    )
    sources = SourcesField()

    class Meta:
        model = Exercise
        fields = [
            "slug",
            "name",
            "kind",
            "summary",
            "steps",
            "cautions",
            "pattern",
            "sources",
            "illustrations",
            "why",
            "guide",
            "max_per_day",
            "timer",
        ]


class PrescriptionSerializer(serializers.Serializer):
    sets = serializers.IntegerField(required=False)
    reps = serializers.IntegerField(required=False)
    hold_seconds = serializers.IntegerField(required=False)
    duration_seconds = serializers.IntegerField(required=False)
    breaths = serializers.IntegerField(required=False)
    per_side = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False)

    def to_representation(self, instance: dict) -> dict:
        # Only the fields that apply this week, as the content file states them.
        return dict(instance)


class ProgramSerializer(serializers.ModelSerializer):
    # Declared, not derived from the column: the range a database reports for a small
    # integer differs between SQLite and PostgreSQL, and the schema must not.
    weeks = serializers.IntegerField(min_value=1, max_value=52, read_only=True)

    class Meta:
        model = Program
        fields = ["slug", "title", "category", "weeks", "summary"]


class ScheduleItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    time_of_day = serializers.CharField()
    weekdays = serializers.ListField(child=serializers.IntegerField(), help_text="Empty means every day.")
    exercise = ExerciseSerializer()
    prescription = PrescriptionSerializer()


class ScheduleWeekSerializer(serializers.Serializer):
    week = serializers.IntegerField()
    items = ScheduleItemSerializer(many=True)


class ProgramDetailSerializer(ProgramSerializer):
    description = serializers.CharField()
    sources = SourcesField()
    schedule = serializers.SerializerMethodField()

    class Meta(ProgramSerializer.Meta):
        fields = [*ProgramSerializer.Meta.fields, "description", "sources", "schedule"]

    @staticmethod
    def _week(items: list[ProgramItem], week: int) -> dict:
        return {
            "week": week,
            "items": [
                {
                    "key": item.key,
                    "time_of_day": item.time_of_day,
                    "weekdays": item.weekdays,
                    "exercise": item.exercise,
                    "prescription": item.prescription_for_week(week),
                }
                for item in items
                if item.prescription_for_week(week) is not None
            ],
        }

    @extend_schema_field(ScheduleWeekSerializer(many=True))
    def get_schedule(self, program: Program) -> list[dict]:
        items = list(program.items.all())
        return ScheduleWeekSerializer(
            [self._week(items, week) for week in range(1, program.weeks + 1)], many=True
        ).data


class SlugField(serializers.SlugRelatedField):
    """A program by its slug. Text that cannot be a slug (not a string, or holding NUL,
    which PostgreSQL cannot even compare) is refused before it reaches a query."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class EnrollmentSerializer(serializers.ModelSerializer):
    program = SlugField(
        slug_field="slug",
        queryset=Program.objects.all(),
        error_messages={
            "does_not_exist": "There is no program called '{value}'.",
            "invalid": "Give the program's slug, for example 'core-strength'.",
        },
    )
    start_date = CalendarDateField(required=False, help_text="Defaults to today in your time zone.")
    status = serializers.SerializerMethodField()
    end_date = serializers.DateField(read_only=True, help_text="The first day after the last week.")
    week = serializers.SerializerMethodField(help_text="The current week, or null outside the program.")

    class Meta:
        model = Enrollment
        fields = ["id", "program", "start_date", "end_date", "status", "week", "created_at"]
        read_only_fields = ["id", "end_date", "created_at"]

    def get_status(self, enrollment: Enrollment) -> str:
        return enrollment.effective_status(self.context["today"])

    def get_week(self, enrollment: Enrollment) -> int | None:
        today = self.context["today"]
        if enrollment.start_date <= today < enrollment.end_date:
            return enrollment.week_on(today)
        return None


class EnrollmentStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[Enrollment.Status.ACTIVE, Enrollment.Status.PAUSED],
        error_messages={"invalid_choice": "Use 'active' to resume or 'paused' to pause; to leave, DELETE."},
    )


class PlanQuerySerializer(QuerySerializer):
    start = CalendarDateField(required=False, help_text="First local date; defaults to today.")
    days = serializers.IntegerField(
        required=False,
        default=7,
        min_value=1,
        max_value=28,
        error_messages={
            "min_value": "days must be between 1 and 28.",
            "max_value": "days must be between 1 and 28.",
            "invalid": "days must be a whole number between 1 and 28.",
        },
    )


class PrescribedBySerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The clinician's name: 'Set by <name>'.")


class ProgressionSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["start", "progress", "hold", "regress"],
        help_text="What the person's pain reports did to this week's dose (the pain-monitoring model).",
    )
    reason = serializers.CharField(help_text="Why, in plain words.")
    week = serializers.IntegerField(
        help_text="The program week whose dose is served: at most the calendar's `week`."
    )
    sources = sources_list(help_text="The pain-monitoring model.")


class PlanItemSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Stable for this program item on this date; logs refer to it.")
    kind = serializers.ChoiceField(choices=["exercise"], help_text="An exercise to practise.")
    program = serializers.CharField(help_text="The program whose item (and dose) this is.")
    programs = serializers.ListField(
        child=serializers.CharField(),
        help_text="Every program that planned this exercise at this time of day: it is planned once.",
    )
    week = serializers.IntegerField(help_text="The program's calendar week on this date.")
    time_of_day = serializers.CharField()
    exercise = ExerciseSerializer()
    prescription = PrescriptionSerializer(help_text="The dose to do: the week `progression` serves.")
    optional = serializers.BooleanField(
        help_text="Beyond the daily budget (daily_minutes on /me/): shown, but not due."
    )
    progression = ProgressionSerializer(
        allow_null=True, help_text="Null for the flare plan's items (they have no weeks)."
    )
    status = serializers.ChoiceField(
        choices=["pending", "done", "skipped", "held"],
        help_text="held: paused by the safety hold (an urgent or emergency answer) until it is released.",
    )
    prescribed_by = PrescribedBySerializer(
        allow_null=True,
        help_text="Set by a clinician the person allowed to prescribe (its dose, time and days); "
        "null: the program's.",
    )
    note = serializers.CharField(allow_null=True, help_text="What the clinician wrote for the person.")


# --- Lessons (issue 17) ---------------------------------------------------------------


class LessonCardSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    minutes = serializers.IntegerField(
        min_value=1, max_value=10, help_text="About how long it takes to read."
    )
    summary = serializers.CharField()


class LessonSerializer(LessonCardSerializer):
    sources = sources_list()
    status = serializers.ChoiceField(choices=["unread", "read"])
    read_on = serializers.DateField(
        allow_null=True, help_text="The local date it was first read; null: unread."
    )
    order = serializers.IntegerField(min_value=1, help_text="The order lessons are offered in, from 1.")


class LessonSectionSerializer(serializers.Serializer):
    heading = serializers.CharField()
    paragraphs = serializers.ListField(child=serializers.CharField())


class LessonDetailSerializer(LessonSerializer):
    sections = LessonSectionSerializer(many=True)


# "try" is a Python keyword, so it cannot be written as a field above.
LessonDetailSerializer._declared_fields["try"] = serializers.ListField(
    child=serializers.CharField(),
    help_text="Slugs of practices (exercises) that go with the lesson; may be empty.",
)


class LessonItemSerializer(serializers.Serializer):
    """A day's lesson: in ``items`` only (in no session, not in minutes, never due)."""

    id = serializers.CharField(help_text="lesson:<slug>.")
    kind = serializers.ChoiceField(choices=["lesson"])
    program = serializers.CharField(allow_null=True, help_text="Always null: a lesson is no program's.")
    programs = serializers.ListField(child=serializers.CharField(), help_text="Always empty.")
    week = serializers.IntegerField(help_text="The person's week since their first program started.")
    time_of_day = serializers.ChoiceField(choices=["anytime"])
    lesson = LessonCardSerializer()
    status = serializers.ChoiceField(
        choices=["pending", "read"], help_text="read: read on this date (logged with sync type 'lesson')."
    )


class QuestionnaireCardSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    short_title = serializers.CharField()
    minutes = serializers.IntegerField(help_text="About how long it takes.")
    purpose = serializers.CharField(help_text="What it asks about, in one sentence.")


class QuestionnaireItemSerializer(serializers.Serializer):
    """A questionnaire due that day (issue 18): in ``items`` only, after any lesson."""

    id = serializers.CharField(help_text="questionnaire:<slug>.")
    kind = serializers.ChoiceField(choices=["questionnaire"])
    program = serializers.CharField(allow_null=True, help_text="Always null.")
    programs = serializers.ListField(child=serializers.CharField(), help_text="Always empty.")
    week = serializers.IntegerField()
    time_of_day = serializers.ChoiceField(choices=["anytime"])
    questionnaire = QuestionnaireCardSerializer()
    status = serializers.ChoiceField(
        choices=["pending", "done"], help_text="done: answered on this date (sync type 'questionnaire')."
    )


DayItemSerializer = PolymorphicProxySerializer(
    component_name="DayItem",
    serializers={
        "exercise": PlanItemSerializer,
        "lesson": LessonItemSerializer,
        "questionnaire": QuestionnaireItemSerializer,
    },
    resource_type_field_name="kind",
    many=True,
)


class SessionSerializer(serializers.Serializer):
    time_of_day = serializers.CharField()
    minutes = serializers.IntegerField(help_text="About how long its items that are not optional take.")
    optional_minutes = serializers.IntegerField(help_text="About how long its optional items take.")
    items = serializers.ListField(
        child=serializers.CharField(), help_text="Item ids, in the order to do them."
    )


class FlareAdviceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["keep_moving", "seek_help"], help_text="keep_moving: no bed rest beyond a day or two."
    )
    text = serializers.CharField()
    sources = sources_list()


class FlarePlanItemSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="A day's item id is flare:<key>:<date>.")
    time_of_day = serializers.CharField()
    exercise = ExerciseSerializer()
    prescription = PrescriptionSerializer()
    seconds = serializers.IntegerField(help_text="About how long it takes.")
    sources = sources_list()


class FlarePlanSerializer(serializers.Serializer):
    hours = serializers.IntegerField(help_text="How long flare-up mode lasts unless ended sooner.")
    items = FlarePlanItemSerializer(many=True, help_text="In the order of the day.")
    advice = FlareAdviceSerializer(many=True)


class DayFlareSerializer(FlareSerializer):
    advice = FlareAdviceSerializer(many=True, help_text="Shown with the flare plan, in this order.")


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    mode = serializers.ChoiceField(
        choices=["usual", "flare"],
        help_text="flare: a day of flare-up mode, whose items are the flare plan (program 'flare'), "
        "none of them due.",
    )
    flare = DayFlareSerializer(allow_null=True, help_text="The flare of a flare day.")
    safety_hold = SafetyHoldSerializer(allow_null=True, help_text="Set on the days a safety hold pauses.")
    minutes = serializers.IntegerField(
        help_text="About how long the day's items that are not optional take (within daily_minutes, "
        "up to one kept breathing item); may be a little less than the sessions' minutes added up."
    )
    sessions = SessionSerializer(many=True, help_text="One per time of day that has items, morning first.")
    items = DayItemSerializer


class PlanSerializer(serializers.Serializer):
    days = DaySerializer(many=True)


# --- A care team's changes (issue 16): documented shapes and what a write may send ------

PRESCRIPTION_NOTE_MAX = 1000
SET_ASIDE_REASON_MAX = 200


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null once the account is gone.")
    name = serializers.CharField()


class DoseSerializer(serializers.Serializer):
    sets = serializers.IntegerField(required=False)
    reps = serializers.IntegerField(required=False)
    hold_seconds = serializers.IntegerField(required=False)
    duration_seconds = serializers.IntegerField(required=False)
    breaths = serializers.IntegerField(required=False)
    per_side = serializers.BooleanField(required=False)


class PrescriptionRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exercise = serializers.CharField(help_text="The exercise's slug.")
    exercise_title = serializers.CharField()
    time_of_day = serializers.ChoiceField(choices=TimeOfDay.values)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(), allow_null=True, help_text="0 = Monday; null: every day."
    )
    prescription = DoseSerializer()
    replaces = serializers.CharField(
        allow_null=True, help_text="'<program slug>:<item key>' it stands in for; null: an exercise added."
    )
    note = serializers.CharField(allow_blank=True)
    set_by = NamedSerializer()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class WeekdaysField(serializers.ListField):
    child = StrictIntegerField(min_value=0, max_value=6)

    default_error_messages = {"empty": "Choose at least one day, or null for every day."}

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, allow_empty=False, max_length=7, **kwargs)


class PrescriptionWriteSerializer(serializers.Serializer):
    exercise = StrictCharField(max_length=64, help_text="An exercise's slug from the catalog.")
    time_of_day = serializers.ChoiceField(choices=TimeOfDay.values)
    weekdays = WeekdaysField(required=False, help_text="0 = Monday; null or left out: every day.")
    prescription = serializers.JSONField(
        help_text="Any of sets, reps, hold_seconds, duration_seconds, breaths (whole numbers 1-7200) "
        "and per_side (true/false), as in the programs."
    )
    replaces = StrictCharField(
        max_length=130,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="'<program slug>:<item key>' of a program item the patient follows: that item "
        "keeps its id and takes this dose, time and days.",
    )
    note = StrictCharField(
        max_length=PRESCRIPTION_NOTE_MAX, required=False, allow_blank=True, trim_whitespace=True
    )


class SetAsideRowSerializer(serializers.Serializer):
    exercise = serializers.CharField()
    exercise_title = serializers.CharField()
    by = serializers.ChoiceField(choices=User.Role.choices, help_text="Who set it aside.")
    by_name = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class SetAsideWriteSerializer(serializers.Serializer):
    exercise = StrictCharField(max_length=64, help_text="An exercise's slug.")
    reason = StrictCharField(max_length=SET_ASIDE_REASON_MAX, required=False, allow_blank=True, default="")


class PainRuleSerializer(serializers.Serializer):
    during_max = StrictIntegerField(
        min_value=0, max_value=10, required=False, help_text="Pain (0-10) during or right after that is fine."
    )
    morning_rise_max = StrictIntegerField(
        min_value=0, max_value=5, required=False, help_text="How far morning pain may rise above usual."
    )
    regress_after = StrictIntegerField(
        min_value=1, max_value=5, required=False, help_text="Bad responses in a row that step the dose back."
    )
    set_by = NamedSerializer(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    is_default = serializers.BooleanField(read_only=True)


class PlanChangeBySerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=User.Role.choices)


class PlanChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = PlanChangeBySerializer()
    kind = serializers.CharField()
    text = serializers.CharField(
        help_text="In plain words: 'Dr Rao changed Cat-cow to 2 sets of 6 reps, ...'."
    )


def render_prescription(row: Prescription) -> dict[str, Any]:
    return {
        "id": row.pk,
        "exercise": row.exercise.slug,
        "exercise_title": row.exercise.name,
        "time_of_day": row.time_of_day,
        "weekdays": row.weekdays,
        "prescription": row.prescription,
        "replaces": row.replaces or None,
        "note": row.note,
        "set_by": {"id": row.set_by_id, "name": row.set_by.name if row.set_by else row.set_by_name},
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def render_set_aside(row: SetAside) -> dict[str, Any]:
    return {
        "exercise": row.exercise.slug,
        "exercise_title": row.exercise.name,
        "by": row.by,
        "by_name": row.by_name,
        "reason": row.reason,
        "created_at": row.created_at.isoformat(),
    }


def render_pain_rule(rule: PainRule | None) -> dict[str, Any]:
    limits = (
        PainLimits()
        if rule is None
        else PainLimits(rule.during_max, rule.morning_rise_max, rule.regress_after)
    )
    return {
        "during_max": limits.during_max,
        "morning_rise_max": limits.morning_rise_max,
        "regress_after": limits.regress_after,
        "set_by": None if rule is None else {"id": rule.set_by_id, "name": rule.set_by_name},
        "updated_at": None if rule is None else rule.updated_at.isoformat(),
        "is_default": rule is None,
    }


class PlanProfileSerializer(ProfileSerializer):
    """/api/v1/me/ with the pain rule the person's plan follows (set by their clinician)."""

    pain_rule = PainRuleSerializer(read_only=True)

    class Meta(ProfileSerializer.Meta):
        fields = [*ProfileSerializer.Meta.fields, "pain_rule"]
