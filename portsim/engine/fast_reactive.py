"""Queue-reactive staffing on the fast path: a station whose servers open and close as its
queue's head waits, swept over its own events
(:class:`~portsim.engine.kernels_giving.ReactiveSweep`; alone, the loop is
:func:`~portsim.engine.kernels_giving.reactive_starts`, compiled when the C extension was built;
in a shortest-queue group, :class:`ReactiveQueue`, played by the group's loop in
:mod:`portsim.engine.fast_groups`).

The event engine changes such a station's servers from up to three processes of its own (see
:mod:`portsim.engine.control`): the shift schedule, the rule's checks every ``check_every``,
and, where the positions change, the trimming of extras to the positions. Their times depend
on nothing a customer does, and at one instant they come before every customer's event, in
the order SimPy created their timeouts. :func:`server_clock` plays those processes on a
scheduler of their own that numbers the timeouts as SimPy does, so it lists the events in the
engine's order, each with the positions at that time; the sweep then reads the queue at each
check exactly as the engine's station stands then.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from heapq import heappop, heappush

import numpy as np

from portsim.engine import model as m
from portsim.engine.kernels_giving import (
    CHECK,
    HOLD,
    SHIFT,
    Reaction,
    ReactiveSweep,
)

__all__ = ["Clock", "ReactiveQueue", "follow", "play", "server_clock"]

#: A station's clock as arrays: times, kinds (SHIFT, CHECK, HOLD), values, positions.
Clock = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def server_clock(spec: m.StationSpec, horizon: float) -> Clock:
    """The clock events of station ``spec`` before ``horizon``, in the order the event engine
    plays them (see the module's docstring)."""
    events: list[tuple[float, int, int, int]] = []
    now = [0.0]
    positions = spec.positions

    def note(kind: int, value: int) -> None:
        at = now[0]
        events.append((at, kind, value, -1 if positions is None else positions.servers_at(at)))

    def check(every: float) -> Iterator[float]:
        while True:  # control.react_to_waits
            yield every
            note(CHECK, 0)

    processes: list[Iterator[float]] = []
    if not spec.servers.is_constant:
        processes.append(follow(spec.servers, now, lambda servers: note(SHIFT, servers)))
    if spec.reactive is not None:
        processes.append(check(spec.reactive.check_every))
        if positions is not None and not positions.is_constant:
            processes.append(follow(positions, now, lambda servers: note(HOLD, servers)))
    play(processes, now, horizon)
    times, kinds, values, places = zip(*events, strict=True) if events else ((), (), (), ())
    return (np.asarray(times, dtype=float), np.asarray(kinds, dtype=np.int64),
            np.asarray(values, dtype=np.int64), np.asarray(places, dtype=np.int64))


def follow(schedule: m.ShiftSchedule, now: list[float],
           step: Callable[[int], None]) -> Iterator[float]:
    """``control._follow`` as a process for :func:`play`: the delays of its timeouts, calling
    ``step`` with the servers of each step of ``schedule`` (at ``now[0]``), cycle after
    cycle."""
    cycle = 0.0
    while True:
        for offset, servers in schedule.steps:
            when = cycle + offset
            if when > now[0]:
                yield when - now[0]
            step(servers)
        if schedule.period is None:
            return
        cycle += schedule.period


def play(processes: list[Iterator[float]], now: list[float], horizon: float) -> None:
    """Run ``processes`` (each yielding the delays of its timeouts) up to ``horizon``, setting
    ``now[0]`` to the time of each step before the process takes it."""
    # SimPy's heap for these processes alone: (time, timeout number, process); the processes
    # start at time 0 in the order they were created, each running to its first timeout
    numbers = itertools.count()
    heap: list[tuple[float, int, Iterator[float]]] = []

    def run(process: Iterator[float]) -> None:
        delay = next(process, None)
        if delay is not None:
            heappush(heap, (now[0] + delay, next(numbers), process))

    for process in processes:
        run(process)
    while heap and heap[0][0] < horizon:
        now[0], _, process = heappop(heap)
        run(process)


def reaction(spec: m.StationSpec) -> Reaction:
    """The station's rule of queue-reactive staffing, as the sweep takes it."""
    rule = spec.reactive
    assert rule is not None
    return Reaction(float(rule.open_above), float(rule.close_below), int(rule.max_extra))


class ReactiveQueue:
    """A station with queue-reactive staffing in a shortest-queue group, its ``sweep`` played
    one move at a time, with the customers present and the servers on duty at any moment for
    a choice. ``own``, ``moves``, ``priorities``, ``kinds``: every customer's of the group,
    by position (the sweep reads their arrivals)."""

    def __init__(self, sweep: ReactiveSweep, own: Sequence[int], moves: Sequence[int],
                 priorities: Sequence[int], kinds: Sequence[int]) -> None:
        self.sweep = sweep
        self.own, self.moves = own, moves
        self.priorities = priorities
        self.kinds = kinds
        self.joined: list[int] = []

    def load(self, at: float, mover: int) -> float:
        """Customers present per server on duty at ``at``, as the customer at position
        ``mover`` sees them (everything before its move played)."""
        self.sweep.advance(at, self.moves[mover])
        servers = self.sweep.servers()
        return float("inf") if servers <= 0 else self.sweep.present() / servers

    def join(self, at: float, service: float, position: int) -> None:
        """The customer at ``position`` joins (its service is the sweep's own draw)."""
        self.sweep.advance(at, self.moves[position])
        self.sweep.arrive(at, position, self.priorities[position], self.kinds[position],
                          self.own[position])
        self.joined.append(position)

    def result(self) -> tuple[list[int], list[float]]:
        """Who joined (positions: those who started, in the order they did, then those still
        queueing at the horizon, in the order they came) and the starts, once the sweep has
        reached the horizon (its services and server changes are then complete)."""
        sweep = self.sweep
        sweep.advance(sweep.horizon, -1)
        started = set(sweep.started)
        order = [*sweep.started, *(at for at in self.joined if at not in started)]
        return order, list(sweep.start_times)
