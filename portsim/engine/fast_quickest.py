"""Choices by expected wait (``quickest``) on the fast path: a group of first-come-first-served
stations that such a choice joins (with constant servers or shifts), evaluated together in
time order as :mod:`~portsim.engine.fast_choices` evaluates shortest-queue groups, with one
thing more: a customer who travels to the station it chose joins it ``travel`` minutes later,
an event of its own turn (as a delay's end), so the loop plays the customers' moves and the
travellers' arrivals from one heap-ordered merge. A choice counts the customers present at
each station as the event engine's station holds them at that move: services that ended
earlier, or at that instant in an earlier turn, are over; travellers who have not arrived yet
are not counted.
"""

from __future__ import annotations

import math
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine.fast_choices import python_values, service_draws
from portsim.engine.fast_groups import OpenQueue, could_join, shortest
from portsim.engine.routes import ChoiceNode, MilestoneNode, WaitChoiceNode
from portsim.engine.station import expected_wait

if TYPE_CHECKING:
    from portsim.engine.fast_entities import Turns
    from portsim.engine.fast_stations import FastStation

__all__ = ["has_wait_choice", "quickest_group", "record_milestones"]

#: Each station's customers: who joined (positions), their services, the starts.
Joined = tuple[np.ndarray, np.ndarray, np.ndarray]


def has_wait_choice(nodes: list[Any]) -> bool:
    """Whether any of ``nodes`` (those leading into a group) is a choice by expected wait."""
    return any(type(node) is WaitChoiceNode for node in nodes)


def quickest_pick(queues: list[OpenQueue], choice: list[int], node: WaitChoiceNode,
                  at: float, position: int) -> int:
    """Which of ``choice`` (indices of ``queues``, in the order of ``node.stations``) the
    customer at ``position`` picks at ``at``: the least expected wait plus travel, ties by
    customers per server, then the first listed -- :meth:`WaitChoiceNode.pick` over the
    same numbers (:meth:`Station.expected_wait`, :meth:`Station.load`)."""
    best, best_key = 0, (math.inf, math.inf)
    for index, station in enumerate(choice):
        queue = queues[station]
        servers = queue.schedule.servers_at(at)
        if servers <= 0:
            key = (math.inf + node.travel[index], math.inf)
        else:
            present = queue.present_at(at, position)
            key = (expected_wait(present, servers, node.means[index]) + node.travel[index],
                   present / servers)
        if key < best_key:
            best, best_key = index, key
    return best


def quickest_group(stations: list[FastStation], nodes: list[Any], arrivals: np.ndarray,
                   source: np.ndarray, kinds: np.ndarray, horizon: float, turns: Turns,
                   ) -> tuple[list[Joined], np.ndarray]:
    """A group of FIFO stations that a choice by expected wait joins: the customers reaching
    it at ``arrivals`` (in the order they move, each through ``nodes[source[i]]``: a visit, a
    shortest-queue choice or a choice by expected wait). For each station, as
    :func:`~portsim.engine.fast_choices.start_group` gives it; and when each customer reached
    the station it joined (its move plus its travel; those whose travel ends at or after the
    horizon joined none)."""
    where = {station.name: index for index, station in enumerate(stations)}
    options = [[where[choice.name] for choice in node.stations]
               if type(node) in (ChoiceNode, WaitChoiceNode)
               else [where[node.station.name]] for node in nodes]
    draws = service_draws(stations, could_join(len(stations), options, source, kinds))
    own, moves = turns.ranks()
    queues = [OpenQueue(station.spec.servers, station.changes, horizon, turns.before)
              for station in stations]
    reached = arrivals.copy()
    kind_of = kinds.tolist()
    # travellers on their way: (when they arrive, the rank of their own turn, position, station)
    travelling: list[tuple[float, int, int, int]] = []

    def join(index: int, at: float, position: int) -> None:
        queues[index].join(at, next(draws[index][kind_of[position]]), position)

    for position, (at, through) in enumerate(zip(python_values(arrivals),
                                                  python_values(source), strict=True)):
        mover = moves[position]
        while travelling and (travelling[0][0], travelling[0][1]) < (at, mover):
            arrived, _, traveller, index = heappop(travelling)
            join(index, arrived, traveller)
        node = nodes[through]
        if type(node) is not WaitChoiceNode:
            join(shortest(queues, options[through], at, position), at, position)
            continue
        picked = quickest_pick(queues, options[through], node, at, position)
        travel = node.travel[picked]
        if travel <= 0:
            join(options[through][picked], at, position)
            continue
        reached[position] = arrives = at + travel
        if arrives < horizon:
            heappush(travelling, (arrives, own[position], position, options[through][picked]))
    while travelling:
        arrived, _, traveller, index = heappop(travelling)
        join(index, arrived, traveller)
    return [_arrays(*queue.result()) for queue in queues], reached


def _arrays(positions: Any, services: Any, starts: Any) -> Joined:
    return (np.asarray(positions, dtype=np.int64), np.asarray(services, dtype=float),
            np.asarray(starts, dtype=float))


def record_milestones(station: FastStation, nodes: list[Any], source: np.ndarray,
                      reached: np.ndarray, arrived: np.ndarray, warmup: float) -> None:
    """The milestones of choices by expected wait that name the moment their customers reach
    ``station`` (those who joined it: through ``nodes[source[i]]``, at ``reached[i]``, having
    entered the system at ``arrived[i]``), counted from the warm-up on."""
    for index, node in enumerate(nodes):
        if type(node) is not WaitChoiceNode:
            continue
        names = [choice.name for choice in node.stations]
        if station.name not in names:
            continue
        milestone = node.arrivals[names.index(station.name)]
        if type(milestone) is not MilestoneNode:
            continue
        measured = (source == index) & (reached >= warmup)
        milestone.tally.add_many(reached[measured] - arrived[measured])
