"""``zero_wait``: arriving ships declared before arrival are inspected on arrival.

Mechanism (see :mod:`portsim.policies.booking`): the boarding inspection is booked
``declared_ahead`` before the ship arrives, so a team is held for it and boards on arrival
instead of the ship waiting at anchorage for a free team within working hours; with
``around_the_clock`` off-duty teams are called in for them at any hour.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from portsim.engine import model as m
from portsim.policies.base import Context, Policy, Problems, creates_nothing
from portsim.policies.booking import book_ahead, booking_problems
from portsim.scenario.schema import StrictModel
from portsim.scenario.units import Name, PositiveDuration


class ZeroWait(StrictModel):
    """Which ships are inspected on arrival, by which station."""

    classes: Annotated[list[Name], Field(min_length=1)]
    """Arriving-ship classes (their route must start at ``station``)."""
    station: Name
    """The boarding-inspection station."""
    declared_ahead: PositiveDuration
    """How long before arrival the inspection is arranged (a team is held from then on)."""
    around_the_clock: bool = True
    """Off-duty teams are called in for these ships at any hour, up to the station's largest
    shift (7x24 service for declared ships; default true)."""


def check(ctx: Context, block: ZeroWait) -> Problems:
    yield from booking_problems(ctx, block.classes, block.station, ctx.loc)


def apply(model: m.Model, block: ZeroWait) -> m.Model:
    return book_ahead(model, block.classes, block.station, block.declared_ahead,
                      block.around_the_clock)


POLICY: Policy[ZeroWait] = Policy(
    name="zero_wait", block=ZeroWait, check=check, creates=creates_nothing, apply=apply)
