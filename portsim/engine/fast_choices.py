"""Shortest-queue choices on the fast path: the stations a choice joins (transitively, through
choices that share a station) are evaluated together, customers in time order, each joining
its station (the one it visits, or the one with the fewest customers per open server as it
chooses: ties to the first listed) and starting there by the recursion one customer at a time
(or, at a station that serves by priority, swept up to each move), so that each choice sees
the customers then present (queueing or in service) and the servers then on duty. A service
that ends at the instant of a choice is over for it if its customer's turn comes first at that
instant (docs/design.md, "Simultaneous events").
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections.abc import Callable, Iterator
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine import model as m
from portsim.engine.fast_reactive import ReactiveQueue
from portsim.engine.kernels import FifoStarts, PrioritySweep, compiled_or
from portsim.engine.routes import ChoiceNode

if TYPE_CHECKING:
    from portsim.engine.fast_entities import Turns
    from portsim.engine.fast_stations import FastStation

__all__ = ["OpenQueue", "PriorityQueue", "choice_groups", "fifo_group_starts",
           "python_fifo_group_starts", "start_group"]


def choice_groups(model: m.Model) -> dict[str, tuple[str, ...]]:
    """Station -> the stations it shares a shortest-queue choice with, directly or through
    others (in the model's order); stations in no choice are left out."""
    order = {spec.name: index for index, spec in enumerate(model.stations)}
    parent = {name: name for name in order}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    chosen: set[str] = set()
    for cls in model.classes:
        for step in m.steps(cls.route):
            if isinstance(step, m.ShortestQueue):
                chosen.update(step.stations)
                first = root(step.stations[0])
                for other in step.stations[1:]:
                    parent[root(other)] = first
    members: dict[str, list[str]] = {}
    for name in sorted(chosen, key=order.__getitem__):
        members.setdefault(root(name), []).append(name)
    return {name: tuple(group) for group in members.values() for name in group}


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
        servers = self.schedule.servers_at(at)
        return math.inf if servers <= 0 else len(present) / servers

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
    with the customers present at any moment for a shortest-queue choice."""

    def __init__(self, station: FastStation, horizon: float, turns: Turns,
                 priorities: memoryview) -> None:
        self.schedule = station.spec.servers
        self.horizon = horizon
        self.sweep = PrioritySweep(self.schedule.servers_at(0.0), station.changes, horizon)
        self.own, self.moves = turns.ranks()
        self.priorities = priorities
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

    def result(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Who joined (positions: those who started, in the order they did, then those still
        queueing at the horizon, in the order they came), their services, the starts."""
        self.sweep.advance(self.horizon, -1)
        joined = np.frombuffer(self.joined, dtype=np.int64)
        started = np.frombuffer(self.sweep.started, dtype=np.int64)
        size = int(joined.max()) + 1 if joined.size else 0
        service_at = np.empty(size)
        service_at[joined] = np.frombuffer(self.services)
        waiting = np.ones(size, dtype=bool)
        waiting[started] = False
        order = np.concatenate((started, joined[waiting[joined]]))
        return order, service_at[order], np.frombuffer(self.sweep.start_times)


def start_group(stations: list[FastStation], nodes: list[Any], arrivals: np.ndarray,
                source: np.ndarray, kinds: np.ndarray, horizon: float,
                turns: Turns, priorities: np.ndarray,
                ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Evaluate a group of stations joined by choices: the customers reaching it at
    ``arrivals`` (in the order they move, of classes ``kinds`` and ``priorities``, each
    through ``nodes[source[i]]``: a visit of one of the stations or a choice among them;
    ``turns`` settles ties). For each station, in order: the positions of the customers that
    joined it (those who started before ``horizon`` first, in the order they did), their
    service times, and the starts of those."""
    where = {station.name: index for index, station in enumerate(stations)}
    options = [[where[choice.name] for choice in node.stations] if type(node) is ChoiceNode
               else [where[node.station.name]] for node in nodes]
    if all(station.spec.reactive is None and station.spec.discipline == "fifo"
           for station in stations):
        return _fifo_group(stations, options, arrivals, source, kinds, horizon, turns)
    could = _could_join(len(stations), options, source, kinds)
    draws = _service_draws(stations, could)
    # a reactive station's sweep reads its customers' arrivals and classes by position
    reactive = any(station.spec.reactive is not None for station in stations)
    times = arrivals.tolist() if reactive else []
    kind_list = kinds.tolist() if reactive else []
    queues: list[OpenQueue | PriorityQueue | ReactiveQueue] = [
        ReactiveQueue(station, horizon, turns, integers(priorities), times, kind_list, counts)
        if station.spec.reactive is not None
        else OpenQueue(station.spec.servers, station.changes, horizon, turns.before)
        if station.spec.discipline == "fifo"
        else PriorityQueue(station, horizon, turns, integers(priorities))
        for station, counts in zip(stations, could, strict=True)]
    for position, (at, through, kind) in enumerate(zip(
            python_values(arrivals), python_values(source), python_values(kinds), strict=True)):
        best = _shortest(queues, options[through], at, position)
        # a reactive station's sweep draws its own services, as they start
        service = (math.nan if type(queues[best]) is ReactiveQueue
                   else next(draws[best][kind]))
        queues[best].join(at, service, position)
    results = [queue.result() for queue in queues]
    return [(np.asarray(positions, dtype=np.int64), np.asarray(services, dtype=float),
             np.asarray(starts, dtype=float)) for positions, services, starts in results]


def _fifo_group(stations: list[FastStation], options: list[list[int]], arrivals: np.ndarray,
                source: np.ndarray, kinds: np.ndarray, horizon: float, turns: Turns,
                ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """:func:`start_group` for a group of FIFO stations: :func:`fifo_group_starts` (compiled
    where the C extension was built)."""
    could = _could_join(len(stations), options, source, kinds)
    own, moves = (np.frombuffer(ranks, dtype=np.int64) for ranks in turns.ranks())
    classes = 1 + max([int(kinds.max(initial=-1)),
                       *(max(station.services, default=-1) for station in stations)])
    inputs = [_fifo_inputs(station, counts, classes, arrivals.size)
              for station, counts in zip(stations, could, strict=True)]
    offsets = np.cumsum([0] + [len(choice) for choice in options], dtype=np.int64)
    offered = np.fromiter(itertools.chain.from_iterable(options), dtype=np.int64)
    counts = fifo_group_starts(
        np.ascontiguousarray(arrivals, dtype=float), np.ascontiguousarray(kinds, dtype=np.int64),
        np.ascontiguousarray(source, dtype=np.int64), offsets, offered, own, moves, horizon,
        inputs)
    return [(station[7][:joined], station[8][:joined], station[9][:started])
            for station, (joined, started) in zip(inputs, counts, strict=True)]


def _fifo_inputs(station: FastStation, could: dict[int, int], classes: int, count: int,
                 ) -> tuple[Any, ...]:
    """A FIFO station as :func:`fifo_group_starts` takes it, with room for ``count``
    customers: its services drawn per class, as many as could join it (in the order
    :func:`_service_draws` draws them), in the order they join."""
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


def python_fifo_group_starts(arrivals: np.ndarray, kinds: np.ndarray, source: np.ndarray,
                             option_offsets: np.ndarray, option_stations: np.ndarray,
                             own: np.ndarray, moves: np.ndarray, horizon: float,
                             stations: list[tuple[Any, ...]]) -> list[tuple[int, int]]:
    """A shortest-queue group of FIFO stations, one :class:`OpenQueue` each: the compiled
    ``fifo_group_starts``' twin (its docstring in portsim/_kernels.c says what each argument
    holds). Writes who joined each station, their services and the starts; returns (joined,
    started) per station."""
    own_ranks, move_ranks = own.tolist(), moves.tolist()

    def before(customer: int, mover: int) -> bool:
        return own_ranks[customer] < move_ranks[mover]

    queues: list[OpenQueue] = []
    draws: list[list[Iterator[float]]] = []
    for station in stations:
        times, levels, steps, servers, period, service_offsets, services = station[:7]
        schedule = m.ShiftSchedule(tuple(zip(steps.tolist(), servers.tolist(), strict=True)),
                                   period if period > 0 else None)
        changes = list(zip(times.tolist(), levels.tolist(), strict=True))
        queues.append(OpenQueue(schedule, changes, horizon, before))
        bounds, values = service_offsets.tolist(), services.tolist()
        draws.append([iter(values[low:high]) for low, high in itertools.pairwise(bounds)])
    offsets, offered = option_offsets.tolist(), option_stations.tolist()
    options = [offered[low:high] for low, high in itertools.pairwise(offsets)]
    for position, (at, through, kind) in enumerate(zip(
            arrivals.tolist(), source.tolist(), kinds.tolist(), strict=True)):
        best = _shortest(queues, options[through], at, position)
        service = next(draws[best][kind], None) if 0 <= kind < len(draws[best]) else None
        if service is None:
            raise ValueError("fifo_group_starts: a class ran out of service draws at a station")
        queues[best].join(at, service, position)
    counts = []
    for queue, station in zip(queues, stations, strict=True):
        joined, started = len(queue.joined), len(queue.starts)
        station[7][:joined], station[8][:joined] = queue.joined, queue.services
        station[9][:started] = queue.starts
        counts.append((joined, started))
    return counts


def _shortest(queues: list[Any], choice: list[int], at: float, position: int) -> int:
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


fifo_group_starts = compiled_or("fifo_group_starts", python_fifo_group_starts)

_CHUNK = 4096


def python_values(values: np.ndarray) -> Iterator[Any]:
    """The values of an array as Python numbers, in order. NOTE: converted a chunk at a time
    (not ``tolist()`` of the whole), for memory's sake: a group's loop would otherwise hold
    every customer's number as a Python object at once (32 bytes a float)."""
    return itertools.chain.from_iterable(values[start:start + _CHUNK].tolist()
                                         for start in range(0, values.size, _CHUNK))


def integers(values: np.ndarray) -> memoryview:
    """The values of an integer array, read one by one as Python ints at 8 bytes each."""
    return np.ascontiguousarray(values, dtype=np.int64).data


def _could_join(count: int, options: list[list[int]], source: np.ndarray,
                kinds: np.ndarray) -> list[dict[int, int]]:
    """For each of ``count`` stations, how many customers of each class could join it."""
    could: list[dict[int, int]] = []
    for index in range(count):
        able = np.asarray([index in choice for choice in options], dtype=bool)[source]
        classes, counts = np.unique(kinds[able], return_counts=True)
        could.append(dict(zip(classes.tolist(), counts.tolist(), strict=True)))
    return could


def _service_draws(stations: list[FastStation], could: list[dict[int, int]],
                   ) -> list[dict[int, Iterator[float]]]:
    """Each station's service times per class, in the order customers start there (FIFO: the
    order they join): as many as could join it are drawn, the surplus is never used. None
    (an empty dict) for a station with queue-reactive staffing: its sweep draws them."""
    return [{} if station.spec.reactive is not None else
            {kind: python_values(stream.take(counts.get(kind, 0)))
             for kind, stream in station.services.items()}
            for station, counts in zip(stations, could, strict=True)]
