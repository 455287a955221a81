"""``port_visa``: a visa-on-arrival office at a designated port.

Mechanism: a new station (servers, service time, optional opening hours) inserted into the
routes of the listed classes, before the first step that visits ``before`` (default: as their
first step). Outside opening hours the office starts nobody: arrivals wait for it to open.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from portsim.engine import model as m
from portsim.policies.base import (
    Context,
    Policy,
    Problems,
    route_stations,
    step_stations,
    with_route,
    with_station,
)
from portsim.scenario import compile as compiling
from portsim.scenario.schema import Distribution, OpeningHours, Servers, StrictModel
from portsim.scenario.units import Name


class PortVisa(StrictModel):
    """The port-visa office and who needs it."""

    classes: Annotated[list[Name], Field(min_length=1)]
    """Classes that apply for a visa on arrival."""
    station: Name = "port_visa_office"
    """Name of the office (created by the policy; default port_visa_office)."""
    servers: Servers
    """Officers: a number, or daily shift windows."""
    service: Distribution
    """Time to issue one visa."""
    opening_hours: OpeningHours | None = None
    """Daily opening hours (default: always open)."""
    before: Name | None = None
    """The office comes before the first step that visits this station (default: first)."""


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
    office = m.StationSpec(
        name=block.station,
        servers=compiling.schedule(block.servers, block.opening_hours),
        service=compiling.distribution(block.service))
    model = with_station(model, office)
    visit = m.Visit(block.station)
    return with_route(model, block.classes,
                      lambda route: insert_before(route, visit, block.before))


POLICY: Policy[PortVisa] = Policy(
    name="port_visa", block=PortVisa, check=check, creates=creates, apply=apply)
