"""``port_visa``: a visa-on-arrival office at a designated port.

Mechanism: a new station (servers, service time, optional opening hours) inserted into the
routes of the listed classes, before the first step that visits ``before`` (default: as their
first step); with ``share`` below 1 the visit is an optional step that only that share takes
(the others arrive holding a visa). Outside opening hours the office starts nobody: arrivals
wait for it to open.
"""

from __future__ import annotations

from portsim.document import convert
from portsim.document.policy_blocks import PortVisa
from portsim.engine import model as m
from portsim.policies.base import (
    Context,
    Policy,
    Problems,
    Purpose,
    Serves,
    route_stations,
    step_stations,
    with_route,
    with_station,
)

#: Travellers who get their visa at the port: their time in the port, the visa included.
PURPOSE = Purpose(("sojourn_mean",), ("time in the port",))


def creates(block: PortVisa) -> tuple[str, ...]:
    return (block.station,)


def check(ctx: Context, block: PortVisa) -> Problems:
    yield from ctx.new_station(block.station, (*ctx.loc, "station"))
    yield from ctx.unknown_classes(block.classes, (*ctx.loc, "classes"))
    if block.before is not None:
        yield from ctx.unknown_station(block.before, (*ctx.loc, "before"))
    for index, name in enumerate(block.classes):
        spec = ctx.spec(name)
        if spec is None:
            continue
        if block.before is not None and ctx.has_station(block.before) \
                and block.before not in route_stations(spec.route):
            yield ((*ctx.loc, "before"),
                   f"class {name!r} does not visit station {block.before!r}")
        first = spec.route[0]
        if block.before is None and isinstance(first, m.Visit) and first.reserve_ahead:
            yield ((*ctx.loc, "classes", index),
                   f"class {name!r} books its first station ahead: name a later station "
                   "in 'before'")


def insert_before(route: m.Route, new: m.Step, before: str | None) -> m.Route:
    """``route`` with ``new`` before its first step that may visit ``before`` (or first)."""
    if before is not None:
        for index, step in enumerate(route):
            if before in step_stations(step):
                return (*route[:index], new, *route[index:])
    return (new, *route)


def apply(model: m.Model, block: PortVisa) -> m.Model:
    model = with_station(model, convert.station(block.station, block.servers, block.service,
                                                opening_hours=block.opening_hours))
    visit: m.Step = m.Visit(block.station)
    if block.share < 1:
        visit = m.OptionalStep(block.share, (visit,))
    return with_route(model, block.classes,
                      lambda route: insert_before(route, visit, block.before))


POLICY: Policy[PortVisa] = Policy(
    name="port_visa", check=check, creates=creates, apply=apply,
    serves=lambda block: Serves(tuple(block.classes), (block.station,), PURPOSE))
