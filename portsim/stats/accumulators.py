"""Streaming accumulators for one replication.

Two kinds, kept apart as salabim teaches: a :class:`Tally` summarises observations (waits,
times in system); a :class:`Level` integrates a quantity over time (queue length, busy servers).
Neither keeps one record per entity: a tally buffers a bounded chunk of observations and folds it
into counts, sums and a fine log-spaced histogram with numpy, so memory stays constant however many
entities pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

# Log-spaced histogram bins: relative width 0.2 % from 1e-4 minutes (6 ms) to 1e7 minutes (19
# years). Quantiles read from it are within 0.1 % of the exact order statistic.
HIST_MIN = 1e-4
HIST_REL = 0.002
_LOG_STEP = math.log1p(HIST_REL)
HIST_BINS = math.ceil(math.log(1e7 / HIST_MIN) / _LOG_STEP) + 1
CHUNK = 4096  # observations buffered before a tally folds them in


def bin_edges() -> np.ndarray:
    """Lower edges of the histogram bins (bin i covers [edge[i], edge[i+1]))."""
    return HIST_MIN * np.exp(_LOG_STEP * np.arange(HIST_BINS + 1))


class Tally:
    """Count, mean, variance, max, share within a threshold and a quantile histogram.

    Observations are appended to a short list, ``pending`` (``add`` is its ``append``, bound
    once for speed), and folded into the totals every few thousand values. A hot loop that binds
    ``add`` may test ``len(pending) >= CHUNK`` itself to fold at the points :meth:`maybe_flush`
    would; both are replaced by :meth:`reset`, so rebind them after it.
    """

    __slots__ = ("threshold", "count", "total", "total_sq", "maximum", "zeros", "within",
                 "histogram", "pending", "add", "on_flush")

    def __init__(self, threshold: float = math.inf,
                 on_flush: Callable[[np.ndarray], None] | None = None) -> None:
        self.threshold = threshold
        #: Told each chunk of observations as it is folded (e.g. to file them by slot too).
        self.on_flush = on_flush
        self.pending: list[float] = []
        self.reset()

    def reset(self) -> None:
        self.count = 0
        self.total = 0.0
        self.total_sq = 0.0
        self.maximum = 0.0
        self.zeros = 0
        self.within = 0
        self.histogram = np.zeros(HIST_BINS, dtype=np.int64)
        self.pending = []
        self.add = self.pending.append

    def flush(self) -> None:
        if not self.pending:
            return
        values = np.asarray(self.pending, dtype=float)
        self.pending.clear()
        if self.on_flush is not None:
            self.on_flush(values)
        self._fold(values)

    def add_many(self, values: np.ndarray) -> None:
        """Observe every value of an array at once, as that many ``add`` calls and a flush
        would, but without telling ``on_flush`` (the caller files them by slot itself)."""
        self.flush()
        if values.size:
            self._fold(np.asarray(values, dtype=float))

    def _fold(self, values: np.ndarray) -> None:
        size = values.size
        self.count += size
        self.total += float(values.sum())
        # NOTE: einsum rather than np.dot, for performance reasons: np.dot hands large arrays
        # to a multithreaded BLAS whose threads spin on a busy machine (milliseconds of CPU per
        # call); einsum sums in one thread. Only the variance reads total_sq.
        self.total_sq += float(np.einsum("i,i->", values, values))
        self.maximum = max(self.maximum, float(values.max()))
        if self.threshold == math.inf:
            self.within += size  # NOTE: skips a comparison pass, for performance reasons
        else:
            self.within += int(np.count_nonzero(values <= self.threshold))
        positive = values[values > 0]
        self.zeros += size - positive.size
        if positive.size:
            # NOTE: the same operations as np.floor(np.log(positive / HIST_MIN) / _LOG_STEP),
            # in place, and a bincount over the occupied range only rather than all HIST_BINS
            # bins, for performance reasons: the bin of every value is unchanged.
            with np.errstate(over="ignore"):  # past 1e304 the quotient is infinite: last bin
                scaled = positive / HIST_MIN
            np.log(scaled, out=scaled)
            scaled /= _LOG_STEP
            np.floor(scaled, out=scaled)
            # an infinite value (a wait that never ends) belongs in the last bin, as any value
            # past 1e7 minutes: cut before the cast, which has no integer for infinity
            np.minimum(scaled, HIST_BINS - 1, out=scaled)
            index = scaled.astype(np.int64)
            np.clip(index, 0, HIST_BINS - 1, out=index)
            low = int(index.min())
            if low:
                index -= low
            counts = np.bincount(index)
            self.histogram[low:low + counts.size] += counts

    def with_values(self, values: np.ndarray) -> Tally:
        """A copy with ``values`` observed too (e.g. the waits still in progress at the end,
        for quantiles and shares that count them)."""
        self.flush()
        copy = Tally(self.threshold)
        for name in ("count", "total", "total_sq", "maximum", "zeros", "within"):
            setattr(copy, name, getattr(self, name))
        copy.histogram = self.histogram.copy()
        copy.pending.extend(np.asarray(values, dtype=float).tolist())
        copy.flush()
        return copy

    def maybe_flush(self) -> None:
        if len(self.pending) >= CHUNK:
            self.flush()

    @property
    def mean(self) -> float:
        self.flush()
        return self.total / self.count if self.count else math.nan

    @property
    def variance(self) -> float:
        self.flush()
        if self.count < 2:
            return math.nan
        mean = self.total / self.count
        return max(0.0, (self.total_sq - self.count * mean * mean) / (self.count - 1))

    def quantile(self, q: float) -> float:
        self.flush()
        return histogram_quantile(self.zeros, self.histogram, q, self.maximum)

    def share_within(self) -> float:
        self.flush()
        return self.within / self.count if self.count else math.nan

    def share_positive(self) -> float:
        self.flush()
        return (self.count - self.zeros) / self.count if self.count else math.nan


def histogram_quantile(zeros: int, histogram: np.ndarray, q: float, maximum: float) -> float:
    """The q-quantile of observations given as a count of zeros plus a log-binned histogram."""
    total = zeros + int(histogram.sum())
    if total == 0:
        return math.nan
    rank = q * total
    if rank <= zeros:
        return 0.0
    cumulative = np.cumsum(histogram)
    index = int(np.searchsorted(cumulative, rank - zeros))
    index = min(index, HIST_BINS - 1)
    midpoint = HIST_MIN * math.exp(_LOG_STEP * (index + 0.5))
    return min(midpoint, maximum)


class Level:
    """Time-weighted average and maximum of a piecewise-constant quantity.

    With ``bin_width`` set, also integrates the quantity per time bin over the whole run (for
    plots over the day); the bins are not cleared by :meth:`reset`.
    """

    __slots__ = ("value", "area", "maximum", "last", "start", "bin_width", "bins", "_bin_end",
                 "_bin_index", "_bin_area")

    def __init__(self, value: float = 0.0, start: float = 0.0,
                 bin_width: float | None = None, bin_count: int = 0) -> None:
        self.value = value
        self.area = 0.0
        self.maximum = value
        self.last = start
        self.start = start
        self.bin_width = bin_width
        self._bin_area = 0.0
        if bin_width:
            self.bins: np.ndarray | None = np.zeros(bin_count, dtype=float)
            self._bin_index = int(start // bin_width)
            self._bin_end = (self._bin_index + 1) * bin_width
        else:
            self.bins = None
            self._bin_index = 0
            self._bin_end = math.inf

    def reset(self, now: float) -> None:
        """Start the averages afresh at ``now`` (end of warm-up); the value carries over."""
        self.set(now, self.value)
        self.area = 0.0
        self.maximum = self.value
        self.start = now

    def set(self, now: float, value: float) -> None:
        """Record that the quantity changes to ``value`` at time ``now``."""
        if now >= self._bin_end:
            self._roll_bins(now)
        increment = self.value * (now - self.last)
        self.area += increment
        self._bin_area += increment
        self.last = now
        self.value = value
        self.maximum = max(self.maximum, value)

    def _roll_bins(self, now: float) -> None:
        bins = self.bins
        assert bins is not None and self.bin_width is not None
        while now >= self._bin_end:
            increment = self.value * (self._bin_end - self.last)
            self.area += increment
            if self._bin_index < bins.size:
                bins[self._bin_index] += self._bin_area + increment
            self._bin_area = 0.0
            self.last = self._bin_end
            self._bin_index += 1
            self._bin_end += self.bin_width

    def close(self, now: float) -> None:
        """Bring the integrals up to ``now`` (end of the run)."""
        self.set(now, self.value)
        if self.bins is not None and self._bin_index < self.bins.size:
            self.bins[self._bin_index] += self._bin_area
            self._bin_area = 0.0

    @classmethod
    def integrated(cls, value: float, start: float, end: float, area: float, maximum: float,
                   bin_width: float | None = None, bins: np.ndarray | None = None) -> Level:
        """A level integrated elsewhere over [start, end]: ``area`` and per-bin ``bins``."""
        level = cls(value, start)
        level.area = area
        level.maximum = maximum
        level.last = end
        level.bin_width = bin_width
        level.bins = bins
        return level

    def time_average(self) -> float:
        span = self.last - self.start
        return self.area / span if span > 0 else float(self.value)
