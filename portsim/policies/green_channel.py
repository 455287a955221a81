"""``green_channel``: key cargo flights served first, on dedicated capacity, with documents
declared before arrival.

Mechanisms: the key classes get a priority above every other class and the listed stations
switch to the (non-preemptive) priority discipline; ``dedicated`` moves servers of a station
into a new station ``NAME.green`` that only the key classes use (they join the shorter of the
two); ``predeclared`` multiplies the key classes' service time at a station by a factor
(documents checked before the flight lands leave less to do on arrival).
"""

from __future__ import annotations

import dataclasses

from portsim.document.policy_blocks import GreenChannel
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
    scaled,
    with_classes,
    with_station,
)

#: Suffix of the dedicated stations: ``cargo_inspection`` gives ``cargo_inspection.green``.
SUFFIX = "green"
#: A key flight's time through border inspection (until a milestone that ends it: customs'
#: steps after it are not the border's), else its release delay (landing to release).
PURPOSE = Purpose(("until_*_mean", "sojourn_mean"),
                  ("time until {milestone}", "release delay"))




def creates(block: GreenChannel) -> tuple[str, ...]:
    return tuple(f"{station}.{SUFFIX}" for station in block.dedicated)


def check(ctx: Context, block: GreenChannel) -> Problems:
    loc = ctx.loc
    yield from ctx.unknown_classes(block.classes, (*loc, "classes"))
    for field in ("stations", "predeclared"):
        names = getattr(block, field)
        for key, station in (enumerate(names) if isinstance(names, list)
                             else ((name, name) for name in names)):
            here = (*loc, field, key)
            if not ctx.has_station(station):
                yield from ctx.unknown_station(station, here)
                continue
            for name in block.classes:
                spec = ctx.spec(name)
                if spec is not None and station not in route_stations(spec.route):
                    yield here, f"class {name!r} does not visit station {station!r}"
    if block.stations and not block.priority:
        yield (*loc, "stations"), "priority is off: the stations listed would not change"
    yield from dedicated_problems(ctx, block.dedicated, block.classes, (*loc, "dedicated"))


def apply(model: m.Model, block: GreenChannel) -> m.Model:
    key = set(block.classes)
    if block.priority and block.stations:
        top = min(spec.priority for spec in model.classes) - 1
        model = with_classes(model, key, priority=top)
        for station in block.stations:
            model = with_station(model, dataclasses.replace(model.station(station),
                                                            discipline="priority"))
    for station, factor in block.predeclared.items():
        spec = model.station(station)
        faster = {name: scaled(spec.service_for(name), factor) for name in block.classes}
        model = with_station(model, dataclasses.replace(
            spec, service_by_class={**spec.service_by_class, **faster}))
    # Dedicated stations copy the (scaled) service times and discipline made above.
    for station, servers in block.dedicated.items():
        model = dedicate(model, station, servers, block.classes, SUFFIX)
    return model


POLICY: Policy[GreenChannel] = Policy(
    name="green_channel", check=check, creates=creates, apply=apply,
    serves=lambda block: Serves(tuple(block.classes),
                                (*block.stations, *block.dedicated, *creates(block)), PURPOSE))
