"""Travel groups at the e-gates (``egates.groups``): a group goes to the desk if one member must.

A class ``C`` given ``groups: {share, size}`` is brought in batches (spawn steps: a flight's
passengers). Of each batch, ``share`` of its ``C`` members come as groups of ``size`` instead:

- the batch brings ``share / size`` groups per ``C`` member (class ``C_groups``, counted as
  groups) and the rest as single ``C`` travellers;
- a group takes ``C``'s route up to its first step that visits a station the gates replace
  (the walk to the hall: delays and milestones), together, as one entity;
- there it uses the gates only if every member can: each member independently with ``C``'s
  chance of using them (its eligible share, or by documents the share enrolled), so the
  group with that chance to the power ``size``; its members then enter as ``C_group_gates``
  (the gates, rejected ones to the desk) or ``C_group_desks`` (the desk, all of them), in one
  batch at that instant, and follow the rest of ``C``'s route each on its own;
- the group leaves when its last member has cleared, and whoever waited for the batch that
  brought it waits for that.

The engine needs nothing new: groups and members are classes, spawns carry them. Members
are counted under their own classes (each is a traveller, served one by one), and count for
the pledge wherever ``C`` does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from portsim.document.policy_blocks import Egates, TravelGroup
from portsim.engine import distributions as dists
from portsim.engine import model as m
from portsim.policies.base import (
    Context,
    Problems,
    route_stations,
    scaled,
    treated_like,
    visits_directly,
)

#: The gates' branch for one manual step: (step, eligible share, rejection share) -> steps.
GateBranch = Callable[[m.Step, float, float], m.Route]

#: The classes a grouped class ``C`` adds: the groups, and their members by where they go.
GROUPS, AT_GATES, AT_DESKS = "{}_groups", "{}_group_gates", "{}_group_desks"


def names(name: str) -> tuple[str, str, str]:
    """The groups' class, and their members' at the gates and at the desks, of class ``name``."""
    return GROUPS.format(name), AT_GATES.format(name), AT_DESKS.format(name)


def gate_chance(block: Egates, name: str) -> tuple[float, float]:
    """A member's chance of using the gates, and the share of its gate users rejected."""
    if name in block.eligible:
        return block.eligible[name], block.rejection
    documents = block.documents.get(name, [])
    enrolled = sum(d.share * d.enrolled for d in documents)
    if enrolled <= 0:
        return 0.0, block.rejection
    rejected = sum(d.share * d.enrolled * (block.rejection if d.rejection is None
                                            else d.rejection) for d in documents)
    return enrolled, rejected / enrolled


def _walk(route: m.Route, manual: list[str]) -> int | None:
    """How many of ``route``'s first steps come before it reaches a ``manual`` station, if
    those are only delays and milestones (a walk a group takes together); else None."""
    for index, step in enumerate(route):
        if any(visits_directly(step, station) for station in manual):
            return index
        if not isinstance(step, (m.Delay, m.Milestone)):
            return None
    return None


def check(ctx: Context, block: Egates) -> Problems:
    loc = (*ctx.loc, "groups")
    yield from ctx.unknown_classes(block.groups, loc)
    manual = [block.replaces] if isinstance(block.replaces, str) else list(block.replaces)
    for name in block.groups:
        spec = ctx.spec(name)
        if spec is None:
            continue
        here = (*loc, name)
        if name not in block.eligible and name not in block.documents:
            yield here, (f"class {name!r} may not use the gates ('eligible' or 'documents'): "
                         "its groups would change nothing")
        taken = [new for new in names(name) if ctx.spec(new) is not None]
        if taken:
            yield here, (f"class {taken[0]!r} already exists; the policy creates it for the "
                         f"groups of {name!r}")
        if not any(isinstance(step, m.Spawn) and step.class_name == name
                   for other in ctx.model.classes for step in m.steps(other.route)):
            yield here, (f"class {name!r} is brought by no batch (spawn step): its groups "
                         "come in the batches that bring it")
        if all(ctx.has_station(s) for s in manual) and set(manual) & route_stations(
                spec.route) and _walk(spec.route, manual) is None:
            yield here, (f"class {name!r} must reach the desks the gates replace after "
                         "nothing but delays and milestones (the walk a group takes together)")


def _split_batches(classes: tuple[m.ClassSpec, ...], name: str,
                   group: TravelGroup) -> tuple[m.ClassSpec, ...]:
    """``classes`` with every batch that brings class ``name`` split: singles and groups."""

    def change(step: m.Step) -> m.Route | None:
        if not isinstance(step, m.Spawn) or step.class_name != name:
            return None
        out: list[m.Step] = []
        if group.share < 1:
            out.append(dataclasses.replace(step, count=scaled(step.count, 1 - group.share)))
        out.append(dataclasses.replace(step, class_name=GROUPS.format(name),
                                       count=scaled(step.count, group.share / group.size)))
        return tuple(out)

    return tuple(dataclasses.replace(spec, route=m.rewrite(spec.route, change))
                 for spec in classes)


def apply(model: m.Model, block: Egates, manual: list[str], gate: GateBranch) -> m.Model:
    """``model`` with the groups of every class in ``block.groups`` (before the gates are
    put on the single travellers' routes); ``gate`` is the gates' branch."""
    for name, group in block.groups.items():
        spec = next(c for c in model.classes if c.name == name)
        walk = _walk(spec.route, manual)
        assert walk is not None  # checked
        groups, at_gates, at_desks = names(name)
        chance, rejection = gate_chance(block, name)

        def to_gates(step: m.Step, rejection: float = rejection) -> m.Route | None:
            if any(visits_directly(step, station) for station in manual):
                return gate(step, 1.0, rejection)
            return None

        rest = spec.route[walk:]
        members = dists.Deterministic(float(group.size))
        everyone = chance ** group.size
        options = tuple((p, (m.Spawn(who, members, 0.0, True),))
                        for p, who in ((everyone, at_gates), (1 - everyone, at_desks)) if p > 0)
        together = options[0][1] if len(options) == 1 else (m.Branch(options),)
        added = (
            dataclasses.replace(spec, name=groups, route=(*spec.route[:walk], *together)),
            dataclasses.replace(spec, name=at_gates, route=m.rewrite(rest, to_gates)),
            dataclasses.replace(spec, name=at_desks, route=rest))
        sla = model.sla_classes
        if sla is not None and name in sla:
            sla = (*sla, at_gates, at_desks)
        model = dataclasses.replace(
            model, classes=_split_batches((*model.classes, *added), name, group),
            sla_classes=sla,
            stations=tuple(treated_like(s, name, (at_gates, at_desks)) for s in model.stations))
    return model
