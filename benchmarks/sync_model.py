#!/usr/bin/env python3
"""The long run of the sync model: tests/tracker/test_sync_model.py with many more steps.

    .venv/bin/python benchmarks/sync_model.py [--examples 1000] [--steps 50] [--rounds 3]

Three phones with clocks up to ten minutes apart edit, delete, re-save, send, lose
answers, replay old requests and pull against the real sync service; after each
run every phone sends and pulls and must show exactly what the server holds, and the
server must hold what the rule says (tests/tracker/sync_model.py). Each round is a
fresh, random pytest run (the suite's run is derandomized); a failing round prints
the smallest case hypothesis found. On SQLite unless DATABASE_URL says otherwise.
Prints steps, examples, requests, seconds and failures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=1000, help="examples per round")
    parser.add_argument("--steps", type=int, default=50, help="at most this many steps an example")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    totals = {"examples": 0, "steps": 0, "requests": 0, "seconds": 0.0}
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.jsonl"
        for round_ in range(1, args.rounds + 1):
            env = {
                **os.environ,
                "SYNC_MODEL_EXAMPLES": str(args.examples),
                "SYNC_MODEL_STEPS": str(args.steps),
                "SYNC_MODEL_SEED": "random",
                "SYNC_MODEL_REPORT": str(report),
            }
            code = subprocess.call(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "tests/tracker/test_sync_model.py",
                ],
                cwd=ROOT,
                env=env,
            )
            failures += code != 0
            line = json.loads(report.read_text().splitlines()[-1])
            for key in totals:
                totals[key] += line[key]
            print(
                f"round {round_}: {line['steps']} steps, {line['examples']} examples, "
                f"{line['requests']} sync requests, {line['seconds']:.1f} s, {'FAILED' if code else 'ok'}",
                flush=True,
            )
    print(
        f"total: {totals['steps']} steps, {totals['examples']} examples, {totals['requests']} sync requests, "
        f"{totals['seconds']:.1f} s, {failures} failed round(s) of {args.rounds}"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
