"""What a station of the event engine needs beyond its servers and services, by its kind: the
impatience rules of the classes that may give up there (with the visit clocks of the classes
patient only for so long over their whole visit), the failure clocks and outage windows of an
unreliable station, and the pools of a station whose servers have skills; each with its own
named random streams.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from portsim.engine import model as m
from portsim.engine.impatience import Rule, VisitClock
from portsim.engine.skills import Pool
from portsim.engine.streams import Stream, Uniforms, generator

if TYPE_CHECKING:
    from portsim.engine.classes import ClassState
    from portsim.engine.distributions import Distribution
    from portsim.engine.entity import Entity

__all__ = ["impatience_rules", "reliability", "skilled_pools", "visit_clocks"]


def visit_clocks(model: m.Model, seed: int, replication: int) -> dict[str, VisitClock]:
    """Classes that give up over their whole visit: one clock each, shared by the stations."""
    return {
        spec.name: VisitClock(spec.visit_patience, Stream(spec.visit_patience, generator(
            seed, replication, "visit-patience", spec.name)))
        for spec in model.classes if spec.visit_patience is not None}


def impatience_rules(model: m.Model, spec: m.StationSpec, classes: dict[str, ClassState],
                     clocks: dict[str, VisitClock], seed: int,
                     replication: int) -> dict[ClassState, Rule]:
    """The impatience of each class that may give up at station ``spec``."""
    rules = {}
    for class_spec in model.classes:
        impatience = spec.impatience_for(class_spec.name)
        visit = clocks.get(class_spec.name)
        if visit is not None and spec.name in m.stations_visited(class_spec.route):
            impatience = impatience or m.Impatience()  # the visit's patience only
        else:
            visit = None
        if impatience is None:
            continue
        patience = (None if impatience.patience is None else Stream(
            impatience.patience,
            generator(seed, replication, "patience", spec.name, class_spec.name)))
        uniforms = Uniforms(generator(seed, replication, "balk", spec.name, class_spec.name))
        away = retry_uniforms = None
        if impatience.retry > 0 and impatience.retry_after is not None:
            away = Stream(impatience.retry_after, generator(
                seed, replication, "retry-after", spec.name, class_spec.name))
            retry_uniforms = Uniforms(generator(seed, replication, "retry", spec.name,
                                                class_spec.name))
        rules[classes[class_spec.name]] = Rule(impatience, patience, uniforms, away,
                                               retry_uniforms, visit)
    return rules


def reliability(spec: m.StationSpec, seed: int, replication: int,
                fall_back: Callable[[Entity, Any], None]) -> dict[str, Any]:
    """The failure clocks, outage windows and random choices of an unreliable station (the
    keyword arguments of :class:`~portsim.engine.breakdowns.UnreliableStation`)."""
    def stream(distribution: Distribution | None, purpose: str) -> Stream | None:
        return None if distribution is None else Stream(
            distribution, generator(seed, replication, purpose, spec.name))

    breakdowns = spec.breakdowns
    positions = spec.servers.max_servers + (spec.reactive.max_extra if spec.reactive else 0)
    return {"between": stream(breakdowns.between if breakdowns else None, "failure"),
            "repair": stream(breakdowns.repair if breakdowns else None, "repair"),
            "choices": Uniforms(generator(seed, replication, "interrupt", spec.name)),
            "positions": positions if breakdowns is not None else 0,
            "resumes": spec.interrupted == "resume", "outages": spec.outages,
            "fall_back": fall_back}


def skilled_pools(spec: m.StationSpec, classes: dict[str, ClassState],
                  clock: float) -> dict[str, Any]:
    """The pools of a station whose servers have skills, as on duty at ``clock``, and the skill
    each class needs there (the keyword arguments of
    :class:`~portsim.engine.skills.SkillStation`)."""
    return {"pools": [Pool(p.name, frozenset(p.skills), p.servers.servers_at(clock))
                      for p in spec.pools],
            "skill_of": {classes[name]: skill for name, skill in spec.skill_by_class.items()
                         if name in classes}}
