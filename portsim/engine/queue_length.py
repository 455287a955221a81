"""A station's queue-length statistics kept as customers come and go: the longest queue, and
the per-bin integrals of the queue length over the run (its day plot).

The longest queue is the queue as it stands once everything at an instant has happened: a
customer who joins at the very instant a server frees for it, or a queue that grows and shrinks
again within one instant, does not make it longer. So it does not depend on the order of the
events of one instant (docs/design.md, "Simultaneous events"), and the fast path reads it from
joins and leaves alone (``kernels.queue_max``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["QueueLength"]


class QueueLength:
    """A base of :class:`~portsim.engine.station.Station` (which keeps ``queue`` and the bins):
    the longest queue so far, which a join raises and leaves at the instant of the last rise
    take back, down to what stood before that instant; and the per-bin integrals."""

    __slots__ = ("_queue_max", "_max_at", "_max_before")

    queue: Any
    _bin_width: float
    _inv_bin: float
    _queue_bins: list[float]

    def _start_queue_max(self, waiting: int, now: float) -> None:
        """The longest queue so far is ``waiting``, the queue at ``now``, which events at
        ``now`` may still change."""
        self._queue_max = waiting
        self._max_before = 0
        self._max_at = now

    def _joined(self, waiting: int, now: float) -> None:
        """Someone joined the queue at ``now``; ``waiting`` are in it, more than the longest
        queue so far."""
        if self._max_at != now:  # the first rise at this instant: keep what stood before it
            self._max_before = self._queue_max
            self._max_at = now
        self._queue_max = waiting

    def _left(self, now: float) -> None:
        """Someone left the queue at ``now``, the instant of the last rise of the longest queue
        (callers check ``_max_at == now``): that rise counts only as far as the queue stays."""
        self._queue_max = max(self._max_before, len(self.queue))

    def _spread(self, start: float, end: float, bins: list[float]) -> None:
        """Add [start, end] of one waiting customer, from time 0 on, to the per-bin integrals."""
        inv_bin, width, count, start = self._inv_bin, self._bin_width, len(bins), max(start, 0.0)
        first, last = int(start * inv_bin), int(end * inv_bin)
        if first == last:
            if first < count:
                bins[first] += end - start
            return
        if first < count:
            bins[first] += (first + 1) * width - start
        for index in range(first + 1, min(last, count)):
            bins[index] += width
        if last < count:
            bins[last] += end - last * width

    def _spread_all(self, starts: np.ndarray, end: float) -> np.ndarray:
        """Per-bin integrals of many intervals [start, end] at once, in O(intervals + bins):
        a difference array for the whole bins between each start and the end, plus the two
        partial bins at either side (the end's bin is shared by all)."""
        count, width = len(self._queue_bins), self._bin_width
        result = np.zeros(count, dtype=float)
        if starts.size == 0:
            return result
        starts = np.maximum(starts, 0.0)  # a warm start may place customers who joined before 0
        first = (starts * self._inv_bin).astype(np.int64)
        last = int(end * self._inv_bin)
        same = first == last
        if last < count:
            result[last] += float(np.sum(end - starts[same]))
        spanning = ~same
        firsts = first[spanning]
        inside = firsts < count
        np.add.at(result, firsts[inside], (firsts[inside] + 1) * width - starts[spanning][inside])
        if last < count:
            result[last] += int(np.count_nonzero(spanning)) * (end - last * width)
        # whole bins first+1 .. last-1 (clipped to the series)
        whole = np.zeros(count + 1, dtype=float)
        lows = np.minimum(firsts + 1, count)
        np.add.at(whole, lows, width)
        whole[min(last, count)] -= width * lows.size
        result += np.cumsum(whole)[:count]
        return result
