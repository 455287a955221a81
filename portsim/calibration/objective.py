"""The standardised distance between a scenario's KPIs and observed figures, on common random
numbers.

A candidate (one value per free parameter) is run as the baseline and every variant the targets
name, each replicated with the same seeds as every other candidate, so the distance is a
deterministic function of the values: the search compares candidates, not luck. For each target
the model's mean ``m`` (over the replications, with standard error ``s``) is compared with the
observed figure ``o`` (standard error ``u``)::

    z = (m - o) / sqrt(u² + s²)

and the distance is the sum of ``z²`` over the targets used in the fit. A target is *within its
uncertainty* when ``|z| <= 1.96``: the model and the observation do not differ at the 5 % level.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from portsim.calibration.free import Free, with_values
from portsim.calibration.targets import Z95, Target, Targets
from portsim.errors import PortsimError, ScenarioError
from portsim.experiment.options import RunOptions
from portsim.experiment.results import Results
from portsim.experiment.runner import Prepared, prepare, run_prepared
from portsim.scenario.loader import Scenario, load_scenario
from portsim.stats.summary import Interval, t_interval


class CalibrationError(PortsimError):
    """A calibration that cannot be run (a candidate that is not a valid scenario)."""


@dataclass(frozen=True)
class Compared:
    """One target at one candidate: the model's figure against the observed one."""

    name: str
    target: Target
    model: Interval
    model_se: float

    @property
    def z(self) -> float:
        spread = math.hypot(self.target.standard_error, self.model_se)
        return (self.model.mean - self.target.value) / spread

    @property
    def error(self) -> float:
        """Model minus observed."""
        return self.model.mean - self.target.value

    @property
    def within(self) -> bool:
        return abs(self.z) <= Z95


@dataclass(frozen=True)
class Evaluation:
    """Every target at one candidate, and the distance over those used in the fit."""

    values: tuple[float, ...]
    compared: tuple[Compared, ...]

    @property
    def distance(self) -> float:
        return float(sum(c.z ** 2 for c in self.compared if c.target.use == "fit"))

    def used(self, use: str) -> list[Compared]:
        return [c for c in self.compared if c.target.use == use]


@dataclass
class Objective:
    """The distance as a function of the free parameters' values, each candidate run once
    (a cache keyed by the values) on the same seeds."""

    scenario: Scenario
    targets: Targets
    free: Sequence[Free]
    options: RunOptions
    documents: dict[str | None, dict[str, Any]]
    seen: dict[tuple[float, ...], Evaluation] = field(default_factory=dict)
    progress: Callable[[int, Evaluation], None] | None = None

    def __call__(self, values: Sequence[float]) -> Evaluation:
        key = tuple(float(value) for value in values)
        if key not in self.seen:
            self.seen[key] = self._evaluate(key)
            if self.progress is not None:
                self.progress(len(self.seen), self.seen[key])
        return self.seen[key]

    def distance(self, values: Sequence[float]) -> float:
        return self(values).distance

    def _evaluate(self, values: tuple[float, ...]) -> Evaluation:
        results = self.run(values)
        compared = []
        for name, target in self.targets.items():
            interval, se = model_figure(results, target)
            compared.append(Compared(name, target, interval, se))
        return Evaluation(values, tuple(compared))

    def run(self, values: Sequence[float]) -> dict[str, Results]:
        """Each document the targets use with the values set, replicated on the same seeds."""
        prepared: list[Prepared] = []
        folder = self.scenario.source_file.parent if self.scenario.source_file else None
        for variant, document in self.documents.items():
            changed = with_values(document, self.free, values)
            try:
                loaded = load_scenario(changed, base_dir=folder)
            except ScenarioError as error:
                shown = ", ".join(f"{f.name}={v:g}" for f, v in zip(self.free, values,
                                                                      strict=True))
                raise CalibrationError(
                    f"at {shown} the scenario ({variant or 'baseline'}) is not valid: "
                    f"{error}; narrow the free parameters' ranges") from None
            item, _ = prepare(loaded, label=_label(variant))
            prepared.append(dataclasses.replace(item, variant=variant))
        return run_prepared(prepared, self.options)


def model_figure(runs: dict[str, Results], target: Target) -> tuple[Interval, float]:
    """The model's figure for ``target`` from the runs by label: its mean over the
    replications with its 95 % interval, and its standard error (infinite with fewer than two
    replications)."""
    run = runs[_label(target.variant)]
    scope, owner = target.scope
    values = run.per_replication(scope, owner, target.kpi_key)
    if target.relative_to is not None:
        # Paired: replication i of both runs drew the same random numbers.
        before = runs[_label(target.reference)].per_replication(scope, owner, target.kpi_key)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(before > 0, values / before, np.nan)
        interval = t_interval(values)
    elif target.per:
        total = sum((run.per_replication(*divisor) for divisor in target.divisors()),
                    np.zeros_like(values))
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(total > 0, values / total, np.nan)
        interval = t_interval(values)
    else:
        interval = run.summary(scope, owner, target.kpi_key)
    finite = values[np.isfinite(values)]
    se = float(finite.std(ddof=1) / math.sqrt(finite.size)) if finite.size > 1 else math.inf
    return interval, se


def _label(variant: str | None) -> str:
    return variant if variant is not None else "baseline"


__all__ = ["CalibrationError", "Compared", "Evaluation", "Objective"]
