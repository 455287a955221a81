"""One replication of a :class:`~portsim.engine.model.Model`: build, run, collect.

The run is a short pipeline: build the stations, route graphs and arrival sources for this
replication's random streams; ``env.run(until=horizon)``; collect the accumulators into KPIs.
SimPy is the only scheduler. Arrivals, service completions and delays are callbacks on plain
events (arrival times come from lazy iterators, timetables included); generator processes are
kept for the rare, rich behaviours (shift changes, queue-reactive staffing).
"""

from __future__ import annotations

import heapq
import itertools
import math
import time as wallclock
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from heapq import heappush
from typing import Any

import numpy as np

from portsim.engine import model as m
from portsim.engine.distributions import Exponential
from portsim.engine.kernel import NORMAL, Environment, Wake, events_scheduled, scheduler
from portsim.engine.station import Entity, Station
from portsim.engine.streams import Stream, Uniforms, batch_sizes, generator
from portsim.errors import PortsimError
from portsim.stats.accumulators import Tally

TraceSink = Callable[[float, int, str, "str | None", str], None]
MAX_SERIES_BINS = 20_000


class EntityLimitExceeded(PortsimError):
    """More entities arrived in one replication than the run allows."""


@dataclass
class ReplicationResult:
    """KPIs of one replication, plus what plots need (series, histograms) and provenance."""

    replication: int
    seed: int
    kpis: dict[str, dict[str, dict[str, float]]]
    series: dict[str, Any] = field(default_factory=dict)
    histograms: dict[str, Any] = field(default_factory=dict)
    events: int = 0
    wall_seconds: float = 0.0


# ----------------------------------------------------------------------------- class state


class _Class:
    """Runtime state of one entity class in one replication."""

    __slots__ = ("name", "priority", "waits", "sojourns", "arrivals", "completions",
                 "arrival_series", "completion_series", "first_node", "due_after", "lateness",
                 "milestones",
                 "add_wait", "add_sojourn")

    def __init__(self, name: str, priority: int, sla: float, bins: int,
                 due_after: float | None = None) -> None:
        self.name = name
        self.priority = priority
        self.due_after = due_after
        self.lateness = Tally(0.0) if due_after is not None else None
        self.milestones: dict[str, Tally] = {}
        self.waits = Tally(sla)
        self.sojourns = Tally()
        self.arrivals = 0
        self.completions = 0
        self.arrival_series = [0] * bins
        self.completion_series = [0] * bins
        self.first_node: Any = None
        # NOTE: the tallies' appends bound here for performance reasons; rebound on reset.
        self.add_wait = self.waits.add
        self.add_sojourn = self.sojourns.add

    def reset(self) -> None:
        self.waits.reset()
        self.sojourns.reset()
        if self.lateness is not None:
            self.lateness.reset()
        for tally in self.milestones.values():
            tally.reset()
        self.add_wait = self.waits.add
        self.add_sojourn = self.sojourns.add
        self.arrivals = 0
        self.completions = 0


# ----------------------------------------------------------------------------- route graph
# A route compiles to linked nodes; each node knows its successor, so an entity carries only
# the node it is at. Branches and optional steps draw from their own uniform streams.


class _VisitNode:
    __slots__ = ("station", "next")

    def __init__(self, station: Station) -> None:
        self.station = station
        self.next: Any = None


class _BookedVisitNode(_VisitNode):
    """The first visit of a class that books its station ahead of arrival."""

    __slots__ = ()


class _SpawnNode:
    __slots__ = ("kind", "count", "spread", "uniforms_rng", "wait", "next")

    def __init__(self, kind: Any, count: Stream, spread: float,
                 uniforms_rng: np.random.Generator, wait: bool) -> None:
        self.kind = kind
        self.count = count
        self.spread = spread
        self.uniforms_rng = uniforms_rng
        self.wait = wait
        self.next: Any = None


class _ChoiceNode:
    """Shortest-queue choice between stations."""

    __slots__ = ("stations", "next")

    def __init__(self, stations: list[Station]) -> None:
        self.stations = stations
        self.next: Any = None


class _BranchNode:
    __slots__ = ("cumulative", "targets", "uniforms", "next")

    def __init__(self, cumulative: list[float], targets: list[Any], uniforms: Uniforms) -> None:
        self.cumulative = cumulative
        self.targets = targets
        self.uniforms = uniforms
        self.next: Any = None


class _MilestoneNode:
    __slots__ = ("tally", "next")

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.next: Any = None


class _DelayNode:
    __slots__ = ("stream", "next")

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.next: Any = None


class _Replication:
    """Everything alive during one replication."""

    def __init__(self, model: m.Model, seed: int, replication: int,
                 trace: TraceSink | None, max_entities: int | None) -> None:
        self.model = model
        self.seed = seed
        self.replication = replication
        self.trace = trace
        self.max_entities = max_entities
        self.env = Environment()
        self.heap, self.ids = scheduler(self.env)
        self.bin_width, self.bin_count = _series_bins(model)
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
        # same order and flushed at the same points: they are not kept (see _collect).
        self.system_tallies = len(model.classes) != 1
        self.after_delay_callbacks = [self._after_delay]
        self.classes = {
            spec.name: _Class(spec.name, spec.priority, model.sla, self.bin_count,
                              spec.due_after)
            for spec in model.classes
        }
        self.stations: dict[str, Station] = {}
        for spec in model.stations:
            services = {
                self.classes[c.name]: Stream(
                    spec.service_for(c.name),
                    generator(seed, replication, "service", spec.name, c.name))
                for c in model.classes
            }
            station = Station(
                spec.name, self.env, spec.servers.servers_at(0.0),
                spec.discipline == "priority", services, self.advance, model.sla,
                self.bin_width, self.bin_count, trace)
            station.on_call_total = spec.booking_servers
            self.stations[spec.name] = station
        for class_spec in model.classes:
            kind = self.classes[class_spec.name]
            kind.first_node = self._compile_route(class_spec.route, class_spec.name, "route",
                                                  None)

    @property
    def arrivals(self) -> int:
        """Entities that entered the system since the statistics started."""
        return sum(kind.arrivals for kind in self.classes.values())

    @property
    def completions(self) -> int:
        """Entities that left the system since the statistics started."""
        return sum(kind.completions for kind in self.classes.values())

    @property
    def in_count(self) -> int:
        """Entities in the system now."""
        return self.in_system_start + self.arrivals - self.completions

    # ------------------------------------------------------------------ building

    def _compile_route(self, route: m.Route, class_name: str, path: str, after: Any) -> Any:
        """Link the steps of ``route`` so the last one continues at ``after``."""
        head = after
        for index in range(len(route) - 1, -1, -1):
            step = route[index]
            where = f"{path}/{index}"
            if isinstance(step, m.Visit):
                node_type = _BookedVisitNode if step.reserve_ahead else _VisitNode
                node: Any = node_type(self.stations[step.station])
                node.next = head
            elif isinstance(step, m.Milestone):
                milestones = self.classes[class_name].milestones
                tally = milestones.setdefault(step.name, Tally(self.model.sla))
                node = _MilestoneNode(tally)
                node.next = head
            elif isinstance(step, m.Spawn):
                node = _SpawnNode(
                    self.classes[step.class_name],
                    Stream(step.count, generator(self.seed, self.replication, "spawn",
                                                 class_name, where)),
                    step.spread,
                    generator(self.seed, self.replication, "spawn-spread", class_name, where),
                    step.wait)
                node.next = head
            elif isinstance(step, m.ShortestQueue):
                node = _ChoiceNode([self.stations[name] for name in step.stations])
                node.next = head
            elif isinstance(step, m.Delay):
                node = _DelayNode(Stream(step.duration, generator(
                    self.seed, self.replication, "delay", class_name, where)))
                node.next = head
            elif isinstance(step, m.Branch):
                total = 0.0
                cumulative, targets = [], []
                for option, (probability, sub) in enumerate(step.options):
                    total += probability
                    cumulative.append(total)
                    targets.append(self._compile_route(sub, class_name, f"{where}/{option}", head))
                cumulative[-1] = math.inf  # rounding must never leave an entity unrouted
                node = _BranchNode(cumulative, targets, Uniforms(generator(
                    self.seed, self.replication, "branch", class_name, where)))
            elif isinstance(step, m.OptionalStep):
                taken = self._compile_route(step.route, class_name, f"{where}/0", head)
                node = _BranchNode([step.probability, math.inf], [taken, head], Uniforms(
                    generator(self.seed, self.replication, "branch", class_name, where)))
            else:  # pragma: no cover - the model's types rule this out
                raise TypeError(f"unknown route step {step!r}")
            head = node
        return head

    def _start_arrivals(self, spec: m.ClassSpec) -> None:
        kind = self.classes[spec.name]
        rng = generator(self.seed, self.replication, "arrivals", spec.name)
        times = arrival_times(spec.arrivals, rng, self.model.horizon)
        first = spec.route[0] if spec.route else None
        if isinstance(first, m.Visit) and first.reserve_ahead:
            self._announce(kind, times, first.reserve_ahead, self.stations[first.station])
        else:
            self._arrive_at(kind, times)

    def _arrive_at(self, kind: _Class, times: Iterator[float]) -> None:
        """Spawn a member of ``kind`` at each of the (increasing) ``times``."""
        horizon = self.model.horizon
        env = self.env
        heap, eid = scheduler(env)
        inv_bin = self.inv_bin
        series = kind.arrival_series
        max_entities = self.max_entities
        trace = self.trace
        visit = _VisitNode
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
            callbacks = Wake(env, first, None, arrive).callbacks

    def _announce(self, kind: _Class, times: Iterator[float], lead: float,
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
            Wake(env, max(first - lead, 0.0), first, announce)

    # ------------------------------------------------------------------ entity flow

    def spawn(self, kind: _Class, parent: Entity | None = None) -> None:
        """A new member of ``kind`` arrives now (``parent`` waits for it to leave)."""
        self.next_id += 1
        entity = Entity(self.next_id, kind, self.env.now, kind.priority)
        entity.parent = parent
        self.enter(entity)

    def enter(self, entity: Entity) -> None:
        """An entity arrives in the system and starts its route."""
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
        self.advance_from(entity, kind.first_node)

    def advance(self, entity: Entity) -> None:
        """Continue an entity's route after a service or a delay."""
        node = entity.node
        if node is None:
            self._depart(entity)
        elif type(node) is _VisitNode:
            entity.node = node.next
            node.station.arrive(entity)
        else:
            self.advance_from(entity, node)

    def advance_from(self, entity: Entity, node: Any) -> None:
        while node is not None:
            node_type = type(node)
            if node_type is _VisitNode:
                entity.node = node.next
                node.station.arrive(entity)
                return
            if node_type is _BranchNode:
                u = node.uniforms.draw()
                cumulative = node.cumulative
                index = 0
                while u >= cumulative[index]:
                    index += 1
                node = node.targets[index]
                continue
            if node_type is _BookedVisitNode:
                entity.node = node.next
                node.station.arrive_booked(entity)
                return
            if node_type is _SpawnNode:
                self._spawn_batch(node, entity)
                node = node.next
                if entity in self.awaiting and type(node) is not _SpawnNode:
                    entity.node = node  # parked until its last member leaves (_depart)
                    return
                continue
            if node_type is _MilestoneNode:
                node.tally.add(self.env.now - entity.arrived)
                node.tally.maybe_flush()
                node = node.next
                continue
            if node_type is _ChoiceNode:
                best = node.stations[0]
                best_load = best.load()
                for station in node.stations[1:]:
                    load = station.load()
                    if load < best_load:
                        best, best_load = station, load
                entity.node = node.next
                best.arrive(entity)
                return
            # _DelayNode. NOTE: the entity is its own event (see Entity) for performance reasons.
            entity.node = node.next
            entity.callbacks = self.after_delay_callbacks
            # NOTE: scheduled inline (see kernel.scheduler) for performance reasons.
            heappush(self.heap, (self.env.now + node.stream.draw(), NORMAL, next(self.ids), entity))
            return
        self._depart(entity)

    def _spawn_batch(self, node: _SpawnNode, spawner: Entity) -> None:
        count = max(0, int(round(node.count.draw())))
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
                Wake(self.env, offset, (kind, parent), self._spawn_later)
        else:
            for _ in range(count):
                self.spawn(kind, parent)

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

    # ------------------------------------------------------------------ shifts, warm-up

    def _shifts(self, station: Station, schedule: m.ShiftSchedule) -> Any:
        env = self.env
        period = schedule.period
        cycle = 0.0
        while True:
            for offset, servers in schedule.steps:
                when = cycle + offset
                if when > env.now:
                    yield env.timeout(when - env.now)
                if servers != station.servers:
                    station.set_servers(servers)
            if period is None:
                return
            cycle += period

    def _reactive(self, station: Station, rule: m.ReactiveStaffing) -> Any:
        env = self.env
        while True:
            yield env.timeout(rule.check_every)
            waited = station.head_wait()
            if waited > rule.open_above and station.extra_servers < rule.max_extra:
                station.set_extra_servers(station.extra_servers + 1)
            elif waited < rule.close_below and station.extra_servers > 0:
                station.set_extra_servers(station.extra_servers - 1)

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

    def run(self) -> ReplicationResult:
        started = wallclock.perf_counter()
        model = self.model
        for spec in model.stations:
            if not spec.servers.is_constant:
                self.env.process(self._shifts(self.stations[spec.name], spec.servers))
            if spec.reactive is not None:
                self.env.process(self._reactive(self.stations[spec.name], spec.reactive))
        for class_spec in model.classes:
            self._start_arrivals(class_spec)
        if model.warmup > 0:
            Wake(self.env, model.warmup, None, self._end_warmup)
        self.env.run(until=model.horizon)
        events = events_scheduled(self.env)
        return self._collect(events, wallclock.perf_counter() - started)

    def _collect(self, events: int, wall_seconds: float) -> ReplicationResult:
        model = self.model
        end = model.horizon
        hours = (end - model.warmup) / 60.0
        in_span = end - self.in_start
        in_system_mean = ((self.in_area + end * self.in_count) / in_span if in_span > 0
                          else float(self.in_count))
        system_waits, system_sojourns = self.system_waits, self.system_sojourns
        if not self.system_tallies:
            (kind,) = self.classes.values()
            system_waits, system_sojourns = kind.waits, kind.sojourns
        kpis: dict[str, dict[str, dict[str, float]]] = {"classes": {}, "stations": {}}
        histograms: dict[str, Any] = {"classes": {}, "stations": {}}
        for name, kind in self.classes.items():
            row = {"arrivals": float(kind.arrivals), "completions": float(kind.completions),
                   "arrival_rate_per_hour": kind.arrivals / hours,
                   "throughput_per_hour": kind.completions / hours}
            row.update(_tally_kpis("wait", kind.waits))
            row["prob_wait"] = kind.waits.share_positive()
            row.update(_tally_kpis("sojourn", kind.sojourns))
            for milestone, tally in kind.milestones.items():
                row.update(_tally_kpis(f"until_{milestone}", tally))
            if kind.lateness is not None:
                row["late_share"] = 1.0 - kind.lateness.share_within()
                row["lateness_mean"] = kind.lateness.mean
                row["lateness_max"] = kind.lateness.maximum if kind.lateness.count else math.nan
            kpis["classes"][name] = row
            histograms["classes"][name] = _histogram(kind.waits)
        for name, station in self.stations.items():
            station.close(end)
            available = station.capacity_level.area
            row = {"arrivals": float(station.arrivals),
                   "completions": float(station.completions),
                   "arrival_rate_per_hour": station.arrivals / hours,
                   "throughput_per_hour": station.completions / hours}
            row.update(_tally_kpis("wait", station.waits))
            row["prob_wait"] = station.waits.share_positive()
            row["queue_mean"] = station.queue_level.time_average()
            row["queue_max"] = float(station.queue_level.maximum)
            row["utilisation"] = (station.busy_level.area / available if available > 0
                                  else math.nan)
            row["servers_mean"] = station.servers_level.time_average()
            kpis["stations"][name] = row
            histograms["stations"][name] = _histogram(station.waits)
        system = {
            "arrivals": float(self.arrivals),
            "completions": float(self.completions),
            "in_system_start": float(self.in_system_start),
            "in_system_end": float(self.in_count),
            "in_system_mean": in_system_mean,
            "arrival_rate_per_hour": self.arrivals / hours,
            "throughput_per_hour": self.completions / hours,
            "sojourn_mean": system_sojourns.mean,
            "wait_mean": system_waits.mean,
            "wait_sla_share": system_waits.share_within(),
        }
        kpis["system"] = {"all": system}
        series = {
            "bin_minutes": self.bin_width,
            "arrivals": {n: k.arrival_series for n, k in self.classes.items()},
            "completions": {n: k.completion_series for n, k in self.classes.items()},
            "queue_mean": {
                n: (np.asarray(s.queue_level.bins) / self.bin_width).tolist()
                for n, s in self.stations.items()
            },
        }
        return ReplicationResult(self.replication, self.seed, kpis, series, histograms,
                                 events, wall_seconds)


# ----------------------------------------------------------------------------- arrival times


def arrival_times(arrivals: m.Arrivals, rng: np.random.Generator,
                  horizon: float) -> Iterator[float]:
    """The increasing arrival times of one class, drawn lazily from ``rng``."""
    if isinstance(arrivals, m.Poisson):
        return _poisson_times(arrivals.rate, rng, horizon)
    if isinstance(arrivals, m.RateProfile):
        return _profile_times(arrivals, rng, horizon)
    if isinstance(arrivals, m.Timetable):
        return _timetable_times(arrivals, rng, horizon)
    if isinstance(arrivals, m.Trace):
        return iter(sorted(t for t in arrivals.times if t < horizon))
    raise TypeError(f"unknown arrivals {arrivals!r}")  # pragma: no cover


# NOTE: Poisson and thinned arrival times are cumulated by numpy a batch at a time, for
# performance reasons (a generator resumed per arrival cost more than the arrival's own event).
# The variates are the streams' own, in the same batch sizes and the same order (batch_sizes);
# np.cumsum adds strictly in sequence, so every time is the float the one-by-one loop
# ``t += gap`` gives, and the thinning test is the same arithmetic, element by element.


def _poisson_times(rate: float, rng: np.random.Generator, horizon: float) -> Iterator[float]:
    if rate <= 0:
        return iter(())
    return itertools.chain.from_iterable(_poisson_batches(1.0 / rate, rng, horizon))


def _poisson_batches(mean: float, rng: np.random.Generator,
                     horizon: float) -> Iterator[list[float]]:
    t = 0.0
    for size in batch_sizes():
        times = Exponential(mean).sample(rng, size)
        times[0] += t
        np.cumsum(times, out=times)
        if times[-1] >= horizon:
            yield times[:int(np.searchsorted(times, horizon))].tolist()
            return
        yield times.tolist()
        t = float(times[-1])


def _profile_times(profile: m.RateProfile, rng: np.random.Generator,
                   horizon: float) -> Iterator[float]:
    # Thinning (Lewis & Shedler): candidates at the peak rate, each kept with probability
    # rate(t)/peak; rejected candidates cost no SimPy event.
    peak = max(profile.rates)
    if peak <= 0:
        return iter(())
    return itertools.chain.from_iterable(_profile_batches(profile, peak, rng, horizon))


def _profile_batches(profile: m.RateProfile, peak: float, rng: np.random.Generator,
                     horizon: float) -> Iterator[list[float]]:
    gaps = Exponential(1.0 / peak)
    rates = np.asarray(profile.rates, dtype=float)
    width, period = profile.bin_width, profile.period
    t = 0.0
    for size in batch_sizes():
        times = gaps.sample(rng, size)
        times[0] += t
        np.cumsum(times, out=times)
        below = int(np.searchsorted(times, horizon))  # candidates before the horizon
        if below == 0:
            return
        uniforms = rng.random(size)  # drawn after the gaps, as the one-by-one streams did
        candidates = times[:below]
        index = np.floor_divide(np.remainder(candidates, period), width).astype(np.int64)
        keep = uniforms[:below] * peak < rates[index % len(rates)]
        yield candidates[keep].tolist()
        if below < size:
            return
        t = float(times[-1])


def _timetable_times(table: m.Timetable, rng: np.random.Generator,
                     horizon: float) -> Iterator[float]:
    # Batches may overlap (a spread longer than the gap to the next batch): members wait in a
    # heap until no earlier member can still come.
    rows = sorted(zip(table.times, table.counts, table.spreads, strict=True))
    if not rows:
        return
    pending: list[float] = []
    cycle = 0.0
    while True:
        for at, count, spread in rows:
            when = cycle + at
            if when >= horizon:
                while pending:
                    yield heapq.heappop(pending)
                return
            while pending and pending[0] <= when:
                yield heapq.heappop(pending)
            if spread > 0:
                members = (when + rng.uniform(0.0, spread, count)).tolist()
            else:
                members = [when] * count
            for member in members:
                heapq.heappush(pending, member)
        if table.repeat_every is None:
            while pending:
                yield heapq.heappop(pending)
            return
        cycle += table.repeat_every


def _tally_kpis(prefix: str, tally: Tally) -> dict[str, float]:
    return {
        f"{prefix}_mean": tally.mean,
        f"{prefix}_p50": tally.quantile(0.50),
        f"{prefix}_p90": tally.quantile(0.90),
        f"{prefix}_p95": tally.quantile(0.95),
        f"{prefix}_p99": tally.quantile(0.99),
        f"{prefix}_max": tally.maximum if tally.count else math.nan,
        f"{prefix}_sla_share": tally.share_within(),
    }


def _histogram(tally: Tally) -> dict[str, Any]:
    tally.flush()
    nonzero = np.flatnonzero(tally.histogram)
    return {"zeros": tally.zeros, "bins": nonzero.tolist(),
            "counts": tally.histogram[nonzero].tolist(), "max": tally.maximum}


def _series_bins(model: m.Model) -> tuple[float, int]:
    width = model.series_bin
    count = int(math.ceil(model.horizon / width)) + 1
    if count > MAX_SERIES_BINS:
        width *= math.ceil(count / MAX_SERIES_BINS)
        count = int(math.ceil(model.horizon / width)) + 1
    return width, count


def run_replication(model: m.Model, seed: int = 0, replication: int = 0,
                    trace: TraceSink | None = None,
                    max_entities: int | None = None) -> ReplicationResult:
    """Run one replication of ``model`` and return its KPIs.

    ``trace``, if given, is called as ``trace(time, entity_id, class_name, station, event)`` for
    every event (``arrive``, ``queue``, ``start``, ``finish``, ``depart``).
    """
    return _Replication(model, seed, replication, trace, max_entities).run()
