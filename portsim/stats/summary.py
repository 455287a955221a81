"""Summaries over replications: the mean and a Student-t confidence interval.

Every KPI portsim reports lies in a physical range (waits, counts and rates are never
negative; shares lie in [0, 1]). A Student-t interval from few or very spread replications can
reach past it (a share of 98.9 ± 13.6 %, a wait of 35 ± 216 min), so the interval reported is
the t-interval intersected with that range. The true mean lies in the range, so the
intersection covers it exactly as often as the t-interval does; ``half_width`` stays the
t-interval's own, the measure of precision that precision targets and the guard-rails read.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Fewer replications than this give a spread, and so an interval, too rough to act on: runs,
#: comparisons and studies with fewer say so.
FEWEST_REPLICATIONS = 5
#: A half-width beyond this share of its mean is flagged wherever the value is shown.
MOST_RELATIVE_HALF_WIDTH = 0.25
#: No bounds: what an interval is cut to when its quantity has no physical range.
UNBOUNDED = (-math.inf, math.inf)


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean over replications with its two-sided confidence interval."""

    mean: float
    low: float
    high: float
    half_width: float
    n: int
    level: float = 0.95

    @property
    def bounded(self) -> bool:
        """Whether the physical range cut the t-interval (its low or high end moved)."""
        if not math.isfinite(self.half_width):
            return False
        slack = 1e-12 * max(1.0, abs(self.mean))
        return (self.mean - self.half_width < self.low - slack
                or self.mean + self.half_width > self.high + slack)

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval lies wholly on one side of 0 (for a difference: a change not
        explained by chance at its level). An exactly zero difference in every replication has
        a zero-width interval at 0 and does not."""
        return (math.isfinite(self.low) and math.isfinite(self.high)
                and (self.low > 0 or self.high < 0))

    @property
    def imprecise(self) -> bool:
        """Whether the half-width exceeds :data:`MOST_RELATIVE_HALF_WIDTH` of the mean: the
        interval is too wide for the mean to be read as a figure."""
        return (math.isfinite(self.half_width) and math.isfinite(self.mean)
                and self.half_width > MOST_RELATIVE_HALF_WIDTH * abs(self.mean))

    def contains(self, value: float, tolerance: float = 0.0) -> bool:
        """Whether ``value`` lies in the interval widened by ``tolerance`` (relative to |mean|)."""
        slack = tolerance * abs(self.mean)
        return self.low - slack <= value <= self.high + slack

    def as_dict(self) -> dict[str, float | int | None]:
        return {"mean": _finite(self.mean), "ci_low": _finite(self.low),
                "ci_high": _finite(self.high), "half_width": _finite(self.half_width),
                "n": self.n}


@functools.lru_cache(maxsize=256)
def t_quantile(df: int, probability: float) -> float:
    """The Student-t quantile with ``df`` degrees of freedom: scipy.stats.t.ppf's own float.

    stdtrit is the function scipy.stats.t.ppf calls, without importing scipy.stats (about a
    second at start-up). NOTE: kept once worked out, for performance reasons: a comparison
    asks for the same few quantiles tens of thousands of times.
    """
    # NOTE: imported here, not at the top, for performance reasons: scipy.special pulls in most
    # of numpy (numpy.testing, numpy.ma, f2py; ~0.2 s) and a run of one replication, or
    # ``portsim validate``, never needs a quantile.
    from scipy.special import stdtrit

    return float(stdtrit(df, probability))


def normal_quantile(probability: float) -> float:
    """The standard normal quantile (scipy.special.ndtri), imported when first needed."""
    # NOTE: imported here, not at the top, for performance reasons (see t_quantile).
    from scipy.special import ndtri

    return float(ndtri(probability))


def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def t_interval(values: Sequence[float] | np.ndarray, level: float = 0.95,
               bounds: tuple[float, float] = UNBOUNDED) -> Interval:
    """Mean and Student-t interval of independent replication values; NaNs are left out.

    ``bounds``: the quantity's physical range, which the interval's ends are cut to (see the
    module's docstring); the mean and the half-width are the t-interval's. With one value the
    interval is unknown (nan half-width): one replication says nothing about its own precision.
    """
    array = np.asarray(values, dtype=float)
    array = array[~np.isnan(array)]
    n = int(array.size)
    if n < 2:
        return _interval(float(array.mean()) if n else math.nan, math.nan, n, level, bounds)
    return _interval(float(array.mean()), float(array.std(ddof=1)), n, level, bounds)


def t_intervals(matrix: np.ndarray, level: float,
                bounds: Sequence[tuple[float, float]]) -> list[Interval]:
    """:func:`t_interval` of each row of ``matrix`` (one row of replication values per
    quantity, ``bounds`` its range), the very same floats.

    NOTE: rows without NaN summarised in one pass over the matrix, for performance reasons: a
    comparison summarises thousands of KPIs, and numpy's per-call overhead was most of the
    time; a row's mean and spread add its values in the same order as :func:`t_interval`'s
    (checked bit for bit in tests/experiment/test_summary_batch.py).
    """
    matrix = np.ascontiguousarray(matrix, dtype=float)
    complete = ~np.isnan(matrix).any(axis=1)
    n = matrix.shape[1]
    if n < 2 or not complete.any():
        return [t_interval(row, level, bound) for row, bound in zip(matrix, bounds, strict=True)]
    whole = matrix[complete]
    means, spreads = iter(whole.mean(axis=1).tolist()), iter(whole.std(axis=1, ddof=1).tolist())
    return [_interval(next(means), next(spreads), n, level, bound) if full
            else t_interval(row, level, bound)
            for row, full, bound in zip(matrix, complete.tolist(), bounds, strict=True)]


def _interval(mean: float, spread: float, n: int, level: float,
              bounds: tuple[float, float]) -> Interval:
    """The interval of ``n`` values of this mean and standard deviation (ddof 1)."""
    if n < 2:
        return Interval(mean, math.nan, math.nan, math.nan, n, level)
    half = t_quantile(n - 1, 0.5 + level / 2) * spread / math.sqrt(n)
    low, high = bounds
    # min/max with the mean: a mean a rounding past its bound still lies in its interval
    return Interval(mean, min(max(mean - half, low), mean), max(min(mean + half, high), mean),
                    half, n, level)
