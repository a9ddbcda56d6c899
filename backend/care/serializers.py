from __future__ import annotations

from rest_framework import serializers

from backend.care.models import SCOPES, AccessLogEntry, CareLink, ClinicianNote
from backend.core.fields import StrictCharField
from backend.outcomes.serializers import PatientOutcomeSerializer
from backend.tracker.models import SafetyAlert
from backend.tracker.serializers import FlareSerializer


class ShareCodeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Give this to your clinician; it works once, for 24 hours.")
    expires_at = serializers.DateTimeField()


class RedeemSerializer(serializers.Serializer):
    code = StrictCharField(max_length=64, help_text="The code the patient gave you.")


class PartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField(help_text="Their display name, else their email address.")


class CareLinkSerializer(serializers.ModelSerializer):
    patient = PartySerializer()
    clinician = PartySerializer()

    class Meta:
        model = CareLink
        fields = ["id", "patient", "clinician", "created_at", "scopes"]


class ScopesSerializer(serializers.Serializer):
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPES),
        max_length=len(SCOPES),
        help_text="Add 'journal' to share it.",
    )


class AlertSerializer(serializers.ModelSerializer):
    acknowledged_by = serializers.EmailField(source="acknowledged_by.email", allow_null=True, default=None)

    class Meta:
        model = SafetyAlert
        fields = [
            "id",
            "level",
            "date",
            "red_flags",
            "created_at",
            "acknowledged_at",
            "acknowledged_by",
            "withdrawn_at",
        ]


class OpenAlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    level = serializers.ChoiceField(choices=["see_doctor", "urgent", "emergency"])
    date = serializers.DateField()
    red_flags = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()


class PatientRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    linked_since = serializers.DateTimeField()
    scopes = serializers.ListField(child=serializers.CharField())
    adherence_7 = serializers.FloatField(allow_null=True)
    adherence_28 = serializers.FloatField(allow_null=True)
    today = serializers.DateField(help_text="The patient's local date: how long ago last_checkin was.")
    last_checkin = serializers.DateField(allow_null=True)
    latest_pain = serializers.IntegerField(allow_null=True)
    latest_stress = serializers.IntegerField(allow_null=True)
    pain_trend = serializers.ChoiceField(choices=["up", "down", "flat"], allow_null=True)
    stress_trend = serializers.ChoiceField(choices=["up", "down", "flat"], allow_null=True)
    open_alerts = OpenAlertSerializer(many=True)
    attention = serializers.ListField(
        child=serializers.CharField(), help_text="Why this patient is near the top."
    )
    name = serializers.CharField(help_text="The patient's display name, else their email address.")
    flare = FlareSerializer(
        allow_null=True, help_text="The flare-up mode running now (its days are not due), or null."
    )
    on_hold = serializers.BooleanField(
        help_text="A safety hold (an urgent or emergency answer) pauses their exercises now."
    )
    outcomes = PatientOutcomeSerializer(
        many=True, help_text="Each questionnaire answered: latest score and change since the baseline."
    )


class NoteSerializer(serializers.ModelSerializer):
    text = StrictCharField(max_length=10000, trim_whitespace=True)

    class Meta:
        model = ClinicianNote
        fields = ["id", "text", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class AccessLogClinicianSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The clinician's display name, else their email address.")
    email = serializers.EmailField()


class AccessLogSerializer(serializers.Serializer):
    """One row of "who read or changed what, when"."""

    clinician = AccessLogClinicianSerializer()
    what = serializers.CharField(help_text="What was read or done, in a few plain words.")
    text = serializers.CharField(help_text="The row as a sentence: 'Dr Rao looked at your plan'.")
    at = serializers.DateTimeField()
    ip = serializers.IPAddressField(allow_null=True)


# What each access-log row says to the patient ("Dr Rao looked at your plan").
ACCESS_WORDS = {
    "profile": "looked at your profile",
    "summary": "looked at your progress",
    "logs": "looked at your sessions and check-ins",
    "journal": "read your journal",
    "alerts": "looked at your safety alerts",
    "alert acknowledged": "saw one of your safety alerts and marked it as dealt with",
    "patient list": "saw you in their list of patients",
    "safety hold released": "released your safety hold",
    "safety hold (none open)": "went to release your safety hold (none was open)",
    "plan": "looked at your plan",
    "prescriptions": "looked at the exercises they set for you",
    "prescription added": "added an exercise to your plan",
    "prescription changed": "changed an exercise in your plan",
    "prescription ended": "took back an exercise they had set",
    "exclusions": "looked at the exercises set aside from your plan",
    "exercise set aside": "set an exercise aside from your plan",
    "exercise brought back": "brought an exercise back into your plan",
    "pain rule": "looked at your pain rule",
    "pain rule changed": "changed your pain rule",
}


def access_words(what: str) -> str:
    if what.startswith("export"):
        return "downloaded your data"
    if what.startswith("report"):
        return "downloaded your visit report"
    return ACCESS_WORDS.get(what, f"looked at your {what}")


def render_access(entry: AccessLogEntry) -> dict:
    """An access-log row for the patient (``AccessLogSerializer``); the clinician row
    comes with it (``selectors.access_log``)."""
    name = entry.clinician.name if entry.clinician is not None else entry.clinician_email
    return {
        "clinician": {"name": name, "email": entry.clinician_email},
        "what": entry.what,
        "text": f"{name} {access_words(entry.what)}",
        "at": entry.at.isoformat(),
        "ip": entry.ip,
    }
