"""Summaries over replications: the mean and a Student-t confidence interval."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean over replications with its two-sided confidence interval."""

    mean: float
    low: float
    high: float
    half_width: float
    n: int
    level: float = 0.95

    def contains(self, value: float, tolerance: float = 0.0) -> bool:
        """Whether ``value`` lies in the interval widened by ``tolerance`` (relative to |mean|)."""
        slack = tolerance * abs(self.mean)
        return self.low - slack <= value <= self.high + slack

    def as_dict(self) -> dict[str, float | int | None]:
        return {"mean": _finite(self.mean), "ci_low": _finite(self.low),
                "ci_high": _finite(self.high), "half_width": _finite(self.half_width),
                "n": self.n}


def t_quantile(df: int, probability: float) -> float:
    """The Student-t quantile with ``df`` degrees of freedom: scipy.stats.t.ppf's own float.

    stdtrit is the function scipy.stats.t.ppf calls, without importing scipy.stats (about a
    second at start-up).
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


def t_interval(values: Sequence[float] | np.ndarray, level: float = 0.95) -> Interval:
    """Mean and Student-t interval of independent replication values; NaNs are left out.

    With one value the interval is unbounded (nan half-width): one replication says nothing
    about its own precision.
    """
    array = np.asarray(values, dtype=float)
    array = array[~np.isnan(array)]
    n = int(array.size)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, math.nan, 0, level)
    mean = float(array.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan, math.nan, 1, level)
    spread = float(array.std(ddof=1))
    half = t_quantile(n - 1, 0.5 + level / 2) * spread / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, half, n, level)
