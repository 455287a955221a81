"""Two objectives at once: ``portsim optimise --front A,B``, the Pareto set.

Every design (every feasible one, when constraints are given) runs the same fixed number of
replications on common random numbers: replication ``j`` of every design draws on the same
streams, so the difference between two designs is judged pair by pair. Each objective has the
catalogue's sense of better (cost, hours, positions and waits lower; shares within the standard
and throughput higher). The rule: design *j* dominates design *i* when *j*'s mean is at least as
good as *i*'s on both objectives and, on at least one, the paired interval (at the chosen level,
95 % by default) of the difference *i* − *j* lies wholly on *j*'s side of zero. The front is the
feasible designs no feasible design dominates. A design is infeasible when a constraint's mean
over its replications lies beyond the bound (the constraints as ``--subject-to`` writes them).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from portsim.engine.collect import kpi_names
from portsim.experiment.optimise.problem import (
    COST,
    Bound,
    Constraint,
    Objective,
    OptimiseError,
    bounds_of,
    checked,
    parse_item,
)
from portsim.experiment.optimise.space import Replicator, Space
from portsim.experiment.options import RunOptions
from portsim.experiment.sweeps import KPI
from portsim.stats.summary import Interval, t_interval

FRONT_FORMAT = "portsim-optimise-front/1"
RULE = ("j dominates i when j's mean is at least as good on both objectives and the paired "
        "interval of the difference on common random numbers excludes 0 on at least one")
#: Ledger figures (resources used) have no better direction in the KPI catalogue; spending
#: less of them is better.
_RESOURCE_SUFFIXES = ("_hours", "_positions")


def sense(kpi: KPI) -> int:
    """-1 when lower is better, +1 when higher is; the catalogue's sense, the ledger's
    figures (cost, hours, positions) lower."""
    from portsim.stats.kpis import direction

    if kpi == COST or (kpi.scope == "system" and kpi.kpi.endswith(_RESOURCE_SUFFIXES)):
        return -1
    return direction(kpi.kpi)


def parse_front(text: str) -> tuple[Objective, Objective]:
    """``A,B``: two different objectives, each ``cost``, a whole-port KPI or
    ``SCOPE.NAME.KPI``, each with its sense of better."""
    names = [part.strip() for part in text.split(",")]
    if len(names) != 2 or not all(names):
        raise OptimiseError(f"--front {text!r}: expected two objectives A,B (e.g. "
                            "--front cost,wait_mean or --front cost,wait_sla_share)")
    items = [parse_item(name, "--front") for name in names]
    if items[0] == items[1]:
        raise OptimiseError(f"--front {text!r}: the two objectives are the same")
    found = []
    for name, item in zip(names, items, strict=True):
        way = sense(item)
        if way == 0:
            raise OptimiseError(
                f"--front {name}: neither lower nor higher is better for this KPI; choose "
                "cost, a ledger figure (officer_hours), a wait (wait_mean, wait_p95) or a "
                "share within the standard (wait_sla_share)")
        found.append(Objective(item, maximise=way > 0))
    return found[0], found[1]


@dataclass
class Front:
    """Every design's two objectives over the same replications, and who dominates whom."""

    name: str
    variant: str | None
    space: Space
    objectives: tuple[Objective, Objective]
    constraints: list[Constraint]
    bounds: list[Bound]
    values: np.ndarray
    """design × objective × replication, in each objective's own sense (not turned)."""
    constraint_values: np.ndarray
    """design × bound × replication, oriented so that <= 0 is met."""
    seed: int
    level: float
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return self.space.labels

    @property
    def replications(self) -> int:
        return int(self.values.shape[2])

    def estimate(self, design: int, which: int) -> Interval:
        return t_interval(self.values[design, which], self.level)

    def feasible(self, design: int) -> bool:
        if not self.bounds:
            return True
        return bool(np.all(self.constraint_values[design].mean(axis=1) <= 0))

    def broken(self, design: int) -> list[str]:
        """The constraints whose mean lies beyond the bound."""
        means = self.constraint_values[design].mean(axis=1) if self.bounds else []
        return [bound.label for bound, mean in zip(self.bounds, means, strict=True) if mean > 0]

    def _lower_better(self, design: int) -> np.ndarray:
        signs = np.array([o.sign for o in self.objectives])[:, None]
        return self.values[design] * signs

    def dominates(self, j: int, i: int) -> bool:
        """Whether design ``j`` dominates design ``i`` by the stated rule."""
        differences = self._lower_better(i) - self._lower_better(j)
        if np.any(differences.mean(axis=1) < 0):
            return False
        return any(t_interval(row, self.level).low > 0 for row in differences)

    def dominated_by(self, design: int) -> list[int]:
        """The feasible designs that dominate ``design`` (infeasible ones dominate none)."""
        return [j for j in range(len(self.labels))
                if j != design and self.feasible(j) and self.dominates(j, design)]

    def on_front(self) -> list[int]:
        """The front's designs, by the first objective from best to worst."""
        members = [i for i in range(len(self.labels))
                   if self.feasible(i) and not self.dominated_by(i)]
        first = self.objectives[0]
        return sorted(members, key=lambda i: first.sign * float(self.values[i, 0].mean()))

    def status(self, design: int) -> str:
        """on the front, dominated, or infeasible."""
        if not self.feasible(design):
            return "infeasible"
        return "dominated" if self.dominated_by(design) else "front"


def front(scenario: Any, space: Space, objectives: tuple[Objective, Objective],
          constraints: Sequence[Constraint], options: RunOptions, *, replications: int,
          level: float = 0.95, variant: str | None = None, seed: int | None = None,
          progress: Callable[[int], None] | None = None) -> Front:
    """Run every design of ``space`` ``replications`` times on common random numbers and
    find the Pareto set of the two objectives."""
    if replications < 2:
        raise OptimiseError(f"--replications {replications}: the front needs at least 2 "
                            "(an interval needs two)")
    known = kpi_names(space.designs[0].model)
    for objective in objectives:
        checked(objective.kpi, known, "--front")
    bounds = bounds_of(constraints, space.designs[0].model, known)
    second = objectives[1].kpi
    # The second objective travels as one more "bound" of 0: its value is the KPI itself.
    carried = Bound(objectives[1].text, second.scope, second.name, second.kpi, 0.0)
    chosen_seed = seed if seed is not None else scenario.seed
    replicator = Replicator(space, Objective(objectives[0].kpi), [*bounds, carried], options,
                            chosen_seed, progress)
    first, rest = replicator(list(range(len(space.designs))), 0, replications)
    values = np.stack([first, rest[:, -1, :]], axis=1)
    if not np.all(np.isfinite(values[:, 1])):
        raise OptimiseError(f"--front {objectives[1].text} has no value in some replication "
                            "(nobody it counts was there): choose a KPI every replication has")
    provenance = dict(space.designs[0].provenance)
    return Front(scenario.name, variant, space, objectives, list(constraints), bounds, values,
                 rest[:, :-1, :], chosen_seed, level, provenance)


def finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


__all__ = ["FRONT_FORMAT", "RULE", "Front", "finite", "front", "parse_front", "sense"]
