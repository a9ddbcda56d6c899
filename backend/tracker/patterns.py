"""Honest patterns in a person's own days: pure statistics, no database, no wording.

Two questions are asked of the check-ins, and both are answered with an effect, a
bootstrap interval and the number of days behind it:

- Do two daily scores move together (stress and pain, sleep and the next day's pain)?
  Spearman's rank correlation, because the scores are ordinal 0-10 sliders, not
  measurements, and one odd day should not carry the result.
- Is pain different on days with something (a factor, a practice the day before) than
  on days without? The difference of the median pain, with minus without.

Both run on *detrended* pain (and scores): each day's value minus the mean of the
values in the centred 7-day window around it. A programme is meant to lower pain and
often lowers stress too; two series that both fall correlate through the trend alone,
and days with a factor that got rarer would look like worse days. Removing the
local level leaves only the day-to-day ups and downs, which is what "on days when"
means. A rolling mean was chosen over day-to-day differencing because people miss
check-ins: a difference needs two consecutive days for each score and is lost at every
gap (and doubles the noise), while the rolling mean uses whatever days the window has.

The interval is a paired-day percentile bootstrap: whole days are resampled, so the
pairing survives, with a seed fixed per person and kind, so a summary does not change
from one request to the next. An interval that includes zero means "could be chance".
The false-positive rate of this rule on null series (independent noise sharing a
downward trend) is measured by ``benchmarks/insights_false_positives.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MIN_PAIRS = 14
MIN_EACH = 7  # days with, and days without, for a with/without comparison
WINDOW_HALF = 3  # the centred 7-day window: 3 days either side
RESAMPLES = 1000
# The percentile interval. 95% was measured to be too narrow for 14-30 day series
# (a null series came out "not chance" too often, see the benchmark), so it is wider.
CI_LEVEL = 0.95

SPEARMAN_METHOD = "spearman_detrended_7d_bootstrap"
MEDIAN_METHOD = "median_difference_detrended_7d_bootstrap"


@dataclass(frozen=True)
class Pattern:
    effect: float
    ci: tuple[float, float]
    n: int
    method: str
    with_days: int | None = None

    @property
    def chance(self) -> bool:
        low, high = self.ci
        return low <= 0 <= high


def seed_for(*parts: object) -> int:
    """A stable seed (Python's hash() of a str changes with every process)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def detrend(values: Mapping[dt.date, float]) -> dict[dt.date, float]:
    """Each day's value minus the mean of the values within 3 days either side."""
    out: dict[dt.date, float] = {}
    for day, value in values.items():
        near = [
            v
            for offset in range(-WINDOW_HALF, WINDOW_HALF + 1)
            if (v := values.get(day + dt.timedelta(days=offset))) is not None
        ]
        out[day] = value - sum(near) / len(near)
    return out


def ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, ties sharing their average rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        average = (i + j) / 2 + 1
        for k in range(i, j + 1):
            result[order[k]] = average
        i = j + 1
    return result


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sxy = syy = 0.0
    for x, y in zip(xs, ys, strict=True):
        dx, dy = x - mean_x, y - mean_y
        sxx += dx * dx
        syy += dy * dy
        sxy += dx * dy
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / (sxx * syy) ** 0.5


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rho; None when either side does not vary."""
    if len(xs) < 3:
        return None
    return _pearson(ranks(xs), ranks(ys))


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    position = q * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _interval(estimates: list[float]) -> tuple[float, float]:
    estimates.sort()
    tail = (1 - CI_LEVEL) / 2
    return (_percentile(estimates, tail), _percentile(estimates, 1 - tail))


def correlation(pairs: Sequence[tuple[float, float]], seed: int) -> Pattern | None:
    """Spearman's rho of (x, y) pairs of detrended scores with its bootstrap interval;
    None with fewer than ``MIN_PAIRS`` pairs or when a side does not vary."""
    n = len(pairs)
    if n < MIN_PAIRS:
        return None
    xs = [p[0] for p in pairs]
    ys = [p[1] for p in pairs]
    rho = spearman(xs, ys)
    if rho is None:
        return None
    rng = random.Random(seed)  # noqa: S311 - resampling, not secrecy
    estimates: list[float] = []
    indices = range(n)
    for _ in range(RESAMPLES):
        picked = rng.choices(indices, k=n)
        # A resample where one side is constant carries no correlation: count it as 0,
        # which only widens the interval towards "could be chance".
        estimate = spearman([xs[i] for i in picked], [ys[i] for i in picked])
        estimates.append(0.0 if estimate is None else estimate)
    return Pattern(effect=rho, ci=_interval(estimates), n=n, method=SPEARMAN_METHOD)


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def difference(with_it: Sequence[float], without: Sequence[float], seed: int) -> Pattern | None:
    """Median (detrended) pain on days with minus days without, with a bootstrap interval
    that resamples each group on its own; None unless both have ``MIN_EACH`` days and
    together ``MIN_PAIRS``."""
    if len(with_it) < MIN_EACH or len(without) < MIN_EACH or len(with_it) + len(without) < MIN_PAIRS:
        return None
    effect = _median(with_it) - _median(without)
    rng = random.Random(seed)  # noqa: S311 - resampling, not secrecy
    estimates = [
        _median(rng.choices(with_it, k=len(with_it))) - _median(rng.choices(without, k=len(without)))
        for _ in range(RESAMPLES)
    ]
    return Pattern(
        effect=effect,
        ci=_interval(estimates),
        n=len(with_it) + len(without),
        method=MEDIAN_METHOD,
        with_days=len(with_it),
    )
