"""A station as a small state machine driven by SimPy events.

Why not a process and a ``simpy.Resource`` per customer: that costs about six SimPy events per
visit; here a visit costs one (the service completion), and the whole customer two (arrival and
completion). SimPy stays the scheduler; stations only react to the events it delivers.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from heapq import heappush
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine.entity import (
    BOOKED,
    BOOKED_HERE,
    HELD,
    HELD_ON_CALL,
    NO_BOOKING,
    Entity,
)
from portsim.engine.kernel import scheduler
from portsim.engine.queue_length import QueueLength
from portsim.engine.queues import FifoLine, PriorityLine, WaitingLine
from portsim.stats.accumulators import CHUNK, Level, Tally
from portsim.stats.slots import SlotTally

if TYPE_CHECKING:
    from portsim.engine.kernel import Environment
    from portsim.engine.streams import Stream


def expected_wait(present: int, servers: int, service_mean: float) -> float:
    """The wait a customer joining ``present`` customers (queueing or in service) at
    ``servers`` can expect: nothing while a server is free, else one service per server for
    every customer ahead beyond the servers (FIFO, all servers working at ``service_mean``);
    infinite with no server on duty. The rule of a choice by expected wait, on both engines."""
    if servers <= 0:
        return math.inf
    ahead = present - servers + 1
    return 0.0 if ahead <= 0 else ahead * service_mean / servers


class Station(QueueLength):
    """Servers, a waiting line (FIFO or by priority), and the station's statistics.

    ``servers`` may change at any time (shifts, reactive staffing); a decrease never preempts a
    customer in service, it only stops new starts until enough servers are free.

    Statistics: waits are a :class:`Tally`; the number of servers a :class:`Level`. The queue
    length and the busy servers are not integrated event by event (see ``_serve`` and
    ``_serve_next``); ``queue_level`` and ``busy_level`` give them as :class:`Level` objects,
    brought up to the current time (or to the time of :meth:`close`) when read.
    """

    __slots__ = ("name", "env", "queue", "busy", "servers", "services", "on_done",
                 "waits", "servers_level", "capacity_level", "on_call_level", "arrivals",
                 "completions", "trace",
                 "_add_wait", "_pending_waits", "_add_start", "slots", "queue_samples",
                 "base_servers", "extra_servers", "bookings",
                 "_heap", "_ids", "_on_finish", "_on_finish_on_call", "on_call_total",
                 "on_call_busy", "holds", "_end_sum", "_busy_area", "_queue_area",
                 "_queue_bins", "_bin_width", "_inv_bin", "_stats_start", "_closed")

    def __init__(self, name: str, env: Environment, servers: int, priority: bool,
                 services: dict[Any, Stream], on_done: Callable[[Entity], None], sla: float,
                 bin_width: float, bin_count: int,
                 trace: Callable[..., None] | None = None,
                 slots: SlotTally | None = None) -> None:
        self.name = name
        self.env = env
        self.queue: WaitingLine = PriorityLine() if priority else FifoLine()
        self.busy = 0
        self.servers = servers
        self.base_servers = servers
        self.extra_servers = 0
        self.bookings: deque[Entity] = deque()
        self.services = services
        self.on_done = on_done
        self.trace = trace
        # NOTE: SimPy's heap and event counter, bound once for performance reasons (see
        # kernel.scheduler): a completion is pushed without a call to Environment.schedule.
        self._heap, self._ids = scheduler(env)
        # One callbacks list for every completion here: Environment.step only reads it.
        self._on_finish = [self._finish]
        # Off-duty servers on call for bookings only (see StationSpec.booking_servers): up to
        # on_call_total servers in all may work on bookings at any hour.
        self.on_call_total = 0
        self.on_call_busy = 0
        self._on_finish_on_call = [self._finish_on_call]
        # Servers held for a booking whose entity has not arrived: busy, but serving nobody.
        # The other busy servers are the services in progress (see _busy_snapshot).
        self.holds = 0
        self._start_statistics(servers, sla, bin_width, bin_count, slots)

    def _start_statistics(self, servers: int, sla: float, bin_width: float, bin_count: int,
                          slots: SlotTally | None) -> None:
        """The station's counters, tallies and levels, empty at the start of the run."""
        # Waits filed by the clock slot in which the customer joined: each wait recorded is
        # paired with its service start (_add_start; joined = start - wait).
        self.slots = slots if slots is not None else SlotTally(1.0, sla, times_are_ends=True)
        self._add_start = self.slots.times.append
        self.waits = Tally(sla, on_flush=self.slots.fold_pending)
        self._bind_waits()
        #: Queue lengths recorded at clock times: (day, minute of the day) -> customers waiting.
        self.queue_samples: dict[tuple[int, float], int] = {}
        self.servers_level = Level(servers)
        # Off-duty servers called in for bookings (held for a booked entity or serving it):
        # their time is the call-out time (rare events: a level set at each change).
        self.on_call_level = Level(0)
        # Servers available to work: the scheduled ones, or more while servers cut by a shift
        # finish the service they had begun.
        self.capacity_level = Level(servers)
        self.arrivals = 0
        self.completions = 0
        # The sum of the end times of the on-duty services in progress (busy - holds of them):
        # the busy snapshots need sum(end - now), so the station keeps it rather than reading
        # SimPy's schedule. Added at each start, removed at each finish.
        self._end_sum = 0.0
        # Busy servers: the sum of service durations started (plus the open parts of holds),
        # corrected at reset and read for services still running (see _busy_snapshot).
        self._busy_area = 0.0
        # Queue length: the sum of the waits served from the queue (Little), corrected at reset
        # and read for customers still waiting; per-bin integrals for the day plot.
        self._queue_area = 0.0
        self._start_queue_max(0, -math.inf)
        self._queue_bins = [0.0] * bin_count
        self._bin_width = bin_width
        self._inv_bin = 1.0 / bin_width
        self._stats_start = 0.0
        self._closed: tuple[float, Level, Level] | None = None

    def _bind_waits(self) -> None:
        # NOTE: the tally's append and its list of pending observations bound for performance
        # reasons (see _serve); rebound whenever the tally is reset.
        self._add_wait = self.waits.add
        self._pending_waits = self.waits.pending

    # ---------------------------------------------------------------- the hot path

    def arrive(self, entity: Entity) -> None:
        now = self.env.now
        self.arrivals += 1
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, "queue")
        if self.busy < self.servers:
            self.busy += 1
            self._serve(entity, now, 0.0, True)
            return
        entity.queued = now
        queue = self.queue
        queue.push(entity)
        waiting = len(queue)  # the longest queue (QueueLength): most joins raise nothing
        if waiting > self._queue_max:
            self._joined(waiting, now)

    def _serve(self, entity: Entity, now: float, wait: float, on_duty: bool) -> None:
        """Record the entity's wait, start its service and schedule the end.

        The station's service start: on arrival, from the queue, for a booking, by an on-duty
        server (the caller counted it busy) or an on-call one. Only ``_finish`` inlines it (with
        ``_serve_next``), for the hand-off from a completion to the head of the queue.
        """
        self._add_wait(wait)
        self._add_start(now)
        if len(self._pending_waits) >= CHUNK:
            self.waits.flush()
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, "start")
        duration = self.services[entity.kind].draw()
        end = now + duration
        if on_duty:
            # NOTE: the busy-server integral is the sum of service durations, added once when
            # the service starts instead of integrating a level at every start and finish, for
            # performance reasons; _busy_snapshot removes what runs past the time it is read at.
            self._busy_area += duration
            self._end_sum += end
            entity.callbacks = self._on_finish
        else:
            entity.callbacks = self._on_finish_on_call
        # NOTE: the entity is its own completion event (see Entity), scheduled as
        # Environment.schedule would, for performance reasons.
        heappush(self._heap, (end, entity.turn, next(self._ids), entity))

    def _finish(self, entity: Entity) -> None:
        now = self.env.now
        self.completions += 1
        self._end_sum -= now  # this service's end
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, "finish")
        # The server just freed is free if busy - 1 < servers, i.e. busy <= servers.
        if self.bookings and self.busy <= self.servers:
            self.busy -= 1
            self._take_booking(now)
        elif self.queue and self.busy <= self.servers:
            # The freed server is taken again at once: busy is unchanged.
            # NOTE: _serve_next and _serve inlined for performance reasons: at high load most
            # completions start the next customer. benchmarks/test_micro.py station_handoff
            # (fast mode, best of 6 runs): 1.38 us per customer inlined, 1.43 us through the
            # two calls; the hand-off alone, without the join, 0.92 against 1.04 us. Keep in
            # step with _serve_next and _serve.
            nxt = self.queue.take()
            if self._max_at == now:  # the longest queue rose now (QueueLength)
                self._left(now)
            queued = nxt.queued
            wait = now - queued
            nxt.wait += wait
            self._queue_area += wait
            index = int(now * self._inv_bin)
            if int(queued * self._inv_bin) == index:
                self._queue_bins[index] += wait
            else:
                self._spread(queued, now, self._queue_bins)
            self._add_wait(wait)
            self._add_start(now)
            if len(self._pending_waits) >= CHUNK:
                self.waits.flush()
            if self.trace is not None:
                self.trace(now, nxt.id, nxt.kind.name, self.name, "start")
            duration = self.services[nxt.kind].draw()
            self._busy_area += duration
            end = now + duration
            self._end_sum += end
            nxt.callbacks = self._on_finish
            heappush(self._heap, (end, nxt.turn, next(self._ids), nxt))
        else:
            self.busy -= 1
            if self.busy >= self.servers:
                # Rare: a shift cut servers below the busy ones; the server still finishing
                # counts as available until it is done, so utilisation never exceeds 1.
                self.capacity_level.set(now, self.busy)
        self.on_done(entity)

    def can_start(self, entity: Entity) -> bool:
        """Whether ``entity`` would start service at once if it joined now."""
        return self.busy < self.servers

    def _serve_next(self, now: float) -> None:
        """Serve the head of the queue by an on-duty server already counted busy."""
        self._serve_waiting(self.queue.take(), now)

    def _serve_waiting(self, entity: Entity, now: float) -> None:
        """Serve ``entity``, just taken from the queue, by an on-duty server counted busy."""
        if self._max_at == now:
            self._left(now)
        queued = entity.queued
        wait = now - queued
        entity.wait += wait
        # NOTE: the queue-length integral is the sum of the waits served from the queue
        # (Little's law, interval by interval) instead of a level updated at every join and
        # every start, for performance reasons; _queue_snapshot adds those still waiting.
        self._queue_area += wait
        index = int(now * self._inv_bin)
        if int(queued * self._inv_bin) == index:
            self._queue_bins[index] += wait  # most waits fall within one bin
        else:
            self._spread(queued, now, self._queue_bins)
        self._serve(entity, now, wait, True)

    # ---------------------------------------------------------------- reservations
    # A booking reaches the station before its entity and is served ahead of the ordinary
    # queue. The server that takes it is held (counted busy: it is committed) until the entity
    # arrives and starts at once.

    def book(self, entity: Entity) -> None:
        """The request of an entity that will arrive later (see ``Visit.reserve_ahead``)."""
        now = self.env.now
        entity.booking = BOOKED
        if self.busy < self.servers and not self.bookings:
            self._hold(entity, now)
        elif not self.bookings and self._on_call_free():
            self._hold_on_call(entity)
        else:
            self.bookings.append(entity)

    def arrive_booked(self, entity: Entity) -> None:
        """An entity reaches the station it booked."""
        if entity.booking == NO_BOOKING:
            self.arrive(entity)
            return
        now = self.env.now
        self.arrivals += 1
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, "queue")
        if entity.booking == HELD:
            entity.booking = NO_BOOKING
            self.holds -= 1
            self._busy_area += now  # the hold ends (it began with -= in _hold)
            self._serve(entity, now, 0.0, True)  # by the held server, still counted busy
        elif entity.booking == HELD_ON_CALL:
            entity.booking = NO_BOOKING
            self._serve(entity, now, 0.0, False)
        else:
            entity.booking = BOOKED_HERE
            entity.queued = now

    def _hold(self, entity: Entity, now: float) -> None:
        self.busy += 1
        self.holds += 1
        self._busy_area -= now  # a hold's busy time: its end minus its start
        entity.booking = HELD

    def _take_booking(self, now: float) -> None:
        entity = self.bookings.popleft()
        if entity.booking == BOOKED_HERE:
            entity.booking = NO_BOOKING
            wait = now - entity.queued
            entity.wait += wait
            self.busy += 1
            self._serve(entity, now, wait, True)
        else:
            self._hold(entity, now)

    # An on-call server is an off-duty one called in for a booking: it serves nobody else, is
    # not counted in the station's servers or utilisation, and exists only while
    # on_call_total exceeds the servers on duty (at night, outside opening hours).

    def _on_call_free(self) -> bool:
        return self.on_call_busy < self.on_call_total - self.servers

    def _hold_on_call(self, entity: Entity) -> None:
        self.on_call_busy += 1
        self.on_call_level.set(self.env.now, self.on_call_busy)
        entity.booking = HELD_ON_CALL

    def _finish_on_call(self, entity: Entity) -> None:
        now = self.env.now
        self.completions += 1
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, "finish")
        self.on_call_busy -= 1
        self.on_call_level.set(now, self.on_call_busy)
        if self.bookings and self._on_call_free():
            self._take_booking_on_call(now)
        self.on_done(entity)

    def _take_booking_on_call(self, now: float) -> None:
        entity = self.bookings.popleft()
        if entity.booking == BOOKED_HERE:
            entity.booking = NO_BOOKING
            self.on_call_busy += 1
            self.on_call_level.set(now, self.on_call_busy)
            wait = now - entity.queued
            entity.wait += wait
            self._serve(entity, now, wait, False)
        else:
            self._hold_on_call(entity)

    # ---------------------------------------------------------------- control

    def set_servers(self, servers: int) -> None:
        """Set the scheduled servers now (a shift change); reactive extras come on top."""
        self.base_servers = servers
        self._apply_servers()

    def set_extra_servers(self, extra: int) -> None:
        """Open or close servers beyond the schedule (queue-reactive staffing)."""
        self.extra_servers = extra
        self._apply_servers()

    def _apply_servers(self) -> None:
        now = self.env.now
        self.servers = self.base_servers + self.extra_servers
        self.servers_level.set(now, self.servers)
        self.capacity_level.set(now, max(self.servers, self.busy))
        while self.bookings and self._on_call_free():  # a shift ended: more servers on call
            self._take_booking_on_call(now)
        while self.busy < self.servers and (self.bookings or self.queue):
            if self.bookings:
                self._take_booking(now)
            else:
                self.busy += 1
                self._serve_next(now)

    def resume(self, entity: Entity, remaining: float) -> None:
        """Go on with a service begun before the run (a warm start): ``remaining`` minutes,
        by an on-duty server counted busy from now."""
        now = self.env.now
        self.busy += 1
        end = now + remaining
        self._busy_area += remaining
        self._end_sum += end
        entity.callbacks = self._on_finish
        heappush(self._heap, (end, entity.turn, next(self._ids), entity))

    def head_wait(self) -> float:
        """How long the customer at the head of the queue has waited (0 if nobody waits)."""
        if not self.queue:
            return 0.0
        return self.env.now - self.queue.head().queued

    def load(self) -> float:
        """Customers per open server: the shortest-queue criterion."""
        if self.servers <= 0:
            return math.inf
        return (len(self.queue) + self.busy) / self.servers

    def expected_wait(self, service_mean: float) -> float:
        """The wait a customer joining now can expect (:func:`expected_wait`)."""
        return expected_wait(len(self.queue) + self.busy, self.servers, service_mean)

    # ---------------------------------------------------------------- statistics

    def _running_after(self, now: float) -> float:
        """The sum over the on-duty services in progress of the time they still run after
        ``now`` (their end minus ``now``)."""
        return self._end_sum - (self.busy - self.holds) * now

    def reset_statistics(self, now: float) -> None:
        """Start the averages afresh at ``now`` (end of warm-up); the per-bin series go on."""
        self.waits.reset()
        self.slots.drop_pending()
        self._bind_waits()
        waiting = self.queue.entities()
        self._queue_area = -sum(now - entity.queued for entity in waiting)
        self._start_queue_max(len(waiting), now)
        self._busy_area = self._running_after(now) - self.holds * now
        self._stats_start = now
        self.servers_level.reset(now)
        self.capacity_level.reset(now)
        self.on_call_level.reset(now)
        self.arrivals = 0
        self.completions = 0

    def record_queue(self, day: int, minute: float) -> None:
        """Note how many customers wait now (a clock time of ``queue_at``)."""
        self.queue_samples[(day, minute)] = len(self.queue)

    def close(self, now: float) -> None:
        """Bring the statistics up to ``now`` (end of the run) and keep them as they are then."""
        self.waits.flush()
        self.servers_level.close(now)
        self.capacity_level.close(now)
        self.on_call_level.close(now)
        self._closed = (now, self._queue_snapshot(now), self._busy_snapshot(now))

    def _queue_snapshot(self, now: float) -> Level:
        waiting = self.queue.entities()
        starts = np.fromiter((entity.queued for entity in waiting), dtype=float,
                             count=len(waiting))
        return Level.integrated(
            len(waiting), self._stats_start, now,
            area=self._queue_area + float(np.sum(now - starts)), maximum=self._queue_max,
            bin_width=self._bin_width,
            bins=np.asarray(self._queue_bins, dtype=float) + self._spread_all(starts, now))

    def _busy_snapshot(self, now: float) -> Level:
        return Level.integrated(
            self.busy, self._stats_start, now,
            area=self._busy_area - self._running_after(now) + self.holds * now,
            maximum=math.nan)  # the maximum is not tracked: no KPI reads it

    @property
    def queue_level(self) -> Level:
        """Queue length over time since the last reset (per-bin series over the whole run)."""
        if self._closed is not None:
            return self._closed[1]
        return self._queue_snapshot(self.env.now)

    @property
    def busy_level(self) -> Level:
        """Busy (or held) servers over time since the last reset; ``maximum`` is not tracked."""
        if self._closed is not None:
            return self._closed[2]
        return self._busy_snapshot(self.env.now)
