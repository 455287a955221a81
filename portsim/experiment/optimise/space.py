"""The design space: the product of the ``--vary`` axes (the sweep's ``PATH=VALUES`` syntax and
its grid), each design a full scenario compiled like a file, all replicated on common random
numbers; and the replications, drawn stage by stage as the procedure asks for them.

Designs whose servers on duty would exceed a station's positions are left out, as the sweep
stops at them: a hall's positions are a capital fact the design space lives within.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from portsim.engine.result import ReplicationResult
from portsim.errors import ScenarioError
from portsim.experiment.optimise.problem import Bound, Objective, OptimiseError
from portsim.experiment.options import RunOptions
from portsim.experiment.runner import Job, Prepared, job_inputs, prepare, run_jobs
from portsim.experiment.sweeps import Setting, SweepError, apply_setting, grid, parse_setting
from portsim.scenario.positions import NEEDS_A_POSITION

#: The price keys of a scenario's ``costs:`` block that ``--price`` may set.
PRICE_KEYS = ("per_hour", "per_call_out_hour", "per_position_day", "currency")


def _vary_error(error: Exception) -> OptimiseError:
    """A sweep error in the words of ``optimise`` (its option is ``--vary``, not ``--set``)."""
    return OptimiseError(str(error).replace("--set", "--vary"))


def parse_axes(texts: Sequence[str]) -> list[Setting]:
    """The ``--vary`` axes, parsed as the sweep parses ``--set``."""
    if not texts:
        raise OptimiseError("no design space: give at least one --vary PATH=VALUES")
    try:
        return [parse_setting(text) for text in texts]
    except SweepError as error:
        raise _vary_error(error) from None


def apply_prices(document: dict[str, Any], prices: Sequence[str]) -> None:
    """``--price KEY=VALUE`` into the document's ``costs:`` block (``per_hour=40``,
    ``per_position_day.gate=300``, ``currency=CNY``), for every design alike."""
    for text in prices:
        key, equals, value = text.partition("=")
        parts = key.strip().split(".")
        if not equals or parts[0] not in PRICE_KEYS or len(parts) > 2 or not all(parts) \
                or (parts[0] == "currency" and len(parts) > 1):
            raise OptimiseError(f"--price {text!r}: expected KEY=VALUE with KEY one of "
                                f"{', '.join(PRICE_KEYS)}, or PRICE.RESOURCE=VALUE "
                                "(e.g. per_hour=40, per_position_day.gate=300)")
        costs = document.setdefault("costs", {})
        written: Any = value.strip()
        if parts[0] != "currency":
            try:
                written = float(written)
            except ValueError:
                raise OptimiseError(f"--price {text!r}: {value.strip()!r} is not a "
                                    "number") from None
        if len(parts) == 1:
            costs[parts[0]] = written
        else:
            here = costs.get(parts[0])
            table = dict(here) if isinstance(here, Mapping) else {}
            table[parts[1]] = written
            costs[parts[0]] = table


def base_document(scenario: Any, variant: str | None, prices: Sequence[str]) -> dict[str, Any]:
    """The scenario (or its ``variant``) as resolved, with the question's prices: what every
    design changes, and the baseline the selected design is set against."""
    base = copy.deepcopy(scenario.resolved(variant))
    apply_prices(base, prices)
    return base


def label_of(assignment: Mapping[str, Any], axes: Sequence[Setting] | None = None) -> str:
    """A design as people read it: ``policies.egates.gates=40, stations.desks.servers+=2``."""
    if axes is None:
        return ", ".join(f"{path}={value}" for path, value in assignment.items())
    return ", ".join(f"{setting.path}{setting.op}{assignment[setting.key]}" for setting in axes)


@dataclass
class Space:
    """The designs to choose from, compiled, and those left out beyond the positions."""

    axes: list[Setting]
    designs: list[Prepared]
    assignments: list[dict[str, Any]]
    beyond: list[dict[str, Any]] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [label_of(assignment, self.axes) for assignment in self.assignments]


def build_space(scenario: Any, axes: Sequence[Setting], variant: str | None = None,
                prices: Sequence[str] = (), most: int | None = None) -> Space:
    """Every design of the axes' grid that fits the positions, compiled; ``most``: refuse
    a space larger than this before compiling anything."""
    base = base_document(scenario, variant, prices)
    folder = scenario.source_file.parent if scenario.source_file is not None else None
    try:
        points = grid(axes)
    except SweepError as error:
        raise _vary_error(error) from None
    if most is not None and len(points) > most:
        raise OptimiseError(
            f"the design space has {len(points):,} designs, more than the {most} this question "
            "takes: narrow the --vary values, or sweep the space first (portsim sweep) and "
            "optimise over the promising part")
    space = Space(list(axes), [], [])
    for assignment in points:
        compiled = _design(base, axes, assignment, folder)
        if compiled is None:
            space.beyond.append(assignment)
            continue
        item, _ = prepare(compiled, label=json.dumps(assignment, sort_keys=True))
        space.designs.append(item)
        space.assignments.append(assignment)
    if not space.designs:
        raise OptimiseError("every design puts more servers on duty than a station has "
                            "positions: nothing to choose from; vary the positions too")
    return space


def _design(base: dict[str, Any], axes: Sequence[Setting], assignment: dict[str, Any],
            folder: Any) -> Any:
    """One design's scenario, or None beyond a station's positions."""
    from portsim.scenario import load_scenario

    document = copy.deepcopy(base)
    try:
        for setting in axes:
            apply_setting(document, setting, assignment[setting.key])
    except SweepError as error:
        raise _vary_error(error) from None
    try:
        return load_scenario(document, base_dir=folder)
    except ScenarioError as error:
        if all(NEEDS_A_POSITION in problem.message for problem in error.problems):
            return None
        raise OptimiseError(f"at {label_of(assignment, axes)}: {error}") from None


class Replicator:
    """Draws replications of the designs for the procedure, on common random numbers (every
    design's replication ``j`` runs on the streams of seed and ``j``), and keeps them."""

    def __init__(self, space: Space, objective: Objective, bounds: Sequence[Bound],
                 options: RunOptions, seed: int,
                 progress: Callable[[int], None] | None = None) -> None:
        self.space = space
        self.objective = objective
        self.bounds = list(bounds)
        self.options = options.replace(store=None, resume=False, trace=None, precision=None)
        self.seed = seed
        self.runs: dict[str, list[ReplicationResult]] = {d.label: [] for d in space.designs}
        self.progress = progress
        self.simulated = 0

    def __call__(self, designs: Sequence[int], start: int,
                 stop: int) -> tuple[np.ndarray, np.ndarray]:
        drawn = self.ragged(designs, [start] * len(designs), [stop] * len(designs))
        objective = np.empty((len(designs), stop - start))
        constraints = np.empty((len(designs), len(self.bounds), stop - start))
        for row, (values, observed) in enumerate(drawn):
            objective[row], constraints[row] = values, observed
        return objective, constraints

    def ragged(self, designs: Sequence[int], starts: Sequence[int],
               stops: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Replications ``starts[i]`` to ``stops[i] - 1`` of each design, in one batch for the
        workers: per design its objective values and its constraints, shape (L, new)."""
        chosen = [self.space.designs[i] for i in designs]
        jobs = [Job(item.label, item.model, self.seed, stop,
                    job_inputs(item.model, item.provenance))
                for item, stop in zip(chosen, stops, strict=True)]
        have = {item.label: self.runs[item.label] for item in chosen}
        runs = run_jobs(jobs, self.options, have=have)
        self.simulated += sum(len(runs[item.label]) - len(have[item.label]) for item in chosen)
        if self.progress is not None:
            self.progress(self.simulated)
        out = []
        for index, item, start, stop in zip(designs, chosen, starts, stops, strict=True):
            self.runs[item.label] = runs[item.label]
            taken = runs[item.label][start:stop]
            out.append((np.array([self._objective(r, index) for r in taken]),
                        np.array([[bound.value(r.kpis) for r in taken]
                                  for bound in self.bounds]).reshape(len(self.bounds),
                                                                     len(taken))))
        return out

    def _objective(self, replication: ReplicationResult, design: int) -> float:
        kpi = self.objective.kpi
        value = replication.kpis[kpi.scope].get(kpi.name, {}).get(kpi.kpi, math.nan)
        value = math.nan if value is None else float(value)
        if not math.isfinite(value):
            raise OptimiseError(
                f"{self.objective.text} has no value in replication {replication.replication} "
                f"of {self.space.labels[design]} (nobody it counts was there): choose a KPI "
                "every replication has")
        return self.objective.sign * value


__all__ = ["PRICE_KEYS", "Replicator", "Space", "apply_prices", "base_document", "build_space",
           "label_of", "parse_axes"]
