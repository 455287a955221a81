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

from portsim.engine.fast_groups import (
    PRIORITY_FIELDS,
    REACTIVE_FIELDS,
    Inputs,
    OpenQueue,
    group_inputs,
    group_result,
    next_service,
    open_written,
    shortest,
    station_draws,
    station_schedule,
)
from portsim.engine.kernels import compiled_or
from portsim.engine.routes import ChoiceNode, MilestoneNode, WaitChoiceNode
from portsim.engine.station import expected_wait

if TYPE_CHECKING:
    from portsim.engine.fast_entities import Turns
    from portsim.engine.fast_stations import FastStation

__all__ = ["has_wait_choice", "python_quickest_starts", "quickest_group", "quickest_starts",
           "record_milestones"]

#: Each station's customers: who joined (positions), their services, the starts.
Joined = tuple[np.ndarray, np.ndarray, np.ndarray]


def has_wait_choice(nodes: list[Any]) -> bool:
    """Whether any of ``nodes`` (those leading into a group) is a choice by expected wait."""
    return any(type(node) is WaitChoiceNode for node in nodes)


def quickest_pick(queues: list[OpenQueue], choice: list[int], means: list[float],
                  travel: list[float], at: float, position: int) -> int:
    """Which of ``choice`` (indices of ``queues``, in the order of the choice's stations, with
    their service ``means`` and ``travel``) the customer at ``position`` picks at ``at``: the
    least expected wait plus travel, ties by customers per server, then the first listed --
    :meth:`WaitChoiceNode.pick` over the same numbers (:meth:`Station.expected_wait`,
    :meth:`Station.load`)."""
    best, best_key = 0, (math.inf, math.inf)
    for index, station in enumerate(choice):
        queue = queues[station]
        servers = queue.schedule.servers_at(at)
        if servers <= 0:
            key = (math.inf + travel[index], math.inf)
        else:
            present = queue.present_at(at, position)
            key = (expected_wait(present, servers, means[index]) + travel[index],
                   present / servers)
        if key < best_key:
            best, best_key = index, key
    return best


def quickest_group(stations: list[FastStation], nodes: list[Any], arrivals: np.ndarray,
                   source: np.ndarray, kinds: np.ndarray, horizon: float, turns: Turns,
                   ) -> tuple[list[Joined], np.ndarray]:
    """A group of FIFO stations that a choice by expected wait joins: the customers reaching
    it at ``arrivals`` (in the order they move, each through ``nodes[source[i]]``: a visit, a
    shortest-queue choice or a choice by expected wait), by :func:`quickest_starts`. For each
    station, as :func:`~portsim.engine.fast_choices.start_group` gives it; and when each
    customer reached the station it joined (its move plus its travel; those whose travel
    ends at or after the horizon joined none)."""
    where = {station.name: index for index, station in enumerate(stations)}
    options = [[where[choice.name] for choice in node.stations]
               if type(node) in (ChoiceNode, WaitChoiceNode)
               else [where[node.station.name]] for node in nodes]
    arrays, inputs = group_inputs(stations, options, arrivals, source, kinds, horizon, turns,
                                  np.zeros(arrivals.size, dtype=np.int64))
    by_wait = np.asarray([type(node) is WaitChoiceNode for node in nodes], dtype=np.int64)
    means = np.asarray([mean for node in nodes for mean in _per_option(node, "means")])
    travel = np.asarray([time for node in nodes for time in _per_option(node, "travel")])
    reached = arrays[0].copy()
    counts = quickest_starts(*arrays[:5], by_wait, means, travel, *arrays[5:], horizon,
                             reached, inputs)
    return [group_result(station, one, written)
            for station, one, written in zip(stations, inputs, counts, strict=True)], reached


def _per_option(node: Any, field: str) -> list[float]:
    """A choice by expected wait's ``field`` (its means or travel), one per station it
    offers; zeros for the options of a visit or a shortest-queue choice."""
    if type(node) is WaitChoiceNode:
        return [float(value) for value in getattr(node, field)]
    return [0.0] * (len(node.stations) if type(node) is ChoiceNode else 1)


def python_quickest_starts(arrivals: np.ndarray, kinds: np.ndarray, source: np.ndarray,
                           option_offsets: np.ndarray, option_stations: np.ndarray,
                           by_wait: np.ndarray, means: np.ndarray, travel: np.ndarray,
                           own: np.ndarray, moves: np.ndarray, horizon: float,
                           reached: np.ndarray, stations: list[Inputs],
                           ) -> list[tuple[int, int, int]]:
    """A group of FIFO stations joined by choices, some by expected wait plus travel: the
    compiled ``quickest_starts``' twin (its docstring in portsim/_kernels.c says what each
    argument holds). Writes each station's outputs and ``reached``; returns (joined,
    started, 0) per station."""
    own_ranks, move_ranks = own.tolist(), moves.tolist()
    queues, draws = _fifo_queues(stations, horizon, own_ranks, move_ranks)
    offsets, offered = option_offsets.tolist(), option_stations.tolist()
    mean_of, travel_of, waits, classes = (means.tolist(), travel.tolist(), by_wait.tolist(),
                                          kinds.tolist())
    # travellers on their way: (when they arrive, the rank of their own turn, position, station)
    travelling: list[tuple[float, int, int, int]] = []

    def join(index: int, at: float, position: int) -> None:
        queues[index].join(at, next_service(draws[index], classes[position], "quickest_starts"),
                           position)

    def arrive_before(at: float, mover: float) -> None:
        """The travellers who arrive before the move of ``mover`` (its rank) at ``at``."""
        while travelling and (travelling[0][0], travelling[0][1]) < (at, mover):
            arrived, _, traveller, index = heappop(travelling)
            join(index, arrived, traveller)

    for position, (at, through) in enumerate(zip(arrivals.tolist(), source.tolist(),
                                                  strict=True)):
        arrive_before(at, move_ranks[position])
        low, high = offsets[through], offsets[through + 1]
        if not waits[through]:
            join(shortest(queues, offered[low:high], at, position), at, position)
            continue
        picked = quickest_pick(queues, offered[low:high], mean_of[low:high],
                               travel_of[low:high], at, position)
        if travel_of[low + picked] <= 0:
            join(offered[low + picked], at, position)
            continue
        reached[position] = arrives = at + travel_of[low + picked]
        if arrives < horizon:
            heappush(travelling, (arrives, own_ranks[position], position,
                                  offered[low + picked]))
    arrive_before(math.inf, math.inf)  # every journey ends before the horizon
    return [open_written(queue, station) for queue, station in zip(queues, stations,
                                                                    strict=True)]


def _fifo_queues(stations: list[Inputs], horizon: float, own: list[int], moves: list[int],
                 ) -> tuple[list[OpenQueue], list[list[Any]]]:
    """The stations of :func:`python_quickest_starts` (FIFO ones only), each with its draws
    per class: ``own`` and ``moves``, the customers' turns, settle services that end as
    another customer moves."""
    if any(len(station) in (REACTIVE_FIELDS, PRIORITY_FIELDS) for station in stations):
        raise ValueError("quickest_starts: every station of the group must be a FIFO one")

    def before(customer: int, mover: int) -> bool:
        return own[customer] < moves[mover]

    return ([OpenQueue(*station_schedule(station, float), horizon, before)
             for station in stations],
            [station_draws(station) for station in stations])


quickest_starts = compiled_or("quickest_starts", python_quickest_starts)


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
