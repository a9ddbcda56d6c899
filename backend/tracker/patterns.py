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
import random
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from operator import mul, sub

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


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    position = q * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _interval(estimates: list[float], level: float) -> tuple[float, float]:
    estimates.sort()
    tail = (1 - level) / 2
    return (_percentile(estimates, tail), _percentile(estimates, 1 - tail))


def _tie_groups(values: Sequence[float]) -> list[tuple[int, ...]]:
    """Indices in ascending order of value, equal values grouped."""
    order = sorted(range(len(values)), key=values.__getitem__)
    groups: list[tuple[int, ...]] = []
    start = 0
    for end in range(1, len(order) + 1):
        if end == len(order) or values[order[end]] != values[order[start]]:
            groups.append(tuple(order[start:end]))
            start = end
    return groups


class _Ranker:
    """The rank of each original day within a resample that holds it ``counts[i]`` times
    (copies and equal values share their average rank): exact, without sorting again.

    Days with a value of their own (the usual case for detrended scores) are ranked with
    C-level maps only; equal values need the group loop.
    """

    def __init__(self, values: Sequence[float]) -> None:
        self.groups = _tie_groups(values)
        self.order = [i for group in self.groups for i in group]
        self.position = [0] * len(values)
        for place, i in enumerate(self.order):
            self.position[i] = place
        self.distinct = len(self.groups) == len(values)
        # (c - 1) / 2: a day taken c times sits at ranks cum - c + 1 .. cum.
        self.half = [(c - 1) / 2 for c in range(len(values) + 1)]

    def __call__(self, counts: list[int]) -> list[float]:
        if self.distinct:
            taken = list(map(counts.__getitem__, self.order))
            average = list(map(sub, accumulate(taken), map(self.half.__getitem__, taken)))
            return list(map(average.__getitem__, self.position))
        ranked = [0.0] * len(counts)
        position = 0
        for group in self.groups:
            taken_in_group = counts[group[0]] if len(group) == 1 else sum(counts[i] for i in group)
            if taken_in_group:
                mean_rank = position + (taken_in_group + 1) / 2
                for i in group:
                    ranked[i] = mean_rank
                position += taken_in_group
        return ranked


def _weighted_pearson(xs: list[float], ys: list[float], weights: list[int], total: int) -> float | None:
    wx = list(map(mul, weights, xs))
    wy = list(map(mul, weights, ys))
    sx, sy = sum(wx), sum(wy)
    sxx = sum(map(mul, wx, xs)) - sx * sx / total
    syy = sum(map(mul, wy, ys)) - sy * sy / total
    sxy = sum(map(mul, wx, ys)) - sx * sy / total
    if sxx <= 1e-9 or syy <= 1e-9:
        return None
    return sxy / (sxx * syy) ** 0.5


def _resample_counts(rng: random.Random, n: int) -> Iterator[list[int]]:
    """``RESAMPLES`` draws of n days with replacement, each as how often every day was
    drawn. Bytes from the seeded generator, reduced to 0..n-1 without bias (bytes past
    the last whole multiple of n are dropped), so the drawing runs at C speed."""
    if n >= 255:
        for _ in range(RESAMPLES):
            counts = [0] * n
            for i, times in Counter(rng.choices(range(n), k=n)).items():
                counts[i] = times
            yield counts
        return
    limit = 256 - 256 % n
    table = bytes(b % n if b < limit else 255 for b in range(256))
    need = n * RESAMPLES
    pool = b""
    while len(pool) < need:
        pool += rng.randbytes(need - len(pool) + need // 2 + 64).translate(table).replace(b"\xff", b"")
    days = range(n)
    for start in range(0, need, n):
        yield list(map(pool[start : start + n].count, days))


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
    rank_x, rank_y = _Ranker(xs), _Ranker(ys)
    estimates: list[float] = []
    for counts in _resample_counts(rng, n):
        estimate = _weighted_pearson(rank_x(counts), rank_y(counts), counts, n)
        # A resample where one side is constant carries no correlation: count it as 0,
        # which only widens the interval towards "could be chance".
        estimates.append(0.0 if estimate is None else estimate)
    return Pattern(effect=rho, ci=_interval(estimates, CORRELATION_CI), n=n, method=SPEARMAN_METHOD)


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _resampled_medians(values: Sequence[float], rng: random.Random) -> Iterator[float]:
    """The median of each resample of ``values``, read off the running counts of the
    sorted values (no sorting per resample)."""
    ordered = sorted(values)
    k = len(ordered)
    low, high = (k - 1) // 2, k // 2
    for counts in _resample_counts(rng, k):
        running = list(accumulate(counts))
        yield (ordered[bisect_right(running, low)] + ordered[bisect_right(running, high)]) / 2


def difference(with_it: Sequence[float], without: Sequence[float], seed: int) -> Pattern | None:
    """Median (detrended) pain on days with minus days without, with a bootstrap interval
    that resamples each group on its own; None unless both have ``MIN_EACH`` days and
    together ``MIN_PAIRS``."""
    if len(with_it) < MIN_EACH or len(without) < MIN_EACH or len(with_it) + len(without) < MIN_PAIRS:
        return None
    effect = _median(with_it) - _median(without)
    rng = random.Random(seed)  # noqa: S311 - resampling, not secrecy
    estimates = list(map(sub, _resampled_medians(with_it, rng), _resampled_medians(without, rng)))
    return Pattern(
        effect=effect,
        ci=_interval(estimates, DIFFERENCE_CI),
        n=len(with_it) + len(without),
        method=MEDIAN_METHOD,
        with_days=len(with_it),
    )
