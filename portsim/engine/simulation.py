"""One replication of a :class:`~portsim.engine.model.Model`: build, run, collect.

The run is a short pipeline (:func:`run_replication`): build the stations and the route graphs
for this replication's random streams (:class:`Replication`); start the arrival sources and
``env.run(until=horizon)``; collect the accumulators into KPIs (:mod:`portsim.engine.collect`).
Between the two ends, this module moves entities along their routes; they enter from the
arrival sources (:mod:`portsim.engine.sources`), at stations built by their kind
(:mod:`portsim.engine.station_parts`). SimPy is the only scheduler. Arrivals, service
completions and delays are callbacks on plain events (arrival times come from lazy iterators,
timetables included); generator processes are kept for the rare, rich behaviours (shift
changes, queue-reactive staffing).
"""

from __future__ import annotations

import math
import time as wallclock
from collections.abc import Callable
from heapq import heappush
from typing import Any

import numpy as np

from portsim.engine import model as m
from portsim.engine import warm
from portsim.engine.allocator import retain_freed_memory
from portsim.engine.breakdowns import UnreliableStation
from portsim.engine.classes import ClassState
from portsim.engine.collect import clock_samples, collect
from portsim.engine.control import (
    follow_pool_shifts,
    follow_shifts,
    hold_to_positions,
    react_to_waits,
)
from portsim.engine.entity import Entity
from portsim.engine.fast import Engine, choose_engine, run_fast
from portsim.engine.impatience import ABANDONED, ImpatientStation
from portsim.engine.kernel import AFTER, SPAWNS, Environment, Wake, events_scheduled, scheduler
from portsim.engine.model import MINUTES_PER_DAY
from portsim.engine.monitor import Monitor
from portsim.engine.result import ReplicationResult
from portsim.engine.routes import (
    BookedVisitNode,
    BranchNode,
    ChoiceNode,
    CountFromNode,
    CountToNode,
    DelayNode,
    FallbackVisitNode,
    MilestoneNode,
    RouteCompiler,
    SpawnNode,
    VisitNode,
    WaitChoiceNode,
)
from portsim.engine.setup import (
    EntityLimitExceeded,
    TraceSink,
    class_states,
    series_bins,
    service_streams,
    slot_tally,
)
from portsim.engine.skills import ImpatientSkillStation, SkillStation
from portsim.engine.sources import start_arrivals
from portsim.engine.state import StartState
from portsim.engine.station import Station
from portsim.engine.station_parts import (
    impatience_rules,
    reliability,
    skilled_pools,
    visit_clocks,
)
from portsim.stats.accumulators import Tally

__all__ = ["EntityLimitExceeded", "Replication", "run_replication"]

#: What advance_from's rarer steps return when the entity stops where it is.
_STAYS = object()


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
    model.check_positions()
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
        self._start_system_counts()
        self.after_delay_callbacks: list[Callable[[Entity], None]] = [self._after_delay]
        self.classes = class_states(model, self.bin_count)
        self.visit_clocks = visit_clocks(model, seed, replication)
        self.stations: dict[str, Station] = {spec.name: self._station(spec)
                                             for spec in model.stations}
        routes = RouteCompiler(self.stations, self.classes, seed, replication, model.sla,
                               lambda station, kind: model.station(station)
                               .service_for(kind).mean, model.slot_stations,
                               model.counts_some_stations)
        self.monitor = (Monitor(model, self.stations, self.classes, self.advance)
                        if model.monitor_every is not None else None)
        if model.slot_stations is not None:
            for kind in self.classes.values():
                if model.counts_some_stations(kind.name):
                    kind.count_some_stations()
            self._depart = self._depart_counted  # type: ignore[method-assign]
        for class_spec in model.classes:
            self.classes[class_spec.name].first_node = routes.compile(class_spec.route,
                                                                      class_spec.name)

    def _start_system_counts(self) -> None:
        """The system's own statistics: the number in system and, with several classes, the
        waits and times in system of all of them together."""
        # NOTE: the number in system is integrated by parts for performance reasons: its area
        # over [in_start, t] is in_area + t * in_count, where each arrival subtracts its time
        # and each departure adds its own -- one float operation per event instead of a Level.
        # The system's arrivals, completions and number in system are sums over the classes
        # (properties below), not counters kept at every event.
        self.in_area = 0.0
        self.in_start = 0.0
        self.in_system_start = 0
        self.system_waits = Tally(self.model.sla)
        self.system_sojourns = Tally()
        # With one class the system's tallies would receive exactly the class's values, in the
        # same order and flushed at the same points: they are not kept (see collect).
        self.system_tallies = len(self.model.classes) != 1

    def _station(self, spec: m.StationSpec) -> Station:
        """This replication's station ``spec``, of the kind its mechanisms need (impatience,
        skilled pools, breakdowns), with its random streams."""
        model, seed, replication = self.model, self.seed, self.replication
        impatient = model.impatient_at(spec.name)
        services = {self.classes[name]: stream for name, stream
                    in service_streams(model, spec, seed, replication).items()}
        arguments = (spec.name, self.env, spec.servers.servers_at(self.clock),
                     spec.discipline == "priority", services, self.advance, model.sla,
                     self.bin_width, self.bin_count, self.trace, slot_tally(model, ends=True))
        extra: dict[str, Any] = {}
        if impatient:
            extra.update(rules=impatience_rules(model, spec, self.classes, self.visit_clocks,
                                                seed, replication),
                         on_leave=self._leave)
        if spec.pools:
            extra.update(skilled_pools(spec, self.classes, self.clock))
            kind: type[Station] = ImpatientSkillStation if impatient else SkillStation
        elif spec.unreliable:
            extra.update(reliability(spec, seed, replication, self.advance_from))
            kind = UnreliableStation
        else:
            kind = ImpatientStation if impatient else Station
        station = kind(*arguments, **extra)
        station.on_call_total = spec.booking_servers
        return station

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

    def still_inside(self) -> dict[str, np.ndarray]:
        """When each entity still in the system arrived, by class."""
        arrived: dict[str, list[float]] = {}
        for entity in warm.inside(self):
            arrived.setdefault(entity.kind.name, []).append(entity.arrived)
        return {name: np.asarray(times, dtype=float) for name, times in arrived.items()}

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
        self.count_arrival(entity)
        self.advance_from(entity, entity.kind.first_node)

    def count_arrival(self, entity: Entity) -> None:
        """Count an entity that arrives now in the system (it has not started its route)."""
        now = self.env.now
        kind = entity.kind
        if self.max_entities is not None and entity.id > self.max_entities:
            raise EntityLimitExceeded(
                f"more than {self.max_entities:,} entities arrived in one replication")
        kind.arrivals += 1
        kind.arrival_series[int(now * self.inv_bin)] += 1
        self.in_area -= now
        if self.visit_clocks and kind.name in self.visit_clocks:
            self.visit_clocks[kind.name].enter(entity)
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
        """Move ``entity`` along its route from ``node``: through branches, milestones and
        spawns to its next queue or delay, or out of the system at the route's end."""
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
            if node_type is DelayNode:
                # NOTE: the entity is its own event (see Entity), scheduled inline (see
                # kernel.scheduler), for performance reasons.
                entity.node = node.next
                entity.callbacks = self.after_delay_callbacks
                heappush(self.heap, (self.env.now + node.stream.draw(), entity.turn,
                                     next(self.ids), entity))
                return
            node = self._rarer_step(entity, node)
            if node is _STAYS:
                return
        self._depart(entity)

    def _rarer_step(self, entity: Entity, node: Any) -> Any:
        """:meth:`advance_from` at a booked or fallback visit, a spawn or a choice by expected
        wait: the node to go on from, or ``_STAYS`` when the entity stops here (it joined a
        queue, travels to its choice, or waits for the members of its batch)."""
        node_type = type(node)
        if node_type is BookedVisitNode:
            entity.node = node.next
            node.station.arrive_booked(entity)
            return _STAYS
        if node_type is FallbackVisitNode:
            entity.node = node.next
            node.station.arrive_or_fall_back(entity, node.fallback)
            return _STAYS
        if node_type is SpawnNode:
            self._spawn_batch(node, entity)
            node = node.next
            if entity in self.awaiting and type(node) is not SpawnNode:
                entity.node = node  # parked until its last member leaves (_depart)
                return _STAYS
            return node
        if node_type is CountFromNode:
            entity.mark = entity.wait
            return node.next
        if node_type is CountToNode:
            entity.counted = getattr(entity, "counted", 0.0) + entity.wait - entity.mark
            return node.next
        if node_type is WaitChoiceNode:
            index = node.pick()
            travel = node.travel[index]
            if travel <= 0:
                return node.arrivals[index]
            entity.node = node.arrivals[index]
            entity.callbacks = self.after_delay_callbacks
            heappush(self.heap, (self.env.now + travel, entity.turn, next(self.ids), entity))
            return _STAYS
        raise TypeError(f"unknown route node {node!r}")  # pragma: no cover

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
        # The members enter at the spawns' turn of their instant (see kernel), after the
        # spawner has gone on and after every class's own arrivals then.
        if node.spread > 0:
            offsets = np.sort(node.uniforms_rng.uniform(0.0, node.spread, count)).tolist()
            for offset in offsets:
                Wake(self.env, offset, (kind, parent, spawner, 1), self.spawn_later, SPAWNS)
        elif count:
            Wake(self.env, 0.0, (kind, parent, spawner, count), self.spawn_later, SPAWNS)

    def spawn_later(self, event: Any) -> None:
        kind, parent, spawner, count = event.value
        for _ in range(count):
            self.spawn(kind, parent, spawner)

    def _member_left(self, parent: Entity) -> None:
        left = self.awaiting[parent] - 1
        if left:
            self.awaiting[parent] = left
        else:
            del self.awaiting[parent]
            self.advance_from(parent, parent.node)

    def _after_delay(self, entity: Entity) -> None:
        self.advance_from(entity, entity.node)

    def _depart_counted(self, entity: Entity) -> None:
        """:meth:`_depart` when only some stations' waits count in the slots: the wait they
        file goes first (see ClassState.count_some_stations)."""
        counted = entity.kind.counted_waits
        if counted is not None:
            counted.append(getattr(entity, "counted", math.nan))
        Replication._depart(self, entity)

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

    def end_warmup(self, event: Any) -> None:
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
                env.process(follow_shifts(env, station, spec.servers, spec.positions))
            if spec.reactive is not None:
                env.process(react_to_waits(env, station, spec.reactive, spec.positions))
                if spec.positions is not None and not spec.positions.is_constant:
                    env.process(hold_to_positions(env, station, spec.positions))
            if isinstance(station, UnreliableStation):
                station.start_clocks()
        if model.start is not None:
            warm.place(self, model.start)
        for class_spec in model.classes:
            start_arrivals(self, class_spec)
        if model.warmup > 0 and model.start is None:
            Wake(env, model.warmup, None, self.end_warmup)
        for day, minute in clock_samples(model):
            Wake(env, day * MINUTES_PER_DAY + minute - self.clock, (day, minute),
                 self._sample_queues, AFTER)
        if self.monitor is not None:
            self.monitor.schedule(env, self.clock, self.classes)
        if model.snapshot_at is not None and self.clock <= model.snapshot_at < model.horizon:
            Wake(env, model.snapshot_at - self.clock, None, self._take_snapshot)
        env.run(until=model.horizon)
        if self.monitor is not None:
            self.monitor.close(model.horizon)

    def _take_snapshot(self, event: Any) -> None:
        self.snapshot = warm.snapshot(self)

    def _sample_queues(self, event: Any) -> None:
        day, minute = event.value
        for station in self.stations.values():
            station.record_queue(day, minute)

