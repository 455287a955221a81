"""Shortest-queue groups of stations that serve first come first served or by priority, some
with queue-reactive staffing, in one loop: :func:`group_starts`, compiled when the C extension
was built, else its Python twin :func:`python_group_starts` (the same numbers: see
:mod:`portsim.engine.kernels`).

The customers come in the order they move; each joins the station of its visit, or of its
choice the one with the fewest customers present per server on duty (ties to the first
listed), and starts there by the recursion (:class:`OpenQueue`), or, at a station that serves
by priority, as its sweep plays the station's events up to each move (:class:`PriorityQueue`),
or, at a reactive station, as its sweep plays the station's clock up to each move
(:class:`~portsim.engine.fast_reactive.ReactiveQueue`).
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine import model as m
from portsim.engine.fast_reactive import ReactiveQueue, reaction, server_clock
from portsim.engine.kernels import FifoStarts, PrioritySweep, compiled_or
from portsim.engine.kernels_giving import GivingUpInputs, Reaction, ReactiveSweep

if TYPE_CHECKING:
    from portsim.engine.fast_entities import Turns
    from portsim.engine.fast_stations import FastStation

__all__ = ["OpenQueue", "PriorityQueue", "group_inputs", "group_result", "group_starts",
           "next_service", "open_written", "python_group_starts", "reactive_inputs",
           "reactive_queue", "reactive_written", "run_group", "shortest", "station_draws",
           "station_schedule"]

#: A station as :func:`group_starts` takes it (see its docstring in portsim/_kernels.c).
Inputs = tuple[Any, ...]
#: A group's arrays as :func:`group_starts` takes them: arrivals, kinds, source,
#: option_offsets, option_stations, own, moves.
GroupArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                    np.ndarray]
#: How long a reactive station's tuple is (a FIFO station's is shorter).
REACTIVE_FIELDS = 16
#: How long the tuple of a station that serves by priority is: a FIFO station's and the
#: group's priorities.
PRIORITY_FIELDS = 11


class OpenQueue:
    """A FIFO station evaluated one customer at a time (:class:`FifoStarts`), with the
    customers present at any moment for a shortest-queue choice: servers on duty by
    ``schedule``, changing at ``changes`` (time, servers on duty from then) up to the
    horizon; ``before(customer, mover)``: whether the customer's own event comes before the
    mover's move at one instant."""

    def __init__(self, schedule: m.ShiftSchedule, changes: list[tuple[float, int]],
                 horizon: float, before: Callable[[int, int], bool]) -> None:
        self.schedule = schedule
        self.recursion = FifoStarts(schedule.servers_at(0.0), changes, horizon)
        # a heap of (end, position) of everyone who joined: when each leaves, and who it is
        self.present: list[tuple[float, int]] = []
        # NOTE: machine numbers (array), not lists of Python objects, for memory's sake: a
        # group keeps every customer's three until its end (~100 bytes each in lists)
        self.starts = array("d")   # of those who started before the horizon
        self.services = array("d")
        self.joined = array("q")
        self.before = before

    def load(self, at: float, mover: int) -> float:
        """Customers present (queueing or in service) per server on duty at ``at``, as the
        customer at position ``mover`` sees them."""
        present = self.present_at(at, mover)
        servers = self.schedule.servers_at(at)
        return math.inf if servers <= 0 else present / servers

    def present_at(self, at: float, mover: int) -> int:
        """Customers present (queueing or in service) at ``at``, as the customer at position
        ``mover`` sees them."""
        present = self.present
        while present and present[0][0] < at:
            heappop(present)
        if present and present[0][0] == at:  # services ending now: over if their turn came
            staying = []
            while present and present[0][0] == at:
                ending = heappop(present)
                if not self.before(ending[1], mover):
                    staying.append(ending)
            for ending in staying:
                heappush(present, ending)
        return len(present)

    def join(self, at: float, service: float, position: int) -> None:
        self.joined.append(position)
        self.services.append(service)
        start = self.recursion.start(at, service)
        if start < math.inf:
            self.starts.append(start)
        heappush(self.present, (start + service, position))

    def result(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Who joined (positions, in order), their services, the starts of those who started."""
        return (np.frombuffer(self.joined, dtype=np.int64), np.frombuffer(self.services),
                np.frombuffer(self.starts))


class PriorityQueue:
    """A station that serves by priority, swept one move at a time (:class:`PrioritySweep`),
    with the customers present at any moment for a shortest-queue choice: servers on duty by
    ``schedule``, changing at ``changes`` up to the horizon; each customer's own turn, the
    turn it moves in and its priority by position (``own``, ``moves``, ``priorities``)."""

    def __init__(self, schedule: m.ShiftSchedule, changes: list[tuple[float, int]],
                 horizon: float, own: Sequence[int], moves: Sequence[int],
                 priorities: Sequence[int]) -> None:
        self.schedule = schedule
        self.horizon = horizon
        self.sweep = PrioritySweep(schedule.servers_at(0.0), changes, horizon)
        self.own, self.moves, self.priorities = own, moves, priorities
        self.joined = array("q")
        self.services = array("d")  # of those who joined, in that order

    def load(self, at: float, mover: int) -> float:
        """Customers present per server on duty at ``at``, as the customer at position
        ``mover`` sees them (everything before its move played)."""
        self.sweep.advance(at, self.moves[mover])
        servers = self.schedule.servers_at(at)
        return math.inf if servers <= 0 else self.sweep.present() / servers

    def join(self, at: float, service: float, position: int) -> None:
        self.sweep.advance(at, self.moves[position])
        self.sweep.arrive(at, position, self.priorities[position], service, self.own[position])
        self.joined.append(position)
        self.services.append(service)

    def written(self, inputs: Inputs) -> tuple[int, int, int]:
        """Play the station to the horizon and write to its ``inputs`` who joined (those who
        started, in the order they did, then those still queueing, in the order they came),
        each position's service (NaN: did not join) and the starts, as :func:`group_starts`
        does."""
        self.sweep.advance(self.horizon, -1)
        joined = np.frombuffer(self.joined, dtype=np.int64)
        started = np.frombuffer(self.sweep.started, dtype=np.int64)
        waiting = np.ones(inputs[8].size, dtype=bool)
        waiting[started] = False
        order = np.concatenate((started, joined[waiting[joined]]))
        inputs[7][:order.size] = order
        inputs[8][:] = math.nan
        inputs[8][joined] = np.frombuffer(self.services)
        inputs[9][:started.size] = np.frombuffer(self.sweep.start_times)
        return order.size, started.size, 0


def shortest(queues: Sequence[Any], choice: list[int], at: float, position: int) -> int:
    """Which of the stations ``choice`` the customer at ``position`` joins at ``at``: the
    fewest customers present per server on duty, ties to the first listed."""
    best = choice[0]
    if len(choice) > 1:
        best_load = queues[best].load(at, position)
        for index in choice[1:]:
            load = queues[index].load(at, position)
            if load < best_load:
                best, best_load = index, load
    return best


def run_group(stations: list[FastStation], options: list[list[int]], arrivals: np.ndarray,
              source: np.ndarray, kinds: np.ndarray, horizon: float, turns: Turns,
              priorities: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """:func:`~portsim.engine.fast_choices.start_group`, by :func:`group_starts`; each reactive
    station is told its servers' changes."""
    arrays, inputs = group_inputs(stations, options, arrivals, source, kinds, horizon, turns,
                                  priorities)
    counts = group_starts(*arrays, horizon, inputs)
    return [group_result(station, one, written)
            for station, one, written in zip(stations, inputs, counts, strict=True)]


def group_inputs(stations: list[FastStation], options: list[list[int]], arrivals: np.ndarray,
                 source: np.ndarray, kinds: np.ndarray, horizon: float, turns: Turns,
                 priorities: np.ndarray) -> tuple[GroupArrays, list[Inputs]]:
    """A group's arrays as :func:`group_starts` takes them, up to the horizon (arrivals,
    kinds, source, option_offsets, option_stations, own, moves), and its stations' tuples,
    each with its services drawn (as many as could join it)."""
    could = could_join(len(stations), options, source, kinds)
    own, moves = (np.frombuffer(ranks, dtype=np.int64) for ranks in turns.ranks())
    classes = 1 + max([int(kinds.max(initial=-1)),
                       *(max([*station.services, *counts], default=-1)
                         for station, counts in zip(stations, could, strict=True))])
    inputs = [reactive_inputs(station, counts, classes, priorities, horizon)
              if station.spec.reactive is not None
              else _fifo_inputs(station, counts, classes, arrivals.size)
              if station.spec.discipline == "fifo"
              else (*_fifo_inputs(station, counts, classes, arrivals.size),
                    np.ascontiguousarray(priorities, dtype=np.int64))
              for station, counts in zip(stations, could, strict=True)]
    offsets = np.cumsum([0] + [len(choice) for choice in options], dtype=np.int64)
    offered = np.fromiter(itertools.chain.from_iterable(options), dtype=np.int64)
    return (np.ascontiguousarray(arrivals, dtype=float),
            np.ascontiguousarray(kinds, dtype=np.int64),
            np.ascontiguousarray(source, dtype=np.int64), offsets, offered, own, moves), inputs


def group_result(station: FastStation, inputs: Inputs, written: tuple[int, int, int],
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who joined ``station`` (positions), their services and the starts, from what
    :func:`group_starts` wrote to its ``inputs``; a reactive station is told its changes."""
    joined, started, changed = written
    if len(inputs) == PRIORITY_FIELDS:  # its services by position
        order = inputs[7][:joined]
        return order, inputs[8][order], inputs[9][:started]
    if len(inputs) != REACTIVE_FIELDS:
        return inputs[7][:joined], inputs[8][:joined], inputs[9][:started]
    order = inputs[11][:joined]
    station.servers_changed(list(zip(inputs[14][:changed].tolist(),
                                     inputs[15][:changed].tolist(), strict=True)))
    return order, inputs[13][order], inputs[12][:started]


def could_join(count: int, options: list[list[int]], source: np.ndarray,
               kinds: np.ndarray) -> list[dict[int, int]]:
    """For each of ``count`` stations, how many customers of each class could join it."""
    could: list[dict[int, int]] = []
    for index in range(count):
        able = np.asarray([index in choice for choice in options], dtype=bool)[source]
        classes, counts = np.unique(kinds[able], return_counts=True)
        could.append(dict(zip(classes.tolist(), counts.tolist(), strict=True)))
    return could


def _fifo_inputs(station: FastStation, could: dict[int, int], classes: int, count: int,
                 ) -> Inputs:
    """A FIFO station as :func:`group_starts` takes it, with room for ``count`` customers:
    its services drawn per class, as many as could join it, in the order they join. (A
    station that serves by priority: the same, and the group's priorities.)"""
    drawn = {kind: np.asarray(stream.take(could.get(kind, 0)), dtype=float)
             for kind, stream in station.services.items()}
    blocks = [drawn.get(kind, _NO_DRAWS) for kind in range(classes)]
    schedule = station.spec.servers
    return (np.asarray(station.change_times, dtype=float),
            np.asarray(station.change_servers, dtype=float),
            np.asarray([offset for offset, _ in schedule.steps], dtype=float),
            np.asarray([servers for _, servers in schedule.steps], dtype=np.int64),
            float(schedule.period or 0.0),
            np.cumsum([0] + [block.size for block in blocks], dtype=np.int64),
            np.concatenate(blocks), np.empty(count, dtype=np.int64), np.empty(count),
            np.empty(count))


_NO_DRAWS = np.empty(0)


def reactive_inputs(station: FastStation, could: dict[int, int], classes: int,
                    priorities: np.ndarray, horizon: float) -> Inputs:
    """A station with queue-reactive staffing as :func:`group_starts` takes it: its clock
    and rule, its services drawn per class (as many as could join it, in the order they
    start; NaN for a class it has no stream for) and room for every customer of the group
    (``priorities``: theirs; all alike under first come, first served)."""
    spec = station.spec
    count = priorities.size
    sizes = [could.get(kind, 0) for kind in range(classes)]
    blocks = [np.full(size, math.nan) for size in sizes]
    for kind, stream in station.services.items():
        if sizes[kind]:
            blocks[kind] = np.asarray(stream.take(sizes[kind]), dtype=float)
    clock = server_clock(spec, horizon)
    rule = reaction(spec)
    return (*clock, rule.open_above, rule.close_below, rule.max_extra,
            spec.servers.servers_at(0.0),
            (np.ascontiguousarray(priorities, dtype=np.int64) if spec.discipline != "fifo"
             else np.zeros(count, dtype=np.int64)),
            np.cumsum([0, *sizes], dtype=np.int64),
            np.concatenate([_NO_DRAWS, *blocks]), np.empty(count, dtype=np.int64),
            np.empty(count), np.empty(count), np.empty(clock[0].size),
            np.empty(clock[0].size, dtype=np.int64))


def reactive_queue(inputs: Inputs, arrivals: list[float], kinds: list[int],
                   own: Sequence[int], moves: Sequence[int], horizon: float) -> ReactiveQueue:
    """The :class:`ReactiveQueue` of a reactive station's ``inputs`` (nobody gives up)."""
    times, clock_kinds, values, places, open_above, close_below, most, servers = inputs[:8]
    priorities, offsets, services = inputs[8:11]
    classes = offsets.size - 1
    blocks = GivingUpInputs(offsets.tolist(), services.tolist(), [], [], [0] * classes,
                            [-1] * classes, [0] * (classes + 1), [],
                            [math.inf] * len(arrivals))
    clock = list(zip(times.tolist(), clock_kinds.tolist(), values.tolist(), places.tolist(),
                     strict=True))
    sweep = ReactiveSweep(servers, clock, horizon, blocks,
                          Reaction(open_above, close_below, most), arrivals)
    return ReactiveQueue(sweep, own, moves, priorities.tolist(), kinds)


def reactive_written(queue: ReactiveQueue, inputs: Inputs) -> tuple[int, int, int]:
    """Write what ``queue`` did to its station's ``inputs``, as :func:`group_starts` does."""
    order, starts = queue.result()
    sweep = queue.sweep
    inputs[11][:len(order)], inputs[12][:len(starts)] = order, starts
    inputs[13][:] = math.nan
    for position, service in sweep.services.items():
        inputs[13][position] = service
    for index, (when, servers) in enumerate(sweep.server_changes):
        inputs[14][index], inputs[15][index] = when, servers
    return len(order), len(starts), len(sweep.server_changes)


def python_group_starts(arrivals: np.ndarray, kinds: np.ndarray, source: np.ndarray,
                        option_offsets: np.ndarray, option_stations: np.ndarray,
                        own: np.ndarray, moves: np.ndarray, horizon: float,
                        stations: list[Inputs]) -> list[tuple[int, int, int]]:
    """A shortest-queue group of FIFO stations (one :class:`OpenQueue` each), stations that
    serve by priority (one :class:`PriorityQueue` each) and reactive ones (one
    :class:`ReactiveQueue` each): the compiled ``group_starts``' twin (its docstring in
    portsim/_kernels.c says what each argument holds). Writes each station's outputs; returns
    (joined, started, changes of servers) per station."""
    own_ranks, move_ranks = own.tolist(), moves.tolist()
    times, classes = arrivals.tolist(), kinds.tolist()

    def before(customer: int, mover: int) -> bool:
        return own_ranks[customer] < move_ranks[mover]

    queues = [reactive_queue(station, times, classes, own_ranks, move_ranks, horizon)
              if len(station) == REACTIVE_FIELDS
              else PriorityQueue(*station_schedule(station, int), horizon, own_ranks, move_ranks,
                                 station[10].tolist())
              if len(station) == PRIORITY_FIELDS
              else OpenQueue(*station_schedule(station, float), horizon, before)
              for station in stations]
    draws = [station_draws(station) for station in stations]
    offsets, offered = option_offsets.tolist(), option_stations.tolist()
    options = [offered[low:high] for low, high in itertools.pairwise(offsets)]
    for position, (at, through, kind) in enumerate(zip(times, source.tolist(), classes,
                                                       strict=True)):
        best = shortest(queues, options[through], at, position)
        # a reactive station's sweep takes its own draws as services start: here a count
        queues[best].join(at, next_service(draws[best], kind, "group_starts"), position)
    return [reactive_written(queue, station) if isinstance(queue, ReactiveQueue)
            else queue.written(station) if isinstance(queue, PriorityQueue)
            else open_written(queue, station) for queue, station in zip(queues, stations,
                                                                         strict=True)]


def next_service(draws: list[Any], kind: int, loop: str) -> float:
    """The next service of class ``kind`` at a station (its ``draws``, :func:`station_draws`);
    ``loop`` names the loop in the error when the class has none left."""
    service = next(draws[kind], None) if 0 <= kind < len(draws) else None
    if service is None:
        raise ValueError(f"{loop}: a class ran out of service draws at a station")
    return float(service)


def station_schedule(inputs: Inputs, level: Callable[[float], Any],
              ) -> tuple[m.ShiftSchedule, list[tuple[float, Any]]]:
    """A FIFO or priority station's shift schedule and its changes (the servers as
    ``level`` gives them), from its tuple."""
    times, levels, steps, servers, period = inputs[:5]
    schedule = m.ShiftSchedule(tuple(zip(steps.tolist(), servers.tolist(), strict=True)),
                               period if period > 0 else None)
    return schedule, [(when, level(servers)) for when, servers in zip(
        times.tolist(), levels.tolist(), strict=True)]


def open_written(queue: OpenQueue, inputs: Inputs) -> tuple[int, int, int]:
    joined, services, starts = queue.result()
    inputs[7][:joined.size], inputs[8][:joined.size] = joined, services
    inputs[9][:starts.size] = starts
    return joined.size, starts.size, 0


def station_draws(inputs: Inputs) -> list[Any]:
    """A station's services per class, each class's an iterator."""
    offsets, services = inputs[9:11] if len(inputs) == REACTIVE_FIELDS else inputs[5:7]
    bounds, values = offsets.tolist(), services.tolist()
    return [iter(values[low:high]) for low, high in itertools.pairwise(bounds)]


group_starts = compiled_or("group_starts", python_group_starts)
