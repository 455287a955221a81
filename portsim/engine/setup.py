"""What both engines build alike for one replication: the class states with their tallies, the
slot tallies, the width of the series bins, and the entity limit's error.

The event engine (:mod:`portsim.engine.simulation`) and the FIFO fast path
(:mod:`portsim.engine.fast`) fill the same accumulators, so that :mod:`portsim.engine.collect`
reads either without a second implementation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from portsim.engine import model as m
from portsim.engine.arrivals import arrival_array, arrival_times
from portsim.engine.classes import ClassState
from portsim.engine.streams import Stream, generator
from portsim.errors import PortsimError
from portsim.stats.accumulators import Tally
from portsim.stats.slots import SlotTally

if TYPE_CHECKING:
    import numpy as np

MAX_SERIES_BINS = 20_000

#: A replication's event trace: told ``(time, entity id, class, station or None, event)``.
TraceSink = Callable[[float, int, str, "str | None", str], None]


class EntityLimitExceeded(PortsimError):
    """More entities arrived in one replication than the run allows."""


def series_bins(model: m.Model) -> tuple[float, int]:
    """The width and number of the per-bin series over the whole run (at most
    ``MAX_SERIES_BINS`` bins: the width grows for very long runs)."""
    width = model.series_bin
    count = math.ceil(model.horizon / width) + 1
    if count > MAX_SERIES_BINS:
        width *= math.ceil(count / MAX_SERIES_BINS)
        count = math.ceil(model.horizon / width) + 1
    return width, count


def slot_tally(model: m.Model, *, ends: bool) -> SlotTally:
    """A tally of waits by clock slot, filing the slots after the warm-up (``ends``: the times
    given are those the waits ended, as at a station; else arrival times, as for a class)."""
    first = math.ceil(model.warmup / model.slot_minutes - 1e-9)  # slots after the warm-up
    return SlotTally(model.horizon, model.sla, model.slot_minutes, times_are_ends=ends,
                     first_slot=first)


def class_arrival_times(spec: m.ClassSpec, seed: int, replication: int,
                        horizon: float) -> Iterator[float]:
    """A class's arrival times in one replication, from its own named streams (a timetable's
    late and cancelled batches from a stream of their own)."""
    rng, disruptions = _arrival_streams(spec, seed, replication)
    return arrival_times(spec.arrivals, rng, horizon, disruptions)


def class_arrival_array(spec: m.ClassSpec, seed: int, replication: int, horizon: float,
                        limit: int | None = None) -> np.ndarray:
    """:func:`class_arrival_times` as one array, the first ``limit`` of them with a limit."""
    rng, disruptions = _arrival_streams(spec, seed, replication)
    return arrival_array(spec.arrivals, rng, horizon, disruptions, limit)


def _arrival_streams(spec: m.ClassSpec, seed: int, replication: int
                     ) -> tuple[np.random.Generator, np.random.Generator | None]:
    """The class's arrival generator, and its timetable's disruptions' one if it has any."""
    disruptions = None
    if isinstance(spec.arrivals, m.Timetable) and spec.arrivals.disrupted:
        disruptions = generator(seed, replication, "disruptions", spec.name)
    return generator(seed, replication, "arrivals", spec.name), disruptions


def service_streams(model: m.Model, spec: m.StationSpec, seed: int,
                    replication: int) -> dict[str, Stream]:
    """The service times of each class at one station: one named stream per (station, class),
    drawn in the order services start there."""
    return {cls.name: Stream(spec.service_for(cls.name),
                             generator(seed, replication, "service", spec.name, cls.name))
            for cls in model.classes}


def class_states(model: m.Model, bin_count: int) -> dict[str, ClassState]:
    """The runtime state of every class, with its milestone tallies in route order (the order
    the KPIs list them in)."""
    classes = {
        spec.name: ClassState(spec.name, spec.priority, model.sla, bin_count, spec.due_after,
                              slot_tally(model, ends=False))
        for spec in model.classes
    }
    for spec in model.classes:
        for milestone in m.milestone_names(spec.route):
            classes[spec.name].milestones[milestone] = Tally(model.sla)
    return classes


__all__ = ["MAX_SERIES_BINS", "EntityLimitExceeded", "TraceSink", "class_arrival_array",
           "class_arrival_times",
           "class_states", "series_bins", "service_streams", "slot_tally"]
