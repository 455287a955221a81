"""The FIFO fast path: a replication evaluated station by station, without an event list.

When every station is first come first served (constant servers or a shift schedule, with no
preemption: a shift cut lets services in progress finish) and the routes are feed-forward, the
waits follow from the Kiefer-Wolfowitz recursion: each customer, in order of arrival at a
station, starts at the first moment at or after its arrival (and after the previous customer's
start) when fewer services are in progress than servers are on duty. All arrivals at a station
are known once every step that can lead to it has been evaluated, so the whole replication is
a walk over a graph of *units* -- a station (all its visit steps), a route step, a class's
departure, a join after a waiting spawn -- in topological order, each unit taking the entities
that reached it as arrays.

The random streams are the event engine's own (compiled by the same
:class:`~portsim.engine.routes.RouteCompiler`), and each unit draws from them in the order the
event engine would: a stream serves one purpose for one class at one step, and the entities
reach that step in time order. So on identical inputs every wait equals the event engine's;
only entities that reach a step at the very same instant may be taken in another order.

The accumulators filled are those of the event engine (:class:`ClassState`, :class:`Tally`,
:class:`SlotTally`, :class:`Level`), and :func:`portsim.engine.collect.collect` reads them
unchanged.
"""

from __future__ import annotations

import itertools
import math
import time as wallclock
from collections.abc import Iterator
from dataclasses import dataclass
from heapq import heappop, heappush
from typing import Any, Literal, cast

import numpy as np

from portsim.engine import model as m
from portsim.engine.allocator import retain_freed_memory
from portsim.engine.classes import ClassState
from portsim.engine.collect import clock_samples, collect
from portsim.engine.kernels import FifoStarts, fifo_starts, fifo_starts_shifts, queue_max
from portsim.engine.result import ReplicationResult
from portsim.engine.routes import (
    BranchNode,
    ChoiceNode,
    DelayNode,
    MilestoneNode,
    RouteCompiler,
    SpawnNode,
    VisitNode,
)
from portsim.engine.setup import (
    EntityLimitExceeded,
    TraceSink,
    class_arrival_times,
    class_states,
    series_bins,
    service_streams,
    slot_tally,
)
from portsim.engine.streams import Stream
from portsim.errors import PortsimError
from portsim.stats.accumulators import Level, Tally

__all__ = ["ENGINES", "Engine", "FastPathUnavailable", "choose_engine", "run_fast",
           "why_not_fast"]

Engine = Literal["auto", "events", "fast"]
#: The engines a run may ask for: chosen by the model, or forced.
ENGINES: tuple[str, ...] = ("auto", "events", "fast")

_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_TIMES = np.zeros(0, dtype=float)


class FastPathUnavailable(PortsimError):
    """The fast path was asked for a model it cannot run (the reason says which part)."""


def why_not_fast(model: m.Model) -> str | None:
    """Why ``model`` needs the event engine, or None when the fast path runs it exactly."""
    reason = _unsupported_part(model)
    if reason is not None:
        return reason
    try:
        _Plan(model, 0, 0)
    except FastPathUnavailable as error:
        return str(error)
    return None


def _unsupported_part(model: m.Model) -> str | None:
    """The first station or step the fast path has no rule for (routes not yet checked)."""
    for spec in model.stations:
        if spec.discipline != "fifo":
            return f"station {spec.name!r} serves by priority"
        if spec.reactive is not None:
            return f"station {spec.name!r} opens servers as its queue grows (reactive staffing)"
        if spec.booking_servers:
            return f"station {spec.name!r} has servers on call for bookings"
        if spec.impatient:
            return f"station {spec.name!r} has customers who may give up (patience or balking)"
        if spec.pools:
            return f"station {spec.name!r} serves by skill (server pools)"
        if spec.unreliable:
            return f"station {spec.name!r} can be out of order (breakdowns or outages)"
    if model.start is not None or model.snapshot_at is not None:
        return "the run starts from a state or takes a snapshot (warm start)"
    for cls in model.classes:
        if cls.visit_patience is not None:
            return f"class {cls.name!r} may give up over its whole visit (visit patience)"
        for step in m.steps(cls.route):
            if isinstance(step, m.ShortestQueue) and step.by_expected_wait:
                return f"class {cls.name!r} chooses a station by its expected wait"
            if isinstance(step, m.Visit) and step.reserve_ahead:
                return f"class {cls.name!r} books station {step.station!r} ahead of arrival"
            if not isinstance(step, (m.Visit, m.Branch, m.OptionalStep, m.Delay, m.Spawn,
                                     m.Milestone, m.ShortestQueue)):
                return f"class {cls.name!r} has a {type(step).__name__} step"
    return None


def choose_engine(model: m.Model, requested: str = "auto") -> Literal["events", "fast"]:
    """The engine that runs ``model``: ``requested`` unless it is ``"auto"``, which picks the
    fast path when the model qualifies. Asking for ``"fast"`` when the model does not
    qualify raises :class:`FastPathUnavailable` naming why."""
    if requested == "events":
        return "events"
    if requested not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {requested!r}")
    reason = why_not_fast(model)
    if reason is None:
        return "fast"
    if requested == "fast":
        raise FastPathUnavailable(f"the fast engine cannot run this model: {reason}")
    return "events"


def run_fast(model: m.Model, seed: int = 0, replication: int = 0,
             trace: TraceSink | None = None,
             max_entities: int | None = None) -> ReplicationResult:
    """Run one replication of ``model`` on the fast path and return its KPIs (those of
    :func:`~portsim.engine.simulation.run_replication`).

    ``trace``, if given, is told the same events as by the event engine, sorted by time, once
    the replication is done (it keeps every visit in memory: meant for tests and checks).
    """
    reason = _unsupported_part(model)
    if reason is not None:
        raise FastPathUnavailable(f"the fast engine cannot run this model: {reason}")
    retain_freed_memory()
    started = wallclock.perf_counter()
    try:  # building the plan checks that the routes are feed-forward
        state = FastReplication(model, seed, replication, max_entities, keep=trace is not None)
    except FastPathUnavailable as error:
        raise FastPathUnavailable(f"the fast engine cannot run this model: {error}") from None
    state.run()
    if trace is not None:
        state.replay(trace)
    result = collect(cast(Any, state), state.visits, wallclock.perf_counter() - started)
    result.engine = "fast"
    return result


# ----------------------------------------------------------------------------- entities


class _Entities:
    """Every entity of the replication as columns, indexed by creation order."""

    def __init__(self) -> None:
        self.size = 0
        capacity = 1024
        self.arrived = np.empty(capacity)
        self.wait = np.zeros(capacity)
        self.departed = np.full(capacity, math.inf)
        self.kind = np.empty(capacity, dtype=np.int64)
        self.parent = np.full(capacity, -1, dtype=np.int64)

    def add(self, times: np.ndarray, kind: int, parent: np.ndarray | None = None) -> np.ndarray:
        """New entities arriving at ``times``; their ids."""
        count = times.size
        end = self.size + count
        if end > self.arrived.size:
            self._grow(max(end, 2 * self.arrived.size))
        self.arrived[self.size:end] = times
        self.kind[self.size:end] = kind
        if parent is not None:
            self.parent[self.size:end] = parent
        ids = np.arange(self.size, end, dtype=np.int64)
        self.size = end
        return ids

    def _grow(self, capacity: int) -> None:
        def grown(old: np.ndarray, fill: float) -> np.ndarray:
            new = np.full(capacity, fill, dtype=old.dtype)
            new[:old.size] = old
            return new
        self.arrived = grown(self.arrived, 0.0)
        self.wait = grown(self.wait, 0.0)
        self.departed = grown(self.departed, math.inf)
        self.kind = grown(self.kind, 0)
        self.parent = grown(self.parent, -1)


@dataclass
class _Waiter:
    """A customer still in a queue at the horizon: what collect reads of an entity."""

    kind: ClassState
    arrived: float
    wait: float
    queued: float


class _Line:
    """The customers still queueing at a station at the horizon (collect's ``queue``)."""

    def __init__(self) -> None:
        self.waiting: list[_Waiter] = []

    def entities(self) -> list[_Waiter]:
        return self.waiting

    def __len__(self) -> int:
        return len(self.waiting)


# ----------------------------------------------------------------------------- stations


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
        start = spec.servers.servers_at(0.0)
        self.changes = _shift_changes(spec.servers, model.horizon)
        self.change_times = np.array([when for when, _ in self.changes], dtype=float)
        self.change_servers = np.array([servers for _, servers in self.changes], dtype=float)
        self.servers_level = _servers_level(start, self.changes, model.warmup, model.horizon)
        self.capacity_level = Level.integrated(start, model.warmup, model.horizon,
                                               self.servers_level.area, start)
        self.queue_level = Level.integrated(0, model.warmup, model.horizon, 0.0, 0,
                                            bin_width, np.zeros(bin_count))
        self.busy_level = Level.integrated(0, model.warmup, model.horizon, 0.0, math.nan)

    def close(self, now: float) -> None:
        """Collect's call at the horizon: the statistics are final already."""
        self.waits.flush()


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


# ----------------------------------------------------------------------------- the plan


def _choice_groups(model: m.Model) -> dict[str, tuple[str, ...]]:
    """Station -> the stations it shares a shortest-queue choice with, directly or through
    others (in the model's order); stations in no choice are left out."""
    order = {spec.name: index for index, spec in enumerate(model.stations)}
    parent = {name: name for name in order}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    chosen: set[str] = set()
    for cls in model.classes:
        for step in m.steps(cls.route):
            if isinstance(step, m.ShortestQueue):
                chosen.update(step.stations)
                first = root(step.stations[0])
                for other in step.stations[1:]:
                    parent[root(other)] = first
    members: dict[str, list[str]] = {}
    for name in sorted(chosen, key=order.__getitem__):
        members.setdefault(root(name), []).append(name)
    return {name: tuple(group) for group in members.values() for name in group}

Unit = tuple[str, Any]


class _Plan:
    """The replication's compiled routes and the units they form, in an order where every unit
    comes after all units that can send it entities. Raises :class:`FastPathUnavailable` when
    no such order exists (a route that is not feed-forward)."""

    def __init__(self, model: m.Model, seed: int, replication: int) -> None:
        self.model = model
        self.bin_width, self.bin_count = series_bins(model)
        self.classes = class_states(model, self.bin_count)
        self.class_index = {name: index for index, name in enumerate(self.classes)}
        self.stations: dict[str, FastStation] = {}
        for spec in model.stations:
            services = {self.class_index[name]: stream for name, stream
                        in service_streams(model, spec, seed, replication).items()}
            self.stations[spec.name] = FastStation(spec, model, services, self.bin_width,
                                                   self.bin_count)
        #: Stations joined by shortest-queue choices (transitively), evaluated as one unit.
        self.group_of = _choice_groups(model)
        compiler = RouteCompiler(cast(Any, self.stations), self.classes, seed, replication,
                                 model.sla)
        for cls in model.classes:
            self.classes[cls.name].first_node = compiler.compile(cls.route, cls.name)
        self.owner: dict[int, str] = {}   # id(node) -> class whose route holds it
        self.edges: dict[Unit, list[Unit]] = {}
        self.joins: dict[int, tuple[Unit, set[str]]] = {}  # id(last spawn) -> join, classes
        for name, kind in self.classes.items():
            self._walk(kind.first_node, name)
            self._edge(("depart", name), None)
        self.order = self._sorted()

    def unit(self, node: Any, class_name: str) -> Unit:
        """The unit a node belongs to (``None``: the class's departure)."""
        if node is None:
            return ("depart", class_name)
        if type(node) is VisitNode:
            name = node.station.name
            return ("group", self.group_of[name]) if name in self.group_of else ("station", name)
        if type(node) is ChoiceNode:
            return ("group", self.group_of[node.stations[0].name])
        return ("step", node)

    def after_spawns(self, node: SpawnNode, class_name: str) -> Unit:
        """Where an entity goes after the spawn ``node``: the next spawn, the join of a chain
        of spawns that waits for its members, or the next step."""
        if type(node.next) is SpawnNode:
            return self.unit(node.next, class_name)
        join = self.joins.get(id(node))
        return join[0] if join is not None else self.unit(node.next, class_name)

    def _edge(self, source: Unit, target: Unit | None) -> None:
        targets = self.edges.setdefault(source, [])
        if target is not None and target not in targets:
            targets.append(target)
            self.edges.setdefault(target, [])

    def _walk(self, node: Any, class_name: str, waited: frozenset[str] = frozenset()) -> None:
        """Add the edges out of ``node`` and of everything after it on the route."""
        while node is not None:
            if id(node) in self.owner:
                return
            self.owner[id(node)] = class_name
            here = self.unit(node, class_name)
            self.edges.setdefault(here, [])
            if type(node) is BranchNode:
                for target in node.targets:
                    self._edge(here, self.unit(target, class_name))
                    self._walk(target, class_name)
                return
            if type(node) is SpawnNode:
                spawned = node.kind.name
                self._edge(here, self.unit(node.kind.first_node, spawned))
                if node.wait:
                    waited = waited | {spawned}
                if type(node.next) is not SpawnNode and waited:
                    join: Unit = ("join", node)
                    self.joins[id(node)] = (join, set(waited))
                    for kind in waited:
                        self._edge(("depart", kind), join)
                    self._edge(here, join)
                    self._edge(join, self.unit(node.next, class_name))
                    waited = frozenset()
                else:
                    self._edge(here, self.unit(node.next, class_name))
            else:
                self._edge(here, self.unit(node.next, class_name))
            node = node.next
        self._edge(("depart", class_name), None)

    def _sorted(self) -> list[Unit]:
        incoming = dict.fromkeys(self.edges, 0)
        for targets in self.edges.values():
            for target in targets:
                incoming[target] += 1
        ready = [unit for unit, count in incoming.items() if count == 0]
        order: list[Unit] = []
        while ready:
            unit = ready.pop(0)
            order.append(unit)
            for target in self.edges[unit]:
                incoming[target] -= 1
                if incoming[target] == 0:
                    ready.append(target)
        if len(order) < len(incoming):
            stuck = sorted({name for unit, count in incoming.items() if count
                            for name in ((unit[1],) if unit[0] == "station"
                                         else unit[1] if unit[0] == "group" else ())})
            where = f" (stations {', '.join(map(repr, stuck))})" if stuck else ""
            raise FastPathUnavailable(
                "the routes are not feed-forward: an entity can reach a station again after "
                f"a later step, or a waiting spawn depends on its own route{where}")
        return order


# ----------------------------------------------------------------------------- the replication


Flow = tuple[Any, np.ndarray, np.ndarray]  # (the node reached, entity ids, times)


class FastReplication(_Plan):
    """One replication on the fast path: what collect reads of a
    :class:`~portsim.engine.simulation.Replication`, filled unit by unit."""

    def __init__(self, model: m.Model, seed: int, replication: int,
                 max_entities: int | None, keep: bool = False) -> None:
        super().__init__(model, seed, replication)
        self.seed = seed
        self.replication = replication
        self.max_entities = max_entities
        self.entities = _Entities()
        self.inbox: dict[Unit, list[Flow]] = {unit: [] for unit in self.order}
        self.visits = 0
        #: With ``keep``: per station visit (station, ids, arrivals, starts, ends) for replay.
        self.kept: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] | None = (
            [] if keep else None)
        self.system_tallies = len(model.classes) != 1
        self.system_waits = Tally(model.sla)
        self.system_sojourns = Tally()
        self.in_start = model.warmup
        self.in_system_start = 0
        self.in_area = 0.0
        self.in_count = 0

    @property
    def arrivals(self) -> int:
        return sum(kind.arrivals for kind in self.classes.values())

    @property
    def completions(self) -> int:
        return sum(kind.completions for kind in self.classes.values())

    # ------------------------------------------------------------------ run

    def run(self) -> None:
        model = self.model
        for spec in model.classes:
            times = self._arrival_times(spec)
            ids = self._create(times, spec.name)
            self._send(self.unit(self.classes[spec.name].first_node, spec.name),
                       self.classes[spec.name].first_node, ids, times)
        for unit in self.order:
            flows = self.inbox.pop(unit)
            kind, what = unit
            if kind == "station":
                self._station(self.stations[what], flows)
            elif kind == "group":
                self._group(what, flows)
            elif kind == "depart":
                self._depart(what, flows)
            elif kind == "join":
                self._join(what, flows)
            else:
                self._step(what, flows)
        self._system_counts()

    def _arrival_times(self, spec: m.ClassSpec) -> np.ndarray:
        horizon = self.model.horizon
        if isinstance(spec.arrivals, m.Trace):
            # NOTE: the recorded times sorted by numpy once per model rather than through
            # arrival_times' generator, for performance reasons: the same floats in order.
            array = spec.arrivals.sorted_array()
            return array[:np.searchsorted(array, horizon, side="left")]
        times = class_arrival_times(spec, self.seed, self.replication, horizon)
        if self.max_entities is not None:
            # one more than the limit allows is enough to refuse (in _create), before the
            # arrivals of a run far beyond the limit fill the memory
            times = itertools.islice(times, max(0, self.max_entities - self.entities.size) + 1)
        return np.fromiter(times, dtype=float)

    def _create(self, times: np.ndarray, class_name: str,
                parent: np.ndarray | None = None) -> np.ndarray:
        live = self.entities.size + times.size
        if self.max_entities is not None and live > self.max_entities:
            raise EntityLimitExceeded(
                f"more than {self.max_entities:,} entities arrived in one replication")
        kind = self.classes[class_name]
        ids = self.entities.add(times, self.class_index[class_name], parent)
        arrived = times[times < self.model.horizon]
        kind.arrivals += int(np.count_nonzero(arrived >= self.model.warmup))
        _add_counts(kind.arrival_series, arrived, self.bin_width)
        return ids

    def _send(self, unit: Unit, node: Any, ids: np.ndarray, times: np.ndarray) -> None:
        if ids.size:
            self.inbox[unit].append((node, ids, times))

    def _gather(self, flows: list[Flow], *, ordered: bool = True,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The entities of ``flows`` that got there before the horizon, in time order (ties by
        creation; any order unless ``ordered``: where no stream is drawn from), and for each
        the index of its flow."""
        if not flows:
            return _EMPTY_IDS, _EMPTY_TIMES, _EMPTY_IDS
        if len(flows) == 1:
            ids, times = flows[0][1], flows[0][2]
            source = np.zeros(ids.size, dtype=np.int64)
        else:
            ids = np.concatenate([flow[1] for flow in flows])
            times = np.concatenate([flow[2] for flow in flows])
            source = np.repeat(np.arange(len(flows)), [flow[1].size for flow in flows])
        keep = times < self.model.horizon
        if not keep.all():
            ids, times, source = ids[keep], times[keep], source[keep]
        if ordered and times.size > 1 and not (np.all(times[1:] > times[:-1])):
            order = np.lexsort((ids, times))
            ids, times, source = ids[order], times[order], source[order]
        return ids, times, source

    # ------------------------------------------------------------------ route steps

    def _step(self, node: Any, flows: list[Flow]) -> None:
        ids, times, _ = self._gather(flows)
        if not ids.size:
            return
        class_name = self.owner[id(node)]
        node_type = type(node)
        if node_type is BranchNode:
            chosen = np.searchsorted(np.asarray(node.cumulative), node.uniforms.take(ids.size),
                                     side="right")
            for index, target in enumerate(node.targets):
                picked = chosen == index
                self._send(self.unit(target, class_name), target, ids[picked], times[picked])
        elif node_type is DelayNode:
            self._send(self.unit(node.next, class_name), node.next, ids,
                       times + node.stream.take(ids.size))
        elif node_type is MilestoneNode:
            measured = times >= self.model.warmup
            node.tally.add_many(times[measured] - self.entities.arrived[ids[measured]])
            self._send(self.unit(node.next, class_name), node.next, ids, times)
        else:
            self._spawn(node, class_name, ids, times)

    def _spawn(self, node: SpawnNode, class_name: str, ids: np.ndarray,
               times: np.ndarray) -> None:
        counts = node.count.take(ids.size).tolist()
        members: list[np.ndarray] = []
        parents: list[np.ndarray] = []
        total = self.entities.size
        for parent, at, drawn in zip(ids.tolist(), times.tolist(), counts, strict=True):
            count = max(0, round(drawn))
            total += count
            if self.max_entities is not None and total > self.max_entities:
                raise EntityLimitExceeded(
                    f"more than {self.max_entities:,} entities would arrive in one replication "
                    f"(a batch of {count:,} {node.kind.name})")
            if node.spread > 0:
                offsets = np.sort(node.uniforms_rng.uniform(0.0, node.spread, count))
                members.append(at + offsets)
            else:
                members.append(np.full(count, at))
            parents.append(np.full(count, parent if node.wait else -1, dtype=np.int64))
        if members:
            born = np.concatenate(members)
            spawned = node.kind.name
            new = self._create(born, spawned, np.concatenate(parents))
            self._send(self.unit(node.kind.first_node, spawned), node.kind.first_node, new, born)
        target = self.after_spawns(node, class_name)
        self._send(target, node.next, ids, times)

    def _join(self, last: SpawnNode, flows: list[Flow]) -> None:
        """Parked spawners go on when the last member of their batches leaves."""
        ids, times, _ = self._gather(flows, ordered=False)
        if not ids.size:
            return
        entities = self.entities
        size = entities.size
        waited = entities.parent[:size]
        members = np.flatnonzero(waited >= 0)
        release = np.full(size, -math.inf)
        np.maximum.at(release, waited[members], entities.departed[members])
        goes_on = np.maximum(times, release[ids])
        class_name = self.owner[id(last)]
        self._send(self.unit(last.next, class_name), last.next, ids, goes_on)

    # ------------------------------------------------------------------ stations

    def _station(self, station: FastStation, flows: list[Flow]) -> None:
        ids, arrivals, source = self._gather(flows)
        count = ids.size
        services = np.empty(count)
        kinds = self.entities.kind[_positions(ids)]
        for index, stream in station.services.items():
            mine = kinds == index
            taken = int(np.count_nonzero(mine))
            if taken == count:  # one class only: no scatter
                services = stream.take(taken)
            elif taken:
                services[mine] = stream.take(taken)
        schedule = station.spec.servers
        horizon = self.model.horizon
        starts = np.empty(count)
        # the kernels read the arrays' memory as float64, in order
        arrivals = np.ascontiguousarray(arrivals, dtype=float)
        services = np.ascontiguousarray(services, dtype=float)
        if schedule.is_constant:
            served = fifo_starts(arrivals, services, schedule.steps[0][1], horizon, starts)
        else:
            served = fifo_starts_shifts(arrivals, services, schedule.servers_at(0.0),
                                        station.change_times, station.change_servers, horizon,
                                        starts)
        self._served(station, flows, ids, arrivals, source, services, starts[:served])

    def _served(self, station: FastStation, flows: list[Flow], ids: np.ndarray,
                arrivals: np.ndarray, source: np.ndarray, services: np.ndarray,
                starts: np.ndarray) -> None:
        """A station's statistics and hand-offs, once the starts of the customers that reached
        it (``ids``, in time order, from ``flows[source]``) are known: the first
        ``starts.size`` of them started, the rest were still queueing at the horizon."""
        model = self.model
        horizon, warmup = model.horizon, model.warmup
        entities = self.entities
        count = ids.size
        self.visits += count
        served = starts.size
        ends = starts + services[:served]
        waits = starts - arrivals[:served]
        served_ids = ids[:served]
        entities.wait[_positions(served_ids)] += waits
        # the station's statistics, as the event engine's counters and tallies keep them
        station.arrivals = count - int(np.searchsorted(arrivals, warmup, side="left"))
        finished = ends < horizon
        station.completions = int(np.count_nonzero(finished & (ends >= warmup)))
        # NOTE: starts are in order, so those after the warm-up are a slice (no mask and no
        # copy), for performance reasons.
        measured = slice(int(np.searchsorted(starts, warmup, side="left")), None)
        measured_waits = waits[measured]
        # filed by the time each joined, computed as the event engine's slots do (start - wait)
        station.slots.add_many(measured_waits, starts[measured] - measured_waits)
        station.waits.add_many(measured_waits)
        self._station_levels(station, arrivals, starts, ends)
        left = arrivals[served:]
        if left.size:
            names = list(self.classes)
            for entity, queued in zip(ids[served:].tolist(), left.tolist(), strict=True):
                station.queue.waiting.append(_Waiter(
                    self.classes[names[int(entities.kind[entity])]],
                    float(entities.arrived[entity]), float(entities.wait[entity]), queued))
        if self.kept is not None:
            self.kept.append((station.name, ids, arrivals, starts, ends))
        # on to each visit's next step
        source = source[:served]
        everyone = len(flows) == 1 and bool(finished.all())
        for index, flow in enumerate(flows):
            node = flow[0]
            owner = self.owner[id(node)]
            if everyone:  # NOTE: no mask to apply, for performance reasons
                self._send(self.unit(node.next, owner), node.next, served_ids, ends)
                continue
            done = finished & (source == index) if len(flows) > 1 else finished
            self._send(self.unit(node.next, owner), node.next, served_ids[done], ends[done])

    def _group(self, members: tuple[str, ...], flows: list[Flow]) -> None:
        """Stations joined by a shortest-queue choice, evaluated together: customers in time
        order, each joining its station (the one it visits, or the one with the fewest
        customers per open server as it chooses: ties to the first listed) and starting there
        by the same recursion as :meth:`_station`, one customer at a time, so that each choice
        sees the customers then present (queueing or in service)."""
        ids, arrivals, source = self._gather(flows)
        stations = [self.stations[name] for name in members]
        where = {name: index for index, name in enumerate(members)}
        options = [[where[choice.name] for choice in node.stations] if type(node) is ChoiceNode
                   else [where[node.station.name]] for node, _, _ in flows]
        kind_array = self.entities.kind[_positions(ids)]
        kinds, sources = kind_array.tolist(), source.tolist()
        # Each station draws its services per class in the order customers start there (FIFO:
        # the order they join); as many are drawn as could join, the surplus is never used.
        draws: list[dict[int, Iterator[float]]] = []
        for index, station in enumerate(stations):
            could = np.asarray([index in choice for choice in options], dtype=bool)[source]
            draws.append({kind: iter(stream.take(int(np.count_nonzero(
                could & (kind_array == kind)))).tolist())
                for kind, stream in station.services.items()})
        horizon = self.model.horizon
        queues = [_OpenQueue(station, horizon) for station in stations]
        joined: list[list[int]] = [[] for _ in stations]
        for position, at in enumerate(arrivals.tolist()):
            choice = options[sources[position]]
            best = choice[0]
            if len(choice) > 1:
                best_load = queues[best].load(at)
                for index in choice[1:]:
                    load = queues[index].load(at)
                    if load < best_load:
                        best, best_load = index, load
            queues[best].join(at, next(draws[best][kinds[position]]))
            joined[best].append(position)
        for station, queue, positions in zip(stations, queues, joined, strict=True):
            at = np.asarray(positions, dtype=np.int64)
            self._served(station, flows, ids[at], arrivals[at], source[at],
                         np.asarray(queue.services, dtype=float),
                         np.asarray(queue.starts, dtype=float))

    def _station_levels(self, station: FastStation, arrivals: np.ndarray, starts: np.ndarray,
                        ends: np.ndarray) -> None:
        """Queue length, busy servers and capacity over time, and the clock-time samples."""
        model = self.model
        horizon, warmup = model.horizon, model.warmup
        span_start = warmup
        served = starts.size
        left = np.full(arrivals.size - served, horizon)
        waited_until = np.concatenate([starts, left])
        queued = waited_until > arrivals
        joins, leaves = arrivals[queued], waited_until[queued]
        area = float(np.sum(np.clip(np.minimum(leaves, horizon) - np.maximum(joins, span_start),
                                    0.0, None)))
        station.queue_level = Level.integrated(
            arrivals.size - served, span_start, horizon, area,
            queue_max(joins, leaves, warmup), station.bin_width,
            _spread(joins, leaves, station.bin_width, station.bin_count))
        busy_area = float(np.sum(np.clip(np.minimum(ends, horizon)
                                         - np.maximum(starts, span_start), 0.0, None)))
        running_end = int(np.count_nonzero(ends >= horizon))
        station.busy_level = Level.integrated(running_end, span_start, horizon, busy_area,
                                              math.nan)
        if station.changes:
            station.capacity_level = Level.integrated(
                max(running_end, station.spec.servers.servers_at(horizon)), span_start,
                horizon, _capacity_area(starts, ends, station, warmup, horizon), math.nan)
        samples = clock_samples(model)
        if samples:
            at = np.asarray([day * m.MINUTES_PER_DAY + minute for day, minute in samples])
            # customers who joined by then and had not yet left (leaves are in FIFO order)
            waiting = (np.searchsorted(joins, at, side="right")
                       - np.searchsorted(leaves, at, side="right"))
            station.queue_samples.update(zip(samples, waiting.tolist(), strict=True))

    # ------------------------------------------------------------------ departures

    def _depart(self, class_name: str, flows: list[Flow]) -> None:
        ids, times, _ = self._gather(flows, ordered=False)
        if not ids.size:
            return
        model = self.model
        entities = self.entities
        kind = self.classes[class_name]
        entities.departed[_positions(ids)] = times
        _add_counts(kind.completion_series, times, self.bin_width)
        measured = times >= model.warmup
        if not measured.all():
            ids, times = ids[measured], times[measured]
        kind.completions += ids.size
        at = _positions(ids)
        arrived = entities.arrived[at]
        waits = entities.wait[at]
        sojourns = times - arrived
        kind.slots.add_many(waits, arrived)
        kind.waits.add_many(waits)
        kind.sojourns.add_many(sojourns)
        if kind.lateness is not None:
            assert kind.due_after is not None
            kind.lateness.add_many(np.maximum(0.0, sojourns - kind.due_after))
        if self.system_tallies:
            self.system_waits.add_many(waits)
            self.system_sojourns.add_many(sojourns)

    def _system_counts(self) -> None:
        """Number in system: at the end of the warm-up, at the horizon, and its integral."""
        model = self.model
        size = self.entities.size
        arrived = self.entities.arrived[:size]
        departed = self.entities.departed[:size]
        entered = arrived < model.horizon
        arrived, departed = arrived[entered], departed[entered]
        warmup = model.warmup
        if warmup > 0:
            self.in_system_start = int(np.count_nonzero(arrived < warmup)
                                       - np.count_nonzero(departed < warmup))
        horizon = model.horizon
        self.in_count = int(arrived.size - np.count_nonzero(departed < horizon))
        # The integral over [warmup, horizon] is the sum of each entity's time in the system
        # within it (not arrivals subtracted from departures: that sum would cancel), stored
        # as the event engine's in_area, which collect adds horizon * in_count to.
        inside = np.clip(np.minimum(departed, horizon) - np.maximum(arrived, warmup), 0.0,
                         None)
        self.in_area = float(np.sum(inside)) - horizon * self.in_count

    # ------------------------------------------------------------------ trace

    def replay(self, trace: TraceSink) -> None:
        """Tell ``trace`` every event of the replication, by time (ids as the event engine
        numbers entities: in order of arrival)."""
        assert self.kept is not None
        size = self.entities.size
        arrived = self.entities.arrived[:size]
        number = np.empty(size, dtype=np.int64)
        number[np.lexsort((np.arange(size), arrived))] = np.arange(1, size + 1)
        names = list(self.classes)
        kind = self.entities.kind[:size]
        horizon = self.model.horizon
        events: list[tuple[float, int, int, str | None, str]] = []
        for entity in range(size):
            if arrived[entity] < horizon:
                events.append((float(arrived[entity]), 0, entity, None, "arrive"))
            if self.entities.departed[entity] < horizon:
                events.append((float(self.entities.departed[entity]), 4, entity, None,
                               "depart"))
        for name, ids, arrivals, starts, ends in self.kept:
            for position, entity in enumerate(ids.tolist()):
                events.append((float(arrivals[position]), 1, entity, name, "queue"))
                if position < starts.size:
                    events.append((float(starts[position]), 2, entity, name, "start"))
                    if ends[position] < horizon:
                        events.append((float(ends[position]), 3, entity, name, "finish"))
        events.sort(key=lambda event: (event[0], event[1]))
        for at, _, entity, station, what in events:
            trace(at, int(number[entity]), names[int(kind[entity])], station, what)


class _OpenQueue:
    """A FIFO station evaluated one customer at a time (:class:`FifoStarts`), with the
    customers present at any moment for a shortest-queue choice."""

    def __init__(self, station: FastStation, horizon: float) -> None:
        self.schedule = station.spec.servers
        self.recursion = FifoStarts(self.schedule.servers_at(0.0), station.changes, horizon)
        self.present: list[float] = []  # a heap of the ends of everyone who joined
        self.starts: list[float] = []   # of those who started before the horizon
        self.services: list[float] = []

    def load(self, at: float) -> float:
        """Customers present (queueing or in service) per server on duty at ``at``."""
        present = self.present
        while present and present[0] <= at:
            heappop(present)
        servers = self.schedule.servers_at(at)
        return math.inf if servers <= 0 else len(present) / servers

    def join(self, at: float, service: float) -> None:
        self.services.append(service)
        start = self.recursion.start(at, service)
        if start < math.inf:
            self.starts.append(start)
        heappush(self.present, start + service)


def _positions(ids: np.ndarray) -> np.ndarray | slice:
    """Where ``ids`` are in the entity columns: a slice when they are consecutive and in order
    (all the customers of a class at its first station, say), else the ids themselves.

    NOTE: a slice reads and writes a column in place, where indexing by an array gathers and
    scatters element by element, for performance reasons; the same elements either way.
    """
    if ids.size and ids[-1] - ids[0] == ids.size - 1 and bool(np.all(ids[1:] > ids[:-1])):
        return slice(int(ids[0]), int(ids[-1]) + 1)
    return ids


def _add_counts(series: list[int], times: np.ndarray, width: float) -> None:
    """Add a count per time to the per-bin ``series`` (bins of ``width`` from 0)."""
    if not times.size:
        return
    bins = (times * (1.0 / width)).astype(np.int64)
    counts = np.bincount(bins, minlength=len(series))[:len(series)]
    series[:] = (np.asarray(series, dtype=np.int64) + counts).tolist()


def _capacity_area(starts: np.ndarray, ends: np.ndarray, station: FastStation, warmup: float,
                   horizon: float) -> float:
    """The integral over [warmup, horizon] of max(servers on duty, services in progress):
    servers cut by a shift count until they finish the service they had begun."""
    change_times = np.asarray([when for when, _ in station.changes])
    change_servers = np.asarray([station.spec.servers.servers_at(0.0)]
                                + [servers for _, servers in station.changes])
    points = np.unique(np.concatenate([starts, ends, change_times, [warmup, horizon]]))
    points = points[(points >= warmup) & (points <= horizon)]
    sorted_starts, sorted_ends = np.sort(starts), np.sort(ends)
    busy = (np.searchsorted(sorted_starts, points, side="right")
            - np.searchsorted(sorted_ends, points, side="right"))
    servers = change_servers[np.searchsorted(change_times, points, side="right")]
    capacity = np.maximum(busy, servers)[:-1]
    return float(np.sum(capacity * np.diff(points)))

