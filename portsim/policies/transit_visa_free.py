"""``transit_visa_free``: 72/144/240-hour transit without a visa, as the rule is written.

The policy does two things to the port, and this module does both:

- it **adds demand**: travellers who would not have come (or not left the airport) without it.
  Every batch that brings a listed class ``C`` (a spawn step, in any class's route: a flight's
  passengers) also brings ``C_<suffix>`` entrants: the ``eligible`` share of its ``C`` members
  (who now enter visa-free) plus ``added`` more per ``C`` member (who come because of it). The
  batch's ``C`` members are the rest, ``1 - eligible`` of them. Counts are scaled, not drawn
  anew per traveller: the spawn's own distribution, with the same shape;
- its entrants take a **longer check** at the ``desks`` (eligibility by nationality, an onward
  ticket within the permitted time, the permitted region, the temporary entry permit): there
  their service is ``check`` (a class's own service time at those stations), elsewhere they
  follow ``C``'s route as the policies before this one left it.

A listed class that arrives on its own (not in batches) is refused: the policy adds demand
through the batches that bring transit passengers.
"""

from __future__ import annotations

import dataclasses

from portsim.document import convert
from portsim.document.policy_blocks import TransitVisaFree
from portsim.engine import distributions as dists
from portsim.engine import model as m
from portsim.policies.base import (
    Context,
    Policy,
    Problems,
    Purpose,
    Serves,
    route_stations,
    scaled,
    treated_like,
)

#: Visa-free entrants: their time in the port (the longer check included).
PURPOSE = Purpose(("sojourn_mean",), ("time in the port",))


def entrants(name: str, block: TransitVisaFree) -> str:
    """The class of those who enter visa-free among (or beside) class ``name``."""
    return f"{name}_{block.suffix}"


def spawned(model: m.Model, name: str) -> bool:
    """Whether some class's route brings class ``name`` in batches."""
    return any(isinstance(step, m.Spawn) and step.class_name == name
               for spec in model.classes for step in m.steps(spec.route))


def check(ctx: Context, block: TransitVisaFree) -> Problems:
    loc = ctx.loc
    yield from ctx.unknown_classes(block.classes, (*loc, "classes"))
    for index, station in enumerate(block.desks):
        yield from ctx.unknown_station(station, (*loc, "desks", index))
    for index, name in enumerate(block.classes):
        spec = ctx.spec(name)
        if spec is None:
            continue
        here = (*loc, "classes", index)
        if ctx.spec(entrants(name, block)) is not None:
            yield here, (f"class {entrants(name, block)!r} already exists; the policy creates "
                         "it for the visa-free entrants: choose another 'suffix'")
        if not spawned(ctx.model, name):
            yield here, (f"class {name!r} is brought by no batch (spawn step): the policy adds "
                         "its entrants to the batches that bring transit passengers")
        for station in block.desks:
            if ctx.has_station(station) and station not in route_stations(spec.route):
                yield here, f"class {name!r} does not visit station {station!r} of 'desks'"


def _split(step: m.Spawn, block: TransitVisaFree, names: set[str]) -> m.Route | None:
    """One batch of a listed class as its two batches: those who keep the class's route and
    the visa-free entrants."""
    if step.class_name not in names:
        return None
    out: list[m.Step] = []
    if block.eligible < 1:
        out.append(dataclasses.replace(step, count=scaled(step.count, 1 - block.eligible)))
    joining = block.eligible + block.added
    if joining > 0:
        out.append(dataclasses.replace(step, class_name=entrants(step.class_name, block),
                                       count=scaled(step.count, joining)))
    return tuple(out)


def apply(model: m.Model, block: TransitVisaFree) -> m.Model:
    names = set(block.classes)
    check_time = convert.distribution(block.check)

    def change(step: m.Step) -> m.Route | None:
        return _split(step, block, names) if isinstance(step, m.Spawn) else None

    classes = [dataclasses.replace(spec, route=m.rewrite(spec.route, change))
               for spec in model.classes]
    for spec in model.classes:
        if spec.name in names:
            classes.append(dataclasses.replace(spec, name=entrants(spec.name, block)))
    stations = tuple(_with_entrants(station, block, check_time) for station in model.stations)
    return dataclasses.replace(model, classes=tuple(classes), stations=stations)


def _with_entrants(station: m.StationSpec, block: TransitVisaFree,
                   check_time: dists.Distribution) -> m.StationSpec:
    """``station`` treating each entrants' class as its listed class, but for the check at
    the desks."""
    for name in block.classes:
        station = treated_like(station, name, (entrants(name, block),))
    if station.name not in block.desks:
        return station
    return dataclasses.replace(station, service_by_class={
        **station.service_by_class,
        **{entrants(name, block): check_time for name in block.classes}})


def serves(block: TransitVisaFree) -> Serves:
    return Serves(tuple(entrants(name, block) for name in block.classes), tuple(block.desks),
                  PURPOSE)


POLICY: Policy[TransitVisaFree] = Policy(
    name="transit_visa_free", check=check, creates=lambda block: (), apply=apply,
    serves=serves)
