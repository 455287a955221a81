"""``one_stop``: stops made one (a one-stop freight inspection).

Mechanism: in the listed classes' routes, the visits to ``stops`` one after another become one
visit to a new station, ``station``, whose servers are the stops' servers together (each booth
now takes every agency's check) and whose service time is the block's (pulling in and away once,
and the checks). A stop no class visits any more is removed, so the ledger counts its booths
once, at the joint stop. The gain it can show is the repeated pulling in and away saved per
vehicle, and booths that no longer idle at one stop while another queues.
"""

from __future__ import annotations

import dataclasses

from portsim.document import convert
from portsim.document.policy_blocks import OneStop
from portsim.engine import model as m
from portsim.policies.base import (
    Context,
    Policy,
    Problems,
    Purpose,
    Serves,
    route_stations,
    with_route,
    with_station,
)

#: A vehicle's time through the port: what the stops made one are for (throughput shows in
#: each class's completions beside it).
PURPOSE = Purpose(("sojourn_mean",), ("time through the port",))


def _run_at(route: m.Route, stops: list[str]) -> int | None:
    """Where the visits to ``stops`` follow one another in ``route``, if they do."""
    width = len(stops)
    for start in range(len(route) - width + 1):
        window = route[start:start + width]
        if all(isinstance(step, m.Visit) and step.station == stop and not step.reserve_ahead
               for step, stop in zip(window, stops, strict=True)):
            return start
    return None


def check(ctx: Context, block: OneStop) -> Problems:
    loc = ctx.loc
    yield from ctx.unknown_classes(block.classes, (*loc, "classes"))
    yield from ctx.new_station(block.station, (*loc, "station"))
    known = True
    for index, stop in enumerate(block.stops):
        if not ctx.has_station(stop):
            yield from ctx.unknown_station(stop, (*loc, "stops", index))
            known = False
        elif not ctx.model.station(stop).servers.is_constant:
            yield ((*loc, "stops", index),
                   f"station {stop!r} has a shift schedule: the joint stop adds the stops' "
                   "booths together, so give each stop a constant number of servers")
    if not known:
        return
    for index, name in enumerate(block.classes):
        spec = ctx.spec(name)
        if spec is not None and _run_at(spec.route, block.stops) is None:
            yield ((*loc, "classes", index),
                   f"class {name!r} does not visit {', '.join(block.stops)} one after another "
                   "(plain station steps, in that order): nothing to make one stop")


def apply(model: m.Model, block: OneStop) -> m.Model:
    stops = [model.station(stop) for stop in block.stops]
    first = stops[0]
    places = [s.positions for s in stops]
    positions = (m.ShiftSchedule.constant(sum(p.max_servers for p in places if p is not None))
                 if all(p is not None for p in places) else None)
    joint = dataclasses.replace(
        first, name=block.station, service=convert.distribution(block.service),
        service_by_class={}, reactive=None, booking_servers=0,
        servers=m.ShiftSchedule.constant(sum(s.servers.max_servers for s in stops)),
        positions=positions)
    model = with_station(model, joint)

    def merged(route: m.Route) -> m.Route:
        start = _run_at(route, block.stops)
        assert start is not None  # checked
        return (*route[:start], m.Visit(block.station), *route[start + len(block.stops):])

    model = with_route(model, block.classes, merged)
    visited = set().union(*(route_stations(spec.route) for spec in model.classes))
    return dataclasses.replace(model, stations=tuple(
        spec for spec in model.stations
        if spec.name not in block.stops or spec.name in visited))


POLICY: Policy[OneStop] = Policy(
    name="one_stop", check=check, creates=lambda block: (block.station,), apply=apply,
    serves=lambda block: Serves(tuple(block.classes), (block.station,), PURPOSE))
