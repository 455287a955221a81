"""A loop of stations on the fast path, swept as one unit in time order.

Where a station's arrivals depend on the queue of a station its own outputs feed (a strongly
connected component of the plan's unit graph: say customers leave station A for station B,
which spawns a batch that goes back to A), no order of the stations
works; but nobody reaches a station before leaving the one before it, so the loop's stations
and the route steps between them are played together, event by event, as the event engine
plays them: a heap of events keyed by (time, turn), where the turn is the one rule of
simultaneous events (docs/design.md): the model's own clock first (shift changes), then moves
and services ending by the entry order of the entity whose turn it is, a service ending before
a move made in the same turn. Each event does what the event engine does on it: a station
starts the head of its waiting heap (class priority at a station that serves by priority, then
the order of joining) on a server freed or added, draws the service of the customer starting
from its class's stream, and sends it on when the service ends; a customer goes through the
zero-time steps (branches, milestones, spawns, delays of no time) in its own turn at once,
drawing each step's stream as it reaches it; a spawned member moves in its own turn, after
everyone already at that instant. So every stream is drawn in the event engine's order (a
stream serves one purpose for one class at one step, and entities reach it in that order)
and every start is the event engine's. Those leaving the loop are sent on to the later units;
the stations' statistics are filed as any station's (``FastReplication._served``).

The events are played by :func:`~portsim.engine.kernels_loop.loop_events` (compiled where the
extension was built) over arrays prepared here (:class:`_Tables`): a row for each route step
an entity of a class reaches in the loop, the branches' weights, the stations and their shift
changes, and every stream the loop draws from drawn ahead, handed out by index. Each stream
has its own generator and serves the loop alone, so drawing more than the loop takes changes
no number anyone gets; where one runs short, as many again are drawn and the loop is played
again from the start.

A loop with other mechanisms (customers who give up or try again, server pools, bookings,
breakdowns, reactive staffing, shortest-queue choices, a spawner waiting for its batch, a
monitor reading a loop station) or where an entity may visit one of its stations twice is
declined (:func:`loop_unsupported`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from portsim.engine.fast_entities import add_counts
from portsim.engine.kernels_loop import (
    BRANCH,
    DELAY,
    LEAVE,
    MILESTONE,
    OUTPUTS,
    SPAWN,
    VISIT,
    loop_events,
)
from portsim.engine.routes import (
    BranchNode,
    ChoiceNode,
    DelayNode,
    FallbackVisitNode,
    MilestoneNode,
    SpawnNode,
    VisitNode,
)
from portsim.engine.setup import EntityLimitExceeded

__all__ = ["loop_unsupported", "sweep_loop"]

Unit = tuple[str, Any]


def loop_unsupported(plan: Any, members: list[Unit]) -> str | None:
    """Why the loop of units ``members`` of ``plan`` cannot be swept as one unit, or None."""
    model = plan.model
    read = set(model.read_stations()) if model.monitor_every is not None else set()
    stations = set()
    for kind, what in members:
        if kind == "group":
            return ("the loop's sweep does not cover the shortest-queue choice among "
                    + "/".join(repr(name) for name in what))
        if kind == "join":
            return "the loop's sweep does not cover a spawner waiting for its batch"
        if kind == "station":
            reason = _station_uncovered(plan, what, read)
            if reason is not None:
                return f"the loop's sweep does not cover station {what!r}, which {reason}"
            stations.add(what)
        elif kind == "step" and (type(what) not in (BranchNode, DelayNode, MilestoneNode,
                                                    SpawnNode) or getattr(what, "wait", False)):
            return f"the loop's sweep does not cover a {type(what).__name__} in it"
    for name, kind in plan.classes.items():
        again = _visits_again(kind.first_node, stations, frozenset(), {})
        if again is not None:
            return (f"class {name!r} may visit station {again!r} twice, which the loop's "
                    "sweep does not cover")
    return None


def _station_uncovered(plan: Any, name: str, read: set[str]) -> str | None:
    station = plan.stations[name]
    spec = station.spec
    if station.reliability is not None:
        return "can be out of order"
    if station.trying is not None or spec.pools:
        return "serves by skill or has customers who try again"
    if name in plan.booked or spec.booking_servers:
        return "takes bookings ahead of arrival"
    if spec.impatient or station.giving_up is not None:
        return "has customers who may give up"
    if spec.reactive is not None:
        return "reacts to its queue"
    if name in read:
        return "a monitor reads"
    return None


def _visits_again(node: Any, stations: set[str], seen: frozenset[str],
                  done: dict[tuple[int, frozenset[str]], str | None]) -> str | None:
    """A station of ``stations`` that a route from ``node`` may visit a second time (having
    visited ``seen``), or None."""
    while node is not None:
        memo = (id(node), seen)
        if memo in done:
            return done[memo]
        done[memo] = None
        if type(node) is BranchNode:
            for target in node.targets:
                found = _visits_again(target, stations, seen, done)
                if found is not None:
                    return found
            return None
        if type(node) is FallbackVisitNode:
            found = _visits_again(node.fallback, stations, seen, done)
            if found is not None:
                return found
        visited = ([station.name for station in node.stations] if type(node) is ChoiceNode
                   else [node.station.name] if isinstance(node, VisitNode) else [])
        for name in visited:
            if name in stations:
                if name in seen:
                    return name
                seen = seen | {name}
        node = node.next
    return None


class _Tables:
    """The arrays :func:`~portsim.engine.kernels_loop.loop_events` takes for the loop ``loop``
    of ``state``: a row for each (route node, class) the loop's entities reach, the branch
    table, the streams drawn ahead, the stations and their shift changes."""

    def __init__(self, state: Any, loop: Unit) -> None:
        self.state, self.loop = state, loop
        self.rows: list[list[int]] = []
        self.nodes: list[tuple[Any, str]] = []  # (node, class name) of each row
        self.index: dict[tuple[int, str], int] = {}
        self.pending: list[int] = []
        self.cumulative: list[float] = []
        self.targets: list[int] = []
        #: Each stream's draws so far, and how to draw more of it.
        self.drawn: list[np.ndarray] = []
        self.sources: list[Callable[[int], np.ndarray]] = []
        self.stream_of: dict[int, int] = {}
        self.tallies: list[Any] = []
        self.tally_of: dict[int, int] = {}
        self.stations = [state.stations[name] for kind, name in loop[1] if kind == "station"]
        self.places = {station.name: place for place, station in enumerate(self.stations)}
        self.first_draws = 64

    def step(self, node: Any, name: str) -> int:
        """The row of ``node`` reached by an entity of class ``name`` (filled by :meth:`fill`)."""
        found = self.index.get((id(node), name))
        if found is None:
            found = self.index[(id(node), name)] = len(self.rows)
            self.rows.append([LEAVE, -1, -1, -1, -1, -1])
            self.nodes.append((node, name))
            self.pending.append(found)
        return found

    def fill(self) -> None:
        """Fill the rows not filled yet, and those of every step they lead to."""
        while self.pending:
            row = self.pending.pop()
            node, name = self.nodes[row]
            if node is not None and self.state.unit(node, name) == self.loop:
                self.rows[row] = self._row(node, name)

    def _row(self, node: Any, name: str) -> list[int]:
        kind = type(node)
        if kind is BranchNode:
            first = len(self.cumulative)
            self.cumulative.extend(node.cumulative)
            self.targets.extend(self.step(target, name) for target in node.targets)
            return [BRANCH, -1, self._stream(node.uniforms), first, len(node.targets), -1]
        after = self.step(node.next, name)
        if kind is MilestoneNode:
            tally = self.tally_of.setdefault(id(node.tally), len(self.tallies))
            if tally == len(self.tallies):
                self.tallies.append(node.tally)
            return [MILESTONE, after, tally, -1, -1, -1]
        if kind is DelayNode:
            return [DELAY, after, self._stream(node.stream), -1, -1, -1]
        if kind is SpawnNode:
            spread = -1 if not node.spread > 0 else self._stream(node.uniforms_rng, node.spread)
            return [SPAWN, after, self._stream(node.count), spread,
                    self.step(node.kind.first_node, node.kind.name),
                    self.state.class_index[node.kind.name]]
        station = node.station
        kind_index = self.state.class_index[name]
        priority = (int(self.state.priority_of[kind_index])
                    if station.spec.discipline != "fifo" else 0)
        return [VISIT, after, self.places[station.name],
                self._stream(station.services[kind_index]), priority, -1]

    def _stream(self, source: Any, spread: float = 0.0) -> int:
        """The stream drawing from ``source`` (a stream's ``take``, or a spawn's generator of
        offsets within ``spread``)."""
        found = self.stream_of.get(id(source))
        if found is None:
            found = self.stream_of[id(source)] = len(self.sources)
            self.sources.append(source.take if not spread > 0 else
                                lambda count: source.uniform(0.0, spread, count))
            self.drawn.append(self.sources[found](self.first_draws))
        return found

    def draw_more(self, stream: int) -> None:
        """As many draws again of ``stream`` (which ran short): the same numbers follow."""
        drawn = self.drawn[stream]
        self.drawn[stream] = np.concatenate((drawn, self.sources[stream](max(drawn.size, 1))))

    def arrays(self) -> tuple[Any, ...]:
        """Steps, branches, streams and places as :func:`loop_events` takes them."""
        sizes = [0] + [drawn.size for drawn in self.drawn]
        horizon = self.state.model.horizon
        changes = [(place, when, servers) for place, station in enumerate(self.stations)
                   for when, servers in station.changes if when < horizon]
        place, when, servers = (list(part) for part in zip(*changes, strict=True)) \
            if changes else ([], [], [])
        return (np.array(self.rows, dtype=np.int64).reshape(-1, 6),
                (np.array(self.cumulative, dtype=float),
                 np.array(self.targets, dtype=np.int64)),
                (np.concatenate([np.empty(0), *self.drawn]),
                 np.cumsum(sizes, dtype=np.int64)),
                (np.array([station.spec.servers.servers_at(0.0) for station in self.stations],
                          dtype=np.int64),
                 np.array(place, dtype=np.int64), np.array(when, dtype=float),
                 np.array(servers, dtype=np.int64)))


def _first_draws(entering: int) -> int:
    """How many draws of each stream to draw at first for a loop ``entering`` entities reach:
    enough for one each and some spawned (one that runs short draws as many again)."""
    return entering + 64


def _turns(entities: Any) -> tuple[np.ndarray, ...]:
    """The entity columns the loop reads turns and milestones from (see loop_events)."""
    size = entities.size
    entered = entities.arrived if entities.entered is None else entities.entered
    none = np.empty(0, dtype=np.int64)
    return (entered[:size], none if entities.spawned_by is None else entities.spawned_by[:size],
            np.empty(0) if entities.spawned_at is None else entities.spawned_at[:size],
            entities.kind[:size].astype(np.int64), entities.arrived[:size])


def sweep_loop(state: Any, loop: Unit, flows: list[Any]) -> None:
    """Evaluate the loop ``loop`` of ``state`` (a ``FastReplication``) on the entities that
    reached it from the units before it (``flows``)."""
    ids, times, keys, source = state._gather(flows)
    tables = _Tables(state, loop)
    names = list(state.classes)
    # the step each entity reaches first: its flow's node, for its class
    pairs, first = np.unique(source.astype(np.int64) * len(names)
                             + state.entities.kind[ids].astype(np.int64), return_inverse=True)
    steps = np.array([tables.step(flows[pair // len(names)][0], names[pair % len(names)])
                      for pair in pairs.tolist()], dtype=np.int64)[first.reshape(-1)]
    tables.first_draws = _first_draws(ids.size)
    tables.fill()
    turns = _turns(state.entities)
    limit = -1 if state.max_entities is None else state.max_entities
    while True:
        steps_table, branches, streams, places = tables.arrays()
        status, detail, extra, out = loop_events(
            steps_table, branches, streams, turns, places,
            (ids.astype(np.int64, copy=False), times.astype(float, copy=False),
             keys.astype(np.int64, copy=False), steps),
            state.model.horizon, state.model.warmup, limit)
        if status != 1:
            break
        tables.draw_more(detail)
    if status == 2:
        raise EntityLimitExceeded(
            f"more than {limit:,} entities would arrive in one replication (a batch of "
            f"{extra:,} {tables.nodes[detail][0].kind.name})")
    assert out is not None
    _finish(state, tables, {name: np.frombuffer(array, dtype="int64" if code == "q" else float)
                            for (name, code), array in zip(OUTPUTS, out, strict=True)})


def _finish(state: Any, tables: _Tables, out: dict[str, np.ndarray]) -> None:
    """File the milestones, count the members spawned, send those who left the loop on, and
    file each station's statistics."""
    for tally, value in zip(out["tally"].tolist(), out["tally_value"].tolist(), strict=True):
        milestone = tables.tallies[tally]
        milestone.add(value)
        milestone.maybe_flush()
    _add_members(state, out)
    steps = out["leave_step"]
    distinct, first = np.unique(steps, return_index=True)
    for step in distinct[np.argsort(first)].tolist():
        node, name = tables.nodes[step]
        leaving = steps == step
        state._send(state.unit(node, name), node, out["leave_entity"][leaving],
                    out["leave_time"][leaving], out["leave_key"][leaving])
    queueing = []
    station_of = out["visit_station"]
    started_at = station_of[out["start_visit"]]
    waiting = np.ones(station_of.size, dtype=bool)
    waiting[out["start_visit"]] = False
    for place, station in enumerate(tables.stations):
        started = out["start_visit"][started_at == place]
        order = np.concatenate((started, np.flatnonzero(waiting & (station_of == place))))
        ids, arrivals = out["visit_entity"][order], out["visit_time"][order]
        queueing.append((station, len(station.queue.waiting), ids[started.size:],
                         arrivals[started.size:]))
        state._served(station, [], ids, arrivals, np.zeros(order.size, dtype=np.int64),
                      out["visit_service"][order], out["start_time"][started_at == place],
                      ordered=station.spec.discipline == "fifo")
    # those still queueing at the horizon filed again once every station of the loop has
    # added its waits: they may have waited at one filed after theirs
    for station, before, ids, queued in queueing:
        del station.queue.waiting[before:]
        state._still_queueing(station, ids, queued)


def _add_members(state: Any, out: dict[str, np.ndarray]) -> None:
    """The members spawned in the loop written to the entity columns (with the ids they were
    given), and counted among their classes' arrivals, a run of one class at a time."""
    entities = state.entities
    first = entities.size
    names = list(state.classes)
    kinds = out["member_kind"]
    bounds = [0, *(np.flatnonzero(np.diff(kinds)) + 1).tolist(), kinds.size]
    for start, end in itertools.pairwise(bounds):
        if start == end:
            continue
        kind = int(kinds[start])
        arrived = out["member_when"][start:end]
        entities.add(arrived, kind, None, (out["member_at"][start:end],
                                           out["member_key"][start:end]))
        arrived = arrived[arrived < state.model.horizon]
        counted = state.classes[names[kind]]
        counted.arrivals += int(np.count_nonzero(arrived >= state.model.warmup))
        add_counts(counted.arrival_series, arrived, state.bin_width)
    assert entities.size == first + kinds.size
