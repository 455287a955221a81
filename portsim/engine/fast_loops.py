"""Loops of units in the fast path's plan: found (the strongly connected components of the
unit graph), checked against what the loop's sweep covers (:mod:`~portsim.engine.loop_sweep`),
collapsed into one unit each, and, for a loop the sweep does not cover, said in words: the
stations it couples and who goes along it (a class on its route, a spawn, a spawner waiting
for its batch). On such a loop a station's arrivals depend on the queue of a station that its
own outputs feed, so no order of the stations works: the loop's stations are swept together,
or the model needs the event engine.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

__all__ = ["collapsed", "explain_loop", "strong_loops"]

Unit = tuple[str, Any]


def strong_loops(edges: dict[Unit, list[Unit]]) -> list[list[Unit]]:
    """The loops of the unit graph ``edges``: each strongly connected component with more than
    one unit or an edge to itself, its units in the order they were added (Tarjan's algorithm,
    without recursion: a route may be long)."""
    index: dict[Unit, int] = {}
    low: dict[Unit, int] = {}
    stack: list[Unit] = []
    on_stack: set[Unit] = set()
    found: list[list[Unit]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            unit, next_edge = work.pop()
            if next_edge == 0:
                index[unit] = low[unit] = len(index)
                stack.append(unit)
                on_stack.add(unit)
            targets = edges[unit]
            if next_edge < len(targets):
                work.append((unit, next_edge + 1))
                target = targets[next_edge]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[unit] = min(low[unit], index[target])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[unit])
            if low[unit] == index[unit]:
                members = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.add(member)
                    if member == unit:
                        break
                if len(members) > 1 or unit in edges[unit]:
                    found.append([member for member in edges if member in members])
    return found


def collapsed(edges: dict[Unit, list[Unit]], carried: dict[tuple[Unit, Unit], str],
              loop_of: dict[Unit, Unit]) -> tuple[dict[Unit, list[Unit]],
                                                  dict[tuple[Unit, Unit], str]]:
    """The graph ``edges`` (and its labels ``carried``) with each loop's units made one unit
    (``loop_of``: a unit's loop), the edges within a loop left out."""
    graph: dict[Unit, list[Unit]] = {}
    labels: dict[tuple[Unit, Unit], str] = {}
    for source, targets in edges.items():
        start = loop_of.get(source, source)
        out = graph.setdefault(start, [])
        for target in targets:
            end = loop_of.get(target, target)
            if end != start and end not in out:
                out.append(end)
                graph.setdefault(end, [])
                labels[(start, end)] = carried.get((source, target), "")
    return graph, labels


def explain_loop(edges: dict[Unit, list[Unit]], carried: dict[tuple[Unit, Unit], str],
                 stuck: set[Unit], stations: list[str]) -> str:
    """One loop among the units ``stuck`` (those a topological order could not reach), said
    as the stations it couples and who carries entities from each to the next (``carried``
    labels the edges); ``stations`` gives their order in the model."""
    loop = _one_loop(edges, stuck)
    at = [index for index, unit in enumerate(loop) if unit[0] in ("station", "group")]
    if not at:
        return "a spawner waits for a batch whose route depends on its own"
    # said from the station that comes first in the model
    first = min(at, key=lambda index: (loop[index][0] != "station",
                                       stations.index(loop[index][1])
                                       if loop[index][0] == "station" else 0))
    loop = loop[first:] + loop[:first]
    at = sorted((index - first) % len(loop) for index in at)
    ends = [*at[1:], len(loop)]
    feeds = []
    for start, end in zip(at, ends, strict=True):
        path = [*loop[start:end], loop[end % len(loop)]]
        who = _labels([carried.get((a, b), "") for a, b in pairwise(path)])
        feeds.append(f"{_name(path[0])} feeds {_name(path[-1])} ({'; '.join(who)})")
    head = _name(loop[0]).split(" ", 1)[1]
    later = [_name(loop[index]).split(" ", 1)[1] for index in at[1:]]
    if not later:
        why = f"so the arrivals at {head} depend on what leaves it"
    elif len(later) == 1:
        why = (f"so the arrivals at {head} depend on the queue at {later[0]}, which depends on "
               f"what leaves {head}, and neither can be evaluated before the other")
    else:
        why = (f"so the arrivals at {head} depend on the queues at {', '.join(later)}, which "
               f"depend on what leaves {head}, and none can be evaluated before the others")
    return ", and ".join(feeds) + ": " + why


def _one_loop(edges: dict[Unit, list[Unit]], stuck: set[Unit]) -> list[Unit]:
    """A loop among ``stuck``, in the direction entities go: every stuck unit has a stuck
    predecessor, so walking back from one must come round."""
    # in the order the edges were added (the routes' order), not the set's: the same loop in
    # every process
    before: dict[Unit, list[Unit]] = {unit: [] for unit in edges if unit in stuck}
    for source, targets in edges.items():
        if source in stuck:
            for target in targets:
                if target in stuck:
                    before[target].append(source)
    unit = next(iter(before))
    walked: dict[Unit, int] = {}
    path: list[Unit] = []
    while unit not in walked:
        walked[unit] = len(path)
        path.append(unit)
        unit = before[unit][0]
    return path[walked[unit]:][::-1]


def _labels(labels: list[str]) -> list[str]:
    """Each different label once, in order; a class's plain move left out where the loop says
    more of it (its spawn, its wait for a batch)."""
    unique = list(dict.fromkeys(label for label in labels if label))
    return [label for label in unique
            if not any(other != label and other.startswith(label) for other in unique)]


def _name(unit: Unit) -> str:
    if unit[0] == "group":
        return "stations " + "/".join(repr(name) for name in unit[1])
    return f"station {unit[1]!r}"
