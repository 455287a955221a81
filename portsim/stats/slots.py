"""Waits by clock slot: count, mean, 95th percentile, longest wait and share beyond the
standard per slot (an hour, say).

A pledge such as "no traveller queues more than 30 minutes" is a promise about every hour, and
the peak hour is where it breaks; a whole-day average hides it. A :class:`SlotTally` files each
wait under the slot of the customer's arrival (an hour of a given day, and the same hour pooled
over all days), with a histogram whose bins are at most 1/64 of their value wide (a 95th
percentile within 0.8 % of the exact order statistic, from 0.06 s to 32 years; a staffing target
is judged on it). Observations arrive in chunks (numpy arrays of waits and their times), so the
cost per customer on the hot path is one list append.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

try:  # the compiled filing of a chunk (portsim/_kernels.c); None where it was not built
    from portsim._kernels import slot_fold as _slot_fold  # type: ignore[import-not-found]
except ImportError:
    _slot_fold = None

#: Histogram resolution: each octave of waits ([2^k, 2^(k+1)) minutes) is cut into
#: ``2**SUB_BITS`` equal bins, so a bin is at most 1/64 of its lower edge wide and a
#: percentile read at its bin's middle is within 0.8 % of the exact order statistic. The bin
#: of a wait is read off its IEEE-754 bits (exponent and the mantissa's top ``SUB_BITS``),
#: exactly, in numpy and in the compiled loop alike; no logarithm, no rounding.
SUB_BITS = 6
#: Waits below ``2**LOWEST_OCTAVE`` minutes (about 0.06 s), zeros included, share bin 0; the
#: octaves above it reach ``2**(LOWEST_OCTAVE + OCTAVES)`` minutes (about 32 years), and one
#: last bin holds everything longer (and what is not a number).
LOWEST_OCTAVE = -10
OCTAVES = 34
_BIASED_LOW = 1023 + LOWEST_OCTAVE  # the IEEE-754 exponent field of 2**LOWEST_OCTAVE
_SUB = 1 << SUB_BITS
#: Bins per slot of the day: bin 0, the octaves' bins, the last bin.
BINS = 2 + OCTAVES * _SUB


def bin_lower_edges() -> np.ndarray:
    """Lower edge of every bin (minutes): bin i holds the waits in [edge[i], edge[i+1])."""
    octave = np.arange(OCTAVES).repeat(_SUB)
    step = np.tile(np.arange(_SUB), OCTAVES)
    inner = np.ldexp(1.0 + step / _SUB, LOWEST_OCTAVE + octave)
    return np.concatenate([[0.0], inner, [math.ldexp(1.0, LOWEST_OCTAVE + OCTAVES)]])


def wait_bins(waits: np.ndarray) -> np.ndarray:
    """The histogram bin of each wait (float64), from its bits: the exponent field picks the
    octave, the mantissa's top bits the bin within it (see :data:`SUB_BITS`)."""
    values = np.ascontiguousarray(waits, dtype=float)
    bits = values.view(np.uint64)
    octave = (bits >> np.uint64(52)).astype(np.int64) - _BIASED_LOW
    cells = 1 + octave * _SUB + ((bits >> np.uint64(52 - SUB_BITS)) & np.uint64(_SUB - 1)
                                 ).astype(np.int64)
    cells[octave >= OCTAVES] = BINS - 1  # too long, infinite or not a number (or sign bit)
    cells[octave < 0] = 0
    cells[~(values > 0.0)] = 0  # zero and negative waits (not NaN: its comparison is False)
    cells[np.isnan(values)] = BINS - 1
    return cells


def bin_middle(index: int) -> float:
    """The wait read for a percentile in bin ``index``: the bin's middle (inf in the last)."""
    if index >= BINS - 1:
        return math.inf
    if index == 0:
        return math.ldexp(0.5, LOWEST_OCTAVE)
    octave, step = divmod(index - 1, _SUB)
    return math.ldexp(1.0 + (step + 0.5) / _SUB, LOWEST_OCTAVE + octave)


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
    longest: float = math.nan
    """The longest wait filed under the slot."""


class SlotTally:
    """Waits filed by the clock slot of arrival: per day and slot (count, mean, share beyond
    the standard), and pooled over days (with the 95th percentile).

    Only slots from ``first_slot`` on are filed (the slots after the warm-up); the histograms
    are kept per slot of the day, pooled, so memory does not grow with the horizon.
    """

    __slots__ = ("days", "slot_minutes", "slots_per_day", "standard", "counts", "sums",
                 "beyond", "zeros", "maxima", "histograms", "first_slot", "times",
                 "times_are_ends")

    def __init__(self, horizon: float, standard: float, slot_minutes: float = 60.0,
                 day_minutes: float = 1440.0, *, times_are_ends: bool = False,
                 first_slot: int = 0) -> None:
        self.slot_minutes = slot_minutes
        self.slots_per_day = max(1, round(day_minutes / slot_minutes))
        self.days = max(1, math.ceil(horizon / day_minutes))
        self.standard = standard
        size = self.days * self.slots_per_day
        self.counts = np.zeros(size, dtype=np.int64)
        self.sums = np.zeros(size, dtype=float)
        self.beyond = np.zeros(size, dtype=np.int64)
        self.zeros = np.zeros(size, dtype=np.int64)
        #: The longest wait filed under each slot (0 where none was).
        self.maxima = np.zeros(size, dtype=float)
        #: Per slot of the day (all days pooled), the count of waits in each bin (see BINS).
        self.histograms = np.zeros((self.slots_per_day, BINS), dtype=np.int64)
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
                self.days > 1, _BIASED_LOW, OCTAVES, SUB_BITS, self.counts, self.sums,
                self.beyond, self.zeros, self.maxima, self.histograms):
            return
        self._fold_arrays(waits, times)

    def _fold_arrays(self, waits: np.ndarray, times: np.ndarray) -> None:
        """:meth:`_fold` in numpy: where the compiled loop (portsim/_kernels.c, the same
        counts, sums and maxima) was not built or declines the chunk (a wait or time not
        finite)."""
        size = self.counts.size
        # A warm start's customer who joined before time 0 is filed under the first slot (the
        # compiled loop declines such a chunk, so both file it here alike); a time past the
        # last slot under the last, cut to its end first: an infinite one has no quotient
        # (inf // x is NaN) nor any integer.
        reach = np.minimum(times, size * self.slot_minutes)
        slots = np.clip(floor_quotient(reach, self.slot_minutes), 0, size - 1).astype(np.int64)
        if self.first_slot:
            kept = slots >= self.first_slot
            slots, waits = slots[kept], waits[kept]
        self.counts += np.bincount(slots, minlength=size)
        self.sums += np.bincount(slots, weights=waits, minlength=size)
        self.beyond += np.bincount(slots[waits > self.standard], minlength=size)
        self.zeros += np.bincount(slots[waits <= 0.0], minlength=size)
        np.maximum.at(self.maxima, slots, waits)
        cells = wait_bins(waits)
        # NOTE: one bincount over (slot of the day, bin) pairs flattened, rather than np.add.at
        # on the 2-D histogram (several times slower), for performance reasons.
        # with one day the slots are those of the day already (an integer modulo is slow)
        of_day = slots % self.slots_per_day if self.days > 1 else slots
        flat = of_day * BINS + cells
        self.histograms += np.bincount(flat, minlength=self.histograms.size).reshape(
            self.histograms.shape)

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
        self.maxima[:] = 0.0
        self.histograms[:] = 0

    # ------------------------------------------------------------------ summaries

    def _summary(self, counts: int, total: float, beyond: int, zeros: int, longest: float,
                 histogram: np.ndarray | None) -> SlotSummary:
        if counts == 0:
            return SlotSummary(0, math.nan, math.nan, math.nan, math.nan)
        mean, share = total / counts, beyond / counts
        if histogram is None:
            return SlotSummary(int(counts), mean, math.nan, share, longest)
        if zeros >= 0.95 * counts:
            return SlotSummary(int(counts), mean, 0.0, share, longest)
        cumulative = np.cumsum(histogram)
        index = int(np.searchsorted(cumulative, 0.95 * counts))
        # The middle of the bin holding the 95th percentile (within 0.8 % of it), and never
        # beyond the longest wait (which the percentile cannot exceed).
        return SlotSummary(int(counts), mean, min(bin_middle(index), longest), share, longest)

    def by_day(self) -> list[list[SlotSummary]]:
        """Per day, per slot of the day: count, mean, share beyond the standard and longest
        wait (the 95th percentile is kept pooled only, so ``p95`` is nan here)."""
        per = self.slots_per_day
        return [[self._summary(int(self.counts[i]), float(self.sums[i]), int(self.beyond[i]),
                               int(self.zeros[i]), float(self.maxima[i]), None)
                 for i in range(d * per, (d + 1) * per)] for d in range(self.days)]

    def pooled(self) -> list[SlotSummary]:
        """Per slot of the day, all days together."""
        per = self.slots_per_day
        shape = (self.days, per)
        counts = self.counts.reshape(shape).sum(axis=0)
        sums = self.sums.reshape(shape).sum(axis=0)
        beyond = self.beyond.reshape(shape).sum(axis=0)
        zeros = self.zeros.reshape(shape).sum(axis=0)
        longest = self.maxima.reshape(shape).max(axis=0)
        return [self._summary(int(counts[s]), float(sums[s]), int(beyond[s]), int(zeros[s]),
                              float(longest[s]), self.histograms[s]) for s in range(per)]


__all__ = ["BINS", "LOWEST_OCTAVE", "OCTAVES", "SUB_BITS", "SlotSummary", "SlotTally",
           "bin_lower_edges", "bin_middle", "floor_quotient", "wait_bins"]
