"""Queue-reactive staffing on the fast path: a station whose servers open and close as its
queue's head waits, swept over its own events
(:class:`~portsim.engine.kernels_giving.ReactiveSweep`; alone, the loop is
:func:`~portsim.engine.kernels_giving.reactive_starts`, compiled when the C extension was built;
in a shortest-queue group, :class:`ReactiveQueue`).

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
from typing import TYPE_CHECKING

import numpy as np

from portsim.engine import model as m
from portsim.engine.kernels_giving import (
    CHECK,
    HOLD,
    SHIFT,
    GivingUpInputs,
    Reaction,
    ReactiveSweep,
)

if TYPE_CHECKING:
    from portsim.engine.fast_entities import Turns
    from portsim.engine.fast_stations import FastStation

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
    """A station with queue-reactive staffing in a shortest-queue group, swept one move at a
    time (:class:`ReactiveSweep`), with the customers present and the servers on duty at any
    moment for a choice. ``could[k]``: how many customers of class ``k`` could join it (its
    services are drawn that far ahead, in the order they start)."""

    def __init__(self, station: FastStation, horizon: float, turns: Turns,
                 priorities: Sequence[int], arrivals: list[float], kinds: list[int],
                 could: dict[int, int]) -> None:
        self.station = station
        self.horizon = horizon
        self.own, self.moves = turns.ranks()
        # first come, first served: one priority for all (the sweep's heap keeps join order)
        self.priorities = priorities if station.spec.discipline != "fifo" else [0] * len(kinds)
        self.kinds = kinds
        classes = 1 + max([*could, *station.services, *kinds, -1])
        sizes = [could.get(index, 0) for index in range(classes)]
        offsets = [0, *itertools.accumulate(sizes)]
        services = [float("nan")] * offsets[-1]
        for index, stream in station.services.items():
            if sizes[index]:
                services[offsets[index]:offsets[index + 1]] = stream.take(sizes[index]).tolist()
        inputs = GivingUpInputs(offsets, services, [], [], [0] * classes, [-1] * classes,
                                [0] * (classes + 1), [])
        times, clock_kinds, values, places = server_clock(station.spec, horizon)
        clock = list(zip(times.tolist(), clock_kinds.tolist(), values.tolist(),
                         places.tolist(), strict=True))
        self.sweep = ReactiveSweep(station.spec.servers.servers_at(0.0), clock, horizon, inputs,
                                   reaction(station.spec), arrivals)
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

    def result(self) -> tuple[list[int], list[float], list[float]]:
        """Who joined (positions: those who started, in the order they did, then those still
        queueing at the horizon, in the order they came), their services, the starts; the
        station is told its servers' changes."""
        sweep = self.sweep
        sweep.advance(self.horizon, -1)
        started = set(sweep.started)
        order = [*sweep.started, *(at for at in self.joined if at not in started)]
        self.station.servers_changed(sweep.server_changes)
        return (order, [sweep.services.get(at, float("nan")) for at in order],
                list(sweep.start_times))
