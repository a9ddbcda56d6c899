"""Query strings of the history and summary endpoints, for the patient's own views and
the clinician's views of a patient alike."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from backend.core.fields import CalendarDateField, QuerySerializer

MAX_RANGE_DAYS = 366


class RangeQuerySerializer(QuerySerializer):
    to = CalendarDateField(required=False, help_text="Last local date (default: today).")

    def get_fields(self) -> dict:
        fields = super().get_fields()
        # "from" is a Python keyword, so it cannot be a class attribute.
        fields["from"] = CalendarDateField(
            required=False, help_text="First local date (default: 27 days before 'to')."
        )
        return fields

    def validate(self, attrs: dict) -> dict:
        end = attrs.get("to") or self.context["today"]
        start = attrs.get("from") or end - dt.timedelta(days=27)
        if start > end:
            raise serializers.ValidationError({"from": ["'from' must not be after 'to'."]})
        if (end - start).days >= MAX_RANGE_DAYS:
            raise serializers.ValidationError({"from": [f"Ask for at most {MAX_RANGE_DAYS} days at a time."]})
        return {"start": start, "end": end}


RANGE_PARAMETERS = [
    OpenApiParameter("from", str, description="YYYY-MM-DD, default 27 days before 'to'."),
    OpenApiParameter("to", str, description="YYYY-MM-DD, default today (local)."),
]


class SummaryQuerySerializer(QuerySerializer):
    days = serializers.ChoiceField(
        choices=[7, 28, 90],
        required=False,
        default=7,
        error_messages={"invalid_choice": "days must be 7, 28 or 90."},
    )

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        values["days"] = int(values["days"])
        return values
