"""The fast path's per-customer loops: compiled when the C extension was built, else Python.

``pip install`` compiles ``portsim/_kernels.c`` when a C compiler is at hand (the
extension is optional: without one portsim installs and runs all the same). Both versions take
the same arrays and give the same floats -- the loops only compare and add doubles, in the same
order -- so a result never depends on which one ran; only the time does.
:data:`COMPILED` says which one this process uses. The loops where customers may give up, or
servers open and close as the queue waits, are in :mod:`portsim.engine.kernels_giving`.
"""

from __future__ import annotations

import importlib
import math
from array import array
from collections.abc import Callable
from heapq import heappop, heappush, heapreplace
from types import ModuleType
from typing import TypeVar, cast

import numpy as np

__all__ = ["COMPILED", "FifoStarts", "PrioritySweep", "compiled_or", "fifo_starts",
           "fifo_starts_shifts", "priority_starts", "python_fifo_starts",
           "python_fifo_starts_shifts", "python_priority_starts", "python_queue_max", "queue_max"]

_Loop = TypeVar("_Loop", bound=Callable[..., object])


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


class PrioritySweep:
    """A station that serves by priority (lowest first, then in the order customers joined the
    queue; non-preemptive), its events swept in the event engine's order: at one instant the
    shift changes first, then the customers' own events and moves by their turns (a service
    ending in a customer's turn before a move made in that same turn: the move follows from
    it). ``servers`` on duty at first, ``changes`` as (time, servers on duty from then).

    The caller brings each customer with :meth:`advance` (everything before its move) and
    :meth:`arrive`, then :meth:`advance` to the horizon. ``started`` lists who started (their
    positions) in the order they did, ``start_times`` when."""

    def __init__(self, servers: int, changes: list[tuple[float, int]], horizon: float) -> None:
        self.on_duty = servers
        self.changes = changes
        self.upcoming = 0
        self.horizon = horizon
        self.busy = 0
        self.running: list[tuple[float, int, int]] = []  # (end, its customer's turn, position)
        # (priority, joined number, position, service, turn): the heap of the event engine's
        # PriorityLine, carrying what a start needs
        self.waiting: list[tuple[int, int, int, float, int]] = []
        self.joined = 0
        self.started = array("q")  # machine numbers, 8 bytes each, for memory's sake
        self.start_times = array("d")

    def advance(self, at: float, turn: int) -> None:
        """Play every event before a move at ``at`` in turn ``turn`` (and before the horizon):
        shift changes up to ``at``, services ending before ``at`` or at ``at`` in a turn not
        after ``turn``."""
        changes, running, horizon = self.changes, self.running, self.horizon
        count = len(changes)
        while True:
            change = changes[self.upcoming][0] if self.upcoming < count else math.inf
            end = running[0][0] if running else math.inf
            if change <= end:
                if not (change <= at and change < horizon):
                    return
                self._change(change, changes[self.upcoming][1])
                self.upcoming += 1
            elif end < horizon and (end < at or (end == at and running[0][1] <= turn)):
                self._finish(end)
            else:
                return

    def arrive(self, at: float, position: int, priority: int, service: float,
               turn: int) -> None:
        """The customer at ``position`` joins at ``at``: served at once by a free server, else
        queued."""
        if self.busy < self.on_duty:
            self.busy += 1
            self._start(at, position, service, turn)
        else:
            self.joined += 1
            heappush(self.waiting, (priority, self.joined, position, service, turn))

    def present(self) -> int:
        """Customers queueing or in service."""
        return len(self.waiting) + len(self.running)

    def _start(self, at: float, position: int, service: float, turn: int) -> None:
        self.started.append(position)
        self.start_times.append(at)
        heappush(self.running, (at + service, turn, position))

    def _finish(self, end: float) -> None:
        heappop(self.running)
        if self.waiting and self.busy <= self.on_duty:  # the freed server takes the head
            _, _, position, service, turn = heappop(self.waiting)
            self._start(end, position, service, turn)
        else:
            self.busy -= 1

    def _change(self, at: float, servers: int) -> None:
        # a cut never interrupts a service; more servers take the heads of the queue at once
        self.on_duty = servers
        while self.busy < servers and self.waiting:
            self.busy += 1
            _, _, position, service, turn = heappop(self.waiting)
            self._start(at, position, service, turn)


def python_priority_starts(arrivals: np.ndarray, services: np.ndarray, priorities: np.ndarray,
                           turns: np.ndarray, moves: np.ndarray, servers: int,
                           change_times: np.ndarray, change_servers: np.ndarray,
                           horizon: float, starts: np.ndarray, order: np.ndarray) -> int:
    """Service starts at a station that serves by priority (see :class:`PrioritySweep`): the
    customers reach it at ``arrivals`` (in the order they move), of ``priorities``, in their
    own ``turns`` and moving in the turns ``moves`` (ranks in one order). Writes who started
    (positions) to ``order`` and when to ``starts``, in the order they started; returns how
    many started before ``horizon``."""
    changes = list(zip(change_times.tolist(), [int(n) for n in change_servers.tolist()],
                       strict=True))
    sweep = PrioritySweep(servers, changes, horizon)
    for position, (at, service, priority, turn, move) in enumerate(zip(
            arrivals.tolist(), services.tolist(), priorities.tolist(), turns.tolist(),
            moves.tolist(), strict=True)):
        sweep.advance(at, move)
        sweep.arrive(at, position, priority, service, turn)
    sweep.advance(horizon, -1)
    count = len(sweep.started)
    starts[:count] = sweep.start_times
    order[:count] = sweep.started
    return count


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


def _extension() -> ModuleType | None:
    try:
        return importlib.import_module("portsim._kernels")
    except ImportError:  # built without a C compiler
        return None


_COMPILED_LOOPS = _extension()
#: Whether this process runs the compiled loops (the C extension was built).
COMPILED = _COMPILED_LOOPS is not None


def compiled_or(name: str, twin: _Loop) -> _Loop:
    """The compiled loop ``name`` where the C extension was built, else its Python ``twin``
    (the same results, more slowly)."""
    if _COMPILED_LOOPS is None:
        return twin
    return cast(_Loop, getattr(_COMPILED_LOOPS, name))


fifo_starts = compiled_or("fifo_starts", python_fifo_starts)
fifo_starts_shifts = compiled_or("fifo_starts_shifts", python_fifo_starts_shifts)
priority_starts = compiled_or("priority_starts", python_priority_starts)
queue_max = compiled_or("queue_max", python_queue_max)
