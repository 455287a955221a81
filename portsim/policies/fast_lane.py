"""``fast_lane``: key-material vehicles get dedicated lanes and fewer physical inspections.

Mechanisms: ``lanes`` moves servers of a lane station into a new station ``NAME.fast`` used only
by the key classes (they join the shorter of the two, as in ``green_channel.dedicated``);
``inspection`` replaces, for the key classes only, the probability of the optional step that
sends a vehicle to the physical-inspection station.
"""

from __future__ import annotations

import dataclasses

from portsim.document.policy_blocks import FastLane
from portsim.engine import model as m
from portsim.policies.base import (
    Context,
    Policy,
    Problems,
    Purpose,
    Serves,
    dedicate,
    dedicated_problems,
    route_stations,
    with_route,
)

#: Suffix of the dedicated lanes: ``truck_lanes`` gives ``truck_lanes.fast``.
SUFFIX = "fast"
#: Key vehicles through border inspection: their time until a milestone that ends it (the
#: customs step after it is not the border's), else their time through the port.
PURPOSE = Purpose(("until_*_mean", "sojourn_mean"),
                  ("time until {milestone}", "time through the port"))






def creates(block: FastLane) -> tuple[str, ...]:
    return tuple(f"{station}.{SUFFIX}" for station in block.lanes)


def _inspects(step: m.Step, station: str) -> bool:
    return isinstance(step, m.OptionalStep) and station in route_stations(step.route)


def _has_inspection(route: m.Route, station: str) -> bool:
    return any(_inspects(step, station) for step in m.steps(route))


def check(ctx: Context, block: FastLane) -> Problems:
    loc = ctx.loc
    yield from ctx.unknown_classes(block.classes, (*loc, "classes"))
    yield from dedicated_problems(ctx, block.lanes, block.classes, (*loc, "lanes"))
    if block.inspection is None:
        return
    here = (*loc, "inspection", "station")
    station = block.inspection.station
    if not ctx.has_station(station):
        yield from ctx.unknown_station(station, here)
        return
    for name in block.classes:
        spec = ctx.spec(name)
        if spec is not None and not _has_inspection(spec.route, station):
            yield here, (f"class {name!r} has no optional step to station {station!r} whose "
                         "probability the fast lane could lower")


def apply(model: m.Model, block: FastLane) -> m.Model:
    if block.inspection is not None:
        rule = block.inspection

        def lower(step: m.Step) -> m.Route | None:
            if isinstance(step, m.OptionalStep) and _inspects(step, rule.station):
                return (dataclasses.replace(step, probability=rule.probability),)
            return None

        model = with_route(model, block.classes, lambda route: m.rewrite(route, lower))
    for station, lanes in block.lanes.items():
        model = dedicate(model, station, lanes, block.classes, SUFFIX)
    return model


POLICY: Policy[FastLane] = Policy(
    name="fast_lane", check=check, creates=creates, apply=apply,
    serves=lambda block: Serves(tuple(block.classes), (*block.lanes, *creates(block)),
                                PURPOSE))
