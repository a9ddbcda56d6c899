"""The PWA's types of the API (frontend/src/api-schema.ts) are generated from the OpenAPI
schema with openapi-typescript, and must be current: a change to a serializer that the
PWA relies on shows up here, not on a phone."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "frontend" / "node_modules" / ".bin" / "openapi-typescript"
COMMITTED = ROOT / "frontend" / "src" / "api-schema.ts"


def test_the_pwas_api_types_are_generated_from_the_current_schema(tmp_path):
    if not GENERATOR.exists():
        if REQUIRE_SERVICES:
            pytest.fail(
                "REQUIRE_SERVICES=1 but openapi-typescript is missing: run `make frontend`", pytrace=False
            )
        pytest.skip("needs frontend/node_modules: run `make frontend` (make test does)")
    schema = tmp_path / "openapi.json"
    call_command("spectacular", format="openapi-json", file=str(schema))
    generated = tmp_path / "api-schema.ts"
    subprocess.run(
        [str(GENERATOR), str(schema), "-o", str(generated)], check=True, capture_output=True, timeout=120
    )
    assert generated.read_text() == COMMITTED.read_text(), (
        "frontend/src/api-schema.ts is out of date: run `make api-types` and commit it"
    )
