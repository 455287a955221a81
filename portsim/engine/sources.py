"""Arrival sources: each class's members enter a running replication at their arrival times.

A plain source reschedules one event for every arrival of its class (the hot path of arrivals);
a class that books its first station ahead of arrival announces each member ``lead`` minutes
before it comes, exactly on time or off it by a draw (``Visit.reserve_error``). A warm start
skips the arrivals before its clock and adds the batches its state announced.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from heapq import heappush
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine import model as m
from portsim.engine import warm
from portsim.engine.entity import Entity
from portsim.engine.kernel import ARRIVALS, Wake, scheduler
from portsim.engine.routes import VisitNode
from portsim.engine.setup import EntityLimitExceeded, class_arrival_times
from portsim.engine.streams import generator

if TYPE_CHECKING:
    from portsim.engine.classes import ClassState
    from portsim.engine.running import RunningReplication
    from portsim.engine.station import Station

__all__ = ["arrivals_off_time", "start_arrivals"]


def start_arrivals(rep: RunningReplication, spec: m.ClassSpec) -> None:
    """Start the arrivals of class ``spec`` (after a warm start's clock, with its announced
    batches): plain, or each member booking its first station ahead of arrival."""
    kind = rep.classes[spec.name]
    # The class's turn among the events of an instant: its place in the model (see kernel).
    turn = ARRIVALS + [cls.name for cls in rep.model.classes].index(spec.name)
    times = class_arrival_times(spec, rep.seed, rep.replication, rep.model.horizon)
    start = rep.model.start
    sources = [times]
    if start is not None:
        sources = [] if spec.name in start.replace_arrivals else [warm.from_clock(times,
                                                                                  start.clock)]
        announced = warm.announced_times(start, spec.name, rep.seed, rep.replication)
        if announced:
            sources.append(iter(announced))
    first = spec.route[0] if spec.route else None
    for source in sources:
        if isinstance(first, m.Visit) and first.reserve_ahead and first.reserve_error:
            _announce_off_time(rep, kind, source, first.reserve_ahead, first.reserve_error,
                               rep.stations[first.station], turn)
        elif isinstance(first, m.Visit) and first.reserve_ahead:
            _announce(rep, kind, source, first.reserve_ahead, rep.stations[first.station], turn)
        else:
            _arrive_at(rep, kind, source, turn)


def _arrive_at(rep: RunningReplication, kind: ClassState, times: Iterator[float],
               turn: int) -> None:
    """Spawn a member of ``kind`` at each of the (increasing) ``times``, at the class's
    ``turn`` of each instant."""
    horizon = rep.model.horizon
    env = rep.env
    heap, eid = scheduler(env)
    inv_bin = rep.inv_bin
    series = kind.arrival_series
    max_entities = rep.max_entities
    trace = rep.trace
    visit = VisitNode
    first_node = kind.first_node
    priority = kind.priority
    visit_clock = rep.visit_clocks.get(kind.name)

    def arrive(event: Any) -> None:
        # NOTE: one event is rescheduled for every arrival of the class, and spawn, enter
        # and the first visit are inlined, for performance reasons. Keep in step with
        # Replication.spawn() and enter(); the next arrival is scheduled first, as before, so
        # event ids (SimPy's tie-breaker) are drawn in the same order.
        now = env.now
        upcoming = next(times, math.inf)
        if upcoming < horizon:
            event.callbacks = callbacks
            heappush(heap, (now + (upcoming - now), turn, next(eid), event))
        ident = rep.next_id + 1
        rep.next_id = ident
        if max_entities is not None and ident > max_entities:
            raise EntityLimitExceeded(
                f"more than {max_entities:,} entities arrived in one replication")
        entity = Entity(ident, kind, now, priority)
        kind.arrivals += 1
        series[int(now * inv_bin)] += 1
        rep.in_area -= now
        if visit_clock is not None:
            visit_clock.enter(entity)
        if trace is not None:
            trace(now, ident, kind.name, None, "arrive")
        if type(first_node) is visit:
            entity.node = first_node.next
            first_node.station.arrive(entity)
        else:
            rep.advance_from(entity, first_node)

    first = next(times, math.inf)
    if first < horizon:
        callbacks = Wake(env, first - rep.clock, None, arrive, turn).callbacks


def _announce(rep: RunningReplication, kind: ClassState, times: Iterator[float], lead: float,
              station: Station, turn: int) -> None:
    """Like ``_arrive_at``, but each member books ``station`` ``lead`` minutes ahead (it enters
    the system, and is numbered, when it books)."""
    horizon = rep.model.horizon
    env = rep.env

    def announce(event: Any) -> None:
        arrival = event.value
        upcoming = next(times, math.inf)
        if upcoming < horizon:
            Wake(env, max(upcoming - lead, env.now) - env.now, upcoming, announce, turn)
        rep.next_id += 1
        entity = Entity(rep.next_id, kind, arrival, kind.priority)
        station.book(entity)
        Wake(env, arrival - env.now, entity, land, entity.turn)

    def land(event: Any) -> None:
        rep.enter(event.value)

    first = next(times, math.inf)
    if first < horizon:
        Wake(env, max(first - lead, rep.clock) - rep.clock, first, announce, turn)


def _announce_off_time(rep: RunningReplication, kind: ClassState, times: Iterator[float],
                       lead: float, error: m.ArrivalError, station: Station,
                       turn: int) -> None:
    """Like ``_announce``, but each member comes off the time it booked for.

    The booking is made ``lead`` before the declared time (the one ``times`` gives); the
    member arrives at the declared time plus or minus a draw of ``error``. One that comes
    before its booking is made waits (its own wait) until then, then for its server."""
    # NOTE: every member's events are scheduled at the start, not one after another as in
    # _announce: how early a member may come is unbounded, so no lazy order exists. Booked
    # classes are small (ships), and max_entities still bounds them.
    declared = np.fromiter(times, dtype=float)
    actual = arrivals_off_time(declared, error, rep.seed, rep.replication, kind.name)
    env = rep.env
    horizon = rep.model.horizon

    def new_entity(arrival: float) -> Entity:
        rep.next_id += 1  # the entity limit is checked when it is counted (enter)
        return Entity(rep.next_id, kind, arrival, kind.priority)

    def book_then_land(event: Any) -> None:
        entity = new_entity(event.value)
        station.book(entity)
        if entity.arrived < horizon:
            Wake(env, entity.arrived - env.now, entity, land, entity.turn)

    def land(event: Any) -> None:
        rep.enter(event.value)

    def land_then_book(event: Any) -> None:
        entity = new_entity(env.now)
        rep.count_arrival(entity)
        Wake(env, event.value - env.now, entity, book_here, entity.turn)

    def book_here(event: Any) -> None:
        entity = event.value
        entity.wait += env.now - entity.arrived  # waited for the booked time to come
        station.book(entity)
        rep.advance_from(entity, kind.first_node)

    booked = np.maximum(declared - lead, 0.0)
    for book_at, arrival in zip(booked.tolist(), actual.tolist(), strict=True):
        if arrival < book_at:
            Wake(env, max(arrival, 0.0), book_at, land_then_book, turn)  # early: from the start
        elif book_at < horizon:
            Wake(env, book_at, arrival, book_then_land, turn)


def arrivals_off_time(declared: np.ndarray, error: m.ArrivalError, seed: int, replication: int,
                      class_name: str) -> np.ndarray:
    """When the members of ``class_name`` declared at ``declared`` actually come: off by a draw
    of ``error``'s size, early with its share (the class's own ``arrival_error`` stream)."""
    rng = generator(seed, replication, "arrival_error", class_name)
    sizes = np.maximum(error.size.sample(rng, len(declared)), 0.0)
    early = rng.random(len(declared)) < error.early_share
    return np.where(early, declared - sizes, declared + sizes)
