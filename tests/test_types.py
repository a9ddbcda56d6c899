"""mypy with django-stubs passes on every services, selectors and tasks module (the
list is pyproject's [tool.mypy] files), as `make lint` checks it: CI runs it here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_nothing():
    mypy = Path(sys.executable).with_name("mypy")
    if not mypy.exists() and not shutil.which("mypy"):
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but mypy is not installed (requirements-test.txt)")
        pytest.skip("mypy is not installed: pip install -r requirements-test.txt")
    result = subprocess.run(
        [str(mypy) if mypy.exists() else "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
