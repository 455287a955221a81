"""``zero_wait``: arriving ships declared before arrival wait for no inspection team.

Two mechanisms, the second as the measure is written:

- booking (see :mod:`portsim.policies.booking`): the boarding inspection is booked
  ``declared_ahead`` before the ship arrives, so a team is held for it and boards on arrival
  instead of the ship waiting at anchorage for a free team within working hours; with
  ``around_the_clock`` off-duty teams are called in for them at any hour;
- ``screening``: the declaration is risk-screened before the ship arrives. A flagged share is
  boarded at anchorage before it may berth, by the teams on duty and ahead of other work; the
  rest go straight on, and a team inspects each of them once it is alongside (a spawned member
  of the class ``CLASS.alongside`` at the route's milestone ``screening.alongside``), in
  parallel with its berthing and cargo work: the ship waits for nothing. No team is booked or
  called in.
"""

from __future__ import annotations

import dataclasses

from portsim.document.policy_blocks import Screening, ZeroWait
from portsim.engine import distributions as dists
from portsim.engine import model as m
from portsim.policies.base import Context, Policy, Problems, with_route, with_station
from portsim.policies.booking import apply_booking, booking_problems, serves_booking

#: Suffix of the class of inspections done alongside: ``arriving_ships`` gives
#: ``arriving_ships.alongside``.
ALONGSIDE = "alongside"


def check(ctx: Context, block: ZeroWait) -> Problems:
    yield from booking_problems(ctx, block.classes, block.station, ctx.loc)
    screening = block.screening
    if screening is None:
        return
    here = (*ctx.loc, "screening")
    if block.around_the_clock or block.arrival_error is not None:
        yield here, ("screening books no team and calls nobody in: give around_the_clock: "
                     "false and no arrival_error")
    for index, name in enumerate(block.classes):
        spec = ctx.spec(name)
        if spec is not None and m.Milestone(screening.alongside) not in spec.route:
            yield ((*here, "alongside"),
                   f"class {name!r} has no milestone {screening.alongside!r} in its route "
                   "(as a step of its own, after the first): where is the ship alongside?")
        if f"{name}.{ALONGSIDE}" in ctx.class_names:
            yield (*ctx.loc, "classes", index), (
                f"class {name}.{ALONGSIDE!s} already exists; screening creates it")


def _screened(model: m.Model, ships: m.ClassSpec, station: str,
              screening: Screening) -> m.Model:
    """``ships`` screened: a flagged share boarded first, the rest inspected alongside."""
    inspection = f"{ships.name}.{ALONGSIDE}"
    first, rest = ships.route[0], ships.route[1:]
    at = rest.index(m.Milestone(screening.alongside)) + 1
    cleared = (*rest[:at], m.Spawn(inspection, dists.Deterministic(1.0)), *rest[at:])
    route = (m.Branch(((screening.flagged, (first, *rest)),
                       (1.0 - screening.flagged, cleared))),)
    # The inspection's class first, so that the route spawning it names a known class.
    # Flagged ships wait at anchorage; a ship in port does not: the teams board them first.
    model = dataclasses.replace(model, classes=(*model.classes, m.ClassSpec(
        name=inspection, arrivals=m.Trace(times=()), route=(m.Visit(station),),
        priority=ships.priority + 1)))
    model = with_route(model, [ships.name], lambda _: route)
    return with_station(model, dataclasses.replace(model.station(station),
                                                   discipline="priority"))


def apply(model: m.Model, block: ZeroWait) -> m.Model:
    if block.screening is None:
        return apply_booking(model, block)
    for name in block.classes:
        spec = next(spec for spec in model.classes if spec.name == name)
        model = _screened(model, spec, block.station, block.screening)
    return model


POLICY: Policy[ZeroWait] = Policy(
    name="zero_wait", check=check, creates=lambda block: (), apply=apply,
    serves=serves_booking)
