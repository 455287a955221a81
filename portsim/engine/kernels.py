"""The fast path's per-customer loops: compiled when the C extension was built, else Python.

``pip install`` compiles ``portsim/_kernels.c`` when a C compiler is at hand (the
extension is optional: without one portsim installs and runs all the same). Both versions take
the same arrays and give the same floats -- the loops only compare and add doubles, in the same
order -- so a result never depends on which one ran; only the time does.
:data:`COMPILED` says which one this process uses.
"""

from __future__ import annotations

import math
from heapq import heappop, heappush, heapreplace

import numpy as np

__all__ = ["COMPILED", "FifoStarts", "fifo_starts", "fifo_starts_shifts", "python_fifo_starts",
           "python_fifo_starts_shifts", "python_queue_max", "queue_max"]


def python_fifo_starts(arrivals: np.ndarray, services: np.ndarray, servers: int,
                       horizon: float, out: np.ndarray) -> int:
    """Service starts at a FIFO station with constant ``servers`` (Kiefer-Wolfowitz: a heap of
    the times the servers next become free), written to ``out``; how many start before
    ``horizon``."""
    # no more servers than customers can be busy: a heap of that many gives the same starts
    servers = min(servers, arrivals.size)
    if servers <= 0:
        return 0
    free = [0.0] * servers
    starts: list[float] = []
    add = starts.append
    # NOTE: the loop keeps to locals and C calls (heapreplace), for performance reasons.
    for at, service in zip(arrivals.tolist(), services.tolist(), strict=True):
        soonest = free[0]
        start = at if at >= soonest else soonest
        if not start < horizon:  # starts never decrease: the rest start later still
            break
        heapreplace(free, start + service)
        add(start)
    out[:len(starts)] = starts
    return len(starts)


class FifoStarts:
    """The recursion one customer at a time, for constant servers or a schedule (``servers``
    on duty at first, ``changes`` as (time, servers on duty from then) in time order): where
    a customer's start depends on what happens between arrivals (a shortest-queue choice)."""

    def __init__(self, servers: int, changes: list[tuple[float, int]], horizon: float) -> None:
        self.on_duty = servers
        self.changes = changes
        self.upcoming = 0
        self.horizon = horizon
        self.running: list[float] = []  # end times of the services in progress
        self.previous = -math.inf
        self.closed = False  # one customer could not start before the horizon: nor can later ones

    def start(self, at: float, service: float) -> float:
        """When the next customer, arriving at ``at``, starts (``inf``: not before the horizon);
        at the first moment, at or after its arrival and the previous start, when fewer
        services run than servers are on duty (a cut never interrupts a service, it only holds
        back starts)."""
        if self.closed:
            return math.inf
        changes, running = self.changes, self.running
        count = len(changes)
        t = at if at >= self.previous else self.previous
        while True:
            while self.upcoming < count and changes[self.upcoming][0] <= t:
                self.on_duty = changes[self.upcoming][1]
                self.upcoming += 1
            while running and running[0] <= t:
                heappop(running)
            if len(running) < self.on_duty:
                break
            soonest = running[0] if running else math.inf
            if self.upcoming < count and changes[self.upcoming][0] < soonest:
                soonest = changes[self.upcoming][0]
            t = soonest
            if t >= self.horizon:
                break
        if t >= self.horizon:
            self.closed = True
            return math.inf
        heappush(running, t + service)
        self.previous = t
        return t


def python_fifo_starts_shifts(arrivals: np.ndarray, services: np.ndarray, servers: int,
                              change_times: np.ndarray, change_servers: np.ndarray,
                              horizon: float, out: np.ndarray) -> int:
    """Service starts at a FIFO station whose servers change (to ``change_servers[k]`` at
    ``change_times[k]``; see :class:`FifoStarts`), written to ``out``; how many start before
    ``horizon``."""
    changes = list(zip(change_times.tolist(), change_servers.tolist(), strict=True))
    recursion = FifoStarts(servers, changes, horizon)
    starts: list[float] = []
    for at, service in zip(arrivals.tolist(), services.tolist(), strict=True):
        start = recursion.start(at, service)
        if start == math.inf:
            break
        starts.append(start)
    out[:len(starts)] = starts
    return len(starts)


def python_queue_max(joins: np.ndarray, leaves: np.ndarray, warmup: float) -> int:
    """The longest queue from ``warmup`` on: the queue then, or after any later join once
    everything at its instant has happened (a queue that grows and shrinks within one instant
    is not longer for it). ``joins`` and ``leaves`` are in FIFO order, so both are sorted."""
    at_start = int(np.count_nonzero((joins <= warmup) & (leaves > warmup)))
    later = int(np.searchsorted(joins, warmup, side="left"))
    if later == joins.size:
        return at_start
    # after the n-th join: n joins so far, less those who left at or before its instant
    length = (np.arange(later + 1, joins.size + 1)
              - np.searchsorted(leaves, joins[later:], side="right"))
    return max(at_start, int(length.max()))


try:
    from portsim._kernels import (  # type: ignore[import-not-found]
        fifo_starts,
        fifo_starts_shifts,
        queue_max,
    )
    #: Whether this process runs the compiled loops (the C extension was built).
    COMPILED = True
except ImportError:  # built without a C compiler: the same results, more slowly
    fifo_starts = python_fifo_starts
    fifo_starts_shifts = python_fifo_starts_shifts
    queue_max = python_queue_max
    COMPILED = False
