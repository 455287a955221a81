"""Shortest-queue choices on the fast path: the stations a choice joins (transitively, through
choices that share a station) are evaluated together, customers in time order, each joining
its station (the one it visits, or the one with the fewest customers per open server as it
chooses: ties to the first listed) and starting there by the recursion one customer at a time
(or, at a station that serves by priority or reacts to its queue, swept up to each move), so
that each choice sees the customers then present (queueing or in service) and the servers then
on duty, in one loop (:func:`~portsim.engine.fast_groups.run_group`). A service that ends at
the instant of a choice is over for it if its customer's turn comes first at that instant
(docs/design.md, "Simultaneous events").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine import model as m
from portsim.engine.fast_groups import run_group
from portsim.engine.routes import ChoiceNode

if TYPE_CHECKING:
    from portsim.engine.fast_entities import Turns
    from portsim.engine.fast_stations import FastStation

__all__ = ["choice_groups", "start_group"]


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


def start_group(stations: list[FastStation], nodes: list[Any], arrivals: np.ndarray,
                source: np.ndarray, kinds: np.ndarray, horizon: float,
                turns: Turns, priorities: np.ndarray,
                ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Evaluate a group of stations joined by choices: the customers reaching it at
    ``arrivals`` (in the order they move, of classes ``kinds`` and ``priorities``, each
    through ``nodes[source[i]]``: a visit of one of the stations or a choice among them;
    ``turns`` settles ties). For each station, in order: the positions of the customers that
    joined it (those who started before ``horizon`` first, in the order they did), their
    service times, and the starts of those: one loop does it all, whatever its stations'
    disciplines (:func:`~portsim.engine.fast_groups.run_group`)."""
    where = {station.name: index for index, station in enumerate(stations)}
    options = [[where[choice.name] for choice in node.stations] if type(node) is ChoiceNode
               else [where[node.station.name]] for node in nodes]
    return run_group(stations, options, arrivals, source, kinds, horizon, turns, priorities)

