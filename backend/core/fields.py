"""Serializer fields shared by the apps."""

from __future__ import annotations

import datetime as dt
import re

from rest_framework import serializers

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Calendar dates outside this range are refused: nobody logs back pain in year 1 or
# 9999, and date arithmetic near the edges would overflow.
MIN_YEAR = 2000
MAX_YEAR = 2100


class CalendarDateField(serializers.DateField):
    """A ``YYYY-MM-DD`` local date with messages that say what is wrong with it."""

    default_error_messages = {
        "invalid": "Use a date in the form YYYY-MM-DD.",
        "impossible": "{value} is not a date on the calendar.",
        "out_of_range": f"Use a date between {MIN_YEAR} and {MAX_YEAR}.",
    }

    def to_internal_value(self, value: object) -> dt.date:
        if isinstance(value, dt.datetime) or not isinstance(value, str | dt.date):
            self.fail("invalid")
        if isinstance(value, str):
            value = value.strip()
            if not _ISO_DATE.match(value):
                self.fail("invalid")
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                self.fail("impossible", value=value)
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            self.fail("out_of_range")
        return value


class StrictCharField(serializers.CharField):
    """Text that must arrive as a JSON string: DRF's CharField would turn 5 or 2.5 into
    "5", hiding a client's mistake (and accepting data the schema says is wrong)."""

    def to_internal_value(self, data: object) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A whole number that must arrive as a JSON number: DRF's IntegerField reads "5" as
    5, and Python reads ``true`` as 1."""

    def to_internal_value(self, data: object) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictUUIDField(serializers.UUIDField):
    """A UUID that must arrive as a JSON string: DRF's UUIDField reads a number (or
    ``false``) as the UUID of that integer."""

    def to_internal_value(self, data: object) -> object:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class QuerySerializer(serializers.Serializer):
    """Validates query parameters; a parameter given empty (``?days=``) is an error,
    not a silent default: the client meant something and should hear it was wrong."""

    def to_internal_value(self, data):
        blank = {
            name: ["This parameter is empty: give a value or leave it out."]
            for name, field in self.fields.items()
            if hasattr(data, "get") and data.get(name) == "" and not getattr(field, "allow_blank", False)
        }
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)


class IdConverter:
    """Path ids: 1 to 18 digits, so every id fits a 64-bit database column (a longer
    one is a plain 404, not an overflow in the database)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
