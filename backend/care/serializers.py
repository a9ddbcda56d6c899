from __future__ import annotations

from rest_framework import serializers

from backend.care.models import SCOPES, AccessLogEntry, CareLink, ClinicianNote
from backend.core.fields import StrictCharField
from backend.tracker.models import SafetyAlert


class ShareCodeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Give this to your clinician; it works once, for 24 hours.")
    expires_at = serializers.DateTimeField()


class RedeemSerializer(serializers.Serializer):
    code = StrictCharField(max_length=64, help_text="The code the patient gave you.")


class PartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()


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
    flare = serializers.BooleanField(
        required=False, help_text="In flare-up mode now (its days are not due); always sent by this server."
    )


class NoteSerializer(serializers.ModelSerializer):
    text = StrictCharField(max_length=10000, trim_whitespace=True)

    class Meta:
        model = ClinicianNote
        fields = ["id", "text", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class AccessLogSerializer(serializers.ModelSerializer):
    clinician = serializers.EmailField(source="clinician_email")

    class Meta:
        model = AccessLogEntry
        fields = ["clinician", "what", "at", "ip"]
