"""The queue as a monitor reads it: every ``Model.monitor_every`` minutes after the warm-up,
each class's last member in the queue of each station that counts (``Model.slot_stations``,
or every station), and that member's wait there. Each class keeps, per clock slot of the run,
the longest reading (0 when none of its members was queueing), which collection reports as
the slot KPI ``wait_h0800_monitor``.

The reading is taken after everything that happens at its instant (a
:class:`~portsim.engine.kernel.Wake` in the turn ``AFTER``): whoever joined then is in the
line, whoever started then is not. The member's wait is known only when its service there
starts, so the event engine notes the member and its wait so far, and files the reading when it
finishes there (its wait so far then less the one noted) or at the horizon (still queueing: the
time since it joined). The fast path computes the same numbers from its arrays of joins and
starts (:func:`fast_readings`), with the same floating-point operations.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine.kernel import AFTER, Wake
from portsim.engine.queues import FifoLine, PriorityLine

if TYPE_CHECKING:
    from collections.abc import Callable

    from portsim.engine import model as m
    from portsim.engine.classes import ClassState
    from portsim.engine.entity import Entity
    from portsim.engine.station import Station

__all__ = ["Monitor", "counted_stations", "fast_readings", "reading_times", "start_readings"]


def reading_times(model: m.Model, start: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """When the monitor reads the queues (every ``monitor_every`` minutes from midnight, from
    the warm-up or ``start``, before the horizon) and the run's slot index of each."""
    every = model.monitor_every
    if every is None:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    first = math.ceil(max(model.warmup, start) / every - 1e-9)
    times = np.arange(first, math.ceil(model.horizon / every)) * every
    times = times[times < model.horizon]
    return times, (times // model.slot_minutes).astype(np.int64)


def counted_stations(model: m.Model) -> list[str]:
    """The stations whose queues the monitor reads."""
    return model.read_stations()


def start_readings(model: m.Model, classes: dict[str, ClassState],
                   start: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Give every class its readings (NaN in slots with no reading, 0 in those read until a
    member is found queueing) and return the reading times and their slots."""
    times, slots = reading_times(model, start)
    runs = max(1, math.ceil(model.horizon / model.slot_minutes))
    for kind in classes.values():
        kind.monitor = np.full(runs, math.nan)
        kind.monitor[slots] = 0.0
    return times, slots


class Monitor:
    """The event engine's monitor: reads the counted queues at the reading times and files
    each reading when the member read finishes its service there, or at the horizon."""

    def __init__(self, model: m.Model, stations: dict[str, Station],
                 classes: dict[str, ClassState], advance: Callable[[Entity], None]) -> None:
        self.model = model
        self.stations = [stations[name] for name in counted_stations(model)]
        self.classes = len(classes)
        # member -> (its wait so far when read, the classes' readings it makes: slot indices)
        self.watched: dict[Entity, tuple[float, list[int]]] = {}
        self.advance = advance
        for station in self.stations:
            station.on_done = self.done

    def schedule(self, env: Any, clock: float, classes: dict[str, ClassState]) -> None:
        """Schedule the readings of a run starting at ``clock``."""
        for at, slot in zip(*start_readings(self.model, classes, clock), strict=True):
            Wake(env, float(at) - clock, int(slot), self.read, AFTER)

    def read(self, event: Any) -> None:
        slot = event.value
        for station in self.stations:
            line = _by_joining(station.queue)
            seen: set[Any] = set()
            for entity in reversed(line):
                if entity.kind in seen:
                    continue
                seen.add(entity.kind)
                noted = self.watched.get(entity)
                if noted is None:
                    noted = self.watched[entity] = (entity.wait, [])
                noted[1].append(slot)
                if len(seen) == self.classes:
                    break

    def done(self, entity: Entity) -> None:
        """A counted station's ``on_done``: file the readings of ``entity``, if any."""
        noted = self.watched.pop(entity, None)
        if noted is not None:
            _file(entity.kind.monitor, noted[1], entity.wait - noted[0])
        self.advance(entity)

    def close(self, horizon: float) -> None:
        """At the horizon: those read and still queueing waited since they joined; those read
        and in service since have their wait there (it started before the horizon)."""
        waiting = {entity for station in self.stations for entity in station.queue.entities()}
        for entity, (before, slots) in self.watched.items():
            value = horizon - entity.queued if entity in waiting else entity.wait - before
            _file(entity.kind.monitor, slots, value)
        self.watched.clear()


def _by_joining(queue: Any) -> list[Entity]:
    """Who waits in ``queue``, in the order they joined it (the last to join last)."""
    line = getattr(queue, "line", queue)  # a line with patience timers wraps the line
    if isinstance(line, PriorityLine):
        # the heap's own numbers settle who joined last among those who joined at one instant
        # (its list order would not: a batch of one class could be read by an earlier member)
        return [item[2] for item in sorted(line, key=lambda item: (item[2].queued, item[1]))]
    entities = queue.entities()
    if not isinstance(queue, FifoLine):
        entities.sort(key=lambda entity: entity.queued)
    return entities  # type: ignore[no-any-return]


def _file(readings: np.ndarray, slots: list[int], value: float) -> None:
    for slot in slots:
        readings[slot] = max(readings[slot], value)


def fast_readings(model: m.Model, kinds: np.ndarray, classes: list[ClassState],
                  arrivals: np.ndarray, starts: np.ndarray, before: np.ndarray,
                  waits: np.ndarray) -> None:
    """The monitor's readings at one station on the fast path (first come, first served):
    customers of class ``kinds`` joined at ``arrivals`` (in order), the first ``starts.size``
    started after ``waits`` with ``before`` waited at earlier stations; the rest still queue at
    the horizon. Files into each class's readings what the event engine's monitor would."""
    times, slots = reading_times(model)
    if not times.size:
        return
    served = starts.size
    value = np.concatenate([(before + waits) - before, model.horizon - arrivals[served:]])
    left = np.concatenate([starts, np.full(arrivals.size - served, math.inf)])
    for index, kind in enumerate(classes):
        members = np.flatnonzero(kinds == index)
        if not members.size:
            continue
        last = np.searchsorted(arrivals[members], times, side="right") - 1
        read = last >= 0
        who = members[last[read]]
        queueing = left[who] > times[read]  # FIFO: if the last to join left, all did
        assert kind.monitor is not None
        np.maximum.at(kind.monitor, slots[read][queueing], value[who[queueing]])
