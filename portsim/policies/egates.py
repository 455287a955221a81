"""``egates``: self-service gates for an eligible share, with rejections falling back.

Mechanism: for each listed class, every route step that visits ``replaces`` (a station step, or
a shortest-queue choice that includes it) becomes a branch: with probability ``eligible[class]``
visit the gates, and then with probability ``rejection`` the original step as well; otherwise
the original step. ``replaces`` may name several stations (citizen and foreigner desks).
Rejected gate users therefore reappear as load on the manual step: its arrivals are the
non-eligible share plus the eligible share times the rejection share. Gates given
``breakdowns`` or ``outages`` send their users to the manual step while the whole bank is out
of order (an outage, or every open gate broken).

A class given by ``documents`` instead branches first by document type (its share of the
class), then as above with that type's enrolled share and its own rejection share: those who
failed to enrol take the manual step. Travel groups are in :mod:`portsim.policies.groups`.
``supervisors`` officers watch the bank whenever a gate is open: a station of that many
officers nobody queues at, so that their hours and posts enter the ledger as officers'.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace

from portsim.document import convert
from portsim.document.parts import DEFAULT_RESOURCE
from portsim.document.policy_blocks import Document, Egates
from portsim.engine import model as m
from portsim.policies import groups
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
    return (block.station, supervising(block)) if block.supervisors else (block.station,)


def supervising(block: Egates) -> str:
    """The station of the officers who supervise the gates."""
    return f"{block.station}.supervisors"


def users(block: Egates) -> list[str]:
    """Every class that may use the gates, in the file's order: by share, then by documents."""
    return [*block.eligible, *block.documents]


def replaced(block: Egates) -> list[str]:
    """The manual stations, as a list."""
    return [block.replaces] if isinstance(block.replaces, str) else list(block.replaces)


def check(ctx: Context, block: Egates) -> Problems:
    loc = ctx.loc
    yield from ctx.new_station(block.station, (*loc, "station"))
    if block.supervisors:
        yield from ctx.new_station(supervising(block), (*loc, "supervisors"))
    manual = replaced(block)
    for index, station in enumerate(manual):
        here = (*loc, "replaces") if isinstance(block.replaces, str) else (*loc, "replaces", index)
        yield from ctx.unknown_station(station, here)
    yield from ctx.unknown_classes(block.eligible, (*loc, "eligible"))
    yield from ctx.unknown_classes(block.documents, (*loc, "documents"))
    yield from groups.check(ctx, block)
    if not all(ctx.has_station(station) for station in manual):
        return
    for name in users(block):
        spec = ctx.spec(name)
        if spec is not None and not set(manual) & route_stations(spec.route):
            key = "eligible" if name in block.eligible else "documents"
            yield ((*loc, key, name),
                   f"class {name!r} visits none of {', '.join(map(repr, manual))}: the gates "
                   "would change nothing for it")


def gate_or_manual(step: m.Step, block: Egates, share: float,
                   unreliable: bool = False, rejection: float | None = None) -> m.Route:
    """The branch that replaces one manual step for a class with this eligible share (and
    this rejection share, by default the block's). Gates that can be out of order
    (``unreliable``) send their users back to the manual step meanwhile."""
    rejected = block.rejection if rejection is None else rejection
    if share <= 0:
        return (step,)
    gate: m.Route
    if unreliable and rejected > 0:
        # Whether the gate will reject a user is drawn before the gates, so that one sent to
        # the manual step by an outage takes it once: drawn after, the rejection step would
        # send some of them to the manual step a second time.
        gate = (m.Branch(((rejected, (m.Visit(block.station, fallback=()), step)),
                          (1 - rejected, (m.Visit(block.station, fallback=(step,)),)))),)
    else:
        gate = (m.Visit(block.station, fallback=(step,) if unreliable else None),)
        if rejected > 0:
            gate = (*gate, m.OptionalStep(rejected, (step,)))
    if share >= 1:
        return gate
    return (m.Branch(((share, gate), (1 - share, (step,)))),)


def by_document(step: m.Step, block: Egates, documents: list[Document],
                unreliable: bool = False) -> m.Route:
    """The branch by document type: each type's share, then the gates for its enrolled
    share, with its own rejection share."""
    options = tuple((document.share, gate_or_manual(step, block, document.enrolled, unreliable,
                                                    document.rejection))
                    for document in documents if document.share > 0)
    return options[0][1] if len(options) == 1 else (m.Branch(options),)


def supervisors(block: Egates, gates: m.StationSpec) -> m.StationSpec:
    """The officers who supervise the bank: ``block.supervisors`` whenever a gate is open."""
    schedule = replace(gates.servers, steps=tuple(
        (at, block.supervisors if open_gates else 0) for at, open_gates in gates.servers.steps))
    return m.StationSpec(name=supervising(block), servers=schedule, service=gates.service,
                         positions=m.ShiftSchedule.constant(block.supervisors),
                         resource=DEFAULT_RESOURCE)


def apply(model: m.Model, block: Egates) -> m.Model:
    station = convert.station(block.station, block.gates, block.service)
    # The gates installed are the bank's positions (a capital item in the ledger).
    gates = replace(station, positions=m.ShiftSchedule.constant(station.servers.max_servers),
                    resource=RESOURCE,
                    **convert.reliability(block.breakdowns, block.outages, block.interrupted,
                                          model.horizon))
    model = with_station(model, gates)
    if block.supervisors:
        model = with_station(model, supervisors(block, gates))
    manual = replaced(block)

    def gates_for(branch: Callable[[m.Step], m.Route]) -> Callable[[m.Route], m.Route]:
        def change(step: m.Step) -> m.Route | None:
            # A booked visit must stay the first step as it is: gates are never booked.
            if isinstance(step, m.Visit) and step.reserve_ahead:
                return None
            if any(visits_directly(step, station) for station in manual):
                return branch(step)
            return None

        return lambda route: m.rewrite(route, change)

    model = groups.apply(model, block, manual, lambda step, share, rejection: gate_or_manual(
        step, block, share, gates.unreliable, rejection))
    for name, share in block.eligible.items():
        if share > 0:
            model = with_route(model, [name], gates_for(
                functools.partial(gate_or_manual, block=block, share=share,
                                  unreliable=gates.unreliable)))
    for name, documents in block.documents.items():
        model = with_route(model, [name], gates_for(
            functools.partial(by_document, block=block, documents=documents,
                              unreliable=gates.unreliable)))
    return model


POLICY: Policy[Egates] = Policy(
    name="egates", check=check, creates=creates, apply=apply,
    serves=lambda block: Serves(tuple(users(block)), (block.station, *replaced(block)),
                                PURPOSE))
