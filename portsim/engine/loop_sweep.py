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

A loop with other mechanisms (customers who give up or try again, server pools, bookings,
breakdowns, reactive staffing, shortest-queue choices, a spawner waiting for its batch, a
monitor reading a loop station) or where an entity may visit one of its stations twice is
declined (:func:`loop_unsupported`).
"""

from __future__ import annotations

import itertools
import math
from array import array
from bisect import bisect_right
from heapq import heappop, heappush
from typing import Any

import numpy as np

from portsim.engine.fast_entities import CLOCK_KEY, add_counts
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

#: The turn of the model's own clock: before every entity's at an instant.
_CLOCK_TURN = (-math.inf, -math.inf)
_CHANGE, _END, _MOVE = 0, 1, 2


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


class _LoopStation:
    """A station of the loop as the event engine's station runs it: servers on duty, busy,
    the waiting heap, and every visit (who, when it came, by which step, its service, when
    it started)."""

    __slots__ = ("station", "by_priority", "on_duty", "busy", "waiting", "joined", "ids",
                 "arrivals", "services", "nodes", "started", "starts")

    def __init__(self, station: Any) -> None:
        self.station = station
        self.by_priority = station.spec.discipline != "fifo"
        self.on_duty = station.spec.servers.servers_at(0.0)
        self.busy = 0
        self.waiting: list[tuple[int, int, int]] = []  # (priority, joined, visit)
        self.joined = 0
        self.ids = array("q")
        self.arrivals = array("d")
        self.services = array("d")
        self.nodes: list[Any] = []
        self.started = array("q")  # the visits that started, in the order they did
        self.starts = array("d")


class _LoopSweep:
    """The events of one loop, played in the event engine's order (see the module)."""

    def __init__(self, state: Any, loop: Unit) -> None:
        self.state = state
        self.loop = loop
        self.names = list(state.classes)
        self.horizon = state.model.horizon
        self.warmup = state.model.warmup
        self.places = {name: _LoopStation(state.stations[name]) for kind, name in loop[1]
                      if kind == "station"}
        # (time, turn, after, number, action, what, a, b): ``after`` puts a service ending
        # before a move in the same turn; ``number`` keeps the order of scheduling
        self.events: list[tuple[Any, ...]] = []
        self.scheduled = itertools.count()
        self.turns: dict[int, tuple[Any, ...]] = {}
        self.inside: dict[int, bool] = {}  # id(node) -> whether the loop holds it
        self.kinds: dict[int, int] = {}
        #: The members spawned in the sweep, in the order of their ids from first_member on:
        #: (when they arrive, class, when spawned, in whose turn)
        self.members: list[tuple[float, int, float, int]] = []
        self.first_member = state.entities.size
        self.leaving: dict[tuple[int, str], tuple[Any, list[int], list[float], list[int]]] = {}
        for place in self.places.values():
            for when, servers in place.station.changes:
                if when < self.horizon:
                    heappush(self.events, (when, _CLOCK_TURN, 0, next(self.scheduled),
                                           _CHANGE, place, servers, 0))

    def turn(self, key: int) -> tuple[Any, ...]:
        """The turn of ``key``, comparable with any other: the entity's place in the order of
        entry (``Entities.entry_order`` as a tuple), the model's own turn for a clock key."""
        turn = self.turns.get(key)
        if turn is None:
            turn = self.turns[key] = self._entry(key)
        return turn

    def _entry(self, key: int) -> tuple[Any, ...]:
        if key < CLOCK_KEY:
            return (-math.inf, key)
        entities = self.state.entities
        entered = float((entities.arrived if entities.entered is None
                         else entities.entered)[key])
        spawner = -1 if entities.spawned_by is None else int(entities.spawned_by[key])
        if spawner < 0:
            return (entered, 0, int(entities.kind[key]), 0.0, (), key)
        return (entered, 1, 0, float(entities.spawned_at[key]), self.turn(spawner), key)

    def kind(self, entity: int) -> int:
        """The class (index) of ``entity``. NOTE: kept in a dict as Python ints once read, not
        read from the numpy column at every step, for performance reasons."""
        kind = self.kinds.get(entity)
        if kind is None:
            kind = self.kinds[entity] = int(self.state.entities.kind[entity])
        return kind

    def move(self, at: float, entity: int, node: Any, key: int) -> None:
        """``entity`` reaches ``node`` at ``at`` in the turn of ``key``."""
        heappush(self.events, (at, self.turn(key), 1, next(self.scheduled), _MOVE, node,
                               entity, key))

    def run(self) -> None:
        events, horizon = self.events, self.horizon
        while events and events[0][0] < horizon:
            at, _, _, _, action, what, first, second = heappop(events)
            if action == _CHANGE:
                self._change(what, at, first)
            elif action == _END:
                self._end(what, at, first)
            else:
                self._go(what, first, at, second)

    def _change(self, place: _LoopStation, at: float, servers: int) -> None:
        # a cut never interrupts a service; more servers take the heads of the queue at once
        place.on_duty = servers
        while place.busy < servers and place.waiting:
            place.busy += 1
            self._start(place, heappop(place.waiting)[2], at)

    def _end(self, place: _LoopStation, at: float, visit: int) -> None:
        if place.waiting and place.busy <= place.on_duty:  # the freed server takes the head
            self._start(place, heappop(place.waiting)[2], at)
        else:
            place.busy -= 1
        entity = place.ids[visit]
        self._go(place.nodes[visit].next, entity, at, entity)

    def _start(self, place: _LoopStation, visit: int, at: float) -> None:
        entity = place.ids[visit]
        service = place.station.services[self.kind(entity)].draw()
        place.services[visit] = service
        place.started.append(visit)
        place.starts.append(at)
        if at + service < self.horizon:
            heappush(self.events, (at + service, self.turn(entity), 0, next(self.scheduled),
                                   _END, place, visit, entity))

    def _arrive(self, place: _LoopStation, node: Any, entity: int, at: float) -> None:
        visit = len(place.ids)
        place.ids.append(entity)
        place.arrivals.append(at)
        place.services.append(math.nan)
        place.nodes.append(node)
        if place.busy < place.on_duty:
            place.busy += 1
            self._start(place, visit, at)
            return
        place.joined += 1
        priority = int(self.state.priority_of[self.kind(entity)]) if place.by_priority else 0
        heappush(place.waiting, (priority, place.joined, visit))

    def _go(self, node: Any, entity: int, at: float, key: int) -> None:
        """``entity`` takes its steps from ``node`` on at ``at`` in the turn of ``key``: those
        of no time at once, until it reaches a station, a delay or a unit after the loop."""
        state = self.state
        name = self.names[self.kind(entity)]
        inside = self.inside
        while True:
            held = inside.get(id(node)) if node is not None else False
            if held is None:
                held = inside[id(node)] = state.unit(node, name) == self.loop
            if not held:
                self._leave(node, name, entity, at, key)
                return
            kind = type(node)
            if kind is BranchNode:
                node = node.targets[bisect_right(node.cumulative, node.uniforms.draw())]
            elif kind is MilestoneNode:
                if at >= self.warmup:
                    node.tally.add(at - self._arrived(entity))
                    node.tally.maybe_flush()
                node = node.next
            elif kind is DelayNode:
                duration = node.stream.draw()
                if duration != 0.0:  # its end is the entity's own event
                    self.move(at + duration, entity, node.next, entity)
                    return
                node = node.next
            elif kind is SpawnNode:
                self._spawn(node, at, key)
                node = node.next
            else:
                self._arrive(self.places[node.station.name], node, entity, at)
                return

    def _spawn(self, node: SpawnNode, at: float, key: int) -> None:
        count = max(0, round(node.count.draw()))
        if node.spread > 0:
            born = (at + np.sort(node.uniforms_rng.uniform(0.0, node.spread, count))).tolist()
        else:
            born = [at] * count
        first = self.first_member + len(self.members)
        limit = self.state.max_entities
        if limit is not None and first + count > limit:
            raise EntityLimitExceeded(
                f"more than {limit:,} entities would arrive in one replication (a batch of "
                f"{count:,} {node.kind.name})")
        kind = self.state.class_index[node.kind.name]
        spawner = self.turn(key)
        for member, when in enumerate(born, start=first):
            # NOTE: the members are numbered now and written to the entity columns once the
            # sweep is done (finish), a run of a class at a time, for performance reasons; what
            # the sweep reads of them (class, turn, arrival) is kept here meanwhile
            self.members.append((when, kind, at, key))
            self.kinds[member] = kind
            # as Entities.entry_order: a batch spawned in the model's own turn enters as an
            # arrival of its class
            self.turns[member] = ((when, 1, 0, at, spawner, member) if key >= CLOCK_KEY
                                  else (when, 0, kind, 0.0, (), member))
            self.move(when, member, node.kind.first_node, member)

    def _arrived(self, entity: int) -> float:
        if entity >= self.first_member:
            return self.members[entity - self.first_member][0]
        return float(self.state.entities.arrived[entity])

    def _add_members(self) -> None:
        """The members spawned in the sweep written to the entity columns (with the ids they
        were given), and counted among their classes' arrivals."""
        state = self.state
        entities = state.entities
        names = self.names
        for kind, run in itertools.groupby(self.members, key=lambda member: member[1]):
            born, at, keys = zip(*((when, spawned, key) for when, _, spawned, key in run),
                                 strict=True)
            arrived = np.asarray(born, dtype=float)
            entities.add(arrived, kind, None, (np.asarray(at, dtype=float),
                                               np.asarray(keys, dtype=np.int64)))
            arrived = arrived[arrived < self.horizon]
            state.classes[names[kind]].arrivals += int(np.count_nonzero(arrived >= self.warmup))
            add_counts(state.classes[names[kind]].arrival_series, arrived, state.bin_width)
        assert entities.size == self.first_member + len(self.members)

    def _leave(self, node: Any, name: str, entity: int, at: float, key: int) -> None:
        leaving = self.leaving.get((id(node), name))
        if leaving is None:
            leaving = self.leaving[(id(node), name)] = (node, [], [], [])
        _, ids, times, keys = leaving
        ids.append(entity)
        times.append(at)
        keys.append(key)

    def finish(self) -> None:
        """Count the members spawned, send those who left the loop on, and file each
        station's statistics."""
        state = self.state
        self._add_members()
        for (_, name), (node, gone, times, keys) in self.leaving.items():
            state._send(state.unit(node, name), node, np.asarray(gone, dtype=np.int64),
                        np.asarray(times, dtype=float), np.asarray(keys, dtype=np.int64))
        queueing = []
        for place in self.places.values():
            count = len(place.ids)
            started = np.array(place.started, dtype=np.int64)
            waiting = np.ones(count, dtype=bool)
            waiting[started] = False
            order = np.concatenate((started, np.flatnonzero(waiting)))
            ids = np.array(place.ids, dtype=np.int64)[order]
            arrivals = np.array(place.arrivals, dtype=float)[order]
            queueing.append((place.station, len(place.station.queue.waiting), ids[started.size:],
                             arrivals[started.size:]))
            state._served(place.station, [], ids, arrivals, np.zeros(count, dtype=np.int64),
                          np.array(place.services)[order], np.array(place.starts, dtype=float),
                          ordered=not place.by_priority)
        # those still queueing at the horizon filed again once every station of the loop has
        # added its waits: they may have waited at one filed after theirs
        for station, before, ids, queued in queueing:
            del station.queue.waiting[before:]
            state._still_queueing(station, ids, queued)


def sweep_loop(state: Any, loop: Unit, flows: list[Any]) -> None:
    """Evaluate the loop ``loop`` of ``state`` (a ``FastReplication``) on the entities that
    reached it from the units before it (``flows``)."""
    ids, times, keys, source = state._gather(flows)
    sweep = _LoopSweep(state, loop)
    for entity, at, key, through in zip(ids.tolist(), times.tolist(), keys.tolist(),
                                        source.tolist(), strict=True):
        sweep.move(at, entity, flows[through][0], key)
    sweep.run()
    sweep.finish()
