from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.emergency import call_for, lines_for, validate_country
from backend.accounts.models import DAILY_MINUTES_MAX, DAILY_MINUTES_MIN, DISPLAY_NAME_MAX, User
from backend.accounts.timezones import local_today, validate_timezone
from backend.core.fields import StrictCharField, StrictIntegerField


class CrisisLineSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField(required=False)
    url = serializers.CharField(required=False)


class CallSerializer(serializers.Serializer):
    """A number to tap: ``{"number": "112", "label": "Call 112"}``."""

    number = serializers.CharField()
    label = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    display_name = StrictCharField(
        max_length=DISPLAY_NAME_MAX,
        allow_blank=True,
        required=False,
        help_text="How you are named to the people you share with (a clinician: to their patients). "
        "Blank: your email address is shown.",
        error_messages={"max_length": f"Keep the name to {DISPLAY_NAME_MAX} characters or fewer."},
    )
    timezone = StrictCharField(max_length=64, validators=[validate_timezone])
    country = StrictCharField(
        max_length=2,
        allow_blank=True,
        allow_null=True,
        required=False,
        validators=[validate_country],
        help_text="ISO 3166-1 alpha-2, for who to call in an emergency. Unless set, the time "
        "zone's country (null where that is unknown); send null or '' to follow the time zone again.",
    )
    daily_minutes = StrictIntegerField(
        min_value=DAILY_MINUTES_MIN,
        max_value=DAILY_MINUTES_MAX,
        allow_null=True,
        required=False,
        help_text="Minutes a day to practise: what does not fit is optional in the plan. Null: no budget.",
        error_messages={
            "min_value": f"Choose between {DAILY_MINUTES_MIN} and {DAILY_MINUTES_MAX} minutes, or null.",
            "max_value": f"Choose between {DAILY_MINUTES_MIN} and {DAILY_MINUTES_MAX} minutes, or null.",
            "invalid": f"A whole number of minutes between {DAILY_MINUTES_MIN} and {DAILY_MINUTES_MAX}, or null.",
        },
    )
    today = serializers.SerializerMethodField(help_text="The user's current local date, in their time zone.")
    emergency_number = serializers.SerializerMethodField(
        help_text="The number to call in an emergency where the user lives (112 where unknown)."
    )
    screening = serializers.DictField(
        child=serializers.BooleanField(),
        read_only=True,
        help_text="The history questions answered (PUT /api/v1/me/screening/): rule id -> yes (true) or no.",
    )
    crisis_lines = serializers.SerializerMethodField(help_text="People to talk to when things feel too much.")
    urgent_call = serializers.SerializerMethodField(
        help_text="The country's line for medical help today (not an emergency), where it has one: "
        "what an urgent answer offers to call, offline too."
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "role",
            "timezone",
            "country",
            "emergency_number",
            "crisis_lines",
            "urgent_call",
            "screening",
            "daily_minutes",
            "today",
            "date_joined",
        ]
        read_only_fields = ["id", "email", "role", "screening", "today", "date_joined"]

    def validate_display_name(self, value: str) -> str:
        # One line of printable text: a newline or a control character would break
        # every place the name is shown ("Set by Dr Rao").
        if any(not ch.isprintable() for ch in value):
            raise serializers.ValidationError("Use letters, spaces and punctuation, on one line.")
        return " ".join(value.split())

    def validate_country(self, value: str | None) -> str:
        return value or ""

    def to_representation(self, instance: User) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["country"] = instance.effective_country
        return data

    def get_today(self, user: User) -> str:
        return local_today(user.timezone).isoformat()

    def get_emergency_number(self, user: User) -> str:
        return lines_for(user.effective_country).emergency.number

    @extend_schema_field(CallSerializer(allow_null=True))
    def get_urgent_call(self, user: User) -> dict[str, str] | None:
        return call_for("urgent", user.effective_country)

    @extend_schema_field(CrisisLineSerializer(many=True))
    def get_crisis_lines(self, user: User) -> list[dict[str, str]]:
        return [dict(line) for line in lines_for(user.effective_country).crisis_lines]


class EraseSerializer(serializers.Serializer):
    password = StrictCharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
