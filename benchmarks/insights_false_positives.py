"""How often the insights claim a pattern that is not there.

Each null series is 30-90 days of check-ins in which nothing is linked: pain, stress
and sleep are independent noise, but pain and stress share a downward trend (a
programme that helps both) and sleep an upward one, practice gets more frequent as the
weeks go by, and each factor is tapped at random. Every kind the insights
would state as "not chance" on such a series is a false positive.

    .venv/bin/python benchmarks/insights_false_positives.py [count] [seed]

No database is needed (the insights are pure functions); Django is only set up
because the insights module imports the programme models. tests/tracker/test_insights.py
runs a smaller count and asserts at most 5% per kind.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "benchmarks-only-secret-key-not-used-elsewhere-0123456789")

TODAY = dt.date(2026, 11, 21)
KINDS = (
    "stress_pain_same_day",
    "stress_pain_next_day",
    "sleep_pain_next_day",
    "practice_pain_next_day",
    "factor_pain",
)


def _score(value: float) -> int:
    return max(0, min(10, round(value)))


def null_series(rng: random.Random) -> tuple[dict, set[dt.date]]:
    """One person's check-ins and practice days with no link between anything."""
    from backend.tracker.insights import DayCheckIn

    days = rng.randint(30, 90)
    drop = rng.uniform(2, 5)  # points pain and stress both lose over the series
    by_day = {}
    practised: set[dt.date] = set()
    for i in range(days):
        date = TODAY - dt.timedelta(days=days - 1 - i)
        progress = i / (days - 1)
        pain = _score(7 - drop * progress + rng.gauss(0, 1.5))
        stress = _score(7 - drop * progress + rng.gauss(0, 1.5))
        sleep = round(min(24.0, max(0.0, 6 + progress + rng.gauss(0, 1))), 1)
        factors = tuple(slug for slug, p in (("work", 0.5), ("caffeine", 0.3)) if rng.random() < p)
        by_day[date] = DayCheckIn(date, pain, stress, sleep, factors)
        if rng.random() < 0.3 + 0.5 * progress:
            practised.add(date)
    return by_day, practised


def false_positive_rates(count: int, seed: int = 17) -> dict[str, tuple[int, int]]:
    """Per kind: (series where it was stated as not chance, series where it was computed).

    A factor kind counts once per series and factor computed."""
    from backend.tracker.insights import pattern_insights

    rng = random.Random(seed)
    found = dict.fromkeys(KINDS, 0)
    computed = dict.fromkeys(KINDS, 0)
    for n in range(count):
        by_day, practised = null_series(rng)
        for insight in pattern_insights(by_day, practised, TODAY, seed_key=n):
            if insight["kind"] in computed:
                computed[insight["kind"]] += 1
                found[insight["kind"]] += not insight["chance"]
    return {kind: (found[kind], computed[kind]) for kind in KINDS}


def main() -> None:
    import django

    django.setup()
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 17
    started = time.perf_counter()
    rates = false_positive_rates(count, seed)
    elapsed = time.perf_counter() - started
    print(f"{count} null series (30-90 days, shared downward trend), seed {seed}, {elapsed:.0f} s")
    for kind, (hits, total) in rates.items():
        print(f"  {kind:24} {hits:4} of {total:4} claimed: {hits / total:6.1%}")


if __name__ == "__main__":
    main()
