"""Choosing a warm-up from the output itself: MSER-5 (White 1997; White, Cobb & Spratt 2000).

A run that starts empty is biased low until the queues fill. MSER picks the truncation point
that minimises the marginal standard error of what is left: for a series ``Z_1..Z_m`` (here
means of batches of five observations, which smooths the statistic), the truncation ``d`` that
minimises ``sum((Z_i - mean(Z_d+1..m))**2) / (m - d)**2`` over ``d`` up to ``m / 2`` (beyond
half the series the statistic is unreliable and the run too short to tell).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BATCH = 5


@dataclass(frozen=True)
class Truncation:
    """Where MSER-5 cuts a series, and what it saw."""

    observations: int
    """Observations of the original series to drop (a multiple of the batch size)."""
    statistic: float
    """The minimal MSER statistic (nan when the series is too short)."""
    batches: int
    """Batch means the search ran over."""


def mser(series: Sequence[float] | np.ndarray, batch: int = BATCH) -> Truncation:
    """The MSER-``batch`` truncation point of ``series`` (nan values are not allowed)."""
    values = np.asarray(series, dtype=float)
    if values.ndim != 1:
        raise ValueError("MSER needs a one-dimensional series")
    if not np.all(np.isfinite(values)):
        raise ValueError("MSER needs finite values")
    count = values.size // batch
    if count < 2:
        return Truncation(0, math.nan, count)
    means = values[:count * batch].reshape(count, batch).mean(axis=1)
    # Sums over the tail Z_d..Z_m for every d at once, from reversed cumulative sums.
    tail_sum = np.cumsum(means[::-1])[::-1]
    tail_sq = np.cumsum((means * means)[::-1])[::-1]
    remaining = np.arange(count, 0, -1, dtype=float)
    squares = np.maximum(tail_sq - tail_sum * tail_sum / remaining, 0.0)
    statistic = squares / (remaining * remaining)
    limit = count // 2 + 1
    best = int(np.argmin(statistic[:limit]))
    return Truncation(best * batch, float(statistic[best]), count)


def warmup_minutes(series: Sequence[float] | np.ndarray, bin_minutes: float, *,
                   period: float | None = None, batch: int = BATCH) -> float:
    """The warm-up MSER-``batch`` chooses on a series of ``bin_minutes``-wide bins, rounded
    up to whole ``period``s (a day for day-periodic scenarios) when given."""
    cut = mser(series, batch).observations * bin_minutes
    if period is not None and cut > 0:
        cut = math.ceil(cut / period - 1e-9) * period
    return cut


__all__ = ["BATCH", "Truncation", "mser", "warmup_minutes"]
