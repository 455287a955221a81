"""``egates``: self-service gates for an eligible share, with rejections falling back.

Mechanism: for each listed class, every route step that visits ``replaces`` (a station step, or
a shortest-queue choice that includes it) becomes a branch: with probability ``eligible[class]``
visit the gates, and then with probability ``rejection`` the original step as well; otherwise
the original step. ``replaces`` may name several stations (citizen and foreigner desks).
Rejected gate users therefore reappear as load on the manual step: its arrivals are the
non-eligible share plus the eligible share times the rejection share. Gates given
``breakdowns`` or ``outages`` send their users to the manual step while the whole bank is out
of order (an outage, or every open gate broken).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from portsim.document import convert
from portsim.document.policy_blocks import Egates
from portsim.engine import model as m
from portsim.policies.base import (
    Context,
    Policy,
    Problems,
    Purpose,
    Serves,
    route_stations,
    visits_directly,
    with_route,
    with_station,
)

#: Gates are for the eligible classes' queue: their mean wait.
PURPOSE = Purpose(("wait_mean",), ("mean wait",))
#: What the gates' servers are in the ledger of resource use (gate-hours, gate positions).
RESOURCE = "gate"


def creates(block: Egates) -> tuple[str, ...]:
    return (block.station,)


def replaced(block: Egates) -> list[str]:
    """The manual stations, as a list."""
    return [block.replaces] if isinstance(block.replaces, str) else list(block.replaces)


def check(ctx: Context, block: Egates) -> Problems:
    loc = ctx.loc
    yield from ctx.new_station(block.station, (*loc, "station"))
    manual = replaced(block)
    for index, station in enumerate(manual):
        here = (*loc, "replaces") if isinstance(block.replaces, str) else (*loc, "replaces", index)
        yield from ctx.unknown_station(station, here)
    yield from ctx.unknown_classes(block.eligible, (*loc, "eligible"))
    if not all(ctx.has_station(station) for station in manual):
        return
    for name in block.eligible:
        spec = ctx.spec(name)
        if spec is not None and not set(manual) & route_stations(spec.route):
            yield ((*loc, "eligible", name),
                   f"class {name!r} visits none of {', '.join(map(repr, manual))}: the gates "
                   "would change nothing for it")


def gate_or_manual(step: m.Step, block: Egates, share: float,
                   unreliable: bool = False) -> m.Route:
    """The branch that replaces one manual step for a class with this eligible share. Gates
    that can be out of order (``unreliable``) send their users back to the manual step
    meanwhile."""
    gate: m.Route = (m.Visit(block.station, fallback=(step,) if unreliable else None),)
    if block.rejection > 0:
        gate = (*gate, m.OptionalStep(block.rejection, (step,)))
    if share >= 1:
        return gate
    return (m.Branch(((share, gate), (1 - share, (step,)))),)


def apply(model: m.Model, block: Egates) -> m.Model:
    station = convert.station(block.station, block.gates, block.service)
    # The gates installed are the bank's positions (a capital item in the ledger).
    gates = replace(station, positions=m.ShiftSchedule.constant(station.servers.max_servers),
                    resource=RESOURCE,
                    **convert.reliability(block.breakdowns, block.outages, block.interrupted,
                                          model.horizon))
    model = with_station(model, gates)
    manual = replaced(block)

    def gates_for(share: float) -> Callable[[m.Route], m.Route]:
        def change(step: m.Step) -> m.Route | None:
            # A booked visit must stay the first step as it is: gates are never booked.
            if isinstance(step, m.Visit) and step.reserve_ahead:
                return None
            if any(visits_directly(step, station) for station in manual):
                return gate_or_manual(step, block, share, gates.unreliable)
            return None

        return lambda route: m.rewrite(route, change)

    for name, share in block.eligible.items():
        if share > 0:
            model = with_route(model, [name], gates_for(share))
    return model


POLICY: Policy[Egates] = Policy(
    name="egates", check=check, creates=creates, apply=apply,
    serves=lambda block: Serves(tuple(block.eligible), (block.station, *replaced(block)),
                                PURPOSE))
