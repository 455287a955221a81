"""``portsim.optimise``: the command's question from Python, written as on the command line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Unpack

from portsim.experiment.optimise.front import Front, front, parse_front
from portsim.experiment.optimise.problem import (
    Objective,
    OptimiseError,
    parse_amount,
    parse_constraint,
    parse_item,
)
from portsim.experiment.optimise.search import MOST_DESIGNS, MOST_OCBA, Optimisation, default_budget
from portsim.experiment.optimise.search import optimise as search
from portsim.experiment.optimise.space import build_space, parse_axes
from portsim.experiment.options import RunOptions, RunSettings, run_options


def optimise(source: Any, vary: Sequence[str], options: RunOptions | None = None, *,
             minimise: str | None = None, maximise: str | None = None,
             subject_to: Sequence[str] = (), delta: float | str | None = None,
             confidence: float = 0.95, budget: int | None = None, tolerance: float = 0.1,
             prices: Sequence[str] = (), variant: str | None = None,
             **run_settings: Unpack[RunSettings]) -> Optimisation:
    """Choose the best design among the combinations of ``vary`` (``"PATH=VALUES"`` as after
    ``--vary``) by KN++ on common random numbers, as ``portsim optimise`` does.

    ``minimise`` or ``maximise``: ``"cost"``, a whole-port KPI or ``"SCOPE.NAME.KPI"``;
    ``subject_to``: ``"pledge"`` or ``"KPI<=VALUE"``; ``delta`` in the objective's unit (a
    number, or text such as ``"1min"``); ``options.replications`` (or the keyword) is the
    first stage; ``budget`` caps the replications over all designs (default 100 per design
    up to 50 designs; above that, up to 500, the designs are screened and ``budget`` is
    required, spent by OCBA).
    """
    from portsim.scenario import Scenario, load_scenario

    if (minimise is None) == (maximise is None):
        raise OptimiseError("give one of minimise and maximise")
    objective = Objective(parse_item(minimise or maximise or "", "minimise"
                                     if minimise is not None else "maximise"),
                          maximise is not None)
    constraints = [parse_constraint(text) for text in subject_to]
    chosen = parse_amount(delta, "delta") if isinstance(delta, str) else delta
    settings = run_options(options, run_settings)
    scenario = source if isinstance(source, Scenario) else load_scenario(source)
    space = build_space(scenario, parse_axes(vary), variant, prices, MOST_OCBA)
    first = settings.replications_for(scenario)
    return search(scenario, space, objective, constraints, settings, delta=chosen,
                  confidence=confidence, first=first,
                  budget=default_budget(budget, len(space.designs)),
                  tolerance=tolerance, variant=variant, seed=settings.seed_for(scenario))


def pareto_front(source: Any, vary: Sequence[str], objectives: str,
                 options: RunOptions | None = None, *, subject_to: Sequence[str] = (),
                 confidence: float = 0.95, prices: Sequence[str] = (),
                 variant: str | None = None, **run_settings: Unpack[RunSettings]) -> Front:
    """The Pareto set of two objectives (``"cost,wait_mean"``, as after ``--front``) over the
    combinations of ``vary``, every design run ``options.replications`` (or the keyword; default
    the scenario's) on common random numbers, as ``portsim optimise --front`` does."""
    from portsim.scenario import Scenario, load_scenario

    pair = parse_front(objectives)
    constraints = [parse_constraint(text) for text in subject_to]
    settings = run_options(options, run_settings)
    scenario = source if isinstance(source, Scenario) else load_scenario(source)
    space = build_space(scenario, parse_axes(vary), variant, prices, MOST_DESIGNS)
    return front(scenario, space, pair, constraints, settings,
                 replications=settings.replications_for(scenario), level=confidence,
                 variant=variant, seed=settings.seed_for(scenario))


__all__ = ["optimise", "pareto_front"]
