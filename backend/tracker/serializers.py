"""Validation of synced entries, and the documented shapes of what the tracker sends.

No writes and no rendering here: a stored entry is rendered by ``entries.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from backend.accounts.serializers import CallSerializer, MeSerializer
from backend.core.fields import (
    CalendarDateField,
    QuerySerializer,
    StrictCharField,
    StrictIntegerField,
    StrictUUIDField,
)
from backend.outcomes.instruments import instruments
from backend.outcomes.serializers import OutcomeChangeSerializer, OutcomePointSerializer
from backend.programs.lessons import lesson_catalog
from backend.programs.schedule import FLARE_PROGRAM, RX_PROGRAM, parse_item_id
from backend.tracker import selectors
from backend.tracker.entries import (
    ENTRY_TYPES,
    FEELING_MAX,
    JOURNAL_TEXT_MAX,
    JOURNAL_WRITTEN,
    NOTE_MAX,
    OFFSET,
    Rejected,
)
from backend.tracker.entry_checks import quick_entry
from backend.tracker.factors import LABEL_MAX, MAX_FACTORS, fold_factors
from backend.tracker.models import CheckIn, SessionLog
from backend.tracker.safety import safety_rules

PAIN_AREAS = ("neck_shoulders", "upper_back", "lower_back", "legs")
# A client's clock may run ahead a little; a whole day ahead is a broken clock, and
# would let that device's edits win every future merge.
MAX_CLOCK_AHEAD = dt.timedelta(hours=24)
# Versions are a user's change counter (a bigint); anything beyond was not given by us.
MAX_VERSION = 2**62


class EntryDateField(CalendarDateField):
    """A local date that is not in the future in the user's time zone.

    One day of slack allows for a phone whose zone runs ahead of the profile's
    (travel); two days ahead is refused.
    """

    def to_internal_value(self, value: object) -> dt.date:
        day = super().to_internal_value(value)
        today = self.context.get("today")
        if today is not None and day > today + dt.timedelta(days=1):
            raise serializers.ValidationError(
                f"{day.isoformat()} is in the future (today is {today.isoformat()})."
            )
        return day


class NullableInt(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, allow_null=True, **kwargs)


def _text(max_length: int) -> serializers.CharField:
    return StrictCharField(required=False, allow_blank=True, max_length=max_length, trim_whitespace=True)


class SessionDataSerializer(serializers.Serializer):
    date = EntryDateField()
    item_id = StrictCharField(max_length=160)
    status = serializers.ChoiceField(choices=SessionLog.Status.choices)
    sets = NullableInt(min_value=0, max_value=100)
    reps = NullableInt(min_value=0, max_value=1000)
    hold_seconds = NullableInt(min_value=0, max_value=7200)
    duration_seconds = NullableInt(min_value=0, max_value=86400)
    effort = NullableInt(min_value=0, max_value=10)
    pain_before = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=10,
        help_text="Pain (0-10) just before; optional.",
    )
    pain_after = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=10,
        help_text="Pain (0-10) just after; optional.",
    )
    note = _text(NOTE_MAX)

    def validate(self, attrs: dict) -> dict:
        parsed = parse_item_id(attrs["item_id"])
        if parsed is None:
            raise serializers.ValidationError(
                {"item_id": ["Use the item's id from the plan (program:item:date)."]}
            )
        program, _key, day = parsed
        if day != attrs["date"]:
            raise serializers.ValidationError({"item_id": ["This item belongs to another date than 'date'."]})
        known = self.context.get("program_slugs")
        if known is not None and program not in known and program not in (FLARE_PROGRAM, RX_PROGRAM):
            raise serializers.ValidationError({"item_id": [f"There is no program called '{program}'."]})
        attrs["program"] = program
        return attrs


class CheckInDataSerializer(serializers.Serializer):
    date = EntryDateField()
    # null: not answered. A slider left alone is not a 0, which would skew the means.
    pain = serializers.IntegerField(min_value=0, max_value=10, allow_null=True)
    pain_areas = serializers.ListField(
        child=serializers.ChoiceField(choices=PAIN_AREAS), required=False, max_length=len(PAIN_AREAS)
    )
    stress = serializers.IntegerField(min_value=0, max_value=10, allow_null=True)
    sleep_hours = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=24)
    sleep_quality = NullableInt(min_value=1, max_value=5)
    mood = NullableInt(min_value=1, max_value=5)
    red_flags = serializers.ListField(child=StrictCharField(max_length=64), required=False, max_length=50)
    note = _text(NOTE_MAX)
    # --- Issue 17: stress factors.
    factors = serializers.ListField(
        child=serializers.JSONField(),
        required=False,
        help_text=f"What weighed on the day: built-in slugs (GET /api/v1/factors/) or the person's own "
        f"labels (1-{LABEL_MAX} characters after trimming); at most {MAX_FACTORS}; duplicates are folded.",
    )

    def validate_factors(self, value: list[Any]) -> list[str]:
        # One message for the whole list: a per-index error map reads badly on a phone.
        return fold_factors(value)

    def validate_pain_areas(self, value: list[str]) -> list[str]:
        return sorted(set(value), key=PAIN_AREAS.index)

    def validate_red_flags(self, value: list[str]) -> list[str]:
        rules = safety_rules()
        unknown = [flag for flag in value if flag not in rules.rules]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown red-flag ids: {', '.join(sorted(set(unknown)))[:200]}."
            )
        history = sorted({flag for flag in value if rules.rules[flag].asked != "daily"})
        if history:
            # History is answered once, in the screening: a yes every day would repeat its advice daily.
            raise serializers.ValidationError(
                f"These are history questions, answered in the screening, not in a check-in: "
                f"{', '.join(history)[:200]}."
            )
        return sorted(set(value))

    def validate_sleep_hours(self, value: float | None) -> float | None:
        return None if value is None else round(value, 1)


class JournalDataSerializer(serializers.Serializer):
    date = EntryDateField()
    feeling = _text(FEELING_MAX)
    want_to_feel = _text(FEELING_MAX)
    gratitude = serializers.ListField(child=StrictCharField(max_length=200), required=False, max_length=3)
    text = _text(JOURNAL_TEXT_MAX)
    # --- Issue 17: the reframing prompts, as long as text may be.
    in_control = _text(JOURNAL_TEXT_MAX)
    anxious_thought = _text(JOURNAL_TEXT_MAX)
    kinder_view = _text(JOURNAL_TEXT_MAX)

    def validate(self, attrs: dict) -> dict:
        if not any(attrs.get(name) for name in JOURNAL_WRITTEN):
            raise serializers.ValidationError({"text": ["Write at least one thing before saving."]})
        return attrs


DATA_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    "session": SessionDataSerializer,
    "checkin": CheckInDataSerializer,
    "journal": JournalDataSerializer,
}


# --- Lessons read (issue 17) ------------------------------------------------------


class LessonDataSerializer(serializers.Serializer):
    date = EntryDateField(help_text="The local date the lesson was read.")
    lesson = StrictCharField(max_length=64, help_text="A lesson's slug from /api/v1/lessons/.")
    status = serializers.ChoiceField(
        choices=[("read", "Read")],
        error_messages={
            "invalid_choice": "A lesson is logged as 'read'; to make it unread, delete the entry."
        },
    )

    def validate_lesson(self, value: str) -> str:
        if value not in lesson_catalog():
            raise serializers.ValidationError(f"There is no lesson called '{value[:64]}'.")
        return value


DATA_SERIALIZERS["lesson"] = LessonDataSerializer


# --- Questionnaire answers (issue 18) ---------------------------------------------


class QuestionnaireDataSerializer(serializers.Serializer):
    date = EntryDateField(help_text="The local date the questionnaire was answered.")
    questionnaire = StrictCharField(
        max_length=32, help_text="An instrument's slug from /api/v1/questionnaires/."
    )
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Item id -> the chosen answer's value; every item answered.",
    )
    score = serializers.FloatField(read_only=True, help_text="Worked out by the server from the answers.")
    band = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The published band or risk group, if the instrument has them.",
    )
    subscores = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Subscale scores, e.g. anxiety and depression.",
    )

    def validate_questionnaire(self, value: str) -> str:
        if value not in instruments():
            raise serializers.ValidationError(f"There is no questionnaire called '{value[:32]}'.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instrument = instruments()[attrs["questionnaire"]]
        errors = instrument.validate(attrs["answers"])
        if errors:
            raise serializers.ValidationError(
                {"answers": {key or "non_field_errors": [message] for key, message in errors.items()}}
            )
        attrs["answers"] = {item.id: attrs["answers"][item.id] for item in instrument.items}
        return attrs


DATA_SERIALIZERS["questionnaire"] = QuestionnaireDataSerializer
# ---------------------------------------------------------------------------------


class TombstoneDataSerializer(serializers.Serializer):
    date = CalendarDateField(required=False)


class OffsetDateTimeField(serializers.DateTimeField):
    """An instant that states its UTC offset: a bare local time is ambiguous."""

    def to_internal_value(self, value: object) -> dt.datetime:
        if isinstance(value, str) and not _has_offset(value):
            raise serializers.ValidationError("Include a UTC offset, e.g. 2026-11-20T08:15:00+01:00.")
        return super().to_internal_value(value)


class EntrySerializer(serializers.Serializer):
    """One synced entry. Built once per batch and reused with ``run_validation``:
    building DRF serializers per entry (deep-copying their fields) cost more than
    everything else in a 500-entry sync."""

    client_id = serializers.UUIDField()
    type = serializers.ChoiceField(choices=ENTRY_TYPES)
    updated_at = OffsetDateTimeField()
    deleted = serializers.BooleanField(required=False, default=False)
    data = serializers.DictField(required=False, default=dict)
    base_version = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_VERSION
    )
    device = StrictCharField(required=False, allow_blank=True, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._data_validators = {
            kind: serializer_class(context=self.context)
            for kind, serializer_class in DATA_SERIALIZERS.items()
        }
        self._tombstone_validator = TombstoneDataSerializer(context=self.context)

    def validate_updated_at(self, value: dt.datetime) -> dt.datetime:
        now = self.context["now"]
        if value > now + MAX_CLOCK_AHEAD:
            raise serializers.ValidationError("This time is more than a day ahead: check the device's clock.")
        return value

    def validate(self, attrs: dict) -> dict:
        validator = self._tombstone_validator if attrs["deleted"] else self._data_validators[attrs["type"]]
        # Field errors of the entry's data are named as in the contract ("pain").
        attrs["data"] = validator.run_validation(attrs["data"])
        return attrs

    def check(self, raw: Any) -> tuple[dict | None, dict | None]:
        """(validated entry, None) or (None, field errors) for one raw entry."""
        try:
            return self.run_validation(raw), None
        except serializers.ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            return None, serializers.as_serializer_error(serializers.ValidationError(detail))


def _has_offset(value: str) -> bool:
    return OFFSET.search(value.strip()) is not None


class _EntryIn(serializers.Serializer):
    """Documentation of one posted entry (validated by ``EntrySerializer``)."""

    client_id = serializers.UUIDField(help_text="Made by the device; unique among the user's entries.")
    updated_at = serializers.DateTimeField(help_text="The device's time of the edit, with its UTC offset.")
    deleted = serializers.BooleanField(
        required=False, default=False, help_text="A tombstone: data keeps only date."
    )
    base_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="The version the edit was made from (from a pull or a result); 0 for an entry this "
        "device created. Without it, the later updated_at wins.",
    )
    device = serializers.CharField(
        required=False,
        max_length=64,
        help_text="An id of the app's installation, the same for all its entries.",
    )


class SessionEntryIn(_EntryIn):
    type = serializers.ChoiceField(choices=["session"])
    data = SessionDataSerializer()


class CheckInEntryIn(_EntryIn):
    type = serializers.ChoiceField(choices=["checkin"])
    data = CheckInDataSerializer()


class JournalEntryIn(_EntryIn):
    type = serializers.ChoiceField(choices=["journal"])
    data = JournalDataSerializer()


class LessonEntryIn(_EntryIn):
    type = serializers.ChoiceField(choices=["lesson"])
    data = LessonDataSerializer()


class QuestionnaireEntryIn(_EntryIn):
    type = serializers.ChoiceField(choices=["questionnaire"])
    data = QuestionnaireDataSerializer()


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="SyncEntryIn",
        serializers={
            "session": SessionEntryIn,
            "checkin": CheckInEntryIn,
            "journal": JournalEntryIn,
            "lesson": LessonEntryIn,
            "questionnaire": QuestionnaireEntryIn,
        },
        resource_type_field_name="type",
    )
)
class RawEntryField(serializers.JSONField):
    """One entry as the JSON parser gave it, whatever it is (null, a number, a list):
    entries are validated one by one by ``validate_entries``, so a bad one is answered
    "rejected" and the rest still applied. DRF's JSONField would refuse here, for the
    whole batch, a number JSON cannot write back (``1e400`` parses as infinity)."""

    def run_validation(self, data: object = serializers.empty) -> object:
        return data


class SyncRequestSerializer(serializers.Serializer):
    """The envelope; entries are validated one by one so a bad one sinks only itself."""

    entries = serializers.ListField(
        child=RawEntryField(),
        allow_empty=True,
        max_length=500,
        # Typed in the schema, but a malformed entry is not a 400: it gets a "rejected"
        # result, so the rest of the batch is still applied.
        help_text="At most 500 entries and 1 MB a batch; an entry that breaks its schema is "
        "answered 'rejected' with its errors, the others are applied. An edit from the stored "
        "version is applied whatever its updated_at; from an older one it is a conflict (another "
        "device's edit reached the server first), unless this device wrote the stored copy from "
        "that same version and this edit is later (its answer was lost). Without base_version the "
        "later updated_at wins, if it is later than every updated_at stored for the entry.",
    )
    cursor = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="This device's pull cursor, so the answer's cursor can move past its batch.",
    )

    default_error_messages = {
        "max_length": "A sync batch can hold at most 500 entries; send the rest next time."
    }


def validate_entries(
    raw_entries: list[Any], *, today: dt.date, now: dt.datetime, quick: bool = True
) -> list[dict | Rejected]:
    """Each raw entry of a batch, validated (a dict) or refused (``Rejected``), in order:
    a bad entry sinks only itself. One validator serves the whole batch.

    ``quick=False`` validates every entry with the serializers (tests compare the two)."""
    named = {
        _program_of(raw) for raw in raw_entries if isinstance(raw, dict) and raw.get("type") == "session"
    }
    named.discard(None)  # a malformed item id is refused by validation, whatever the catalog holds
    context: dict[str, Any] = {"today": today, "now": now}
    if named:
        context["program_slugs"] = selectors.program_slugs(named)  # type: ignore[arg-type]
    context["clock_ahead"] = MAX_CLOCK_AHEAD
    validator: EntrySerializer | None = None
    checked: list[dict | Rejected] = []
    for raw in raw_entries:
        if not isinstance(raw, dict):
            checked.append(Rejected(None, {"non_field_errors": ["Each entry must be a JSON object."]}))
            continue
        # The plain entries phones send are checked in plain Python; the serializer
        # (built only when needed) decides the rest, and words every refusal.
        entry = quick_entry(raw, context, _TIMESTAMP) if quick else None
        if entry is None:
            if validator is None:
                validator = EntrySerializer(context=context)
            entry, errors = validator.check(raw)
            if errors is not None:
                checked.append(_rejected(raw, errors))
                continue
        checked.append(entry)
    return checked


# Only its time zone rule is used, by ``quick_entry``.
_TIMESTAMP = OffsetDateTimeField()


def _program_of(raw: dict) -> str | None:
    """The program a raw session entry names, if its item id is well formed."""
    data = raw.get("data")
    item_id = data.get("item_id") if isinstance(data, dict) else None
    parsed = parse_item_id(item_id) if isinstance(item_id, str) else None
    return parsed[0] if parsed else None


def _rejected(raw: dict, errors: dict) -> Rejected:
    client_id = raw.get("client_id")
    if not isinstance(client_id, str) or len(client_id) > 64:
        client_id = None
    flags = None
    # Even a refused check-in must not hide an emergency from the person.
    if raw.get("type") == "checkin" and isinstance(raw.get("data"), dict):
        given = raw["data"].get("red_flags")
        known = safety_rules().rules
        if isinstance(given, list) and given and all(isinstance(f, str) and f in known for f in given):
            # A history id sent by mistake must not hide the daily answers beside it.
            flags = [f for f in given if known[f].asked == "daily"] or None
    return Rejected(client_id, errors, flags)


class ScreeningSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.BooleanField(),
        help_text="The history questions (safety rules asked once) by id: true (yes) or false (no).",
    )

    def validate_answers(self, value: dict[str, bool]) -> dict[str, bool]:
        rules = safety_rules().rules
        wrong = sorted(key for key in value if key not in rules or rules[key].asked != "once")
        if wrong:
            raise serializers.ValidationError(
                f"Only history questions (asked once) are answered here: {', '.join(wrong)[:200]}."
            )
        return value


class SyncQuerySerializer(QuerySerializer):
    cursor = serializers.CharField(required=False, allow_blank=True, max_length=32)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=500)


# --- Schema-only serializers (documentation of the JSON shapes) ---------------


class _EntryOut(serializers.Serializer):
    client_id = serializers.UUIDField()
    updated_at = serializers.DateTimeField(help_text="The device's time of the edit that wrote this content.")
    deleted = serializers.BooleanField(help_text="A tombstone: data holds only date.")
    version = serializers.IntegerField(
        help_text="The server's version of this entry: it grows with each stored change. "
        "Send it back as base_version when editing this copy."
    )


class SessionEntryOut(_EntryOut):
    type = serializers.ChoiceField(choices=["session"])
    data = SessionDataSerializer()


class CheckInEntryOut(_EntryOut):
    type = serializers.ChoiceField(choices=["checkin"])
    data = CheckInDataSerializer()


class JournalEntryOut(_EntryOut):
    type = serializers.ChoiceField(choices=["journal"])
    data = JournalDataSerializer()


class LessonEntryOut(_EntryOut):
    type = serializers.ChoiceField(choices=["lesson"])
    data = LessonDataSerializer()


class QuestionnaireEntryOut(_EntryOut):
    type = serializers.ChoiceField(choices=["questionnaire"])
    data = QuestionnaireDataSerializer()


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="SyncEntry",
        serializers={
            "session": SessionEntryOut,
            "checkin": CheckInEntryOut,
            "journal": JournalEntryOut,
            "lesson": LessonEntryOut,
            "questionnaire": QuestionnaireEntryOut,
        },
        resource_type_field_name="type",
    )
)
class SyncEntryField(serializers.JSONField):
    """An entry as the server sends it (rendered by ``entries.render_entry``)."""


class SafetySerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=CheckIn.Safety.choices)
    title = serializers.CharField()
    message = serializers.CharField(help_text="The message of the highest level answered only.")
    call = CallSerializer(
        required=False,
        help_text="emergency: the emergency number where the person lives (112 where unknown); "
        "urgent: the country's urgent medical line, where it has one.",
    )


class SafetyHoldSerializer(serializers.Serializer):
    """The open safety hold: exercises paused since an urgent or emergency answer."""

    level = serializers.ChoiceField(choices=["urgent", "emergency"])
    since = serializers.DateTimeField(help_text="When the server opened it.")
    check_in = serializers.UUIDField(
        allow_null=True, help_text="client_id of the check-in that holds the plan."
    )


class FlareSerializer(serializers.Serializer):
    """Flare-up mode, running: the flare plan instead of the usual one, nothing due."""

    started_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="48 hours after started_at, unless ended sooner.")


class FlareStartSerializer(serializers.Serializer):
    started_at = OffsetDateTimeField(
        required=False,
        help_text="When the phone started it (offline, before the server heard): not in the future, "
        "not 48 hours ago or more. Defaults to now.",
    )


FEELINGS = ["better", "same", "worse"]


class FlareCheckInAnswerSerializer(serializers.Serializer):
    feeling = serializers.ChoiceField(choices=FEELINGS)
    at = serializers.DateTimeField()


class FlareRecordSerializer(FlareSerializer):
    ended_at = serializers.DateTimeField(allow_null=True)
    ended_by = serializers.ChoiceField(choices=["ended", "expired"], allow_null=True)
    check_in = FlareCheckInAnswerSerializer(
        allow_null=True, help_text="The answer to 'How is your back now?' at its end, if given."
    )


class FlareCheckInDueSerializer(serializers.Serializer):
    """A flare that is over and whose check-in is not answered yet."""

    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()


class FlareCheckInSerializer(serializers.Serializer):
    feeling = serializers.ChoiceField(
        choices=FEELINGS, help_text="How is your back now? better, same (about the same) or worse."
    )


class FlareCheckedInSerializer(serializers.Serializer):
    resumed = serializers.BooleanField(help_text="The usual plan is back.")
    step_back = serializers.BooleanField(help_text="It resumes a week easier than before the flare.")
    feeling = serializers.ChoiceField(choices=FEELINGS)
    message = serializers.CharField(help_text="What to do now, in plain words.")


class ProfileSerializer(MeSerializer):
    """/api/v1/me/ with the open safety hold (read only; released with POST .../release/)
    and the running flare (started with POST /api/v1/flare/, ended with DELETE)."""

    safety_hold = SafetyHoldSerializer(allow_null=True, read_only=True)
    flare = FlareSerializer(allow_null=True, read_only=True)
    flare_check_in = FlareCheckInDueSerializer(
        allow_null=True,
        read_only=True,
        help_text="A flare that is over, to ask 'How is your back now?' (POST /api/v1/flare/check-in/).",
    )

    class Meta(MeSerializer.Meta):
        fields = [*MeSerializer.Meta.fields, "safety_hold", "flare", "flare_check_in"]


RELEASE_REASONS = ["seen_professional", "answered_by_mistake"]


class SafetyHoldReleaseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=RELEASE_REASONS,
        help_text="seen_professional: I have been seen (a clinician's release is cleared_by_clinician); "
        "answered_by_mistake: the answer was not meant.",
    )
    check_in = StrictUUIDField(
        required=False,
        help_text="The check-in whose hold this device shows: a hold raised since by a later check-in stays.",
    )


class SafetyHoldReleasedSerializer(serializers.Serializer):
    released = serializers.BooleanField()
    safety_hold = SafetyHoldSerializer(allow_null=True, help_text="The hold still open, to be shown.")


SYNC_STATUSES = ["created", "updated", "unchanged", "stale", "conflict", "rejected"]


class EntryResultSerializer(serializers.Serializer):
    client_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(
        choices=SYNC_STATUSES,
        help_text="created; updated; unchanged (same content: replays are harmless); stale (an "
        "older write than the stored copy, which is kept); conflict (edited from an older "
        "version, and another device's edit reached the server first: its copy is kept); "
        "rejected (see errors; the batch's other entries are still applied). stale and conflict "
        "results carry server: the server's copy, to show instead of the one sent.",
    )
    version = serializers.IntegerField(
        required=False, help_text="created, updated, unchanged: the stored version of the entry."
    )
    # stale, conflict: the server's copy, to show instead of the one sent. (No help
    # text: it would wrap the reference, and typescript generators then drop "type".)
    server = SyncEntryField(required=False)
    errors = serializers.DictField(
        required=False,
        help_text="rejected: the messages for each field (data's fields by their own names); a "
        'list\'s item is named by its index: {"gratitude": {"0": ["..."]}}.',
    )
    safety = SafetySerializer(
        required=False, help_text="Check-ins: the red-flag level of the answers, and what to do."
    )
    score = serializers.FloatField(
        required=False, help_text="Questionnaires: the server's score of the answers."
    )
    band = serializers.CharField(
        required=False, allow_null=True, help_text="Questionnaires: the published band or risk group, if any."
    )
    support = serializers.BooleanField(
        required=False,
        help_text="Questionnaires: true when the answers call for the support offer (a PHQ-4 total of 6 or "
        "more, or 3 or more on its mood items).",
    )


class SyncResponseSerializer(serializers.Serializer):
    results = EntryResultSerializer(many=True)
    cursor = serializers.CharField(
        help_text="Where this device can continue pulling from: advanced past its own entries only "
        "when the request's cursor was current; otherwise the request's cursor, so nothing is skipped."
    )


class SyncChangesSerializer(serializers.Serializer):
    entries = serializers.ListField(child=SyncEntryField())
    cursor = serializers.CharField()
    has_more = serializers.BooleanField()


class _RecordSerializer(serializers.Serializer):
    client_id = serializers.UUIDField()
    updated_at = serializers.DateTimeField()
    date = serializers.DateField()


class SessionLogRecordSerializer(_RecordSerializer):
    item_id = serializers.CharField()
    status = serializers.ChoiceField(choices=SessionLog.Status.choices)
    sets = serializers.IntegerField(required=False)
    reps = serializers.IntegerField(required=False)
    hold_seconds = serializers.IntegerField(required=False)
    duration_seconds = serializers.IntegerField(required=False)
    effort = serializers.IntegerField(required=False)
    pain_before = serializers.IntegerField(required=False, help_text="Pain (0-10) just before the session.")
    pain_after = serializers.IntegerField(required=False, help_text="Pain (0-10) just after the session.")
    note = serializers.CharField(required=False)


class CheckInRecordSerializer(_RecordSerializer):
    pain = serializers.IntegerField(allow_null=True, help_text="null: not answered.")
    stress = serializers.IntegerField(allow_null=True, help_text="null: not answered.")
    pain_areas = serializers.ListField(child=serializers.ChoiceField(choices=PAIN_AREAS))
    red_flags = serializers.ListField(child=serializers.CharField())
    sleep_hours = serializers.FloatField(required=False)
    sleep_quality = serializers.IntegerField(required=False)
    mood = serializers.IntegerField(required=False)
    note = serializers.CharField(required=False)
    factors = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Built-in factor slugs and own labels."
    )
    safety_level = serializers.ChoiceField(choices=CheckIn.Safety.choices)


class JournalRecordSerializer(_RecordSerializer):
    feeling = serializers.CharField(required=False)
    want_to_feel = serializers.CharField(required=False)
    gratitude = serializers.ListField(child=serializers.CharField(), required=False)
    text = serializers.CharField(required=False)
    in_control = serializers.CharField(required=False, help_text="What is in my control.")
    anxious_thought = serializers.CharField(required=False, help_text="An anxious thought.")
    kinder_view = serializers.CharField(required=False, help_text="A kinder view of it.")


class ClinicianLogsSerializer(serializers.Serializer):
    session_logs = SessionLogRecordSerializer(
        many=True, required=False, help_text="When the link shares logs."
    )
    checkins = CheckInRecordSerializer(many=True, required=False, help_text="When the link shares check-ins.")


# --- The progress summary (documentation of what insights.summarise returns) ----


class StreakSerializer(serializers.Serializer):
    current = serializers.IntegerField(
        help_text="Days in a row with an exercise done; rest days don't break it."
    )
    best = serializers.IntegerField()


class SeriesPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    pain = serializers.IntegerField(allow_null=True)
    stress = serializers.IntegerField(allow_null=True)
    sleep_hours = serializers.FloatField(allow_null=True)
    done = serializers.IntegerField(help_text="Exercise items of the plan logged done that day.")
    due = serializers.IntegerField(help_text="Exercise items the plan held that day.")


class WeekSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField()
    pain = serializers.FloatField(allow_null=True, help_text="Mean of the days with a check-in.")
    stress = serializers.FloatField(allow_null=True)
    sleep_hours = serializers.FloatField(allow_null=True)
    adherence = serializers.FloatField(
        allow_null=True, help_text="As at the top (backend/tracker/adherence.py)."
    )


class ChangeSerializer(serializers.Serializer):
    # "from" is a Python keyword: declared in get_fields.
    to = serializers.DateField()
    pain = serializers.FloatField(allow_null=True)
    stress = serializers.FloatField(allow_null=True)
    sleep_hours = serializers.FloatField(allow_null=True)

    def get_fields(self) -> dict:
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


INSIGHT_KINDS = (
    "stress_pain_same_day",
    "stress_pain_next_day",
    "sleep_pain_next_day",
    "practice_pain_next_day",
    "factor_pain",
)


class FactorSerializer(serializers.Serializer):
    slug = serializers.CharField(
        help_text="What a check-in's factors holds: a built-in slug, or the label itself."
    )
    label = serializers.CharField(help_text="What the person reads.")
    custom = serializers.BooleanField(help_text="The caller's own label, used in the last 90 days.")


class FactorRefSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="A built-in slug, or the person's own label.")
    label = serializers.CharField()


class InsightSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[*INSIGHT_KINDS, "not_enough_data"])
    text = serializers.CharField(
        help_text="What the person is shown: plain words, no numbers, never a cause."
    )
    n = serializers.IntegerField(help_text="Paired days the statement rests on.")
    effect = serializers.FloatField(
        allow_null=True,
        help_text="Correlation kinds: Spearman's rho of the detrended series (-1..1). practice and "
        "factor: the difference of median (detrended) pain, days with minus days without, in points "
        "of 0-10. null for not_enough_data.",
    )
    ci = serializers.ListField(
        child=serializers.FloatField(),
        min_length=2,
        max_length=2,
        allow_null=True,
        help_text="The bootstrap percentile interval of effect [low, high] (99% for correlations, 97.5% "
        "for differences); null for not_enough_data.",
    )
    ci_level = serializers.FloatField(
        allow_null=True,
        help_text="The interval's coverage (0.99 for correlations, 0.975 for differences); null for "
        "not_enough_data.",
    )
    lag_days = serializers.IntegerField(help_text="0: the same day; 1: pain the day after.")
    method = serializers.CharField(
        help_text="How effect and ci were worked out (backend/tracker/patterns.py)."
    )
    factor = FactorRefSerializer(required=False, help_text="factor_pain: which factor.")
    chance = serializers.BooleanField(help_text="The interval includes zero: the pattern could be chance.")
    with_days = serializers.IntegerField(
        required=False, help_text="practice and factor: days with it (the rest of n are without)."
    )
    r = serializers.FloatField(
        allow_null=True, help_text="Kept for older clients: effect for the correlation kinds, else null."
    )
    about = serializers.CharField(
        required=False, help_text="not_enough_data: which kind it is about (stress_pain_same_day)."
    )


class SummarySerializer(serializers.Serializer):
    days = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField(help_text="The person's today.")
    adherence = serializers.FloatField(
        allow_null=True, help_text="Done over due (backend/tracker/adherence.py); null when nothing was due."
    )
    done = serializers.IntegerField()
    due = serializers.IntegerField()
    streak = StreakSerializer()
    series = SeriesPointSerializer(many=True, help_text="One point per day of the window, ending today.")
    weekly = WeekSerializer(many=True)
    change_since_first_week = ChangeSerializer(allow_null=True)
    insights = InsightSerializer(many=True)
    outcomes = OutcomePointSerializer(many=True, help_text="Questionnaire scores in the window (issue 18).")
    outcome_changes = OutcomeChangeSerializer(
        many=True, help_text="Each questionnaire answered, its latest score against the baseline."
    )
