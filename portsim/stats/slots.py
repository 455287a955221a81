"""Waits by clock slot: count, mean, 95th percentile and share beyond the standard per hour.

A pledge such as "no traveller queues more than 30 minutes" is a promise about every hour, and
the peak hour is where it breaks; a whole-day average hides it. A :class:`SlotTally` files each
wait under the slot of the customer's arrival (an hour of a given day, and the same hour pooled
over all days), with a histogram fine enough for a 95th percentile to within 1/60 of the
standard up to four standards (and within 2 % beyond). Observations arrive in chunks (numpy
arrays of waits and their times), so the cost per customer on the hot path is one list append.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

try:  # the compiled filing of a chunk (portsim/_kernels.c); None where it was not built
    from portsim._kernels import slot_fold as _slot_fold  # type: ignore[import-not-found]
except ImportError:
    _slot_fold = None

#: Histogram resolution: up to ``REACH`` standards the standard is cut into this many equal
#: bins (a percentile within 1/60 of the standard where the pledge is decided); beyond, bins
#: grow by ``GROWTH`` each (within 2 %) up to ``LONGEST`` minutes.
STEPS_PER_STANDARD = 60
REACH = 4
GROWTH = 1.02
LONGEST = 1e7


def floor_quotient(values: np.ndarray, divisor: float) -> np.ndarray:
    """``values // divisor`` (floats), element by element the same.

    NOTE: numpy's float ``//`` computes a remainder first and costs ~10 ns a value; dividing
    and flooring is 10x cheaper, for performance reasons. The two differ only where the
    rounded quotient is a whole number (the exact one may lie just below it: rounding to
    nearest cannot jump over an integer, which is representable), so those values, rare,
    are divided again with ``//``.
    """
    quotient = values / divisor
    floored = np.floor(quotient)
    whole = np.flatnonzero(floored == quotient)
    if whole.size:
        floored[whole] = values[whole] // divisor
    return floored


@dataclass(frozen=True)
class SlotSummary:
    """One slot of one replication."""

    count: int
    mean: float
    p95: float
    beyond_share: float  # share of waits longer than the standard


class SlotTally:
    """Waits filed by the clock slot of arrival: per day and slot (count, mean, share beyond
    the standard), and pooled over days (with the 95th percentile).

    Only slots from ``first_slot`` on are filed (the slots after the warm-up); the histograms
    are kept per slot of the day, pooled, so memory does not grow with the horizon.
    """

    __slots__ = ("days", "slot_minutes", "slots_per_day", "standard", "edges", "bins",
                 "counts", "sums", "beyond", "zeros", "histograms", "first_slot", "times",
                 "times_are_ends", "_reach", "_per_wait", "_bounds")

    def __init__(self, horizon: float, standard: float, slot_minutes: float = 60.0,
                 day_minutes: float = 1440.0, *, times_are_ends: bool = False,
                 first_slot: int = 0) -> None:
        self.slot_minutes = slot_minutes
        self.slots_per_day = max(1, round(day_minutes / slot_minutes))
        self.days = max(1, math.ceil(horizon / day_minutes))
        self.standard = standard
        # With no finite standard, bins of a minute up to four hours.
        unit = standard if math.isfinite(standard) and standard > 0 else 60.0
        linear = np.linspace(0.0, REACH * unit, STEPS_PER_STANDARD * REACH + 1)
        growing = REACH * unit * GROWTH ** np.arange(
            1, math.ceil(math.log(LONGEST / (REACH * unit)) / math.log(GROWTH)) + 1)
        #: Upper edges of the bins: bin i holds the waits in [edges[i-1], edges[i]) (bin 0 from
        #: 0), and one more bin everything from the last edge on.
        self.edges = np.concatenate([linear[1:], growing])
        self.bins = self.edges.size + 1
        #: The linear bins' reach (minutes) and how many bins a minute of wait spans there:
        #: the first guess of a wait's bin, in numpy and in the compiled loop alike.
        self._reach = REACH * unit
        self._per_wait = (STEPS_PER_STANDARD * REACH) / self._reach
        #: The edges between -inf and +inf: bin i holds the waits in [_bounds[i], _bounds[i+1]).
        self._bounds = np.concatenate([[-math.inf], self.edges, [math.inf]])
        size = self.days * self.slots_per_day
        self.counts = np.zeros(size, dtype=np.int64)
        self.sums = np.zeros(size, dtype=float)
        self.beyond = np.zeros(size, dtype=np.int64)
        self.zeros = np.zeros(size, dtype=np.int64)
        self.histograms = np.zeros((self.slots_per_day, self.bins), dtype=np.int64)
        self.first_slot = first_slot
        #: Times for the observations a :class:`~portsim.stats.accumulators.Tally` folds
        #: (see :meth:`fold_pending`): arrival times, or with ``times_are_ends`` the times the
        #: waits ended (arrival = end - wait).
        self.times: list[float] = []
        self.times_are_ends = times_are_ends

    def fold_pending(self, waits: np.ndarray) -> None:
        """File a tally's chunk of waits under the times appended to :attr:`times` alongside
        them (a ``Tally.on_flush`` hook: one list append per observation on the hot path)."""
        times = np.asarray(self.times, dtype=float)
        self.times.clear()
        if times.size != waits.size:  # pragma: no cover - a broken pairing is a bug
            raise RuntimeError("waits and their times are out of step")
        self._fold(waits, times - waits if self.times_are_ends else times)

    def add_many(self, waits: np.ndarray, arrived: np.ndarray) -> None:
        """File many observations at once (e.g. those still waiting at the end)."""
        self._fold(np.asarray(waits, dtype=float), np.asarray(arrived, dtype=float))

    def _fold(self, waits: np.ndarray, times: np.ndarray) -> None:
        if waits.size == 0:
            return
        if _slot_fold is not None and _slot_fold(
                np.ascontiguousarray(waits, dtype=float), np.ascontiguousarray(times, dtype=float),
                self.slot_minutes, self.first_slot, self.standard, self.slots_per_day,
                self.days > 1, self._per_wait, STEPS_PER_STANDARD * REACH, self._reach,
                math.log(GROWTH), self._bounds, self.counts, self.sums,
                self.beyond, self.zeros, self.histograms):
            return
        self._fold_arrays(waits, times)

    def _fold_arrays(self, waits: np.ndarray, times: np.ndarray) -> None:
        """:meth:`_fold` in numpy: where the compiled loop (portsim/_kernels.c, the same
        counts and sums) was not built or declines the chunk (a wait or time not finite)."""
        size = self.counts.size
        slots = np.minimum(floor_quotient(times, self.slot_minutes).astype(np.int64), size - 1)
        if self.first_slot:
            kept = slots >= self.first_slot
            slots, waits = slots[kept], waits[kept]
        self.counts += np.bincount(slots, minlength=size)
        self.sums += np.bincount(slots, weights=waits, minlength=size)
        self.beyond += np.bincount(slots[waits > self.standard], minlength=size)
        self.zeros += np.bincount(slots[waits <= 0.0], minlength=size)
        cells = self._cells(waits)
        # NOTE: one bincount over (slot of the day, bin) pairs flattened, rather than np.add.at
        # on the 2-D histogram (several times slower), for performance reasons.
        # with one day the slots are those of the day already (an integer modulo is slow)
        of_day = slots % self.slots_per_day if self.days > 1 else slots
        flat = of_day * self.bins + cells
        self.histograms += np.bincount(flat, minlength=self.histograms.size).reshape(
            self.histograms.shape)

    def _cells(self, waits: np.ndarray) -> np.ndarray:
        """The histogram bin of each wait: ``np.searchsorted(self.edges, waits, "right")``.

        NOTE: the bin is guessed from the edges' formulas (equal steps up to ``REACH``
        standards, then a growth of ``GROWTH`` each) and moved to the bin whose bounds hold the
        wait, a step at a time until every wait is inside its bounds, for performance reasons:
        a binary search over ~800 edges per wait costs several times more. The bounds decide, so
        every bin is the binary search's; waits that are not finite take the binary search.
        """
        if not np.isfinite(waits).all():
            return np.searchsorted(self.edges, waits, side="right")
        steps = STEPS_PER_STANDARD * REACH
        reach = self._reach
        with np.errstate(over="ignore"):  # a guess beyond the last edge is clipped to it
            guess = waits * self._per_wait
            far = np.flatnonzero(guess >= steps)
            if far.size:
                guess[far] = steps + np.log(waits[far] / reach) / math.log(GROWTH)
        cells = np.clip(guess, 0, self.edges.size).astype(np.int64)
        bounds = self._bounds
        while True:
            up = bounds[cells + 1] <= waits
            down = bounds[cells] > waits
            if not (up.any() or down.any()):
                return cells
            cells += up
            cells -= down

    def drop_pending(self) -> None:
        """Forget the times of a tally's chunk that was reset unfolded (end of the warm-up):
        they were filed before the warm-up, under slots that are not reported."""
        self.times.clear()

    def reset(self) -> None:
        """Forget what came before."""
        self.counts[:] = 0
        self.sums[:] = 0.0
        self.beyond[:] = 0
        self.zeros[:] = 0
        self.histograms[:] = 0

    # ------------------------------------------------------------------ summaries

    def _summary(self, counts: int, total: float, beyond: int, zeros: int,
                 histogram: np.ndarray | None) -> SlotSummary:
        if counts == 0:
            return SlotSummary(0, math.nan, math.nan, math.nan)
        if histogram is None:
            return SlotSummary(int(counts), total / counts, math.nan, beyond / counts)
        if zeros >= 0.95 * counts:
            return SlotSummary(int(counts), total / counts, 0.0, beyond / counts)
        cumulative = np.cumsum(histogram)
        index = int(np.searchsorted(cumulative, 0.95 * counts))
        # The upper edge of the bin holding the 95th percentile: never below the truth.
        p95 = float(self.edges[index]) if index < self.edges.size else math.inf
        return SlotSummary(int(counts), total / counts, p95, beyond / counts)

    def by_day(self) -> list[list[SlotSummary]]:
        """Per day, per slot of the day: count, mean and share beyond the standard (the 95th
        percentile is kept pooled only, so ``p95`` is nan here)."""
        per = self.slots_per_day
        return [[self._summary(int(self.counts[i]), float(self.sums[i]), int(self.beyond[i]),
                               int(self.zeros[i]), None)
                 for i in range(d * per, (d + 1) * per)] for d in range(self.days)]

    def pooled(self) -> list[SlotSummary]:
        """Per slot of the day, all days together."""
        per = self.slots_per_day
        shape = (self.days, per)
        counts = self.counts.reshape(shape).sum(axis=0)
        sums = self.sums.reshape(shape).sum(axis=0)
        beyond = self.beyond.reshape(shape).sum(axis=0)
        zeros = self.zeros.reshape(shape).sum(axis=0)
        return [self._summary(int(counts[s]), float(sums[s]), int(beyond[s]), int(zeros[s]),
                              self.histograms[s]) for s in range(per)]


__all__ = ["GROWTH", "LONGEST", "REACH", "STEPS_PER_STANDARD", "SlotSummary", "SlotTally",
           "floor_quotient"]
