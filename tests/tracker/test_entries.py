"""A sync entry's shape has one home (backend/tracker/entries.py): what validates it and
what documents it must say the same, field for field."""

from __future__ import annotations

import pytest

from backend.privacy.export import CSV_COLUMNS
from backend.tracker import entries, serializers


@pytest.mark.parametrize("kind", entries.ENTRY_TYPES)
def test_what_validates_an_entry_names_the_fields_entries_defines(kind):
    validator = serializers.DATA_SERIALIZERS[kind]()
    written = {name for name, field in validator.fields.items() if not field.read_only}
    assert written == {"date", *entries.DATA_FIELDS[kind]}
    # What the server works out is rendered, never read from the client.
    assert {name for name, field in validator.fields.items() if field.read_only} == set(
        entries.DERIVED_FIELDS[kind] if kind == "questionnaire" else ()
    )


@pytest.mark.parametrize(
    ("kind", "record"),
    [
        ("session", serializers.SessionLogRecordSerializer),
        ("checkin", serializers.CheckInRecordSerializer),
        ("journal", serializers.JournalRecordSerializer),
    ],
)
def test_what_documents_a_record_names_the_same_fields(kind, record):
    extra = {"safety_level"} if kind == "checkin" else set()
    assert set(record().fields) == {"client_id", "updated_at", "date", *entries.DATA_FIELDS[kind], *extra}


def test_the_export_has_a_column_for_every_field_of_every_type():
    every = {name for kind in entries.ENTRY_TYPES for name in entries.DATA_FIELDS[kind]}
    assert every | {"record_type", "date", "client_id", "updated_at", "safety_level"} == set(CSV_COLUMNS)
    assert len(CSV_COLUMNS) == len(set(CSV_COLUMNS))
