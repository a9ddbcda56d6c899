#!/usr/bin/env python3
"""The larger fuzz run: the suite's schemathesis tests with many more examples.

    .venv/bin/python benchmarks/fuzz.py [--examples 200]

Same checks as tests/test_fuzz.py (no server error, documented status codes,
responses matching their schema, schema-violating requests refused), as a patient and
as a clinician, on SQLite unless DATABASE_URL says otherwise. Prints pytest's summary.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=200)
    args = parser.parse_args()
    env = {**os.environ, "FUZZ_EXAMPLES": str(args.examples)}
    sys.exit(
        subprocess.call(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz.py"],
            cwd=ROOT,
            env=env,
        )
    )


if __name__ == "__main__":
    main()
