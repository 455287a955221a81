"""Waits by clock slot: count, mean, 95th percentile and share beyond the standard per hour.

A pledge such as "no traveller queues more than 30 minutes" is a promise about every hour, and
the peak hour is where it breaks; a whole-day average hides it. A :class:`SlotTally` files each
wait under the slot of the customer's arrival (an hour of a given day, and the same hour pooled
over all days), with a linear histogram fine enough for a 95th percentile to within 1/60 of
the standard. Observations arrive in chunks (numpy arrays of waits and arrival times), so the
cost per customer is an append to two lists, not a Python call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Histogram resolution: the standard is cut into this many bins, and the histogram reaches
#: ``REACH`` standards; a longer wait falls into one overflow bin (its percentile is then
#: reported as at least the reach, which is far beyond any pledge).
STEPS_PER_STANDARD = 60
REACH = 4


@dataclass(frozen=True)
class SlotSummary:
    """One slot of one replication."""

    count: int
    mean: float
    p95: float
    beyond_share: float  # share of waits longer than the standard


class SlotTally:
    """Waits filed by the clock slot of arrival: per day and slot, and pooled over days."""

    __slots__ = ("days", "slot_minutes", "slots_per_day", "standard", "width", "bins",
                 "counts", "sums", "beyond", "zeros", "histograms", "_waits",
                 "_times")

    def __init__(self, horizon: float, standard: float, slot_minutes: float = 60.0,
                 day_minutes: float = 1440.0) -> None:
        self.slot_minutes = slot_minutes
        self.slots_per_day = max(1, round(day_minutes / slot_minutes))
        self.days = max(1, math.ceil(horizon / day_minutes))
        self.standard = standard
        # With no finite standard, bins of a minute up to four hours.
        unit = standard if math.isfinite(standard) and standard > 0 else 60.0
        self.width = unit / STEPS_PER_STANDARD
        self.bins = STEPS_PER_STANDARD * REACH + 1
        size = self.days * self.slots_per_day
        self.counts = np.zeros(size, dtype=np.int64)
        self.sums = np.zeros(size, dtype=float)
        self.beyond = np.zeros(size, dtype=np.int64)
        self.zeros = np.zeros(size, dtype=np.int64)
        self.histograms = np.zeros((size, self.bins), dtype=np.int64)
        self._waits: list[float] = []
        self._times: list[float] = []

    def add(self, wait: float, arrived: float) -> None:
        self._waits.append(wait)
        self._times.append(arrived)
        if len(self._waits) >= 4096:
            self.flush()

    def add_many(self, waits: np.ndarray, arrived: np.ndarray) -> None:
        """File many observations at once (e.g. those still waiting at the end)."""
        self.flush()
        self._fold(np.asarray(waits, dtype=float), np.asarray(arrived, dtype=float))

    def flush(self) -> None:
        if not self._waits:
            return
        waits = np.asarray(self._waits, dtype=float)
        times = np.asarray(self._times, dtype=float)
        self._waits.clear()
        self._times.clear()
        self._fold(waits, times)

    def _fold(self, waits: np.ndarray, times: np.ndarray) -> None:
        if waits.size == 0:
            return
        size = self.counts.size
        slots = np.minimum((times // self.slot_minutes).astype(np.int64), size - 1)
        self.counts += np.bincount(slots, minlength=size)
        self.sums += np.bincount(slots, weights=waits, minlength=size)
        self.beyond += np.bincount(slots[waits > self.standard], minlength=size)
        self.zeros += np.bincount(slots[waits <= 0.0], minlength=size)
        cells = np.minimum((waits / self.width).astype(np.int64), self.bins - 1)
        np.add.at(self.histograms, (slots, cells), 1)

    def reset(self) -> None:
        """Forget what came before (end of the warm-up)."""
        self.flush()
        self.counts[:] = 0
        self.sums[:] = 0.0
        self.beyond[:] = 0
        self.zeros[:] = 0
        self.histograms[:] = 0

    # ------------------------------------------------------------------ summaries

    def _summary(self, counts: int, total: float, beyond: int, zeros: int,
                 histogram: np.ndarray) -> SlotSummary:
        if counts == 0:
            return SlotSummary(0, math.nan, math.nan, math.nan)
        if zeros >= 0.95 * counts:
            return SlotSummary(int(counts), total / counts, 0.0, beyond / counts)
        cumulative = np.cumsum(histogram)
        index = int(np.searchsorted(cumulative, 0.95 * counts))
        # The upper edge of the bin holding the 95th percentile: never below the truth.
        p95 = (index + 1) * self.width if index < self.bins - 1 else math.inf
        return SlotSummary(int(counts), total / counts, p95, beyond / counts)

    def by_day(self) -> list[list[SlotSummary]]:
        """Per day, per slot of the day."""
        self.flush()
        per = self.slots_per_day
        return [[self._summary(int(self.counts[i]), float(self.sums[i]), int(self.beyond[i]),
                               int(self.zeros[i]), self.histograms[i])
                 for i in range(d * per, (d + 1) * per)] for d in range(self.days)]

    def pooled(self) -> list[SlotSummary]:
        """Per slot of the day, all days together."""
        self.flush()
        per = self.slots_per_day
        shape = (self.days, per)
        counts = self.counts.reshape(shape).sum(axis=0)
        sums = self.sums.reshape(shape).sum(axis=0)
        beyond = self.beyond.reshape(shape).sum(axis=0)
        zeros = self.zeros.reshape(shape).sum(axis=0)
        histograms = self.histograms.reshape(self.days, per, self.bins).sum(axis=0)
        return [self._summary(int(counts[s]), float(sums[s]), int(beyond[s]), int(zeros[s]),
                              histograms[s]) for s in range(per)]


__all__ = ["REACH", "STEPS_PER_STANDARD", "SlotSummary", "SlotTally"]
