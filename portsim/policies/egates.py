"""``egates``: self-service gates for an eligible share, with rejections falling back.

Mechanism: for each listed class, every route step that visits ``replaces`` (a station step, or
a shortest-queue choice that includes it) becomes a branch: with probability ``eligible[class]``
visit the gates, and then with probability ``rejection`` the original step as well; otherwise
the original step. ``replaces`` may name several stations (citizen and foreigner desks).
Rejected gate users therefore reappear as load on the manual step: its arrivals are the
non-eligible share plus the eligible share times the rejection share.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import Field

from portsim.engine import model as m
from portsim.policies.base import (
    Context,
    Policy,
    Problems,
    rewrite,
    route_stations,
    visits_directly,
    with_route,
    with_station,
)
from portsim.scenario import compile as compiling
from portsim.scenario.schema import Distribution, Servers, StrictModel
from portsim.scenario.units import Name, Probability


class Egates(StrictModel):
    """The gates, who may use them, and what they replace."""

    station: Name = "egates"
    """Name of the gates' station (created by the policy; default egates)."""
    gates: Servers
    """Number of gates, or daily shift windows of open gates."""
    service: Distribution
    """Time one traveller takes at a gate."""
    replaces: Name | Annotated[list[Name], Field(min_length=1)]
    """The manual station(s) the eligible share bypasses: every step that visits one (a station
    step, or a shortest-queue choice that includes it)."""
    eligible: Annotated[dict[Name, Probability], Field(min_length=1)]
    """Share of each class eligible for (and using) the gates."""
    rejection: Probability = 0.0
    """Share of gate users rejected, who then take the manual step."""


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


def gate_or_manual(step: m.Step, block: Egates, share: float) -> m.Route:
    """The branch that replaces one manual step for a class with this eligible share."""
    gate: m.Route = (m.Visit(block.station),)
    if block.rejection > 0:
        gate = (*gate, m.OptionalStep(block.rejection, (step,)))
    if share >= 1:
        return gate
    return (m.Branch(((share, gate), (1 - share, (step,)))),)


def apply(model: m.Model, block: Egates) -> m.Model:
    model = with_station(model, m.StationSpec(
        name=block.station, servers=compiling.schedule(block.gates),
        service=compiling.distribution(block.service)))
    manual = replaced(block)

    def gates_for(share: float) -> Callable[[m.Route], m.Route]:
        def change(step: m.Step) -> m.Route | None:
            # A booked visit must stay the first step as it is: gates are never booked.
            if isinstance(step, m.Visit) and step.reserve_ahead:
                return None
            if any(visits_directly(step, station) for station in manual):
                return gate_or_manual(step, block, share)
            return None

        return lambda route: rewrite(route, change)

    for name, share in block.eligible.items():
        if share > 0:
            model = with_route(model, [name], gates_for(share))
    return model


POLICY: Policy[Egates] = Policy(
    name="egates", block=Egates, check=check, creates=creates, apply=apply)
