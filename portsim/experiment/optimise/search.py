"""``optimise``: the designs of a space compared by KN++ on common random numbers, the
constraints screened as they go; the answer with its guarantee, every design's estimate with
its interval and the replications it received."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from portsim.engine.collect import kpi_names
from portsim.experiment.executors import one_pool
from portsim.experiment.ledger import ledger_kpis
from portsim.experiment.optimise.ocba import OCBA, SCREENED, STAGES, select_ocba
from portsim.experiment.optimise.problem import (
    Bound,
    Constraint,
    Objective,
    OptimiseError,
    bounds_of,
    checked,
)
from portsim.experiment.optimise.procedure import (
    BUDGET,
    INFEASIBLE,
    NONE_FEASIBLE,
    SELECTED,
    Outcome,
    Settings,
    select,
)
from portsim.experiment.optimise.space import Replicator, Space
from portsim.experiment.options import RunOptions
from portsim.experiment.results import Results
from portsim.experiment.runner import results_of
from portsim.stats.summary import Interval, t_interval

FORMAT = "portsim-optimise/1"
#: The most designs KN++ is offered for (it compares every pair of survivors each stage).
MOST_DESIGNS = 50
#: The most designs at all: above MOST_DESIGNS, a screening round then OCBA.
MOST_OCBA = 500
PROCEDURE = "KN++ (Kim & Nelson) with feasibility screening (Andradóttir & Kim)"
OCBA_PROCEDURE = ("screening (Nelson et al.) after a first round, then OCBA budget "
                  "allocation (Chen et al.)")


@dataclass
class Optimisation:
    """The question, the procedure's outcome and what each design's replications say."""

    name: str
    variant: str | None
    space: Space
    objective: Objective
    constraints: list[Constraint]
    bounds: list[Bound]
    outcome: Outcome
    results: list[Results]
    seed: int
    tolerance: float
    delta_chosen: bool = False
    """Whether δ was chosen by default (1 % of the first stage's best mean)."""
    warnings: list[str] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return self.space.labels

    @property
    def selected(self) -> int | None:
        return self.outcome.selected

    @property
    def procedure(self) -> str:
        """The procedure that decided, named as in the outputs."""
        return OCBA_PROCEDURE if self.outcome.procedure == OCBA else PROCEDURE

    @property
    def delta(self) -> float:
        return float(self.outcome.settings.delta)  # type: ignore[arg-type]

    def estimate(self, design: int) -> Interval:
        """The design's objective: mean and 95 % interval over its replications."""
        values = self.outcome.objective[design] * self.objective.sign
        return t_interval(values)

    def status(self, design: int) -> str:
        """selected, eliminated (worse by more than the procedure allows), screened out
        (OCBA's first round: clearly worse by more than δ), infeasible, still in contention
        (the budget ran out; for OCBA, the survivors it shared the budget among) or, when none
        is feasible, infeasible."""
        if design == self.selected:
            return "selected" if self.outcome.stopped == SELECTED else "best so far"
        why = self.outcome.eliminated[design]
        if why == INFEASIBLE:
            return "infeasible"
        if why == SCREENED:
            return "screened out"
        if why == "compared":
            return "eliminated"
        return "in contention"

    def feasibility(self, design: int) -> str:
        return self.outcome.status(design)

    def difference(self, design: int) -> Interval | None:
        """The design's objective minus the selected one's, paired over their common
        replications (common random numbers)."""
        chosen = self.selected
        if chosen is None or design == chosen:
            return None
        n = min(self.outcome.replications(design), self.outcome.replications(chosen))
        values = (self.outcome.objective[design][:n] - self.outcome.objective[chosen][:n])
        return t_interval(values * self.objective.sign)

    def runners_up(self) -> list[int]:
        """Designs not known infeasible whose mean lies within δ of the selected one's."""
        chosen = self.selected
        if chosen is None:
            return []
        best = self.outcome.mean(chosen)
        return sorted((i for i in range(len(self.labels)) if i != chosen
                       and self.outcome.status(i) != INFEASIBLE
                       and self.outcome.mean(i) - best <= self.delta),
                      key=self.outcome.mean)

    @property
    def brute_force(self) -> int:
        """What giving every design the most replications any design received would take."""
        return len(self.labels) * max(self.outcome.replications(i)
                                      for i in range(len(self.labels)))

    def guarantee(self) -> str:
        """The guarantee in words, as the procedure gives it (or why there is none)."""
        settings = self.outcome.settings
        level = f"{settings.confidence:.0%}"
        if self.outcome.procedure == OCBA and self.outcome.stopped != NONE_FEASIBLE:
            return self._estimate_words()
        if self.outcome.stopped == BUDGET:
            return (f"none: the budget of {settings.budget:,} replications ran out before "
                    "the procedure could decide; the best mean so far is shown (raise "
                    "--budget or --delta for a guarantee)")
        if self.outcome.stopped == NONE_FEASIBLE:
            return (f"with probability at least {level}, no design meets the constraints "
                    f"(each judged within a tolerance of {self.tolerance:.0%} of its bound)")
        tail = (f" meets every constraint within a tolerance of {self.tolerance:.0%} of its "
                "bound and" if self.bounds else "")
        return (f"with probability at least {level} the selected design{tail} is within "
                f"δ = {self.delta_words} of the best design"
                f"{' that meets the constraints' if self.bounds else ''}")

    def _estimate_words(self) -> str:
        """OCBA's answer: an estimated probability, not a guarantee."""
        chance = self.outcome.apcs or 0.0
        undecided = (self.selected is not None
                     and self.outcome.status(self.selected) == "undecided")
        tail = ("; its constraints are not yet shown to be met (raise --budget)"
                if undecided else "")
        return (f"none (OCBA, unlike KN++, promises nothing); estimated probability of "
                f"correct selection {chance:.1%} (APCS-B, Chen et al.'s Bonferroni bound "
                f"computed from the data){tail}")

    @property
    def delta_words(self) -> str:
        """δ in the objective's unit: ``0.5 min``, ``1 percentage point``, ``500``."""
        from portsim.stats.kpis import MINUTES, lookup

        entry = lookup(self.objective.kpi.scope, self.objective.kpi.kpi)
        if entry is not None and entry.is_share:
            return f"{100 * self.delta:.3g} percentage points"
        if entry is not None and entry.unit == MINUTES:
            return f"{self.delta:.3g} min"
        return f"{self.delta:.4g}"

    def pledge_text(self, design: int) -> str | None:
        """The pledge verdict of the design, as compare and run print it (None: no pledge)."""
        from portsim.experiment.pledge import verdict

        if not any(c.is_pledge for c in self.constraints):
            return None
        results = self.results[design]
        names = sorted({bound.name for bound in self.bounds if bound.label.startswith("pledge")})
        return "; ".join(f"{name}: {verdict(results, 'classes', name).text()}"
                         for name in names)

    def ledger(self, design: int) -> dict[str, Interval]:
        """The design's ledger figures a day (officer-hours, positions, cost)."""
        results = self.results[design]
        return {kpi: results.summary("system", "all", kpi) for kpi in ledger_kpis(results)}


def optimise(scenario: Any, space: Space, objective: Objective,
             constraints: Sequence[Constraint], options: RunOptions, *,
             delta: float | None, confidence: float = 0.95, first: int | None = None,
             budget: int | None = None, tolerance: float = 0.1, variant: str | None = None,
             seed: int | None = None,
             progress: Callable[[int], None] | None = None) -> Optimisation:
    """Choose the best design of ``space``: by KN++ with feasibility screening up to
    MOST_DESIGNS designs, above that by a screening round then OCBA within ``budget``."""
    known = kpi_names(space.designs[0].model)
    checked(objective.kpi, known, "--maximise" if objective.maximise else "--minimise")
    bounds = bounds_of(constraints, space.designs[0].model, known)
    chosen_seed = seed if seed is not None else scenario.seed
    n0 = first if first is not None else max(scenario.replications, 2)
    if n0 < 2:
        raise OptimiseError("--replications: the first stage needs at least 2 replications")
    if not 0 < tolerance < 1:
        raise OptimiseError(f"--tolerance {tolerance}: must lie between 0 and 1")
    k = len(space.designs)
    _check_budget(budget, n0, k)
    replicator = Replicator(space, objective, bounds, options, chosen_seed, progress)
    default_delta = delta is None
    # Every stage is a batch of a few replications: one pool of workers serves them all.
    with one_pool(options.workers, options.scheduler):
        if default_delta:
            delta = _default_delta(replicator, k, n0)
        settings = Settings(delta=float(delta), confidence=confidence,  # type: ignore[arg-type]
                            first=n0, budget=budget, step=_step(options.workers, k),
                            tolerances=tuple(_tolerance(bound.bound, tolerance)
                                             for bound in bounds))
        if k > MOST_DESIGNS:
            outcome = select_ocba(replicator.ragged, k, len(bounds),
                                  replace(settings, step=_increment(budget, n0, k)))
        else:
            outcome = select(replicator, k, len(bounds), settings)
    results = [results_of(item.model, item.provenance, variant, chosen_seed,
                          replicator.runs[item.label]) for item in space.designs]
    return Optimisation(scenario.name, variant, space, objective, list(constraints), bounds,
                        outcome, results, chosen_seed, tolerance, default_delta)


def _check_budget(budget: int | None, first: int, k: int) -> None:
    """Before any run: the budget must cover the first round; above MOST_DESIGNS it is
    required and must leave replications for OCBA to allocate."""
    if k <= MOST_DESIGNS:
        if budget is not None and budget < first * k:
            raise OptimiseError(f"--budget {budget:,}: the first stage alone takes "
                                f"{first * k:,} replications ({k} designs × {first})")
        return
    if budget is None:
        raise OptimiseError(f"the design space has {k} designs, more than {MOST_DESIGNS}: "
                            "they are screened, then a fixed budget is allocated by OCBA; "
                            f"give --budget, the replications over all designs (more than "
                            f"the first round's {first * k:,}, e.g. {3 * first * k:,})")
    if budget <= first * k:
        raise OptimiseError(f"--budget {budget:,}: the first round alone takes {first * k:,} "
                            f"replications ({k} designs × {first}); OCBA needs more to "
                            f"allocate (e.g. {3 * first * k:,})")


def default_budget(budget: int | None, k: int) -> int | None:
    """The budget as given, else 100 replications a design for KN++; OCBA has no default."""
    if budget is not None:
        return budget
    return 100 * k if k <= MOST_DESIGNS else None


def _increment(budget: int | None, first: int, k: int) -> int:
    """OCBA's replications per stage: the rest of the budget over its stages, at least 10."""
    return max(10, math.ceil(((budget or 0) - first * k) / STAGES))


def _default_delta(replicator: Replicator, k: int, n0: int) -> float:
    """1 % of the best first-stage mean (the first stage is kept: the procedure reuses it)."""
    objective, _ = replicator(list(range(k)), 0, n0)
    best = float(np.min(np.abs(objective.mean(axis=1))))
    return max(0.01 * best, 1e-9)


def _tolerance(bound: float, share: float) -> float:
    """ε for a constraint: a share of its bound (of 1 where the bound is 0)."""
    return share * abs(bound) if bound != 0 else share


def _step(workers: int, designs: int) -> int:
    """Replications per survivor per stage: enough tasks to keep the workers busy."""
    return max(1, math.ceil(2 * max(1, workers) / max(1, designs))) if workers > 1 else 1


__all__ = ["FORMAT", "MOST_DESIGNS", "MOST_OCBA", "OCBA_PROCEDURE", "PROCEDURE", "Optimisation",
           "default_budget", "optimise"]
