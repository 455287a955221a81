"""A variant's separate changes, each one's effect and their interactions, on common random
numbers.

``compare FILE --decompose VARIANT`` splits the variant into its changes (see
:mod:`portsim.scenario.levers`) and runs the baseline with every mix of them (a full factorial
design, 2^k runs) when there are at most :data:`FACTORIAL_MOST`, else each change alone and the
whole variant. Every run uses the same seed, so replication ``i`` of each mix sees the same
arrivals and service draws: the effects are computed replication by replication from paired
differences, and each has a Student-t interval over the replications, like any difference of a
comparison.

The effects are anchored at the baseline (what an administration starting from today's port
asks): a change's *main effect* is the change made alone (``y(A) − y(∅)``); the interaction of a
set ``T`` of changes is what they do together beyond the effects of their smaller subsets, by
inclusion–exclusion, ``Σ_{S ⊆ T} (−1)^{|T|−|S|} y(S)`` (two changes: ``y(AB) − y(A) − y(B) +
y(∅)``). Main effects and interactions add up to the whole variant's difference in every
replication. With more changes, the one run of all of them together gives only the sum of every
interaction, reported as one effect, so the parts still add up.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Unpack

import numpy as np

from portsim.errors import PortsimError
from portsim.experiment.comparison import BASELINE, ROUNDING, Comparison, compare
from portsim.experiment.options import RunOptions, RunSettings
from portsim.scenario.levers import Lever, LeverError, grouped, levers, mixed_scenario, split_policy
from portsim.stats.summary import Interval, t_interval

FORMAT = "portsim-decomposition/1"
#: At most this many changes run as a full factorial (2^k runs); more run one at a time.
FACTORIAL_MOST = 4
FACTORIAL, ONE_AT_A_TIME = "full factorial", "one at a time"
MAIN, INTERACTION, TOGETHER, WHOLE = "main", "interaction", "interactions", "whole"

Item = tuple[str, str, str]


class DecompositionError(PortsimError):
    """A variant that cannot be decomposed."""


@dataclass(frozen=True)
class Effect:
    """A main effect, an interaction, the sum of all interactions, or the whole variant."""

    name: str
    kind: str
    #: The changes (indices into the plan's levers) it is about.
    levers: tuple[int, ...]


@dataclass(frozen=True)
class Plan:
    """The changes of a variant and the runs that separate them: per label, which changes it
    makes; the whole variant runs under its own name, the baseline under ``"baseline"``."""

    variant: str
    levers: list[Lever]
    runs: dict[str, tuple[int, ...]]
    #: The scenario whose variants are the runs (see :func:`mixed_scenario`).
    scenario: Any = field(repr=False)

    @property
    def design(self) -> str:
        return FACTORIAL if len(self.levers) <= FACTORIAL_MOST else ONE_AT_A_TIME

    @property
    def labels(self) -> list[str]:
        return list(self.runs)

    def label_of(self, chosen: tuple[int, ...]) -> str:
        return BASELINE if not chosen else next(label for label, run in self.runs.items()
                                                if run == chosen)

    def effects(self) -> list[Effect]:
        """Main effects, then interactions by order (or their sum), then the whole."""
        count = len(self.levers)
        found = []
        orders = range(1, count + 1) if self.design == FACTORIAL else (1,)
        for order in orders:
            for chosen in itertools.combinations(range(count), order):
                if order < count or count == 1:
                    found.append(Effect(" × ".join(self.levers[i].name for i in chosen),
                                        MAIN if order == 1 else INTERACTION, chosen))
        every = tuple(range(count))
        if count > 1:
            kind = INTERACTION if self.design == FACTORIAL else TOGETHER
            name = (" × ".join(lever.name for lever in self.levers) if kind == INTERACTION
                    else "all interactions together")
            found.append(Effect(name, kind, every))
        found.append(Effect(self.variant, WHOLE, every))
        return found


def plan(scenario: Any, variant: str) -> Plan:
    """The changes of ``variant`` and the scenario of the runs that separate them.

    Raises ScenarioError for an unknown variant (with a suggestion) and
    :class:`DecompositionError` for one that changes nothing or whose changes cannot be made
    one without another.
    """
    scenario.document(variant)  # an unknown variant: the scenario's own message
    if variant == BASELINE:
        raise DecompositionError(f"a variant named {BASELINE!r} cannot be told apart from the "
                                 "baseline in a comparison; rename it")
    base, after = scenario.resolved(None), scenario.resolved(variant)
    found = levers(base, after)
    if not found:
        where = scenario.source_file or scenario.name
        raise DecompositionError(f"{where}: variant {variant!r} changes nothing of the "
                                 "baseline (beyond its description): there is nothing to "
                                 "decompose")
    while True:
        runs = _runs(variant, found)
        mixes = {label: [found[i] for i in run] for label, run in runs.items()
                 if label != variant}
        try:
            return Plan(variant, found, runs, mixed_scenario(scenario, variant, mixes))
        except LeverError as error:
            regrouped = _regrouped(found, error, base, after)
            if regrouped is None:
                where = scenario.source_file or scenario.name
                raise DecompositionError(f"{where}: variant {variant!r} cannot be decomposed: "
                                         f"{error}; its changes depend on each other, so write "
                                         "variants that make them separately and compare "
                                         "those") from None
            found = regrouped


def _regrouped(found: list[Lever], error: LeverError, base: Any, after: Any,
               ) -> list[Lever] | None:
    """``found`` with the policies split into parameters in the mix that failed made one
    change each (None when there are none to join)."""
    failed = error.levers
    policies = [policy for policy in dict.fromkeys(split_policy(lever) for lever in failed)
                if policy is not None
                and sum(split_policy(lever) == policy for lever in found) > 1]
    if not policies:
        return None
    for policy in policies:
        found = grouped(found, policy, base, after)
    return found


def _runs(variant: str, found: Sequence[Lever]) -> dict[str, tuple[int, ...]]:
    """Per label, the changes a run makes: every mix (full factorial) or each change alone;
    the whole variant last, under its own name."""
    count = len(found)
    orders = range(1, count) if count <= FACTORIAL_MOST else (1,) if count > 1 else ()
    runs: dict[str, tuple[int, ...]] = {}
    for order in orders:
        for chosen in itertools.combinations(range(count), order):
            label = " + ".join(found[i].name for i in chosen)
            if label in (BASELINE, variant) or label in runs:
                label = f"{variant}: {label}"
            runs[label] = chosen
    runs[variant] = tuple(range(count))
    return runs


@dataclass
class Decomposition:
    """The runs of a plan, compared with the baseline, and the effects they estimate on the
    whole variant's headline KPIs."""

    plan: Plan
    comparison: Comparison
    level: float = 0.95

    @property
    def variant(self) -> str:
        return self.plan.variant

    def __repr__(self) -> str:
        # Short: the comparison behind it holds every replication of every run.
        return (f"Decomposition(variant={self.variant!r}, design={self.plan.design!r}, "
                f"changes={[lever.name for lever in self.plan.levers]!r}, "
                f"replications={self.comparison.replications})")

    @property
    def kpis(self) -> list[Item]:
        """The KPIs decomposed: the whole variant's headline (what it buys, for whom, who pays,
        the whole port), then what it costs (the ledger's resource use), as a comparison
        leads with them."""
        return [pick.item for pick in self.comparison.headline_picks(self.variant)]

    def values(self, effect: Effect, item: Item) -> np.ndarray | None:
        """The effect in every replication (None when a run it needs lacks the KPI)."""
        parts = self._parts(effect)
        labels = [BASELINE, *(label for _, label in parts)]
        if not all(self.comparison.results(label).has(*item) for label in labels):
            return None
        total = np.zeros(self.comparison.replications)
        for sign, label in parts:
            total = total + sign * self.comparison.difference_values(label, *item)
        return self._rounded(total, labels, item)

    def _parts(self, effect: Effect) -> list[tuple[float, str]]:
        """The runs an effect is made of, each with its sign (of its difference to the
        baseline): the whole variant; the whole less each change alone; or the mixes of the
        effect's changes by inclusion–exclusion."""
        if effect.kind == WHOLE:
            return [(1.0, self.variant)]
        if effect.kind == TOGETHER:
            return [(1.0, self.variant),
                    *((-1.0, self.plan.label_of((i,))) for i in effect.levers)]
        count = len(effect.levers)
        return [((-1.0) ** (count - order), self.plan.label_of(chosen))
                for order in range(1, count + 1)
                for chosen in itertools.combinations(effect.levers, order)]

    def _rounded(self, values: np.ndarray, labels: Sequence[str], item: Item) -> np.ndarray:
        """An effect within rounding of the values it is made of is none (as a difference of a
        comparison is; see :data:`ROUNDING`)."""
        scale = np.max([np.abs(self.comparison.results(label).per_replication(*item))
                        for label in labels], axis=0)
        values = values.copy()
        with np.errstate(invalid="ignore"):
            values[np.abs(values) <= ROUNDING * scale] = 0.0
        return values

    def interval(self, effect: Effect, item: Item) -> Interval | None:
        """The effect's mean over replications and its paired Student-t interval."""
        values = self.values(effect, item)
        return None if values is None else t_interval(values, self.level)

    def rows(self) -> list[dict[str, Any]]:
        """decomposition.csv: one row per (KPI, effect)."""
        rows = []
        for scope, name, kpi in self.kpis:
            for effect in self.plan.effects():
                interval = self.interval(effect, (scope, name, kpi))
                fields = (dict.fromkeys(t_interval(()).as_dict()) if interval is None
                          else interval.as_dict())
                rows.append({"variant": self.variant, "effect": effect.name,
                             "kind": effect.kind, "changes": len(effect.levers),
                             "paths": " ".join(self.plan.levers[i].dotted
                                               for i in effect.levers),
                             "scope": scope, "name": name, "kpi": kpi, **fields})
        return rows

    def to_dict(self) -> dict[str, Any]:
        """What results.json holds under ``decomposition``."""
        effects = []
        for effect in self.plan.effects():
            nested: dict[str, Any] = {}
            for scope, name, kpi in self.kpis:
                interval = self.interval(effect, (scope, name, kpi))
                if interval is not None:
                    nested.setdefault(scope, {}).setdefault(name, {})[kpi] = interval.as_dict()
            effects.append({"name": effect.name, "kind": effect.kind,
                            "changes": [self.plan.levers[i].name for i in effect.levers],
                            "effects": nested})
        return {
            "format": FORMAT,
            "variant": self.variant,
            "design": self.plan.design,
            "changes": [{"name": lever.name, "path": lever.dotted, "baseline": lever.baseline,
                         "variant": lever.variant} for lever in self.plan.levers],
            "runs": {label: [self.plan.levers[i].name for i in run]
                     for label, run in self.plan.runs.items()},
            "kpis": [".".join(item) for item in self.kpis],
            "effects": effects,
        }


def decompose(source: Any, variant: str, options: RunOptions | None = None,
              **settings: Unpack[RunSettings]) -> Decomposition:
    """Run ``variant``'s changes of a scenario (a file, a mapping or a loaded scenario) alone
    and together on common random numbers (see the module docstring); run settings as
    :func:`~portsim.experiment.comparison.compare` takes them."""
    from portsim.scenario import Scenario, load_scenario

    scenario = source if isinstance(source, Scenario) else load_scenario(source)
    planned = plan(scenario, variant)
    comparison = compare(planned.scenario, options, variants=planned.labels, **settings)
    return Decomposition(planned, comparison)


__all__ = ["FACTORIAL_MOST", "Decomposition", "DecompositionError", "Effect", "Plan",
           "decompose", "plan"]
