"""Honest patterns in a person's own days: pure statistics, no database, no wording.

Two questions are asked of the check-ins, and both are answered with an effect, a
bootstrap interval and the number of days behind it:

- Do two daily scores move together (stress and pain, sleep and the next day's pain)?
  Spearman's rank correlation, because the scores are ordinal 0-10 sliders, not
  measurements, and one odd day should not carry the result.
- Is pain different on days with something (a factor, a practice the day before) than
  on days without? The difference of the median pain, with minus without.

Both run on *detrended* pain (and scores): each day's value minus its local level,
the centred 7-day mean (a line fitted to the 7-day window, so that the first and last
days of a series are detrended as well as the middle ones). A programme is meant to lower pain and
often lowers stress too; two series that both fall correlate through the trend alone,
and days with a factor that got rarer would look like worse days. Removing the
local level leaves only the day-to-day ups and downs, which is what "on days when"
means. A centred rolling window was chosen over day-to-day differencing because people
miss check-ins: a difference needs two consecutive days for each score and is lost at
every gap (and doubles the noise), while the window uses whatever days it has.

The interval is a paired-day percentile bootstrap (``RESAMPLES`` resamples): whole
days are resampled, so the pairing survives, with a seed fixed per person and kind, so a summary does not change
from one request to the next. An interval that includes zero means "could be chance".
The false-positive rate of this rule on null series (independent noise sharing a
downward trend) is measured by ``benchmarks/insights_false_positives.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

MIN_PAIRS = 14
MIN_EACH = 7  # days with, and days without, for a with/without comparison
WINDOW_HALF = 3  # the centred 7-day window: 3 days either side
RESAMPLES = 1000
# The percentile intervals' coverage. At 95% the correlations claimed 7-10% of null
# series (a percentile bootstrap is too narrow on 14-90 short, detrended days), so
# they are 99% intervals; the with/without medians claimed about 4% at 95% and are
# 97.5% intervals to keep a margin. benchmarks/insights_false_positives.py measures both.
CORRELATION_CI = 0.99
DIFFERENCE_CI = 0.975

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
    """Each day's value minus its local level: the straight line fitted to the values
    within 3 days either side, read at that day.

    In the middle of a full week this is the centred 7-day mean; near the ends of the
    series (or of a gap) the line keeps a falling trend from leaking into the residual,
    which a plain mean of the days on one side would not (measured: the edges alone
    made trend-only pairs look linked).
    """
    out: dict[dt.date, float] = {}
    for day, value in values.items():
        near = [
            (offset, v)
            for offset in range(-WINDOW_HALF, WINDOW_HALF + 1)
            if (v := values.get(day + dt.timedelta(days=offset))) is not None
        ]
        count = len(near)
        mean_t = sum(t for t, _ in near) / count
        mean_v = sum(v for _, v in near) / count
        stt = sum((t - mean_t) ** 2 for t, _ in near)
        slope = sum((t - mean_t) * (v - mean_v) for t, v in near) / stt if stt else 0.0
        out[day] = value - (mean_v + slope * (0 - mean_t))
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


def _interval(estimates: np.ndarray, level: float) -> tuple[float, float]:
    tail = (1 - level) / 2
    # numpy's default (linear) percentile: the same interpolation as a sorted list's.
    low, high = np.percentile(estimates, [100 * tail, 100 * (1 - tail)])
    return (float(low), float(high))


def _resample_counts(rng: np.random.Generator, n: int) -> np.ndarray:
    """``RESAMPLES`` draws of n days with replacement, as a (RESAMPLES, n) array of how
    often each day was drawn: the bootstrap's whole work is then a few array passes."""
    drawn = rng.integers(0, n, size=(RESAMPLES, n)) + (np.arange(RESAMPLES) * n)[:, None]
    return np.bincount(drawn.ravel(), minlength=RESAMPLES * n).reshape(RESAMPLES, n)


def _resampled_ranks(values: Sequence[float], counts: np.ndarray) -> np.ndarray:
    """The rank of each original day within every resample (copies and equal values
    share their average rank), from the counts alone: exact, with no sort per resample.
    A value group taken c times after ``below`` smaller ones sits at ranks below+1 ..
    below+c, so its average rank is below + (c + 1) / 2."""
    _values, group = np.unique(np.asarray(values, dtype=float), return_inverse=True)
    # How often each value group was drawn: the days in value order, summed per group.
    order = np.argsort(group, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(group[order]) != 0])
    taken = np.add.reduceat(counts[:, order], starts, axis=1)
    average = np.cumsum(taken, axis=1) - (taken - 1) / 2
    return average[:, group]


def _weighted_pearson(xs: np.ndarray, ys: np.ndarray, weights: np.ndarray, total: int) -> np.ndarray:
    """Pearson's r of every resample (rows), each day weighted by how often it was drawn;
    0 where a side does not vary in that resample."""
    wx, wy = weights * xs, weights * ys
    sx, sy = wx.sum(axis=1), wy.sum(axis=1)
    sxx = (wx * xs).sum(axis=1) - sx * sx / total
    syy = (wy * ys).sum(axis=1) - sy * sy / total
    sxy = (wx * ys).sum(axis=1) - sx * sy / total
    varies = (sxx > 1e-9) & (syy > 1e-9)
    r = np.zeros(len(sx))
    r[varies] = sxy[varies] / np.sqrt(sxx[varies] * syy[varies])
    return r


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
    counts = _resample_counts(np.random.default_rng(seed), n)
    # A resample where one side is constant carries no correlation: it counts as 0,
    # which only widens the interval towards "could be chance".
    estimates = _weighted_pearson(_resampled_ranks(xs, counts), _resampled_ranks(ys, counts), counts, n)
    return Pattern(effect=rho, ci=_interval(estimates, CORRELATION_CI), n=n, method=SPEARMAN_METHOD)


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _resampled_medians(values: Sequence[float], rng: np.random.Generator) -> np.ndarray:
    """The median of each resample of ``values``, read off the running counts of the
    sorted values (no sorting per resample)."""
    ordered = np.sort(np.asarray(values, dtype=float))
    k = len(ordered)
    running = np.cumsum(_resample_counts(rng, k), axis=1)
    # The first sorted value whose running count passes the middle position(s).
    low = (running > (k - 1) // 2).argmax(axis=1)
    high = (running > k // 2).argmax(axis=1)
    return np.asarray((ordered[low] + ordered[high]) / 2)


def difference(with_it: Sequence[float], without: Sequence[float], seed: int) -> Pattern | None:
    """Median (detrended) pain on days with minus days without, with a bootstrap interval
    that resamples each group on its own; None unless both have ``MIN_EACH`` days and
    together ``MIN_PAIRS``."""
    if len(with_it) < MIN_EACH or len(without) < MIN_EACH or len(with_it) + len(without) < MIN_PAIRS:
        return None
    effect = _median(with_it) - _median(without)
    rng = np.random.default_rng(seed)
    estimates = _resampled_medians(with_it, rng) - _resampled_medians(without, rng)
    return Pattern(
        effect=effect,
        ci=_interval(estimates, DIFFERENCE_CI),
        n=len(with_it) + len(without),
        method=MEDIAN_METHOD,
        with_days=len(with_it),
    )
