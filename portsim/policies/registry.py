"""The policies by name, the ``policies:`` block of a scenario, and the fixed order of applying.

Policies are applied after the base model is compiled, in :data:`ORDER` (each sees the model the
previous ones left): staffing first, so that later policies split or book the staffed stations;
the visa paths before the e-gates that bypass desks on them; the cargo, vehicle and ship
policies last. The block's fields are in the same order, so the resolved scenario lists the
policies as they were applied.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from portsim.engine import model as m
from portsim.policies import (
    egates,
    fast_lane,
    green_channel,
    port_visa,
    staffing,
    transit_visa_free,
    zero_delay_departure,
    zero_wait,
)
from portsim.policies.base import Context, Loc, Policy
from portsim.policies.egates import Egates
from portsim.policies.fast_lane import FastLane
from portsim.policies.green_channel import GreenChannel
from portsim.policies.port_visa import PortVisa
from portsim.policies.staffing import StaffingBlock
from portsim.policies.transit_visa_free import TransitVisaFree
from portsim.policies.zero_delay_departure import ZeroDelayDeparture
from portsim.policies.zero_wait import ZeroWait
from portsim.scenario import compile as compiling
from portsim.scenario.schema import ScenarioDocument, StrictModel

REGISTRY: dict[str, Policy[Any]] = {
    policy.name: policy
    for policy in (staffing.POLICY, port_visa.POLICY, transit_visa_free.POLICY, egates.POLICY,
                   green_channel.POLICY, fast_lane.POLICY, zero_wait.POLICY,
                   zero_delay_departure.POLICY)
}
#: The order in which policies are applied.
ORDER: tuple[str, ...] = tuple(REGISTRY)


class Policies(StrictModel):
    """Clearance policies by name (docs/policies.md); each compiles onto engine mechanisms.
    In a variant, ``NAME: null`` switches off a policy of the base."""

    staffing: StaffingBlock | None = None
    """Servers by shift and queue-reactive desks, by station."""
    port_visa: PortVisa | None = None
    """A visa-on-arrival office at a designated port."""
    transit_visa_free: TransitVisaFree | None = None
    """72/144-hour visa-free transit for an eligible share."""
    egates: Egates | None = None
    """Self-service gates for an eligible share; rejections fall back to the manual step."""
    green_channel: GreenChannel | None = None
    """Key cargo flights: priority, dedicated capacity, pre-declared documents."""
    fast_lane: FastLane | None = None
    """Key-material vehicles: dedicated lanes, fewer physical inspections."""
    zero_wait: ZeroWait | None = None
    """Arriving ships inspected on arrival (booked ahead, around the clock)."""
    zero_delay_departure: ZeroDelayDeparture | None = None
    """Departure inspection booked so that it starts as the ship is ready."""

    def active(self) -> Iterator[tuple[str, Any]]:
        """(name, block) of the policies switched on, in the order of applying."""
        for name in ORDER:
            block = getattr(self, name)
            if block is not None:
                yield name, block


# The field order is the order of applying: keep the two in step.
assert tuple(Policies.model_fields) == ORDER


def applied(doc: ScenarioDocument) -> list[str]:
    """Names of the policies a document switches on, in the order they are applied."""
    return [name for name, _ in doc.policies.active()]


def apply_policies(model: m.Model, policies: Policies) -> m.Model:
    """``model`` with every active policy applied, in :data:`ORDER`."""
    for name, block in policies.active():
        model = REGISTRY[name].apply(model, block)
    return model


def policy_problems(doc: ScenarioDocument) -> Iterator[tuple[Loc, str]]:
    """Names in the policy blocks that point nowhere, checked policy by policy against the
    model the policies before it built (so a policy may name a station an earlier one
    creates)."""
    if not applied(doc):
        return
    model = compiling.base_model(doc, arrivals=False)
    pending: set[str] = set()
    for name, block in doc.policies.active():
        policy = REGISTRY[name]
        ctx = Context(model=model, loc=("policies", name), pending=frozenset(pending))
        problems = list(policy.check(ctx, block))
        yield from problems
        if problems or pending:
            # Once a policy cannot be applied, the later ones are only checked: the stations
            # they would create are known by name, so that nothing is blamed twice.
            pending.update(policy.creates(block))
            continue
        model = policy.apply(model, block)
