"""A station as a small state machine driven by SimPy events.

Why not a process and a ``simpy.Resource`` per customer: that costs about six SimPy events per
visit; here a visit costs one (the service completion), and the whole customer two (arrival and
completion). SimPy stays the scheduler; stations only react to the events it delivers.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simpy.events import NORMAL, Event

from portsim.stats.accumulators import Level, Tally

if TYPE_CHECKING:
    import simpy

    from portsim.engine.streams import Stream

_FLUSH_AT = 4096


class Wake(Event):
    """A timeout with its one callback fixed at creation.

    NOTE: inlines ``Timeout.__init__`` and ``Environment.schedule`` for performance reasons; the
    event is an ordinary SimPy event in the ordinary heap.
    """

    def __init__(self, env: simpy.Environment, delay: float, value: Any,
                 callback: Callable[[Event], None]) -> None:
        self.env = env
        self.callbacks = [callback]
        self._value = value
        self._ok = True
        heapq.heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), self))  # type: ignore[attr-defined]


class Entity:
    """One passenger, vehicle, ship...: what a station needs to know about a customer."""

    __slots__ = ("id", "kind", "arrived", "wait", "node", "queued", "priority", "booking")

    def __init__(self, ident: int, kind: Any, arrived: float, priority: int) -> None:
        self.id = ident
        self.kind = kind
        self.arrived = arrived
        self.wait = 0.0
        self.node: Any = None
        self.queued = 0.0
        self.priority = priority
        self.booking = NO_BOOKING


# Reservation states of an entity at the station it booked.
NO_BOOKING, BOOKED, HELD, BOOKED_HERE = 0, 1, 2, 3


class Station:
    """Servers, a FIFO or priority queue, and the station's statistics.

    ``servers`` may change at any time (shifts, reactive staffing); a decrease never preempts a
    customer in service, it only stops new starts until enough servers are free.
    """

    __slots__ = ("name", "env", "queue", "priority", "busy", "servers", "services", "on_done",
                 "waits", "queue_level", "busy_level", "servers_level", "arrivals",
                 "completions", "trace", "_seq", "_wait_buffer", "base_servers", "extra_servers",
                 "bookings")

    def __init__(self, name: str, env: simpy.Environment, servers: int, priority: bool,
                 services: dict[Any, Stream], on_done: Callable[[Entity], None], sla: float,
                 bin_width: float, bin_count: int,
                 trace: Callable[..., None] | None = None) -> None:
        self.name = name
        self.env = env
        self.priority = priority
        self.queue: Any = [] if priority else deque()
        self.busy = 0
        self.servers = servers
        self.base_servers = servers
        self.extra_servers = 0
        self.bookings: deque[Entity] = deque()
        self.services = services
        self.on_done = on_done
        self.waits = Tally(sla)
        self._wait_buffer = self.waits._buffer
        self.queue_level = Level(0, 0.0, bin_width, bin_count)
        self.busy_level = Level(0)
        self.servers_level = Level(servers)
        self.arrivals = 0
        self.completions = 0
        self.trace = trace
        self._seq = 0

    # ---------------------------------------------------------------- the hot path

    def arrive(self, entity: Entity) -> None:
        now = self.env._now  # type: ignore[attr-defined]
        self.arrivals += 1
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, "queue")
        if self.busy < self.servers:
            self._start(entity, now, 0.0)
            return
        entity.queued = now
        if self.priority:
            self._seq += 1
            heapq.heappush(self.queue, (entity.priority, self._seq, entity))
        else:
            self.queue.append(entity)
        self.queue_level.set(now, len(self.queue))

    def _start(self, entity: Entity, now: float, wait: float) -> None:
        buffer = self._wait_buffer
        buffer.append(wait)
        if len(buffer) >= _FLUSH_AT:
            self.waits.flush()
        self.busy += 1
        self.busy_level.set(now, self.busy)
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, "start")
        Wake(self.env, self.services[entity.kind].draw(), entity, self._finish)

    def _finish(self, event: Event) -> None:
        entity: Entity = event._value  # type: ignore[attr-defined]
        now = self.env._now  # type: ignore[attr-defined]
        self.busy -= 1
        self.completions += 1
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, "finish")
        if self.bookings and self.busy < self.servers:
            self._take_booking(now)
        elif self.queue and self.busy < self.servers:
            self._start_next(now)
        else:
            self.busy_level.set(now, self.busy)
        self.on_done(entity)

    def _start_next(self, now: float) -> None:
        if self.priority:
            entity = heapq.heappop(self.queue)[2]
        else:
            entity = self.queue.popleft()
        self.queue_level.set(now, len(self.queue))
        wait = now - entity.queued
        entity.wait += wait
        self._start(entity, now, wait)

    # ---------------------------------------------------------------- reservations
    # A booking reaches the station before its entity and is served ahead of the ordinary
    # queue. The server that takes it is held (counted busy: it is committed) until the entity
    # arrives and starts at once.

    def book(self, entity: Entity) -> None:
        """The request of an entity that will arrive later (see ``Visit.reserve_ahead``)."""
        now = self.env._now  # type: ignore[attr-defined]
        entity.booking = BOOKED
        if self.busy < self.servers and not self.bookings:
            self._hold(entity, now)
        else:
            self.bookings.append(entity)

    def arrive_booked(self, entity: Entity) -> None:
        """An entity reaches the station it booked."""
        if entity.booking == NO_BOOKING:
            self.arrive(entity)
            return
        now = self.env._now  # type: ignore[attr-defined]
        self.arrivals += 1
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, "queue")
        if entity.booking == HELD:
            entity.booking = NO_BOOKING
            self.busy -= 1  # the held server now serves it; _start counts it busy again
            self._start(entity, now, 0.0)
        else:
            entity.booking = BOOKED_HERE
            entity.queued = now

    def _hold(self, entity: Entity, now: float) -> None:
        self.busy += 1
        self.busy_level.set(now, self.busy)
        entity.booking = HELD

    def _take_booking(self, now: float) -> None:
        entity = self.bookings.popleft()
        if entity.booking == BOOKED_HERE:
            entity.booking = NO_BOOKING
            wait = now - entity.queued
            entity.wait += wait
            self._start(entity, now, wait)
        else:
            self._hold(entity, now)

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
        now = self.env._now  # type: ignore[attr-defined]
        self.servers = self.base_servers + self.extra_servers
        self.servers_level.set(now, self.servers)
        while self.busy < self.servers and (self.bookings or self.queue):
            if self.bookings:
                self._take_booking(now)
            else:
                self._start_next(now)

    def head_wait(self) -> float:
        """How long the customer at the head of the queue has waited (0 if nobody waits)."""
        if not self.queue:
            return 0.0
        head = self.queue[0][2] if self.priority else self.queue[0]
        return self.env._now - head.queued  # type: ignore[attr-defined]

    @property
    def waiting(self) -> int:
        return len(self.queue)

    def load(self) -> float:
        """Customers per open server: the shortest-queue criterion."""
        if self.servers <= 0:
            return math.inf
        return (len(self.queue) + self.busy) / self.servers

    def reset_statistics(self, now: float) -> None:
        self.waits.reset()
        self._wait_buffer = self.waits._buffer
        self.queue_level.reset(now)
        self.busy_level.reset(now)
        self.servers_level.reset(now)
        self.arrivals = 0
        self.completions = 0

    def close(self, now: float) -> None:
        self.waits.flush()
        self.queue_level.close(now)
        self.busy_level.close(now)
        self.servers_level.close(now)
