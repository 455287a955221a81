"""Warm starts: a replication that begins from a :class:`StartState`, and the snapshot of a
running replication as one.

A warm-started model runs from the state's clock time to ``clock + horizon`` with its
statistics starting at the clock time (``warmup == clock``): shift schedules, rate profiles and
timetables read the true clock, arrivals before the clock are skipped. The state's customers
are in the system when the statistics start: they count in waits, sojourns, completions and
queue lengths (with the time they had waited before the clock), not in the arrivals.

Impatient customers placed from a state get their patience given that they have not given up
so far: a station's patience drawn conditioned on exceeding the time waited in its queue, a
visit's patience conditioned on exceeding the time since arrival (see ``state.residual``).

What a snapshot cannot write (it is said in ``not_recorded``): entities waiting for the members
of their batch (a state file that counts some is refused when read: the run would lose them),
and customers away after giving up who would come back to try again (``retrying``; a warm start
runs without them); it also leaves out bookings whose entity has not arrived.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from heapq import heappush
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine import model as m
from portsim.engine.breakdowns import Service
from portsim.engine.entity import BOOKED_HERE, Entity
from portsim.engine.impatience import ImpatientStation
from portsim.engine.kernel import scheduled_events
from portsim.engine.routes import BookedVisitNode, BranchNode, ChoiceNode, VisitNode
from portsim.engine.state import (
    Announced,
    InService,
    InTransit,
    StartState,
    StationState,
    Waiting,
    residual,
)
from portsim.engine.streams import generator

if TYPE_CHECKING:
    from portsim.engine.classes import ClassState
    from portsim.engine.running import RunningReplication
    from portsim.engine.station import Station


def warm_model(model: m.Model, state: StartState, horizon: float) -> m.Model:
    """``model`` run from ``state`` for ``horizon`` minutes after its clock time."""
    return replace(model, horizon=state.clock + horizon, warmup=state.clock, start=state)


def from_clock(times: Iterator[float], clock: float) -> Iterator[float]:
    """The arrival times at or after ``clock`` (those before it belong to the state)."""
    return itertools.dropwhile(lambda t: t < clock, times)


def announced_times(state: StartState, class_name: str, seed: int,
                    replication: int) -> list[float]:
    """The arrival times of ``class_name``'s announced batches, spreads drawn from their own
    stream (so the class's other streams are untouched)."""
    rng = generator(seed, replication, "announced", class_name)
    times: list[float] = []
    for batch in state.announced:
        if batch.class_name != class_name:
            continue
        if batch.spread > 0:
            times.extend((batch.at + rng.uniform(0.0, batch.spread, batch.count)).tolist())
        else:
            times.extend([batch.at] * batch.count)
    return sorted(t for t in times if t >= state.clock)


def place(rep: RunningReplication, state: StartState) -> None:
    """Put the state's customers in their stations at the clock time (``rep.env.now``), start
    the statistics there, then start those waiting where servers are free."""
    now = rep.env.now
    for station_state in state.stations:
        station = rep.stations[station_state.name]
        # Patience of the customers placed: drawn given the time they have not given up in.
        patience = generator(rep.seed, rep.replication, "start-patience", station.name)
        for waiting in sorted(station_state.waiting, key=lambda w: -w.waited):
            entity = _entity(rep, waiting.class_name, station, waiting.in_system,
                             waiting.waited + waiting.waited_before, patience)
            entity.wait = waiting.waited_before  # this queue's part is added at service start
            entity.queued = now - waiting.waited
            station.queue.push(entity)
            if isinstance(station, ImpatientStation):
                station.wait_on(entity, waiting.waited, patience)
        rng = generator(rep.seed, rep.replication, "start", station.name)
        for serving in station_state.in_service:
            entity = _entity(rep, serving.class_name, station, serving.in_system,
                             serving.waited + serving.elapsed, patience)
            entity.wait = serving.waited
            remaining = serving.remaining
            if remaining is None:
                service = rep.model.station(station.name).service_for(serving.class_name)
                remaining = residual(service, serving.elapsed, rng)
            station.resume(entity, remaining)
        station.capacity_level.set(now, max(station.servers, station.busy))
    patience = generator(rep.seed, rep.replication, "start-patience")
    for moving in state.in_transit:
        kind = rep.classes[moving.class_name]
        rep.next_id += 1
        entity = Entity(rep.next_id, kind, now - moving.in_system, kind.priority)
        _resume_visit(rep, entity, patience)
        entity.wait = moving.waited
        nodes = route_nodes(kind)
        entity.node = nodes[moving.step] if moving.step < len(nodes) else None  # None: leaves
        kind.arrivals += 1  # as for the customers placed above
        entity.callbacks = rep.after_delay_callbacks  # the rest of its delay
        heappush(rep.heap, (now + moving.remaining, entity.turn, next(rep.ids), entity))
    rep.end_warmup(None)
    for station in rep.stations.values():
        station.set_servers(station.base_servers)  # starts the waiting where servers are free


def _entity(rep: RunningReplication, class_name: str, station: Station, in_system: float | None,
            least: float, patience: np.random.Generator) -> Entity:
    kind = rep.classes[class_name]
    rep.next_id += 1
    now = rep.env.now
    entity = Entity(rep.next_id, kind, now - max(in_system or 0.0, least), kind.priority)
    entity.node = _after_visit(kind, station)
    kind.arrivals += 1  # counted in the system at the start (end_warmup resets the count)
    _resume_visit(rep, entity, patience)
    return entity


def _resume_visit(rep: RunningReplication, entity: Entity, patience: np.random.Generator) -> None:
    """The deadline of a placed member of a class with visit patience (none for others)."""
    clock = rep.visit_clocks.get(entity.kind.name)
    if clock is not None:
        clock.resume(entity, rep.env.now, patience)


def route_nodes(kind: ClassState) -> list[Any]:
    """The nodes of ``kind``'s compiled route, breadth first from its first node: the same
    list for the same model in every replication (a snapshot's step numbers index it)."""
    todo = [kind.first_node]
    found: list[Any] = []
    seen: set[int] = set()
    while todo:
        node = todo.pop(0)
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        found.append(node)
        if isinstance(node, BranchNode):
            todo.extend(node.targets)
        todo.append(node.next)
    return found


def _after_visit(kind: ClassState, station: Station) -> Any:
    """The route node after the first visit of ``kind``'s route to ``station``."""
    for node in route_nodes(kind):
        if isinstance(node, VisitNode | BookedVisitNode) and node.station is station:
            return node.next
        if isinstance(node, ChoiceNode) and station in node.stations:
            return node.next
    raise ValueError(f"class {kind.name!r} does not visit station {station.name!r}")


def inside(rep: RunningReplication) -> list[Entity]:
    """Every entity in the system now: queueing (or waiting for the server it booked), in
    service, on its way (a delay), waiting for the members of its batch to leave, away to try
    a queue again, or come early and waiting for its booking to be made."""
    found: dict[int, Entity] = {}
    for station in rep.stations.values():
        found.update((entity.id, entity) for entity in station.queue.entities())
        found.update((entity.id, entity) for entity in station.bookings
                     if entity.booking == BOOKED_HERE)
    found.update((entity.id, entity) for entity in rep.awaiting)
    now = rep.env.now
    for _, event in scheduled_events(rep.env):
        if isinstance(event, Entity):  # in service or in a delay
            found[event.id] = event
        elif isinstance(event, Service):  # in service at a station that can break down
            if event.callbacks:  # (an interrupted one is back in the queue)
                found[event.entity.id] = event.entity
        elif isinstance(event.value, Entity) and event.value.arrived < now:
            # a Wake about an entity that has arrived: away to try again, or waiting for its
            # booking; a patience timer's entity is in a queue (found above) or gone
            callback = event.callbacks[0] if event.callbacks else None
            if getattr(callback, "__func__", None) is not ImpatientStation._renege:
                found[event.value.id] = event.value
    return list(found.values())


def snapshot(rep: RunningReplication) -> StartState:
    """The state of ``rep`` now, as a warm start would read it (see the module's limits)."""
    now = rep.env.now
    # An entity on the heap is in service (its callbacks are a station's finish) or in a delay.
    finishing: dict[int, Station] = {}
    for station in rep.stations.values():
        finishing[id(station._on_finish)] = station
        finishing[id(station._on_finish_on_call)] = station
    serving: dict[str, list[InService]] = {name: [] for name in rep.stations}
    announced: list[Announced] = []
    in_transit: list[InTransit] = []
    retrying = 0
    # A delay's next node by its index in route_nodes; the route's end is one past the last.
    steps = {name: {id(node): index for index, node in enumerate([*route_nodes(kind), None])}
             for name, kind in rep.classes.items()}
    for when, event in scheduled_events(rep.env):
        callbacks = event.callbacks
        if isinstance(event, Entity):
            server = finishing.get(id(callbacks))
            if server is None:  # in a delay: it goes on at entity.node
                in_transit.append(InTransit(
                    event.kind.name, steps[event.kind.name][id(event.node)], when - now,
                    event.wait, now - event.arrived))
                continue
            serving[server.name].append(InService(
                event.kind.name, remaining=when - now, waited=event.wait,
                in_system=now - event.arrived))
        elif callbacks and callbacks[0] == rep.spawn_later:
            kind, _, _, count = event.value  # type: ignore[misc]
            announced.append(Announced(kind.name, when, count))
        elif callbacks and getattr(callbacks[0], "__func__", None) is ImpatientStation._come_back:
            retrying += 1  # away after giving up, to try again: a state has no place for them
    stations = []
    for name, station in rep.stations.items():
        waiting = [Waiting(e.kind.name, now - e.queued, e.wait, now - e.arrived)
                   for e in station.queue.entities()]
        waiting += [Waiting(e.kind.name, now - e.queued, e.wait, now - e.arrived)
                    for e in station.bookings if e.booking == BOOKED_HERE]
        waiting.sort(key=lambda w: -w.waited)
        if waiting or serving[name]:
            stations.append(StationState(name, tuple(waiting), tuple(serving[name])))
    lost = (("awaiting_batch", len(rep.awaiting)), ("retrying", retrying))
    return StartState(now, tuple(stations), tuple(sorted(announced, key=lambda a: a.at)),
                      in_transit=tuple(in_transit),
                      not_recorded=tuple((kind, count) for kind, count in lost if count))


__all__ = ["announced_times", "from_clock", "inside", "place", "route_nodes", "snapshot",
           "warm_model"]
