"""The policies by name and the fixed order of applying; checking and applying a block.

Policies are applied after the base model is compiled, in :data:`ORDER` (each sees the model the
previous ones left): staffing first, so that later policies split or book the staffed stations;
the visa paths before the e-gates that bypass desks on them; the cargo, vehicle and ship
policies last. The fields of the ``policies:`` block
(:class:`portsim.document.policy_blocks.Policies`) are in the same order, so the resolved
scenario lists the policies as they were applied.
"""

from __future__ import annotations

from typing import Any

from portsim.document.policy_blocks import Policies
from portsim.document.root import ScenarioDocument
from portsim.engine import model as m
from portsim.policies import (
    egates,
    fast_lane,
    green_channel,
    one_stop,
    port_visa,
    staffing,
    transit_visa_free,
    zero_delay_departure,
    zero_wait,
)
from portsim.policies.base import Context, Loc, Policy

REGISTRY: dict[str, Policy[Any]] = {
    policy.name: policy
    for policy in (staffing.POLICY, port_visa.POLICY, transit_visa_free.POLICY, egates.POLICY,
                   green_channel.POLICY, one_stop.POLICY, fast_lane.POLICY, zero_wait.POLICY,
                   zero_delay_departure.POLICY)
}
#: The order in which policies are applied.
ORDER: tuple[str, ...] = tuple(REGISTRY)

# The block's field order is the order of applying: keep the two in step.
assert tuple(Policies.model_fields) == ORDER


def applied(doc: ScenarioDocument) -> list[str]:
    """Names of the policies a document switches on, in the order they are applied."""
    return [name for name, _ in doc.policies.active()]


def apply_policies(model: m.Model, policies: Policies) -> tuple[m.Model, list[tuple[Loc, str]]]:
    """``model`` with every active policy applied in :data:`ORDER`, and the problems of the
    blocks: names that point nowhere, each block checked against the model the policies before
    it built (so a policy may name a station an earlier one creates). With problems, the model
    returned is incomplete: only the policies before the first unsound block are applied."""
    problems: list[tuple[Loc, str]] = []
    pending: set[str] = set()
    for name, block in policies.active():
        policy = REGISTRY[name]
        ctx = Context(model=model, loc=("policies", name), pending=frozenset(pending))
        found = list(policy.check(ctx, block))
        problems.extend(found)
        if found or pending:
            # Once a policy cannot be applied, the later ones are only checked: the stations
            # they would create are known by name, so that nothing is blamed twice.
            pending.update(policy.creates(block))
            continue
        try:
            model = policy.apply(model, block)
        except ValueError as error:  # the engine refuses what the policy built
            problems.append((("policies", name), str(error)))
            pending.update(policy.creates(block))
    return model, problems
