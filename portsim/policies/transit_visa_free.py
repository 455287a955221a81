"""``transit_visa_free``: 72/144-hour transit without a visa, for eligible nationalities.

Mechanism: a branch at the first step of the listed classes' routes that visits any of the
``replaces`` stations (the visa path): with probability ``eligible`` the traveller takes the
transit desk instead, and skips every ``replaces`` step from there on; otherwise the route is
unchanged. The share therefore moves off the visa path onto the transit desk.
"""

from __future__ import annotations

from portsim.document import convert
from portsim.document.policy_blocks import TransitVisaFree
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

#: Transit passengers spared the visa path: their time in the port.
PURPOSE = Purpose(("sojourn_mean",), ("time in the port",))


def creates(block: TransitVisaFree) -> tuple[str, ...]:
    return (block.station,)


def check(ctx: Context, block: TransitVisaFree) -> Problems:
    loc = ctx.loc
    if block.station in ctx.pending:
        pass  # an earlier policy would create it: its own problems are reported there
    elif ctx.has_station(block.station):
        for key in ("servers", "service"):
            if getattr(block, key) is not None:
                yield ((*loc, key), f"station {block.station!r} exists: its {key} are set "
                       "on the station; leave this out")
    else:
        for key in ("servers", "service"):
            if getattr(block, key) is None:
                yield ((*loc, key), f"required to create the transit desk {block.station!r} "
                       "(no station of that name exists)")
    yield from ctx.unknown_classes(block.classes, (*loc, "classes"))
    for index, station in enumerate(block.replaces):
        yield from ctx.unknown_station(station, (*loc, "replaces", index))
    replaced = set(block.replaces)
    if not all(ctx.has_station(station) for station in replaced):
        return
    for index, name in enumerate(block.classes):
        spec = ctx.spec(name)
        if spec is not None and not replaced & route_stations(spec.route):
            yield ((*loc, "classes", index),
                   f"class {name!r} visits none of the stations in 'replaces'")


def without(route: m.Route, stations: set[str]) -> m.Route:
    """``route`` with its visits to ``stations`` removed (from choices too)."""

    def drop(step: m.Step) -> m.Route | None:
        if isinstance(step, m.Visit) and step.station in stations:
            return ()
        if isinstance(step, m.ShortestQueue):
            kept = step.dropping(lambda name: name not in stations)
            return (kept,) if kept is not None else ()
        return None

    return m.rewrite(route, drop)


def branch_off(route: m.Route, block: TransitVisaFree) -> m.Route:
    replaced = set(block.replaces)
    index = next(i for i, step in enumerate(route) if replaced & set(step_stations(step)))
    rest = route[index:]
    transit = (m.Visit(block.station), *without(rest, replaced))
    return (*route[:index], m.Branch(((block.eligible, transit), (1 - block.eligible, rest))))


def apply(model: m.Model, block: TransitVisaFree) -> m.Model:
    if block.servers is not None and block.service is not None:
        model = with_station(model, convert.station(block.station, block.servers, block.service))
    return with_route(model, block.classes, lambda route: branch_off(route, block))


POLICY: Policy[TransitVisaFree] = Policy(
    name="transit_visa_free", check=check, creates=creates, apply=apply,
    serves=lambda block: Serves(tuple(block.classes), (block.station, *block.replaces),
                                PURPOSE))
