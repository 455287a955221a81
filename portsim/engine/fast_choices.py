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

import math
from collections.abc import Iterator
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine import model as m
from portsim.engine.fast_reactive import ReactiveQueue
from portsim.engine.kernels import FifoStarts, PrioritySweep
from portsim.engine.routes import ChoiceNode

if TYPE_CHECKING:
    from portsim.engine.fast_entities import Turns
    from portsim.engine.fast_stations import FastStation

__all__ = ["OpenQueue", "PriorityQueue", "choice_groups", "start_group"]


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
    customers present at any moment for a shortest-queue choice."""

    def __init__(self, station: FastStation, horizon: float, turns: Turns) -> None:
        self.schedule = station.spec.servers
        self.recursion = FifoStarts(self.schedule.servers_at(0.0), station.changes, horizon)
        # a heap of (end, position) of everyone who joined: when each leaves, and who it is
        self.present: list[tuple[float, int]] = []
        self.starts: list[float] = []   # of those who started before the horizon
        self.services: list[float] = []
        self.joined: list[int] = []
        self.turns = turns

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
                if not self.turns.before(ending[1], mover):
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

    def result(self) -> tuple[list[int], list[float], list[float]]:
        """Who joined (positions, in order), their services, the starts of those who started."""
        return self.joined, self.services, self.starts


class PriorityQueue:
    """A station that serves by priority, swept one move at a time (:class:`PrioritySweep`),
    with the customers present at any moment for a shortest-queue choice."""

    def __init__(self, station: FastStation, horizon: float, turns: Turns,
                 priorities: list[int]) -> None:
        self.schedule = station.spec.servers
        self.horizon = horizon
        self.sweep = PrioritySweep(self.schedule.servers_at(0.0), station.changes, horizon)
        self.own, self.moves = turns.ranks()
        self.priorities = priorities
        self.joined: list[int] = []
        self.service_of: dict[int, float] = {}

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
        self.service_of[position] = service

    def result(self) -> tuple[list[int], list[float], list[float]]:
        """Who joined (positions: those who started, in the order they did, then those still
        queueing at the horizon, in the order they came), their services, the starts."""
        self.sweep.advance(self.horizon, -1)
        started = set(self.sweep.started)
        order = self.sweep.started + [at for at in self.joined if at not in started]
        return order, [self.service_of[at] for at in order], self.sweep.start_times


def start_group(stations: list[FastStation], nodes: list[Any], arrivals: np.ndarray,
                source: np.ndarray, kinds: np.ndarray, horizon: float,
                turns: Turns, priorities: list[int],
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
    could = _could_join(len(stations), options, source, kinds)
    draws = _service_draws(stations, could)
    kind_list, sources = kinds.tolist(), source.tolist()
    times = arrivals.tolist()
    queues: list[OpenQueue | PriorityQueue | ReactiveQueue] = [
        ReactiveQueue(station, horizon, turns, priorities, times, kind_list, counts)
        if station.spec.reactive is not None
        else OpenQueue(station, horizon, turns) if station.spec.discipline == "fifo"
        else PriorityQueue(station, horizon, turns, priorities)
        for station, counts in zip(stations, could, strict=True)]
    for position, at in enumerate(times):
        choice = options[sources[position]]
        best = choice[0]
        if len(choice) > 1:
            best_load = queues[best].load(at, position)
            for index in choice[1:]:
                load = queues[index].load(at, position)
                if load < best_load:
                    best, best_load = index, load
        # a reactive station's sweep draws its own services, as they start
        service = (math.nan if type(queues[best]) is ReactiveQueue
                   else next(draws[best][kind_list[position]]))
        queues[best].join(at, service, position)
    results = [queue.result() for queue in queues]
    return [(np.asarray(positions, dtype=np.int64), np.asarray(services, dtype=float),
             np.asarray(starts, dtype=float)) for positions, services, starts in results]


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
            {kind: iter(stream.take(counts.get(kind, 0)).tolist())
             for kind, stream in station.services.items()}
            for station, counts in zip(stations, could, strict=True)]
