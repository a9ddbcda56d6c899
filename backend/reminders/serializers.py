from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec
from rest_framework import serializers

from backend.reminders.endpoints import MAX_ENDPOINT_LENGTH
from backend.reminders.models import MAX_EVERY_MINUTES, MAX_TIMES, MIN_EVERY_MINUTES, Kind, ReminderRule
from backend.reminders.schedule import HHMM
from backend.reminders.vapid import b64url_decode


class LocalTimeField(serializers.RegexField):
    """A local wall-clock time "HH:MM", 00:00 to 23:59."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("error_messages", {"invalid": 'Use a time of day "HH:MM" between 00:00 and 23:59.'})
        super().__init__(HHMM, **kwargs)


def _time_pair(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=LocalTimeField(),
        min_length=2,
        max_length=2,
        required=False,
        allow_null=True,
        help_text=help_text,
    )


class ReminderRuleSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    times = serializers.ListField(
        child=LocalTimeField(),
        max_length=MAX_TIMES,
        required=False,
        help_text='Local times "HH:MM" the reminder fires; or use every_minutes with a window.',
    )
    every_minutes = serializers.IntegerField(
        min_value=MIN_EVERY_MINUTES,
        max_value=MAX_EVERY_MINUTES,
        required=False,
        allow_null=True,
        help_text="Fire every so many minutes from the window's start to its end.",
    )
    window = _time_pair('Daily local window ["HH:MM", "HH:MM"] for every_minutes; the end after the start.')
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        min_length=1,
        max_length=7,
        required=False,
        help_text="Days it fires, Monday=0 to Sunday=6; every day when left out.",
    )
    quiet_hours = _time_pair(
        'Local ["HH:MM", "HH:MM"] when nothing fires; may wrap midnight (["22:00", "07:00"]).'
    )
    enabled = serializers.BooleanField(required=False, default=True)

    class Meta:
        model = ReminderRule
        fields = [
            "id",
            "kind",
            "times",
            "every_minutes",
            "window",
            "weekdays",
            "quiet_hours",
            "enabled",
            "next_fire_at",
        ]
        read_only_fields = ["id", "next_fire_at"]
        extra_kwargs = {"next_fire_at": {"help_text": "When it fires next (UTC); null when disabled."}}


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=128, help_text="The browser's P-256 public key, base64url.")
    auth = serializers.CharField(max_length=64, help_text="The 16-byte auth secret, base64url.")

    def validate_p256dh(self, value: str) -> str:
        try:
            raw = b64url_decode(value)
        except ValueError:
            raw = b""
        try:
            if len(raw) != 65:
                raise ValueError
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise serializers.ValidationError("Not a P-256 public key (65 bytes, base64url).") from None
        return value

    def validate_auth(self, value: str) -> str:
        try:
            raw = b64url_decode(value)
        except ValueError:
            raw = b""
        if len(raw) != 16:
            raise serializers.ValidationError("The auth secret is 16 bytes, base64url.")
        return value


class PushSubscriptionSerializer(serializers.Serializer):
    """The browser's ``PushSubscription.toJSON()``."""

    endpoint = serializers.CharField(max_length=MAX_ENDPOINT_LENGTH)
    keys = PushKeysSerializer()
    expirationTime = serializers.IntegerField(
        required=False, allow_null=True, write_only=True, help_text="Ignored: push services say 410 instead."
    )


class PushSubscriptionDeleteSerializer(serializers.Serializer):
    endpoint = serializers.CharField(max_length=MAX_ENDPOINT_LENGTH)


class PublicKeySerializer(serializers.Serializer):
    public_key = serializers.CharField(
        help_text="VAPID application server key, base64url (for applicationServerKey)."
    )


class ReminderTestSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The delivery queued.")
    devices = serializers.IntegerField(help_text="Push subscriptions it goes to; 0 means by email.")
