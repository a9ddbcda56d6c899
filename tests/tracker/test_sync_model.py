"""The sync model (tests/tracker/sync_model.py), bounded for the suite.

benchmarks/sync_model.py runs the same machine for far longer.
"""

import json
import os
import time

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.tracker.sync_model import STATS, SyncMachine

EXAMPLES = int(os.environ.get("SYNC_MODEL_EXAMPLES", "100"))
STEPS = int(os.environ.get("SYNC_MODEL_STEPS", "50"))
# SYNC_MODEL_NO_SHRINK=1: report a failure as found, at once (shrinking a long run is slow).
PHASES = [Phase.explicit, Phase.reuse, Phase.generate] + (
    [] if os.environ.get("SYNC_MODEL_NO_SHRINK") else [Phase.shrink]
)


@pytest.mark.django_db
def test_three_phones_with_clocks_minutes_apart_end_up_showing_what_the_server_holds(catalog):
    started = time.monotonic()
    STATS.update(examples=0, steps=0, requests=0)
    try:
        run_state_machine_as_test(
            SyncMachine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                # The same examples on every run (CI), nothing remembered between runs.
                derandomize=os.environ.get("SYNC_MODEL_SEED") is None,
                database=None,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                print_blob=True,
                phases=PHASES,
            ),
        )
    finally:
        report = os.environ.get("SYNC_MODEL_REPORT")
        if report:
            with open(report, "a") as out:
                out.write(json.dumps({**STATS, "seconds": time.monotonic() - started}) + "\n")
