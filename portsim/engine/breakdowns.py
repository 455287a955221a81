"""Stations that can be out of order: servers that fail and are repaired, and outage windows in
which the whole station is down.

Kept apart from :class:`~portsim.engine.station.Station` so that reliable stations run the plain
hot path unchanged: only a station with breakdowns or outages is built as an
:class:`UnreliableStation`.

The rules (docs/scenario-format.md states them for users):

- **Failures.** Every server position (as many as the station ever has on duty) has its own
  clock: it works for a ``between`` time, then is repaired for a ``repair`` time, in calendar
  time. The positions on duty are the first ``servers`` ones, so a broken position counts
  against the station only while on duty; the servers that can work are those on duty minus the
  broken ones among them.
- **Which service a failure hits.** Servers are interchangeable and not tracked one by one:
  a working server on duty that fails is serving someone with probability (busy servers) /
  (working servers), and then the service it interrupts is one of those in progress, chosen
  uniformly (both from the station's own random stream; nothing is drawn when the answer is
  certain, e.g. with one server).
- **An interrupted service.** Its customer goes back to the head of the queue and is the next
  to start, on any free server: with ``resume`` it then needs only the rest of its service,
  with ``restart`` a fresh service time. The time it spends back in the queue counts as
  waiting (its own total wait and the queue-length integrals), but the station's wait KPIs
  keep one wait per customer, the one before its first start; ``interrupted`` counts them.
- **Outages.** In an outage window no server works; services in progress are interrupted as
  above.
- **Fallback.** A visit may name a route to take instead (``Visit.fallback``, e.g. the step
  a self-service station stands in for). While the station is out of order
  (an outage, or every server on duty broken: a station its schedule closes is not out of
  order, its customers wait for it), customers who arrive by such a visit and those of them
  queueing take that route, and then continue their own after this station's step; their time
  in this queue counts as waiting. ``diverted`` counts them. Customers without a fallback wait.
  A shortest-queue choice never picks a station out of order while another can serve.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import TYPE_CHECKING, Any

from portsim.engine.entity import Entity
from portsim.engine.kernel import Activity, Wake
from portsim.engine.station import Station
from portsim.stats.accumulators import CHUNK, Level, Tally

if TYPE_CHECKING:
    from portsim.engine.streams import Stream, Uniforms

#: Trace events of a service cut short, and of a customer sent to the fallback station.
INTERRUPTED, DIVERTED = "interrupt", "divert"


class Service(Activity):
    """A service in progress, as its own completion event: a failure cancels it by emptying its
    callbacks (``Environment.step`` then calls nothing when its time comes)."""

    __slots__ = ("entity", "end")

    def __init__(self, entity: Entity, end: float) -> None:
        self.entity = entity
        self.end = end


class UnreliableStation(Station):
    """A station whose servers fail or that has outage windows (see the module's docstring)."""

    __slots__ = ("between", "repair", "choices", "resumes", "outages", "fall_back",
                 "fallbacks", "down",
                 "in_outage", "in_service", "returning", "interrupted", "diverted",
                 "broken_level", "out_of_order_level", "interrupted_waits", "_on_finish_service")

    def __init__(self, *args: Any, between: Stream | None, repair: Stream | None,
                 choices: Uniforms, positions: int, resumes: bool,
                 outages: tuple[tuple[float, float], ...],
                 fall_back: Callable[[Entity, Any], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.between = between
        self.repair = repair
        self.choices = choices
        self.resumes = resumes
        self.outages = outages
        # Sends a customer along a fallback route (its first node; see routes.FallbackVisitNode).
        self.fall_back = fall_back
        # The fallback route of each customer here (queueing or in service) that has one.
        self.fallbacks: dict[Entity, Any] = {}
        self.down = [False] * positions
        self.in_outage = False
        # Services in progress, by customer, in the order they started.
        self.in_service: dict[Entity, Service] = {}
        # Customers put back by an interruption -> the rest of their service (None: restart).
        self.returning: dict[Entity, float | None] = {}
        self.interrupted = 0
        self.diverted = 0
        self.broken_level = Level(0)
        self.out_of_order_level = Level(0)
        self.interrupted_waits = Tally(self.waits.threshold)
        self._on_finish_service = [self._finish_service]

    def start_clocks(self) -> None:
        """Schedule every position's first failure and every outage window."""
        if self.between is not None:
            for position in range(len(self.down)):
                Wake(self.env, self.between.draw(), position, self._fail)
        now = self.env.now
        for start, end in self.outages:
            if end > now:
                Wake(self.env, max(0.0, start - now), None, self._outage_starts)
                Wake(self.env, end - now, None, self._outage_ends)

    # ---------------------------------------------------------------- customers

    def arrive_or_fall_back(self, entity: Entity, fallback: Any) -> None:
        """An entity arrives by a visit that has a fallback route."""
        if self.out_of_order():
            self.arrivals += 1
            self._divert(entity, fallback, self.env.now)
            return
        self.fallbacks[entity] = fallback
        self.arrive(entity)

    def _serve(self, entity: Entity, now: float, wait: float, on_duty: bool) -> None:
        if entity in self.returning:
            rest = self.returning.pop(entity)
            self.interrupted_waits.add(wait)
            self.interrupted_waits.maybe_flush()
            duration = rest if rest is not None else self.services[entity.kind].draw()
        else:
            self._add_wait(wait)
            self._add_start(now)
            if len(self._pending_waits) >= CHUNK:
                self.waits.flush()
            duration = self.services[entity.kind].draw()
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, "start")
        end = now + duration
        self._busy_area += duration
        self._end_sum += end
        service = Service(entity, end)
        service.callbacks = self._on_finish_service
        self.in_service[entity] = service
        heappush(self._heap, (end, entity.turn, next(self._ids), service))

    def _finish_service(self, service: Service) -> None:
        entity = service.entity
        del self.in_service[entity]
        if self.fallbacks:
            self.fallbacks.pop(entity, None)
        now = self.env.now
        self.completions += 1
        self._end_sum -= service.end
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, "finish")
        if self.queue and self.busy <= self.servers:
            self._serve_next(now)  # the freed server takes the next customer: busy unchanged
        else:
            self.busy -= 1
            if self.busy >= self.servers:
                self.capacity_level.set(now, self.busy)
        self.on_done(entity)

    def _interrupt(self, service: Service, now: float) -> None:
        """Cut a service short: its customer goes back to the head of the queue."""
        entity = service.entity
        del self.in_service[entity]
        service.callbacks = []  # the completion, when its time comes, does nothing
        self.busy -= 1
        rest = service.end - now
        self._busy_area -= rest
        self._end_sum -= service.end
        self.interrupted += 1
        self.returning[entity] = rest if self.resumes else None
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, INTERRUPTED)
        entity.queued = now
        self.queue.push_front(entity)  # type: ignore[attr-defined]
        if len(self.queue) > self._queue_max:
            self._joined(len(self.queue), now)

    def _divert(self, entity: Entity, fallback: Any, now: float) -> None:
        self.diverted += 1
        self.returning.pop(entity, None)  # the fallback serves it afresh
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, DIVERTED)
        self.fall_back(entity, fallback)

    def _divert_queue(self, now: float) -> None:
        """Send every queueing customer that has a fallback route along it, in queue order."""
        leaving = [entity for entity in self.queue.entities() if entity in self.fallbacks]
        for entity in leaving:
            self.queue.remove(entity)
            if self._max_at == now:
                self._left(now)
            wait = now - entity.queued
            entity.wait += wait
            self._queue_area += wait
            self._spread(entity.queued, now, self._queue_bins)
            self._divert(entity, self.fallbacks.pop(entity), now)

    # ---------------------------------------------------------------- servers

    def on_duty(self) -> int:
        """Servers on duty: scheduled, plus reactive extras."""
        return self.base_servers + self.extra_servers

    def out_of_order(self) -> bool:
        """In an outage, or every server on duty broken (a closed station is not)."""
        return self.in_outage or (self.servers == 0 and self.on_duty() > 0)

    def _apply_servers(self) -> None:
        now = self.env.now
        on_duty = self.on_duty()
        broken = on_duty if self.in_outage else sum(self.down[:on_duty])
        self.servers = on_duty - broken
        self.servers_level.set(now, on_duty)
        self.capacity_level.set(now, max(self.servers, self.busy))
        self.broken_level.set(now, broken)
        out_of_order = self.out_of_order()
        self.out_of_order_level.set(now, int(out_of_order))
        if out_of_order and self.fallbacks:
            self._divert_queue(now)
        while self.busy < self.servers and self.queue:
            self.busy += 1
            self._serve_next(now)

    def _fail(self, event: Any) -> None:
        position: int = event.value
        now = self.env.now
        self.down[position] = True
        if position < self.on_duty() and not self.in_outage:
            working, busy = self.servers, min(self.busy, self.servers)
            # The failing server is one of the `working` ones; it is busy with chance
            # busy / working (servers are interchangeable), and then serves one of those in
            # progress, uniformly; no draw where the answer is certain.
            if busy and (busy >= working or self.choices.draw() * working < busy):
                services = list(self.in_service.values())
                index = 0 if len(services) == 1 else int(self.choices.draw() * len(services))
                self._interrupt(services[index], now)
            self._apply_servers()
        assert self.repair is not None
        Wake(self.env, self.repair.draw(), position, self._repaired)

    def _repaired(self, event: Any) -> None:
        position: int = event.value
        self.down[position] = False
        if position < self.on_duty():
            self._apply_servers()
        assert self.between is not None
        Wake(self.env, self.between.draw(), position, self._fail)

    def _outage_starts(self, event: Any) -> None:
        now = self.env.now
        self.in_outage = True
        for service in list(self.in_service.values()):
            self._interrupt(service, now)
        self._apply_servers()

    def _outage_ends(self, event: Any) -> None:
        self.in_outage = False
        self._apply_servers()

    # ---------------------------------------------------------------- statistics

    def reset_statistics(self, now: float) -> None:
        super().reset_statistics(now)
        self.broken_level.reset(now)
        self.out_of_order_level.reset(now)
        self.interrupted = 0
        self.diverted = 0
        self.interrupted_waits.reset()

    def close(self, now: float) -> None:
        super().close(now)
        self.broken_level.close(now)
        self.out_of_order_level.close(now)
        self.interrupted_waits.flush()
