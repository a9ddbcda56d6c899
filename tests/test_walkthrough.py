import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def test_a_new_patient_sees_weeks_advance_and_prescriptions_grow(live_server, transactional_db):
    call_command("load_programs", verbosity=0)

    result = subprocess.run(
        [sys.executable, "scripts/plan_walkthrough.py", "--base-url", live_server.url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "weeks seen [1, 2, 3, 4]" in result.stdout
    assert result.stdout.count("weeks seen [1, 2, 3, 4]") == 5  # every program
    assert "Guided relaxation" in result.stdout and "sophrology (new)" in result.stdout
    assert "OK" in result.stdout.splitlines()[-1]
