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
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine import model as m
from portsim.engine.fast_groups import (
    OpenQueue,
    could_join,
    group_result,
    reactive_inputs,
    reactive_queue,
    reactive_written,
    run_group,
    shortest,
)
from portsim.engine.fast_reactive import ReactiveQueue
from portsim.engine.kernels import PrioritySweep
from portsim.engine.routes import ChoiceNode

if TYPE_CHECKING:
    from portsim.engine.fast_entities import Turns
    from portsim.engine.fast_stations import FastStation

__all__ = ["PriorityQueue", "choice_groups", "service_draws", "start_group"]


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
    service times, and the starts of those. Without a station that serves by priority, one
    loop does it all (:func:`~portsim.engine.fast_groups.run_group`)."""
    where = {station.name: index for index, station in enumerate(stations)}
    options = [[where[choice.name] for choice in node.stations] if type(node) is ChoiceNode
               else [where[node.station.name]] for node in nodes]
    if all(station.spec.reactive is not None or station.spec.discipline == "fifo"
           for station in stations):
        return run_group(stations, options, arrivals, source, kinds, horizon, turns,
                         priorities)
    could = could_join(len(stations), options, source, kinds)
    draws = service_draws(stations, could)
    own, moves = turns.ranks()
    times, kind_list = arrivals.tolist(), kinds.tolist()
    classes = 1 + max([*kind_list, -1, *(key for counts in could for key in counts),
                       *(key for station in stations for key in station.services)])
    reactive = {index: reactive_inputs(station, counts, classes, priorities, horizon)
                for index, (station, counts) in enumerate(zip(stations, could, strict=True))
                if station.spec.reactive is not None}
    queues: list[OpenQueue | PriorityQueue | ReactiveQueue] = [
        reactive_queue(reactive[index], times, kind_list, own, moves, horizon)
        if index in reactive
        else OpenQueue(station.spec.servers, station.changes, horizon, turns.before)
        if station.spec.discipline == "fifo"
        else PriorityQueue(station, horizon, turns, integers(priorities))
        for index, station in enumerate(stations)]
    for position, (at, through, kind) in enumerate(zip(
            python_values(arrivals), python_values(source), python_values(kinds), strict=True)):
        best = shortest(queues, options[through], at, position)
        # a reactive station's sweep draws its own services, as they start
        service = math.nan if best in reactive else next(draws[best][kind])
        queues[best].join(at, service, position)
    return [group_result(station, reactive[index], reactive_written(queue, reactive[index]))
            if isinstance(queue, ReactiveQueue) else _arrays(*queue.result())
            for index, (station, queue) in enumerate(zip(stations, queues, strict=True))]


def _arrays(positions: Any, services: Any, starts: Any,
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.asarray(positions, dtype=np.int64), np.asarray(services, dtype=float),
            np.asarray(starts, dtype=float))


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


def service_draws(stations: list[FastStation], could: list[dict[int, int]],
                   ) -> list[dict[int, Iterator[float]]]:
    """Each station's service times per class, in the order customers start there (FIFO: the
    order they join): as many as could join it are drawn, the surplus is never used. None
    (an empty dict) for a station with queue-reactive staffing: its sweep draws them."""
    return [{} if station.spec.reactive is not None else
            {kind: python_values(stream.take(counts.get(kind, 0)))
             for kind, stream in station.services.items()}
            for station, counts in zip(stations, could, strict=True)]
