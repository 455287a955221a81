"""``zero_delay_departure``: the departure inspection starts as the ship is ready, so it is
cleared before the planned departure.

The departing-ship classes carry ``due_after`` (the planned departure, after the ship reports
ready); the lateness KPIs (``late_share``, ``lateness_mean``, ``lateness_max``) measure departure
delay beyond it. Mechanism (see :mod:`portsim.policies.booking`): the departure inspection is
booked ``declared_ahead`` before the ship is ready, so a team is held for it and starts when the
ship is ready; with ``around_the_clock`` off-duty teams are called in for them at any hour.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from portsim.engine import model as m
from portsim.policies.base import Context, Policy, Problems, creates_nothing
from portsim.policies.booking import book_ahead, booking_problems
from portsim.scenario.schema import StrictModel
from portsim.scenario.units import Name, PositiveDuration


class ZeroDelayDeparture(StrictModel):
    """Which departures are booked ahead, at which station."""

    classes: Annotated[list[Name], Field(min_length=1)]
    """Departing-ship classes (with due_after; their route must start at ``station``)."""
    station: Name
    """The departure-inspection station."""
    declared_ahead: PositiveDuration
    """How long before the ship is ready the inspection is booked (a team is held from then)."""
    around_the_clock: bool = True
    """Off-duty teams are called in for these ships at any hour, up to the station's largest
    shift (7x24 service for declared ships; default true)."""


def check(ctx: Context, block: ZeroDelayDeparture) -> Problems:
    yield from booking_problems(ctx, block.classes, block.station, ctx.loc)
    for index, name in enumerate(block.classes):
        spec = ctx.spec(name)
        if spec is not None and spec.due_after is None:
            yield ((*ctx.loc, "classes", index),
                   f"class {name!r} has no due_after (its planned departure): give it one, "
                   "so that departure delay is measured")


def apply(model: m.Model, block: ZeroDelayDeparture) -> m.Model:
    return book_ahead(model, block.classes, block.station, block.declared_ahead,
                      block.around_the_clock)


POLICY: Policy[ZeroDelayDeparture] = Policy(
    name="zero_delay_departure", block=ZeroDelayDeparture, check=check,
    creates=creates_nothing, apply=apply)
