"""A station on the fast path: the statistics the event engine's
:class:`~portsim.engine.station.Station` gives collection (counters, wait tallies, queue length,
busy servers and capacity over time, the queue at clock times, who still waits at the horizon),
filled from the arrays of one evaluation rather than event by event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from portsim.engine import model as m
from portsim.engine.classes import ClassState
from portsim.engine.collect import clock_samples
from portsim.engine.fast_entities import overlap
from portsim.engine.kernels import queue_max
from portsim.engine.setup import slot_tally
from portsim.engine.streams import Stream
from portsim.stats.accumulators import Level, Tally

__all__ = ["FastStation", "Occupied", "Waiter", "on_call_level"]


@dataclass
class Waiter:
    """A customer still in a queue at the horizon: what collect reads of an entity."""

    kind: ClassState
    arrived: float
    wait: float
    queued: float
    counted: float = math.nan  # waits so far at stations counted in the slots (NaN: none)


@dataclass
class Occupied:
    """A booked station's servers beyond its services: who never queues (booked customers wait
    for their booking, not in the queue), and the intervals an on-duty server is committed
    (from its hold or its start to the service's end) and an on-call one is out."""

    unqueued: np.ndarray
    busy: tuple[np.ndarray, np.ndarray]
    on_call: tuple[np.ndarray, np.ndarray]


class _Line:
    """The customers still queueing at a station at the horizon (collect's ``queue``)."""

    def __init__(self) -> None:
        self.waiting: list[Waiter] = []

    def entities(self) -> list[Waiter]:
        return self.waiting

    def __len__(self) -> int:
        return len(self.waiting)


class FastStation:
    """A station's statistics as the event engine's :class:`~portsim.engine.station.Station`
    exposes them to collect, filled from the arrays of one evaluation."""

    def __init__(self, spec: m.StationSpec, model: m.Model, services: dict[int, Stream],
                 bin_width: float, bin_count: int) -> None:
        self.name = spec.name
        self.spec = spec
        self.services = services
        self.arrivals = 0
        self.completions = 0
        self.slots = slot_tally(model, ends=True)
        self.waits = Tally(model.sla, on_flush=self.slots.fold_pending)
        self.queue = _Line()
        # Nobody queues at a station no route reaches: its samples stay 0.
        self.queue_samples: dict[tuple[int, float], int] = dict.fromkeys(clock_samples(model), 0)
        self.bin_width = bin_width
        self.bin_count = bin_count
        self.warmup, self.horizon = model.warmup, model.horizon
        #: The servers on duty at the start and at the horizon (see servers_changed).
        self.first_servers = spec.servers.servers_at(0.0)
        self.servers_changed(_shift_changes(spec.servers, model.horizon))
        self.last_servers = spec.servers.servers_at(model.horizon)
        self.queue_level = Level.integrated(0, model.warmup, model.horizon, 0.0, 0,
                                            bin_width, np.zeros(bin_count))
        self.busy_level = Level.integrated(0, model.warmup, model.horizon, 0.0, math.nan)
        #: The failure clocks and outages of a station that can be out of order
        #: (fast_breakdowns.Reliability), or None.
        self.reliability: Any = None
        #: Class index -> its rule of giving up here (fast_impatience.GivingUp), or None.
        self.giving_up: dict[int, Any] | None = None
        #: Class index -> its rule of giving up at a station swept with its pools or
        #: retrials (``fast_pools``: the event engine's impatience.Rule), or None.
        self.trying: dict[int, Any] | None = None
        self.gone: tuple[np.ndarray, np.ndarray] | None = None  # reneged: joined, left
        self.gone_arrivals = 0
        #: Whether some customer may give up here (its own rule, or a class's visit patience).
        self.impatient = model.impatient_at(spec.name)
        if self.impatient:  # what collect reads of an ImpatientStation
            size = self.slots.days * self.slots.slots_per_day
            self.abandoned = 0
            self.balked = 0
            self.retried = 0
            self.abandon_waits = Tally(model.sla)
            self.came_by_slot = [0] * size
            self.balked_by_slot = [0] * size
        if spec.unreliable:  # what collect reads of an UnreliableStation
            self.interrupted = 0
            self.diverted = 0
            self.interrupted_waits = Tally(model.sla)
            self.broken_level = Level(0)
            self.out_of_order_level = Level(0)

    def servers_changed(self, changes: list[tuple[float, int]]) -> None:
        """The servers on duty changed to ``changes[k][1]`` at ``changes[k][0]`` (in time
        order, before the horizon): the schedule's steps, or those a sweep played (reactive
        extras included)."""
        start = self.first_servers
        self.changes = changes
        self.change_times = np.array([when for when, _ in changes], dtype=float)
        self.change_servers = np.array([servers for _, servers in changes], dtype=float)
        self.last_servers = changes[-1][1] if changes else start
        self.servers_level = _servers_level(start, changes, self.warmup, self.horizon)
        self.capacity_level = Level.integrated(start, self.warmup, self.horizon,
                                               self.servers_level.area, start)

    def close(self, now: float) -> None:
        """Collect's call at the horizon: the statistics are final already."""
        self.waits.flush()
        if self.impatient:
            self.abandon_waits.flush()

    def record_giving_up(self, model: m.Model, came: np.ndarray, arrived: np.ndarray,
                         left: np.ndarray, reneged: np.ndarray) -> None:
        """Who came (``came``: every arrival) and, of them, who left without service: arrived
        at ``arrived``, left at ``left`` (in the order they left), ``reneged`` or else balked
        (at arrival). Call before :meth:`record`."""
        warmup = model.warmup
        size = len(self.came_by_slot)
        inverse = 1.0 / self.slots.slot_minutes

        def by_slot(times: np.ndarray) -> list[int]:
            slots = np.minimum((times * inverse).astype(np.int64), size - 1)
            return np.bincount(slots, minlength=size).tolist()  # type: ignore[no-any-return]

        balked = ~reneged
        self.came_by_slot = by_slot(came)
        self.balked_by_slot = by_slot(arrived[balked])
        measured = left >= warmup
        self.balked = int(np.count_nonzero(balked & measured))
        self.abandoned = int(np.count_nonzero(reneged & measured))
        self.abandon_waits.add_many((left - arrived)[reneged & measured])
        self.gone = (arrived[reneged], left[reneged])
        self.gone_arrivals = int(np.count_nonzero(arrived >= warmup))

    def record(self, model: m.Model, arrivals: np.ndarray, starts: np.ndarray,
               ends: np.ndarray, waits: np.ndarray, finished: np.ndarray,
               ordered: bool = True, occupied: Occupied | None = None) -> None:
        """The statistics of the customers that reached the station (``arrivals``): the first
        ``starts.size`` started, in that order, after ``waits``, and ended at ``ends``
        (``finished``: before the horizon); the rest were still queueing at the horizon.
        ``ordered``: the arrivals are in order too (first come, first served). ``occupied``: at
        a station that takes bookings, who never queues and when servers are committed."""
        warmup = model.warmup
        if ordered:
            self.arrivals = arrivals.size - int(np.searchsorted(arrivals, warmup, side="left"))
        else:
            self.arrivals = int(np.count_nonzero(arrivals >= warmup))
        self.arrivals += self.gone_arrivals
        self.completions = int(np.count_nonzero(finished & (ends >= warmup)))
        # NOTE: starts are in order, so those after the warm-up are a slice (no mask and no
        # copy), for performance reasons.
        measured = slice(int(np.searchsorted(starts, warmup, side="left")), None)
        measured_waits = waits[measured]
        # filed by the time each joined, computed as the event engine's slots do (start - wait)
        self.slots.add_many(measured_waits, starts[measured] - measured_waits)
        self.waits.add_many(measured_waits)
        self._levels(model, arrivals, starts, ends, ordered, occupied)

    def _levels(self, model: m.Model, arrivals: np.ndarray, starts: np.ndarray,
                ends: np.ndarray, ordered: bool, occupied: Occupied | None) -> None:
        """Queue length, busy servers and capacity over time, and the clock-time samples."""
        horizon, warmup = model.horizon, model.warmup
        span_start = warmup
        served = starts.size
        waited_until = starts if arrivals.size == served else np.concatenate(
            [starts, np.full(arrivals.size - served, horizon)])
        queued = waited_until > arrivals
        if occupied is not None:
            queued &= ~occupied.unqueued
            served += int(np.count_nonzero(occupied.unqueued[served:]))  # none in the queue
            self.on_call_level = on_call_level(occupied.on_call, warmup, horizon)
            starts, ends = occupied.busy  # on-duty servers, held for a booking or serving
        joins, leaves = arrivals[queued], waited_until[queued]  # leaves: in order
        sorted_leaves = leaves
        if self.gone is not None:  # who gave up waiting queued from arrival to leaving
            joins = np.concatenate((joins, self.gone[0]))
            leaves = np.concatenate((leaves, self.gone[1]))
            sorted_leaves = np.sort(leaves)
        # the longest queue and the samples count joins and leaves up to a time: both sorted
        sorted_joins = joins if ordered and self.gone is None else np.sort(joins)
        area = overlap(joins, leaves, span_start, horizon)
        self.queue_level = Level.integrated(
            arrivals.size - served, span_start, horizon, area,
            queue_max(sorted_joins, sorted_leaves, warmup), self.bin_width,
            _spread(joins, leaves, self.bin_width, self.bin_count))
        busy_area = overlap(starts, ends, span_start, horizon)
        running_end = int(np.count_nonzero(ends >= horizon))
        self.busy_level = Level.integrated(running_end, span_start, horizon, busy_area,
                                           math.nan)
        if self.changes:
            self.capacity_level = Level.integrated(
                max(running_end, self.last_servers), span_start,
                horizon, self._capacity_area(starts, ends, warmup, horizon), math.nan)
        samples = clock_samples(model)
        if samples:
            at = np.asarray([day * m.MINUTES_PER_DAY + minute for day, minute in samples])
            # customers who joined by then and had not yet left
            waiting = (np.searchsorted(sorted_joins, at, side="right")
                       - np.searchsorted(sorted_leaves, at, side="right"))
            self.queue_samples.update(zip(samples, waiting.tolist(), strict=True))

    def _capacity_area(self, starts: np.ndarray, ends: np.ndarray, warmup: float,
                       horizon: float) -> float:
        """The integral over [warmup, horizon] of max(servers on duty, services in progress):
        servers cut by a shift count until they finish the service they had begun."""
        change_times = np.asarray([when for when, _ in self.changes])
        change_servers = np.asarray([self.first_servers]
                                    + [servers for _, servers in self.changes])
        points = np.unique(np.concatenate([starts, ends, change_times, [warmup, horizon]]))
        points = points[(points >= warmup) & (points <= horizon)]
        sorted_starts, sorted_ends = np.sort(starts), np.sort(ends)
        busy = (np.searchsorted(sorted_starts, points, side="right")
                - np.searchsorted(sorted_ends, points, side="right"))
        servers = change_servers[np.searchsorted(change_times, points, side="right")]
        capacity = np.maximum(busy, servers)[:-1]
        return float(np.sum(capacity * np.diff(points)))


def _shift_changes(schedule: m.ShiftSchedule, horizon: float) -> list[tuple[float, int]]:
    """(time, servers) of every change of a shift schedule before ``horizon``, at the times
    the event engine's shift process reaches them (``now + (when - now)``, not ``when``)."""
    changes: list[tuple[float, int]] = []
    if schedule.is_constant:
        return changes
    now, current = 0.0, schedule.servers_at(0.0)
    cycle = 0.0
    while True:
        for offset, servers in schedule.steps:
            when = cycle + offset
            if when > now:
                now = now + (when - now)
                if now >= horizon:
                    return changes
            if servers != current:
                changes.append((now, servers))
                current = servers
        if schedule.period is None:
            return changes
        cycle += schedule.period


def _servers_level(start: int, changes: list[tuple[float, int]], warmup: float,
                   horizon: float) -> Level:
    """The servers on duty over time, as the event engine's level records them."""
    level = Level(start)
    reset = warmup <= 0
    for when, servers in changes:
        if not reset and when >= warmup:
            level.reset(warmup)
            reset = True
        level.set(when, servers)
    if not reset:
        level.reset(warmup)
    level.close(horizon)
    return level


def _spread(starts: np.ndarray, ends: np.ndarray, width: float, count: int) -> np.ndarray:
    """Per-bin integrals (bins of ``width`` from 0, ``count`` of them) of the intervals
    [starts[i], ends[i]]: the queue length over time, one interval per waiting customer."""
    if starts.size == 0:
        return np.zeros(count)
    size = count + 1  # one more bin takes what lies beyond the series
    inv = 1.0 / width
    first = np.minimum((starts * inv).astype(np.int64), count)
    last = np.minimum((ends * inv).astype(np.int64), count)
    same = first == last
    apart = ~same
    f, la = first[apart], last[apart]
    # NOTE: weighted bincounts rather than np.add.at, for performance reasons (the same sums)
    result = np.bincount(first[same], weights=ends[same] - starts[same],
                         minlength=size).astype(float)
    result += np.bincount(f, weights=(f + 1) * width - starts[apart], minlength=size)
    result += np.bincount(la, weights=ends[apart] - la * width, minlength=size)
    # whole bins between: +width from the bin after each start to the bin of its end
    whole = (np.bincount(f + 1, minlength=size + 1)
             - np.bincount(la, minlength=size + 1)).astype(float) * width
    result += np.cumsum(whole)[:size]
    return result[:count]


def on_call_level(on_call: tuple[np.ndarray, np.ndarray], warmup: float,
                  horizon: float) -> Level:
    """The servers called in over [warmup, horizon] (each out from its call to its service's
    end), as the event engine's ``on_call_level``."""
    since, until = on_call
    area = float(np.sum(np.clip(np.minimum(until, horizon) - np.maximum(since, warmup), 0.0,
                                None)))
    return Level.integrated(int(np.count_nonzero(until >= horizon)), warmup, horizon, area,
                            np.nan)
