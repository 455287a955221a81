"""The event log of a replication on the fast path: every event the event engine's trace
would have been told (arrivals, queue joins, starts, finishes, balks and abandons, departures),
assembled from the arrays once the replication is done and told in time order."""

from __future__ import annotations

from typing import Any

import numpy as np

from portsim.engine.setup import TraceSink

__all__ = ["replay"]


def replay(state: Any, trace: TraceSink) -> None:
    """Tell ``trace`` every event of the fast path's replication ``state`` (a
    ``FastReplication`` that kept its visits), by time (ids as the event engine numbers
    entities: in the order they entered the system)."""
    assert state.kept is not None
    size = state.entities.size
    arrived = state.entities.arrived[:size]
    number = np.empty(size, dtype=np.int64)
    number[state.entities.entry_order(np.arange(size))] = np.arange(1, size + 1)
    names = list(state.classes)
    kind = state.entities.kind[:size]
    horizon = state.model.horizon
    events: list[tuple[float, int, int, str | None, str]] = []
    gone = set()
    departed = state.entities.departed
    for name, ids, arrivals, left, reneged in state.kept_gone:
        for entity, joined, out, queued in zip(ids.tolist(), arrivals.tolist(),
                                               left.tolist(), reneged.tolist(), strict=True):
            if departed[entity] == out:  # it left the system then (else it tries again)
                gone.add(entity)
            if queued:
                events.append((joined, 1, entity, name, "queue"))
            events.append((out, 3, entity, name, "abandon" if queued else "balk"))
    for entity in range(size):
        if arrived[entity] < horizon:
            events.append((float(arrived[entity]), 0, entity, None, "arrive"))
        if state.entities.departed[entity] < horizon and entity not in gone:
            events.append((float(state.entities.departed[entity]), 4, entity, None,
                           "depart"))
    for name, ids, arrivals, starts, ends in state.kept:
        for position, entity in enumerate(ids.tolist()):
            events.append((float(arrivals[position]), 1, entity, name, "queue"))
            if position < starts.size:
                events.append((float(starts[position]), 2, entity, name, "start"))
                if ends[position] < horizon:
                    events.append((float(ends[position]), 3, entity, name, "finish"))
    events.extend(state.kept_events)
    events.sort(key=lambda event: (event[0], event[1]))
    for at, _, entity, station, what in events:
        trace(at, int(number[entity]), names[int(kind[entity])], station, what)
