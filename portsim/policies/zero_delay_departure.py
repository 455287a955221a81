"""``zero_delay_departure``: the departure inspection starts as the ship is ready, so it is
cleared before the planned departure.

The departing-ship classes carry ``due_after`` (the planned departure, after the ship reports
ready); the lateness KPIs (``late_share``, ``lateness_mean``, ``lateness_max``) measure departure
delay beyond it. Mechanism (see :mod:`portsim.policies.booking`): the departure inspection is
booked ``declared_ahead`` before the ship is ready, so a team is held for it and starts when the
ship is ready; with ``around_the_clock`` off-duty teams are called in for them at any hour.
"""

from __future__ import annotations

from portsim.document.policy_blocks import ZeroDelayDeparture
from portsim.policies.base import Context, Policy, Problems, creates_nothing
from portsim.policies.booking import ON_DEPARTURE, apply_booking, check_booking, serves_booking


def check(ctx: Context, block: ZeroDelayDeparture) -> Problems:
    yield from check_booking(ctx, block)
    for index, name in enumerate(block.classes):
        spec = ctx.spec(name)
        if spec is not None and spec.due_after is None:
            yield ((*ctx.loc, "classes", index),
                   f"class {name!r} has no due_after (its planned departure): give it one, "
                   "so that departure delay is measured")


POLICY: Policy[ZeroDelayDeparture] = Policy(
    name="zero_delay_departure", check=check,
    creates=creates_nothing, apply=apply_booking,
    serves=lambda block: serves_booking(block, ON_DEPARTURE))
