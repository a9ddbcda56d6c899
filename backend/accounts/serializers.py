from rest_framework import serializers

from backend.accounts.models import User
from backend.accounts.timezones import local_today, validate_timezone
from backend.core.fields import StrictCharField


class MeSerializer(serializers.ModelSerializer):
    timezone = StrictCharField(max_length=64, validators=[validate_timezone])
    today = serializers.SerializerMethodField(help_text="The user's current local date, in their time zone.")

    class Meta:
        model = User
        fields = ["id", "email", "role", "timezone", "today", "date_joined"]
        read_only_fields = ["id", "email", "role", "today", "date_joined"]

    def get_today(self, user: User) -> str:
        return local_today(user.timezone).isoformat()


class EraseSerializer(serializers.Serializer):
    password = StrictCharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
