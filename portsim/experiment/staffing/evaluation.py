"""A staffing simulated and judged: the officers per interval swapped into the model as daily
shift schedules, replicated by a :data:`Runner`, and every unit's KPI judged against the target
interval by interval (a skill pool on the classes it answers for). The :class:`Evaluator` counts
the replications, runs and seconds the solver spends."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from portsim.engine.model import Model, ShiftSchedule, pooled_servers
from portsim.experiment.pledge import BROKEN, MET, THIN, UNCERTAIN
from portsim.experiment.results import Results
from portsim.experiment.staffing.problem import Problem, target_classes
from portsim.experiment.staffing.roster import schedule_steps
from portsim.stats.summary import Interval

#: Runs a model with a seed; returns its results. The solver counts what it costs.
Runner = Callable[[Model, int], Results]


def replicating(replications: int, options: Any = None) -> Runner:
    """A :data:`Runner` that replicates a model ``replications`` times with ``options``'
    workers or Dask scheduler (the streams of replication ``i`` depend only on the seed and
    ``i``, so every round of the search sees the same random numbers: common random numbers)."""
    from portsim.experiment.options import RunOptions
    from portsim.experiment.runner import Job, results_of, run_jobs

    settings = options if options is not None else RunOptions()
    settings = settings.replace(store=None, resume=False, trace=None, precision=None)

    def run(model: Model, seed: int) -> Results:
        runs = run_jobs([Job("staffing", model, seed, replications)], settings)["staffing"]
        provenance = {"scenario": {"name": model.name}}
        return results_of(model, provenance, None, seed, runs)

    return run


def staffed(model: Model, staffing: Mapping[str, Sequence[int]]) -> Model:
    """``model`` with these units' servers (stations, or ``station/pool``) replaced by a
    daily schedule per interval."""
    stations = []
    for spec in model.stations:
        changed = spec
        if spec.name in staffing:
            changed = replace(spec, servers=ShiftSchedule(schedule_steps(staffing[spec.name])))
        elif spec.pools and any(f"{spec.name}/{p.name}" in staffing for p in spec.pools):
            pools = tuple(
                replace(p, servers=ShiftSchedule(schedule_steps(staffing[unit])))
                if (unit := f"{spec.name}/{p.name}") in staffing else p
                for p in spec.pools)
            changed = replace(spec, pools=pools, servers=pooled_servers(pools))
        stations.append(changed)
    return replace(model, stations=tuple(stations))


@dataclass(frozen=True)
class Evaluation:
    """One simulated staffing: per station and interval, the KPI's interval and verdict."""

    staffing: dict[str, tuple[int, ...]]
    values: dict[str, tuple[Interval | None, ...]]
    statuses: dict[str, tuple[str, ...]]
    results: Results
    clear: dict[str, tuple[bool, ...]] = field(default_factory=dict)
    """Per unit and interval: whether every class it serves meets the target there (room to
    take an officer away); for a plain station, its own status is met or not judged."""

    def has_room(self, unit: str, h: int) -> bool:
        if unit in self.clear:
            return self.clear[unit][h]
        return self.statuses[unit][h] in (MET, THIN)

    def failing(self) -> list[tuple[str, int]]:
        return [(name, h) for name, row in self.statuses.items()
                for h, status in enumerate(row) if status in (BROKEN, UNCERTAIN)]

    @property
    def met(self) -> bool:
        return not self.failing()


#: One judged row: per interval, the KPI's interval (None where nobody came) and its verdict.
JudgedRow = tuple[tuple[Interval | None, ...], tuple[str, ...]]


class Evaluator:
    """Runs staffings on the problem's model and keeps count of the replications spent."""

    def __init__(self, problem: Problem, run: Runner) -> None:
        self.problem = problem
        self.model = replace(problem.model, slot_minutes=problem.interval,
                             sla=problem.target.sla if problem.target.sla is not None
                             else problem.model.sla)
        self.run = run
        self.replications = 0
        self.rounds = 0
        self.seconds = 0.0

    def results(self, staffing: Mapping[str, Sequence[int]] | None, seed: int, *,
                as_written: bool = False) -> Results:
        """A run of ``staffing`` (None: the scenario's own) on the search's interval grid, or
        with ``as_written`` on the scenario's own pledge slots and standard."""
        base = self.problem.model if as_written else self.model
        model = base if staffing is None else staffed(base, staffing)
        began = time.perf_counter()
        results = self.run(model, seed)
        self.seconds += time.perf_counter() - began
        self.replications += len(results.replications)
        self.rounds += 1
        return results

    def _judged(self, results: Results, scope: str, name: str) -> JudgedRow:
        target = self.problem.target
        row_values: list[Interval | None] = []
        row_status: list[str] = []
        for slot in self.problem.slots():
            key = target.key(slot)
            if not results.has(scope, name, key) or results.summary(
                    scope, name, f"wait_{slot}_count").mean <= 0:
                row_values.append(None)
                row_status.append(THIN)
                continue
            value = results.summary(scope, name, key)
            row_values.append(value)
            row_status.append(target.judge(value))
        return tuple(row_values), tuple(row_status)

    def evaluate(self, staffing: Mapping[str, Sequence[int]], seed: int) -> Evaluation:
        """Judge every unit: a station on its own waits; a skill pool on the waits of the
        classes it is the first choice for (the worst of them), with room to lose an officer
        only where every class it can serve meets the target."""
        results = self.results(staffing, seed)
        problem = self.problem
        values: dict[str, tuple[Interval | None, ...]] = {}
        statuses: dict[str, tuple[str, ...]] = {}
        clear: dict[str, tuple[bool, ...]] = {}
        classes: dict[str, JudgedRow] = {}
        named = problem.target.classes
        for unit in problem.units:
            owned, served = problem.pool_classes(unit)
            if named:  # a per-class target: judge the named classes this unit serves
                wanted = target_classes(problem, unit)
                if "/" in unit:
                    owned = tuple(name for name in owned if name in wanted)
                    served = tuple(name for name in served if name in wanted)
                else:
                    owned = served = wanted
            elif "/" not in unit:
                values[unit], statuses[unit] = self._judged(results, "stations", unit)
                continue
            for name in served:
                if name not in classes:
                    classes[name] = self._judged(results, "classes", name)
            rows = [classes[name] for name in owned]
            statuses[unit] = tuple(_worst([row[1][h] for row in rows])
                                   for h in range(problem.intervals))
            values[unit] = tuple(_worst_value(rows, h) for h in range(problem.intervals))
            clear[unit] = tuple(all(classes[name][1][h] in (MET, THIN) for name in served)
                                for h in range(problem.intervals))
        return Evaluation({unit: tuple(staffing[unit]) for unit in problem.units},
                          values, statuses, results, clear)


_SEVERITY = {THIN: 0, MET: 1, UNCERTAIN: 2, BROKEN: 3}


def _worst(statuses: Sequence[str]) -> str:
    return max(statuses, key=_SEVERITY.__getitem__, default=THIN)


def _worst_value(rows: Sequence[JudgedRow], h: int) -> Interval | None:
    """The interval of the class judged worst in interval ``h`` (the one the unit answers for)."""
    judged = [(row[1][h], row[0][h]) for row in rows if row[0][h] is not None]
    if not judged:
        return None
    return max(judged, key=lambda item: (_SEVERITY[item[0]], item[1].high))[1]  # type: ignore[union-attr]


__all__ = ["Evaluation", "Evaluator", "Runner", "replicating", "staffed"]
