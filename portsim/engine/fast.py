"""The FIFO fast path: a replication evaluated station by station, without an event list.

When every station is first come first served (constant servers or shifts; a shift cut lets
services in progress finish) and the routes are feed-forward, the waits follow from the
Kiefer-Wolfowitz recursion: each customer, in order of arrival at a station, starts at the first
moment at or after its arrival (and the previous customer's start) when fewer services run than
servers are on duty. All arrivals at a station are known once every step that can lead to it has
been evaluated, so the whole replication is a walk over a graph of *units* -- a station (all its
visit steps), a route step, a class's departure, a join after a waiting spawn, a loop of stations
swept together -- in topological order, each unit taking the entities that reached it as arrays.

The random streams are the event engine's own (compiled by the same
:class:`~portsim.engine.routes.RouteCompiler`), and each unit draws from them in the order the
event engine would: a stream serves one purpose for one class at one step, and the entities
reach that step in time order; at one instant, in the order of the event engine's turns
(docs/design.md, "Simultaneous events"): each flow of entities carries the key of the turn each
moves in (:class:`~portsim.engine.fast_entities.Entities`). So on identical inputs every wait
equals the event engine's.

The accumulators filled are the event engine's (:class:`ClassState`, :class:`Tally`,
:class:`SlotTally`, :class:`Level`); :func:`portsim.engine.collect.collect` reads them as they are.

This module chooses the engine and walks the units; the parts are modules of their own:
``fast_plan`` (the plan), ``fast_starts`` (a station's starts), ``fast_choices`` (shortest-queue
groups), ``loop_sweep`` (loops), ``fast_stations`` (a station's statistics), ``fast_entities`` (the
entities, the class and system statistics).
"""

from __future__ import annotations

import math
import time as wallclock
from typing import Any, cast

import numpy as np

from portsim.engine import model as m
from portsim.engine.allocator import retain_freed_memory
from portsim.engine.collect import collect
from portsim.engine.fast_bookings import booked_station, enter_booked
from portsim.engine.fast_breakdowns import unreliable_station
from portsim.engine.fast_choices import start_group
from portsim.engine.fast_entities import (
    Entities,
    Flow,
    Turns,
    add_counts,
    gather,
    positions,
    record_departures,
    sorted_batches,
)
from portsim.engine.fast_impatience import (
    Reacting,
    impatient_starts,
    leave_unserved,
    visit_deadlines,
)
from portsim.engine.fast_plan import (
    ENGINES,
    Engine,
    FastPathUnavailable,
    Plan,
    Unit,
    choose_engine,
    unsupported_part,
    why_not_fast,
)
from portsim.engine.fast_pools import pooled_station
from portsim.engine.fast_quickest import has_wait_choice, quickest_group, record_milestones
from portsim.engine.fast_reactive import reaction, server_clock
from portsim.engine.fast_starts import priority_station_starts, station_starts
from portsim.engine.fast_stations import FastStation, Occupied, Waiter
from portsim.engine.fast_trace import replay
from portsim.engine.loop_sweep import sweep_loop
from portsim.engine.monitor import counted_stations, fast_readings, start_readings
from portsim.engine.result import ReplicationResult
from portsim.engine.routes import BranchNode, DelayNode, MilestoneNode, SpawnNode
from portsim.engine.setup import EntityLimitExceeded, TraceSink, class_arrival_array
from portsim.stats.accumulators import Tally

__all__ = ["ENGINES", "Engine", "choose_engine", "run_fast", "why_not_fast"]



def run_fast(model: m.Model, seed: int = 0, replication: int = 0,
             trace: TraceSink | None = None,
             max_entities: int | None = None) -> ReplicationResult:
    """Run one replication of ``model`` on the fast path and return its KPIs (those of
    :func:`~portsim.engine.simulation.run_replication`).

    ``trace``, if given, is told the same events as by the event engine, sorted by time, once
    the replication is done (it keeps every visit in memory: meant for tests and checks).
    """
    reason = unsupported_part(model)
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
        replay(state, trace)
    result = collect(cast(Any, state), state.visits, wallclock.perf_counter() - started)
    result.engine = "fast"
    return result


# ----------------------------------------------------------------------------- the replication


class FastReplication(Plan):
    """One replication on the fast path: what collect reads of a
    :class:`~portsim.engine.simulation.Replication`, filled unit by unit."""

    def __init__(self, model: m.Model, seed: int, replication: int,
                 max_entities: int | None, keep: bool = False) -> None:
        super().__init__(model, seed, replication)
        self.seed = seed
        self.replication = replication
        self.max_entities = max_entities
        self.entities = Entities(len(self.class_index), joins=bool(self.joins))
        self.deadlines = visit_deadlines(model, self.class_index, seed, replication)
        if model.slot_stations is not None:
            self.entities.count_some_stations()
        self.monitored = set(counted_stations(model)) if model.monitor_every else set()
        if self.monitored:
            start_readings(model, self.classes)
        self.inbox: dict[Unit, list[Flow]] = {unit: [] for unit in self.order}
        self.visits = 0
        #: With ``keep``: per station visit (station, ids, arrivals, starts, ends) for replay;
        #: and (station, ids, arrivals, left, reneged) of those who left without service.
        self.kept: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] | None = (
            [] if keep else None)
        self.kept_gone: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        #: With ``keep``: the events of stations that can be out of order, as the event log
        #: takes them: (time, order at that time, entity, station, event).
        self.kept_events: list[tuple[float, float, int, str, str]] = []
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

    def still_inside(self) -> dict[str, np.ndarray]:
        """When each entity still in the system at the horizon arrived, by class."""
        size, horizon = self.entities.size, self.model.horizon
        arrived = self.entities.arrived[:size]
        inside = (arrived < horizon) & (self.entities.departed[:size] >= horizon)
        kinds = self.entities.kind[:size][inside]
        return {name: arrived[inside][kinds == index]
                for name, index in self.class_index.items() if np.any(kinds == index)}

    # ------------------------------------------------------------------ run

    def run(self) -> None:
        model = self.model
        for spec in model.classes:
            times = self._arrival_times(spec)
            if spec.name in self.booking_classes:
                enter_booked(self, spec, times)
                continue
            ids = self._create(times, spec.name)
            self._send(self.unit(self.classes[spec.name].first_node, spec.name),
                       self.classes[spec.name].first_node, ids, times, ids)
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
            elif kind == "loop":
                sweep_loop(self, unit, flows)
            else:
                self._step(what, flows)
        self.in_system_start, self.in_count, self.in_area = self.entities.in_system(self.model)

    def _arrival_times(self, spec: m.ClassSpec) -> np.ndarray:
        horizon = self.model.horizon
        if isinstance(spec.arrivals, m.Trace):
            # NOTE: the recorded times sorted by numpy once per model rather than through
            # arrival_times' generator, for performance reasons: the same floats in order.
            array = spec.arrivals.sorted_array()
            return array[:np.searchsorted(array, horizon, side="left")]
        # one more than the limit allows is enough to refuse (in _create), before the
        # arrivals of a run far beyond the limit fill the memory
        limit = (None if self.max_entities is None
                 else max(0, self.max_entities - self.entities.size) + 1)
        return class_arrival_array(spec, self.seed, self.replication, horizon, limit)

    def _create(self, times: np.ndarray, class_name: str, parent: np.ndarray | None = None,
                spawned: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        live = self.entities.size + times.size
        if self.max_entities is not None and live > self.max_entities:
            raise EntityLimitExceeded(
                f"more than {self.max_entities:,} entities arrived in one replication")
        kind = self.classes[class_name]
        ids = self.entities.add(times, self.class_index[class_name], parent, spawned)
        arrived = times[times < self.model.horizon]
        kind.arrivals += int(np.count_nonzero(arrived >= self.model.warmup))
        add_counts(kind.arrival_series, arrived, self.bin_width)
        return ids

    def _send(self, unit: Unit, node: Any, ids: np.ndarray, times: np.ndarray,
              keys: np.ndarray) -> None:
        if ids.size:
            self.inbox[unit].append((node, ids, times, keys))

    def _gather(self, flows: list[Flow], *, ordered: bool = True,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """See :func:`~portsim.engine.fast_entities.gather`."""
        return gather(flows, self.entities, self.model.horizon, ordered)

    # ------------------------------------------------------------------ route steps

    def _step(self, node: Any, flows: list[Flow]) -> None:
        ids, times, keys, _ = self._gather(flows)
        if not ids.size:
            return
        class_name = self.owner[id(node)]
        node_type = type(node)
        if node_type is BranchNode:
            chosen = np.searchsorted(np.asarray(node.cumulative), node.uniforms.take(ids.size),
                                     side="right")
            for index, target in enumerate(node.targets):
                picked = chosen == index
                picked_ids = ids[picked]
                self._send(self.unit(target, class_name), target, picked_ids, times[picked],
                           picked_ids if keys is ids else keys[picked])
        elif node_type is DelayNode:
            # the delay's end is the entity's own event; one of no time ends in the turn it
            # began in, before any later turn of that instant (a key is never an earlier
            # turn than its entity's own)
            durations = node.stream.take(ids.size)
            self._send(self.unit(node.next, class_name), node.next, ids, times + durations,
                       ids if keys is ids else np.where(durations == 0.0, keys, ids))
        elif node_type is MilestoneNode:
            measured = times >= self.model.warmup
            node.tally.add_many(times[measured] - self.entities.arrived[ids[measured]])
            self._send(self.unit(node.next, class_name), node.next, ids, times, keys)
        else:
            self._spawn(node, class_name, ids, times, keys)

    def _spawn(self, node: SpawnNode, class_name: str, ids: np.ndarray,
               times: np.ndarray, keys: np.ndarray) -> None:
        # NOTE: every batch at once, as arrays, for performance reasons (a family of three is
        # a batch too): the same draws in the same order as one batch at a time -- the count
        # stream's, then each batch's spread offsets one after the other, each batch's sorted
        drawn = np.maximum(np.rint(node.count.take(ids.size)), 0.0)  # round() as Python does
        if self.max_entities is not None:  # in floats: a wild draw cannot wrap round
            over = np.flatnonzero(self.entities.size + np.cumsum(drawn) > self.max_entities)
            if over.size:
                raise EntityLimitExceeded(
                    f"more than {self.max_entities:,} entities would arrive in one replication "
                    f"(a batch of {int(drawn[over[0]]):,} {node.kind.name})")
        counts = drawn.astype(np.int64)
        at = np.repeat(times, counts)
        born = at
        if node.spread > 0:
            born = at + sorted_batches(
                node.uniforms_rng.uniform(0.0, node.spread, int(counts.sum())), counts)
        parents = np.repeat(ids, counts) if node.wait else np.full(at.size, -1, dtype=np.int64)
        spawned = node.kind.name
        new = self._create(born, spawned, parents, (at, np.repeat(keys, counts)))
        self._send(self.unit(node.kind.first_node, spawned), node.kind.first_node, new, born, new)
        target = self.after_spawns(node, class_name)
        self._send(target, node.next, ids, times, keys)

    def _join(self, last: SpawnNode, flows: list[Flow]) -> None:
        """Parked spawners go on when the last member of their batches leaves, in its turn."""
        ids, times, keys, _ = self._gather(flows, ordered=False)
        if not ids.size:
            return
        entities = self.entities
        assert entities.parent is not None and entities.left_by is not None  # a plan's joins
        size = entities.size
        waited = entities.parent[:size]
        members = np.flatnonzero(waited >= 0)
        release = np.full(size, -math.inf)
        np.maximum.at(release, waited[members], entities.departed[members])
        goes_on = np.maximum(times, release[ids])
        # the last member to leave: at the release, the one whose turn came last then
        last_out = members[entities.departed[members] == release[waited[members]]]
        last_out = last_out[entities.departed[last_out] < math.inf]
        if last_out.size:
            last_key = entities.left_by[last_out]
            order = np.lexsort((entities.turns(last_key), waited[last_out]))
            parents = waited[last_out][order]
            final = np.concatenate((parents[1:] != parents[:-1], [True]))
            released_by = np.full(size, -1, dtype=np.int64)
            released_by[parents[final]] = last_key[order][final]
            by = released_by[ids]
            keys = np.where(by >= 0, by, keys)
        class_name = self.owner[id(last)]
        self._send(self.unit(last.next, class_name), last.next, ids, goes_on, keys)

    # ------------------------------------------------------------------ stations

    def _station(self, station: FastStation, flows: list[Flow]) -> None:
        ids, arrivals, keys, source = self._gather(flows)
        kinds = self.entities.kind[positions(ids)]
        if station.reliability is not None:
            unreliable_station(self, station, flows, ids, arrivals, keys, source, kinds)
            return
        if station.name in self.booked or station.spec.booking_servers:
            booked_station(self, station, flows, ids, arrivals, keys, source, kinds)
            return
        if station.trying is not None:  # skilled pools, retrials
            pooled_station(self, station, flows, ids, arrivals, keys, source, kinds)
            return
        if station.giving_up is not None or station.spec.reactive is not None:
            self._impatient_station(station, flows, ids, arrivals, keys, source, kinds)
            return
        if station.spec.discipline != "fifo":
            # who goes first at an instant settles who a freed server takes: every customer's
            # own turn and the turn it moves in, ranked in one order
            turns = self.entities.turns(np.concatenate((ids, keys)))
            services, starts, order = priority_station_starts(
                station, kinds, self.priority_of[kinds], arrivals, turns[:ids.size],
                turns[ids.size:], self.model.horizon)
            self._served(station, flows, ids[order], arrivals[order], source[order],
                         services[order], starts, ordered=False)
            return
        arrivals, services, starts = station_starts(station, kinds, arrivals,
                                                    self.model.horizon)
        self._served(station, flows, ids, arrivals, source, services, starts)

    def _impatient_station(self, station: FastStation, flows: list[Flow], ids: np.ndarray,
                           arrivals: np.ndarray, keys: np.ndarray, source: np.ndarray,
                           kinds: np.ndarray) -> None:
        """A station where some customers may give up, or whose servers react to its queue,
        swept over its events (:mod:`~portsim.engine.fast_impatience`,
        :mod:`~portsim.engine.fast_reactive`): those who left without service leave the
        system, the others go on as from any station."""
        spec = station.spec
        reacting = None if spec.reactive is None else Reacting(
            server_clock(spec, self.model.horizon), reaction(spec))
        count = ids.size
        turns = self.entities.turns(np.concatenate((ids, keys)))
        priorities = (self.priority_of[kinds] if station.spec.discipline != "fifo"
                      else np.zeros(count, dtype=np.int64))
        swept = impatient_starts(
            station.spec.servers.servers_at(0.0), station.change_times, station.change_servers,
            self.model.horizon, station.services, station.giving_up or {}, arrivals,
            priorities, turns[:count], turns[count:], kinds, reacting,
            None if self.deadlines is None else self.deadlines.of(self.entities, ids, kinds))
        started, gone, left, reneged = swept.started, swept.gone, swept.left, swept.reneged
        if swept.server_changes is not None:
            station.servers_changed(swept.server_changes)
        waiting = np.ones(count, dtype=bool)
        waiting[started] = False
        waiting[gone] = False
        order = np.concatenate((started, np.flatnonzero(waiting)))
        if station.giving_up is not None:
            station.record_giving_up(self.model, arrivals, arrivals[gone], left, reneged)
            leave_unserved(self.entities, list(self.classes.values()), self.model.warmup,
                           ids[gone], keys[gone], arrivals[gone], left, reneged)
            self.kept_gone.append((station.name, ids[gone], arrivals[gone], left, reneged))
        self._served(station, flows, ids[order], arrivals[order], source[order],
                     swept.services[order], swept.starts, ordered=False)

    def _group(self, members: tuple[str, ...], flows: list[Flow]) -> None:
        """Stations joined by a shortest-queue choice, evaluated together (see
        :func:`~portsim.engine.fast_choices.start_group`)."""
        ids, arrivals, keys, source = self._gather(flows)
        stations = [self.stations[name] for name in members]
        kinds = self.entities.kind[positions(ids)]
        nodes = [flow[0] for flow in flows]
        turns = Turns(self.entities, ids, keys)
        if has_wait_choice(nodes):
            joined, arrivals = quickest_group(stations, nodes, arrivals, source, kinds,
                                              self.model.horizon, turns)
            for station, (at, _, _) in zip(stations, joined, strict=True):
                record_milestones(station, nodes, source[at], arrivals[at],
                                  self.entities.arrived[ids[at]], self.model.warmup)
        else:
            joined = start_group(stations, nodes, arrivals, source, kinds, self.model.horizon,
                                 turns, self.priority_of[kinds])
        for station, (at, services, starts) in zip(stations, joined, strict=True):
            self._served(station, flows, ids[at], arrivals[at], source[at], services, starts,
                         ordered=station.spec.discipline == "fifo")

    def _served(self, station: FastStation, flows: list[Flow], ids: np.ndarray,
                arrivals: np.ndarray, source: np.ndarray, services: np.ndarray,
                starts: np.ndarray, ordered: bool = True,
                occupied: Occupied | None = None) -> None:
        """A station's statistics and hand-offs, once the starts of the customers that reached
        it (``ids``, from ``flows[source]``) are known: the first ``starts.size`` of them
        started, in that order, the rest were still queueing at the horizon (but those
        ``occupied`` says never queue). ``ordered``: they are in the order they arrived too
        (first come, first served)."""
        entities = self.entities
        self.visits += ids.size
        served = starts.size
        ends = starts + services[:served]
        waits = starts - arrivals[:served]
        served_ids = ids[:served]
        if station.name in self.monitored:
            fast_readings(self.model, entities.kind[positions(ids)], list(self.classes.values()),
                          arrivals, starts, entities.wait[positions(served_ids)].copy(), waits)
        entities.wait[positions(served_ids)] += waits
        if entities.counted is not None and station.name in (self.model.slot_stations or ()):
            entities.add_counted(positions(served_ids), waits)
        finished = ends < self.model.horizon
        station.record(self.model, arrivals, starts, ends, waits, finished, ordered, occupied)
        if arrivals.size > served:
            queued = slice(None) if occupied is None else ~occupied.unqueued[served:]
            self._still_queueing(station, ids[served:][queued], arrivals[served:][queued])
        if self.kept is not None:
            self.kept.append((station.name, ids, arrivals, starts, ends))
        # on to each visit's next step
        source = source[:served]
        everyone = len(flows) == 1 and bool(finished.all())
        for index, flow in enumerate(flows):
            node = flow[0]
            owner = self.owner[id(node)]
            # a service's end is its customer's own event
            if everyone:  # NOTE: no mask to apply, for performance reasons
                self._send(self.unit(node.next, owner), node.next, served_ids, ends, served_ids)
                continue
            done = finished & (source == index) if len(flows) > 1 else finished
            done_ids = served_ids[done]
            self._send(self.unit(node.next, owner), node.next, done_ids, ends[done], done_ids)

    def _still_queueing(self, station: FastStation, ids: np.ndarray,
                        queued: np.ndarray) -> None:
        """Customers ``ids``, who joined ``station``'s queue at ``queued``, wait there still at
        the horizon."""
        entities = self.entities
        names = list(self.classes)
        for entity, joined in zip(ids.tolist(), queued.tolist(), strict=True):
            station.queue.waiting.append(Waiter(
                self.classes[names[int(entities.kind[entity])]],
                float(entities.arrived[entity]), float(entities.wait[entity]), joined,
                math.nan if entities.counted is None else float(entities.counted[entity])))

    # ------------------------------------------------------------------ departures

    def _depart(self, class_name: str, flows: list[Flow]) -> None:
        ids, times, keys, _ = self._gather(flows, ordered=False)
        if not ids.size:
            return
        if self.entities.left_by is not None:  # who waits for a batch goes on in the turn
            self.entities.left_by[positions(ids)] = keys  # of its last member out
        record_departures(self.classes[class_name], self.entities, ids, times,
                          self.model.warmup, self.bin_width,
                          (self.system_waits, self.system_sojourns) if self.system_tallies
                          else None, self.model.counts_some_stations(class_name))


