"""``fast_lane``: key-material vehicles get dedicated lanes and fewer physical inspections.

Mechanisms: ``lanes`` moves servers of a lane station into a new station ``NAME.fast`` used only
by the key classes (they join the shorter of the two, as in ``green_channel.dedicated``);
``inspection`` replaces, for the key classes only, the probability of the optional step that
sends a vehicle to the physical-inspection station.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from pydantic import Field

from portsim.engine import model as m
from portsim.policies.base import (
    Context,
    Policy,
    Problems,
    dedicate,
    dedicated_problems,
    rewrite,
    route_stations,
    with_route,
)
from portsim.scenario.schema import StrictModel
from portsim.scenario.units import Count, Name, Probability

#: Suffix of the dedicated lanes: ``truck_lanes`` gives ``truck_lanes.fast``.
SUFFIX = "fast"


class Inspection(StrictModel):
    """The physical inspection the key classes are sent to less often."""

    station: Name
    """The physical-inspection station (reached by an optional step)."""
    probability: Probability
    """The key classes' probability of being inspected."""


class FastLane(StrictModel):
    """Which vehicles use the fast lane, its lanes and its inspection rate."""

    classes: Annotated[list[Name], Field(min_length=1)]
    """The key classes (trucks carrying key materials)."""
    lanes: dict[Name, Count] = Field(default_factory=dict)
    """Lanes taken from a station into NAME.fast, used by the key classes only."""
    inspection: Inspection | None = None
    """A lower physical-inspection probability for the key classes."""


def creates(block: FastLane) -> tuple[str, ...]:
    return tuple(f"{station}.{SUFFIX}" for station in block.lanes)


def _inspects(step: m.Step, station: str) -> bool:
    return isinstance(step, m.OptionalStep) and station in route_stations(step.route)


def _has_inspection(route: m.Route, station: str) -> bool:
    for step in route:
        if _inspects(step, station):
            return True
        subs = ([sub for _, sub in step.options] if isinstance(step, m.Branch)
                else [step.route] if isinstance(step, m.OptionalStep) else [])
        if any(_has_inspection(sub, station) for sub in subs):
            return True
    return False


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

        model = with_route(model, block.classes, lambda route: rewrite(route, lower))
    for station, lanes in block.lanes.items():
        model = dedicate(model, station, lanes, block.classes, SUFFIX)
    return model


POLICY: Policy[FastLane] = Policy(
    name="fast_lane", block=FastLane, check=check, creates=creates, apply=apply)
