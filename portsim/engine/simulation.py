"""One replication of a :class:`~portsim.engine.model.Model`: build, run, collect.

The run is a short pipeline (:func:`run_replication`): build the stations and the route graphs
for this replication's random streams (:class:`Replication`); start the arrival sources and
``env.run(until=horizon)``; collect the accumulators into KPIs (:mod:`portsim.engine.collect`).
Between the two ends, this module moves entities along their routes. SimPy is the only
scheduler. Arrivals, service completions and delays are callbacks on plain
events (arrival times come from lazy iterators, timetables included); generator processes are
kept for the rare, rich behaviours (shift changes, queue-reactive staffing).
"""

from __future__ import annotations

import math
import time as wallclock
from collections.abc import Callable, Iterator
from heapq import heappush
from typing import Any

import numpy as np

from portsim.engine import model as m
from portsim.engine import warm
from portsim.engine.allocator import retain_freed_memory
from portsim.engine.breakdowns import UnreliableStation
from portsim.engine.classes import ClassState
from portsim.engine.collect import clock_samples, collect
from portsim.engine.control import follow_pool_shifts, follow_shifts, react_to_waits
from portsim.engine.distributions import Distribution
from portsim.engine.entity import Entity
from portsim.engine.fast import Engine, choose_engine, run_fast
from portsim.engine.impatience import ABANDONED, ImpatientStation, Rule, VisitClock
from portsim.engine.kernel import NORMAL, Environment, Wake, events_scheduled, scheduler
from portsim.engine.model import MINUTES_PER_DAY
from portsim.engine.result import ReplicationResult
from portsim.engine.routes import (
    BookedVisitNode,
    BranchNode,
    ChoiceNode,
    FallbackVisitNode,
    MilestoneNode,
    RouteCompiler,
    SpawnNode,
    VisitNode,
    WaitChoiceNode,
)
from portsim.engine.setup import (
    EntityLimitExceeded,
    class_arrival_times,
    class_states,
    series_bins,
    service_streams,
    slot_tally,
)
from portsim.engine.skills import ImpatientSkillStation, Pool, SkillStation
from portsim.engine.state import StartState
from portsim.engine.station import Station
from portsim.engine.streams import Stream, Uniforms, generator
from portsim.stats.accumulators import Tally

__all__ = ["EntityLimitExceeded", "Replication", "TraceSink", "run_replication"]

TraceSink = Callable[[float, int, str, "str | None", str], None]


def run_replication(model: m.Model, seed: int = 0, replication: int = 0,
                    trace: TraceSink | None = None,
                    max_entities: int | None = None,
                    engine: Engine = "auto") -> ReplicationResult:
    """Run one replication of ``model`` and return its KPIs.

    ``trace``, if given, is called as ``trace(time, entity_id, class_name, station, event)`` for
    every event (``arrive``, ``queue``, ``start``, ``finish``, ``depart``; ``balk`` and
    ``abandon`` at a station where customers give up: the entity leaves the system there).

    ``engine``: ``"auto"`` runs the FIFO fast path (:mod:`portsim.engine.fast`) when every
    part of the model qualifies and this event engine otherwise; ``"events"`` always runs this
    one; ``"fast"`` raises :class:`~portsim.engine.fast.FastPathUnavailable` (naming why) when
    the model does not qualify. The result's ``engine`` says which one ran.
    """
    retain_freed_memory()
    # An event log for process mining also links spawned members to their batch (the sink's
    # ``link``), which only the event engine reports: with ``auto`` it runs such traces.
    if engine == "auto" and getattr(trace, "needs_links", False):
        engine = "events"
    if engine == "fast" or choose_engine(model, engine) == "fast":
        return run_fast(model, seed, replication, trace, max_entities)
    state = Replication(model, seed, replication, trace, max_entities)
    started = wallclock.perf_counter()
    state.run()
    result = collect(state, events_scheduled(state.env), wallclock.perf_counter() - started)
    result.snapshot = state.snapshot
    return result


class Replication:
    """Everything alive during one replication: built here, run by :meth:`run`."""

    def __init__(self, model: m.Model, seed: int, replication: int,
                 trace: TraceSink | None, max_entities: int | None) -> None:
        self.model = model
        self.seed = seed
        self.replication = replication
        self.trace = trace
        # A sink that also takes (member id, batch id) pairs: who a spawn step brought.
        self.link: Callable[[int, int], None] | None = getattr(trace, "link", None)
        self.max_entities = max_entities
        # A warm start runs from its state's clock time (see engine.warm); a cold one from 0.
        self.clock = model.start.clock if model.start is not None else 0.0
        self.env = Environment(self.clock) if model.start is not None else Environment()
        self.snapshot: StartState | None = None
        self.heap, self.ids = scheduler(self.env)
        self.bin_width, self.bin_count = series_bins(model)
        self.inv_bin = 1.0 / self.bin_width
        self.next_id = 0
        # Entities parked after a waiting spawn -> members of their batches still in the system.
        self.awaiting: dict[Entity, int] = {}
        # NOTE: the number in system is integrated by parts for performance reasons: its area
        # over [in_start, t] is in_area + t * in_count, where each arrival subtracts its time
        # and each departure adds its own -- one float operation per event instead of a Level.
        # The system's arrivals, completions and number in system are sums over the classes
        # (properties below), not counters kept at every event.
        self.in_area = 0.0
        self.in_start = 0.0
        self.in_system_start = 0
        self.system_waits = Tally(model.sla)
        self.system_sojourns = Tally()
        # With one class the system's tallies would receive exactly the class's values, in the
        # same order and flushed at the same points: they are not kept (see collect).
        self.system_tallies = len(model.classes) != 1
        self.after_delay_callbacks = [self._after_delay]
        self.classes = class_states(model, self.bin_count)
        # Classes that give up over their whole visit: one clock each, shared by the stations.
        self.visit_clocks = {
            spec.name: VisitClock(spec.visit_patience, Stream(spec.visit_patience, generator(
                seed, replication, "visit-patience", spec.name)))
            for spec in model.classes if spec.visit_patience is not None}
        self.stations: dict[str, Station] = {}
        for spec in model.stations:
            impatient = model.impatient_at(spec.name)
            services = {self.classes[name]: stream for name, stream
                        in service_streams(model, spec, seed, replication).items()}
            arguments = (spec.name, self.env, spec.servers.servers_at(self.clock),
                         spec.discipline == "priority", services, self.advance, model.sla,
                         self.bin_width, self.bin_count, trace, slot_tally(model, ends=True))
            extra: dict[str, Any] = {}
            if impatient:
                extra.update(rules=self._impatience_rules(spec), on_leave=self._leave)
            if spec.pools:
                extra.update(pools=[Pool(p.name, frozenset(p.skills),
                                         p.servers.servers_at(self.clock)) for p in spec.pools],
                             skill_of={self.classes[name]: skill
                                       for name, skill in spec.skill_by_class.items()
                                       if name in self.classes})
                kind: type[Station] = ImpatientSkillStation if impatient else SkillStation
            elif spec.unreliable:
                extra.update(self._reliability(spec))
                kind = UnreliableStation
            else:
                kind = ImpatientStation if impatient else Station
            station = kind(*arguments, **extra)
            station.on_call_total = spec.booking_servers
            self.stations[spec.name] = station
        routes = RouteCompiler(self.stations, self.classes, seed, replication, model.sla,
                               lambda station, kind: model.station(station)
                               .service_for(kind).mean)
        for class_spec in model.classes:
            self.classes[class_spec.name].first_node = routes.compile(class_spec.route,
                                                                      class_spec.name)

    def _reliability(self, spec: m.StationSpec) -> dict[str, Any]:
        """The failure clocks, outage windows and random choices of an unreliable station."""
        def stream(distribution: Distribution | None, purpose: str) -> Stream | None:
            return None if distribution is None else Stream(
                distribution, generator(self.seed, self.replication, purpose, spec.name))

        breakdowns = spec.breakdowns
        positions = spec.servers.max_servers + (spec.reactive.max_extra if spec.reactive
                                                else 0)
        return {"between": stream(breakdowns.between if breakdowns else None, "failure"),
                "repair": stream(breakdowns.repair if breakdowns else None, "repair"),
                "choices": Uniforms(generator(self.seed, self.replication, "interrupt",
                                              spec.name)),
                "positions": positions if breakdowns is not None else 0,
                "resumes": spec.interrupted == "resume", "outages": spec.outages,
                "fall_back": self.advance_from}

    def _impatience_rules(self, spec: m.StationSpec) -> dict[ClassState, Rule]:
        """The impatience of each class that may give up at station ``spec``."""
        rules = {}
        for class_spec in self.model.classes:
            impatience = spec.impatience_for(class_spec.name)
            visit = self.visit_clocks.get(class_spec.name)
            if visit is not None and spec.name in m.stations_visited(class_spec.route):
                impatience = impatience or m.Impatience()  # the visit's patience only
            else:
                visit = None
            if impatience is None:
                continue
            patience = (None if impatience.patience is None else Stream(
                impatience.patience,
                generator(self.seed, self.replication, "patience", spec.name, class_spec.name)))
            uniforms = Uniforms(generator(self.seed, self.replication, "balk", spec.name,
                                          class_spec.name))
            away = retry_uniforms = None
            if impatience.retry > 0 and impatience.retry_after is not None:
                away = Stream(impatience.retry_after, generator(
                    self.seed, self.replication, "retry-after", spec.name, class_spec.name))
                retry_uniforms = Uniforms(generator(self.seed, self.replication, "retry",
                                                    spec.name, class_spec.name))
            rules[self.classes[class_spec.name]] = Rule(impatience, patience, uniforms, away,
                                                        retry_uniforms, visit)
        return rules

    @property
    def arrivals(self) -> int:
        """Entities that entered the system since the statistics started."""
        return sum(kind.arrivals for kind in self.classes.values())

    @property
    def completions(self) -> int:
        """Entities that left the system since the statistics started."""
        return sum(kind.completions for kind in self.classes.values())

    @property
    def gave_up(self) -> int:
        """Entities that left the system without finishing their route (balked or abandoned)."""
        return sum(kind.abandoned + kind.balked for kind in self.classes.values())

    @property
    def in_count(self) -> int:
        """Entities in the system now."""
        return self.in_system_start + self.arrivals - self.completions - self.gave_up

    # ------------------------------------------------------------------ arrival sources

    def _start_arrivals(self, spec: m.ClassSpec) -> None:
        kind = self.classes[spec.name]
        times = class_arrival_times(spec, self.seed, self.replication, self.model.horizon)
        start = self.model.start
        sources = [times]
        if start is not None:
            sources = [] if spec.name in start.replace_arrivals else [warm.from_clock(times,
                                                                                      start.clock)]
            announced = warm.announced_times(start, spec.name, self.seed, self.replication)
            if announced:
                sources.append(iter(announced))
        first = spec.route[0] if spec.route else None
        for source in sources:
            if isinstance(first, m.Visit) and first.reserve_ahead and first.reserve_error:
                self._announce_off_time(kind, source, first.reserve_ahead, first.reserve_error,
                                        self.stations[first.station])
            elif isinstance(first, m.Visit) and first.reserve_ahead:
                self._announce(kind, source, first.reserve_ahead, self.stations[first.station])
            else:
                self._arrive_at(kind, source)

    def _arrive_at(self, kind: ClassState, times: Iterator[float]) -> None:
        """Spawn a member of ``kind`` at each of the (increasing) ``times``."""
        horizon = self.model.horizon
        env = self.env
        heap, eid = scheduler(env)
        inv_bin = self.inv_bin
        series = kind.arrival_series
        max_entities = self.max_entities
        trace = self.trace
        visit = VisitNode
        first_node = kind.first_node
        priority = kind.priority

        def arrive(event: Any) -> None:
            # NOTE: one event is rescheduled for every arrival of the class, and spawn, enter
            # and the first visit are inlined, for performance reasons. Keep in step with
            # spawn() and enter(); the next arrival is scheduled first, as before, so event ids
            # (SimPy's tie-breaker) are drawn in the same order.
            now = env.now
            upcoming = next(times, math.inf)
            if upcoming < horizon:
                event.callbacks = callbacks
                heappush(heap, (now + (upcoming - now), NORMAL, next(eid), event))
            ident = self.next_id + 1
            self.next_id = ident
            if max_entities is not None and ident > max_entities:
                raise EntityLimitExceeded(
                    f"more than {max_entities:,} entities arrived in one replication")
            entity = Entity(ident, kind, now, priority)
            kind.arrivals += 1
            series[int(now * inv_bin)] += 1
            self.in_area -= now
            if trace is not None:
                trace(now, ident, kind.name, None, "arrive")
            if type(first_node) is visit:
                entity.node = first_node.next
                first_node.station.arrive(entity)
            else:
                self.advance_from(entity, first_node)

        first = next(times, math.inf)
        if first < horizon:
            callbacks = Wake(env, first - self.clock, None, arrive).callbacks

    def _announce(self, kind: ClassState, times: Iterator[float], lead: float,
                  station: Station) -> None:
        """Like ``_arrive_at``, but each member books ``station`` ``lead`` minutes ahead."""
        horizon = self.model.horizon
        env = self.env

        def announce(event: Any) -> None:
            arrival = event.value
            upcoming = next(times, math.inf)
            if upcoming < horizon:
                Wake(env, max(upcoming - lead, env.now) - env.now, upcoming, announce)
            self.next_id += 1
            entity = Entity(self.next_id, kind, arrival, kind.priority)
            station.book(entity)
            Wake(env, arrival - env.now, entity, land)

        def land(event: Any) -> None:
            self.enter(event.value)

        first = next(times, math.inf)
        if first < horizon:
            Wake(env, max(first - lead, self.clock) - self.clock, first, announce)

    def _announce_off_time(self, kind: ClassState, times: Iterator[float], lead: float,
                           error: m.ArrivalError, station: Station) -> None:
        """Like ``_announce``, but each member comes off the time it booked for.

        The booking is made ``lead`` before the declared time (the one ``times`` gives); the
        member arrives at the declared time plus or minus a draw of ``error``. A member that
        comes before its booking is made waits (the wait is its own) until then, and then for
        its server like any booking.
        """
        # NOTE: every member's events are scheduled at the start, not one after another as in
        # _announce: how early a member may come is unbounded, so no lazy order exists. Booked
        # classes are small (ships), and max_entities still bounds them.
        rng = generator(self.seed, self.replication, "arrival_error", kind.name)
        declared = np.fromiter(times, dtype=float)
        sizes = np.maximum(error.size.sample(rng, len(declared)), 0.0)
        early = rng.random(len(declared)) < error.early_share
        actual = np.where(early, declared - sizes, declared + sizes)
        env = self.env
        horizon = self.model.horizon

        def new_entity(arrival: float) -> Entity:
            self.next_id += 1  # the entity limit is checked when it is counted (enter)
            return Entity(self.next_id, kind, arrival, kind.priority)

        def book_then_land(event: Any) -> None:
            entity = new_entity(event.value)
            station.book(entity)
            if entity.arrived < horizon:
                Wake(env, entity.arrived - env.now, entity, land)

        def land(event: Any) -> None:
            self.enter(event.value)

        def land_then_book(event: Any) -> None:
            entity = new_entity(env.now)
            self._count_arrival(entity)
            Wake(env, event.value - env.now, entity, book_here)

        def book_here(event: Any) -> None:
            entity = event.value
            entity.wait += env.now - entity.arrived  # waited for the booked time to come
            station.book(entity)
            self.advance_from(entity, kind.first_node)

        booked = np.maximum(declared - lead, 0.0)
        for book_at, arrival in zip(booked.tolist(), actual.tolist(), strict=True):
            if arrival < book_at:
                Wake(env, max(arrival, 0.0), book_at, land_then_book)  # early: from the start
            elif book_at < horizon:
                Wake(env, book_at, arrival, book_then_land)

    # ------------------------------------------------------------------ entity flow

    def spawn(self, kind: ClassState, parent: Entity | None = None,
              batch: Entity | None = None) -> None:
        """A new member of ``kind`` arrives now (``parent`` waits for it to leave; ``batch``
        brought it, for the event log's links)."""
        self.next_id += 1
        entity = Entity(self.next_id, kind, self.env.now, kind.priority)
        entity.parent = parent
        if self.link is not None and batch is not None:
            self.link(entity.id, batch.id)
        self.enter(entity)

    def enter(self, entity: Entity) -> None:
        """An entity arrives in the system and starts its route."""
        self._count_arrival(entity)
        self.advance_from(entity, entity.kind.first_node)

    def _count_arrival(self, entity: Entity) -> None:
        """Count an entity that arrives now in the system (it has not started its route)."""
        now = self.env.now
        kind = entity.kind
        if self.max_entities is not None and entity.id > self.max_entities:
            raise EntityLimitExceeded(
                f"more than {self.max_entities:,} entities arrived in one replication")
        kind.arrivals += 1
        kind.arrival_series[int(now * self.inv_bin)] += 1
        self.in_area -= now
        if self.trace is not None:
            self.trace(now, entity.id, kind.name, None, "arrive")

    def advance(self, entity: Entity) -> None:
        """Continue an entity's route after a service or a delay."""
        node = entity.node
        if node is None:
            self._depart(entity)
        elif type(node) is VisitNode:
            entity.node = node.next
            node.station.arrive(entity)
        else:
            self.advance_from(entity, node)

    def advance_from(self, entity: Entity, node: Any) -> None:
        while node is not None:
            node_type = type(node)
            if node_type is VisitNode:
                entity.node = node.next
                node.station.arrive(entity)
                return
            if node_type is BranchNode:
                u = node.uniforms.draw()
                cumulative = node.cumulative
                index = 0
                while u >= cumulative[index]:
                    index += 1
                node = node.targets[index]
                continue
            if node_type is BookedVisitNode:
                entity.node = node.next
                node.station.arrive_booked(entity)
                return
            if node_type is FallbackVisitNode:
                entity.node = node.next
                node.station.arrive_or_fall_back(entity, node.fallback)
                return
            if node_type is SpawnNode:
                self._spawn_batch(node, entity)
                node = node.next
                if entity in self.awaiting and type(node) is not SpawnNode:
                    entity.node = node  # parked until its last member leaves (_depart)
                    return
                continue
            if node_type is MilestoneNode:
                node.tally.add(self.env.now - entity.arrived)
                node.tally.maybe_flush()
                node = node.next
                continue
            if node_type is ChoiceNode:
                best = node.stations[0]
                best_load = best.load()
                for station in node.stations[1:]:
                    load = station.load()
                    if load < best_load:
                        best, best_load = station, load
                entity.node = node.next
                best.arrive(entity)
                return
            if node_type is WaitChoiceNode:
                index = node.pick()
                travel = node.travel[index]
                if travel > 0:
                    entity.node = node.arrivals[index]
                    entity.callbacks = self.after_delay_callbacks
                    heappush(self.heap, (self.env.now + travel, NORMAL, next(self.ids), entity))
                    return
                node = node.arrivals[index]
                continue
            # DelayNode. NOTE: the entity is its own event (see Entity) for performance reasons.
            entity.node = node.next
            entity.callbacks = self.after_delay_callbacks
            # NOTE: scheduled inline (see kernel.scheduler) for performance reasons.
            heappush(self.heap, (self.env.now + node.stream.draw(), NORMAL, next(self.ids), entity))
            return
        self._depart(entity)

    def _spawn_batch(self, node: SpawnNode, spawner: Entity) -> None:
        count = max(0, round(node.count.draw()))
        if self.max_entities is not None and self.next_id + count > self.max_entities:
            # Refuse before drawing a batch's spread: a heavy-tailed count could be huge.
            raise EntityLimitExceeded(
                f"more than {self.max_entities:,} entities would arrive in one replication "
                f"(a batch of {count:,} {node.kind.name})")
        kind = node.kind
        parent = spawner if node.wait and count > 0 else None
        if parent is not None:
            self.awaiting[parent] = self.awaiting.get(parent, 0) + count
        if node.spread > 0:
            offsets = np.sort(node.uniforms_rng.uniform(0.0, node.spread, count)).tolist()
            for offset in offsets:
                Wake(self.env, offset, (kind, parent, spawner), self._spawn_later)
        else:
            for _ in range(count):
                self.spawn(kind, parent, spawner)

    def _spawn_later(self, event: Any) -> None:
        self.spawn(*event.value)

    def _member_left(self, parent: Entity) -> None:
        left = self.awaiting[parent] - 1
        if left:
            self.awaiting[parent] = left
        else:
            del self.awaiting[parent]
            self.advance_from(parent, parent.node)

    def _after_delay(self, entity: Entity) -> None:
        self.advance_from(entity, entity.node)

    def _depart(self, entity: Entity) -> None:
        now = self.env.now
        kind = entity.kind
        completions = kind.completions + 1
        kind.completions = completions
        kind.completion_series[int(now * self.inv_bin)] += 1
        sojourn = now - entity.arrived
        wait = entity.wait
        kind.add_wait(wait)
        kind.add_arrived(entity.arrived)  # files the wait by clock slot too (ClassState)
        kind.add_sojourn(sojourn)
        if self.system_tallies:
            self.system_waits.add(wait)
            self.system_sojourns.add(sojourn)
        if kind.lateness is not None:
            kind.lateness.add(max(0.0, sojourn - kind.due_after))
            kind.lateness.maybe_flush()
        if completions & 4095 == 0:
            kind.waits.flush()
            kind.sojourns.flush()
            if self.system_tallies:
                self.system_waits.flush()
                self.system_sojourns.flush()
        self.in_area += now
        if self.trace is not None:
            self.trace(now, entity.id, kind.name, None, "depart")
        if entity.parent is not None:
            self._member_left(entity.parent)

    def _leave(self, entity: Entity, how: str) -> None:
        """An entity leaves the system from a station's queue: it balked or abandoned."""
        kind = entity.kind
        if how == ABANDONED:
            kind.abandoned += 1
            kind.abandon_waits.add(entity.wait)
            kind.abandon_waits.maybe_flush()
        else:
            kind.balked += 1
        self.in_area += self.env.now
        if entity.parent is not None:
            self._member_left(entity.parent)

    # ------------------------------------------------------------------ warm-up

    def _end_warmup(self, event: Any) -> None:
        now = self.env.now
        count = self.in_count
        self.in_system_start = count  # the class counters are reset below
        self.in_area = -now * count
        self.in_start = now
        self.system_waits.reset()
        self.system_sojourns.reset()
        for kind in self.classes.values():
            kind.reset()
        for station in self.stations.values():
            station.reset_statistics(now)

    # ------------------------------------------------------------------ run

    def run(self) -> None:
        """Start the server changes, the arrivals and the warm-up; run to the horizon."""
        model, env = self.model, self.env
        for spec in model.stations:
            station = self.stations[spec.name]
            if isinstance(station, SkillStation):
                for pool, pool_spec in zip(station.pools, spec.pools, strict=True):
                    if not pool_spec.servers.is_constant:
                        env.process(follow_pool_shifts(env, station, pool,
                                                       pool_spec.servers))
            elif not spec.servers.is_constant:
                env.process(follow_shifts(env, self.stations[spec.name], spec.servers))
            if spec.reactive is not None:
                env.process(react_to_waits(env, self.stations[spec.name], spec.reactive))
            if isinstance(station, UnreliableStation):
                station.start_clocks()
        if model.start is not None:
            warm.place(self, model.start)
        for class_spec in model.classes:
            self._start_arrivals(class_spec)
        if model.warmup > 0 and model.start is None:
            Wake(env, model.warmup, None, self._end_warmup)
        for day, minute in clock_samples(model):
            Wake(env, day * MINUTES_PER_DAY + minute - self.clock, (day, minute),
                 self._sample_queues)
        if model.snapshot_at is not None and self.clock <= model.snapshot_at < model.horizon:
            Wake(env, model.snapshot_at - self.clock, None, self._take_snapshot)
        env.run(until=model.horizon)

    def _take_snapshot(self, event: Any) -> None:
        self.snapshot = warm.snapshot(self)

    def _sample_queues(self, event: Any) -> None:
        day, minute = event.value
        for station in self.stations.values():
            station.record_queue(day, minute)

