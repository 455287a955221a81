"""A staffing solution as data: one row per unit and interval (requirement.csv), one per shift
used (roster.csv), and everything together, JSON-ready (staffing.json)."""

from __future__ import annotations

import math
from typing import Any

from portsim.experiment.staffing.solver import Solution


def requirement_rows(solution: Solution) -> list[dict[str, Any]]:
    """One row per station and interval: requirement, roster, baseline and the proof's KPI."""
    problem = solution.problem
    rows = []
    for name in problem.units:
        for h, slot in enumerate(problem.slots()):
            value = solution.proof.values[name][h]
            rows.append({
                "station": name,
                "interval": f"{slot[1:3]}:{slot[3:5]}",
                "erlang_start": solution.requirement.start[name][h],
                "requirement": solution.requirement.staffing[name][h],
                "rostered": solution.rosters[name].coverage[h],
                "baseline": solution.baseline[name][h],
                "arrivals_per_hour": round(solution.loads[name].arrival_rates[h] * 60, 3),
                "kpi": problem.target.key("{slot}").replace("_{slot}", ""),
                "mean": None if value is None else _finite(value.mean),
                "ci_low": None if value is None else _finite(value.low),
                "ci_high": None if value is None else _finite(value.high),
                "status": solution.proof.statuses[name][h],
            })
    return rows


def roster_rows(solution: Solution) -> list[dict[str, Any]]:
    """One row per station and shift used: its hours, paid break and officers."""
    return [{"station": name, "shift": shift.label(), "start": shift.label()[:5],
             "hours": shift.hours, "break_hours": shift.rest / 60.0, "officers": officers}
            for name, roster in solution.rosters.items()
            for shift, officers in roster.used()]


def shortfalls(solution: Solution) -> list[dict[str, Any]]:
    """Every unit and interval where the roster does not meet the target in the proof run:
    its KPI (mean and 95 % interval) against the bound, by how much its unfavourable end misses
    it, whether every counter allowed (``--most``) was already open there, and the officers a
    stationary M/M/c at that interval's load would need (Erlang C, no cap)."""
    problem, target = solution.problem, solution.problem.target
    rows = []
    for name, h in solution.proof.failing():
        value = solution.proof.values[name][h]
        load = solution.loads[name]
        rate = load.arrival_rates[h]
        needed = max(1, int(rate * load.service_mean))
        while rate > 0 and not target.met_by(rate, load.service_mean, needed) and needed < 10**6:
            needed += 1
        worst = None if value is None else (value.high if math.isfinite(value.high)
                                            else value.mean)
        rows.append({
            "station": name,
            "interval": problem.clock(h),
            "kpi": target.slot_kpi,
            "mean": None if value is None else _finite(value.mean),
            "ci_low": None if value is None else _finite(value.low),
            "ci_high": None if value is None else _finite(value.high),
            "bound": target.bound,
            "excess": None if worst is None else _finite(worst - target.bound),
            "rostered": solution.rosters[name].coverage[h],
            "most": problem.most.get(name),
            "at_most": (name, h) in set(solution.requirement.capped),
            "erlang_c_officers": needed,
        })
    return rows


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def summary(solution: Solution) -> dict[str, Any]:
    """The solution as JSON-ready data (staffing.json)."""
    problem = solution.problem
    per_replication = (solution.simulation_seconds / solution.replications
                       if solution.replications else math.nan)
    return {
        "target": problem.target.text,
        "variant": problem.variant,
        "stations": list(problem.stations),
        "units": list(problem.units),
        "interval_minutes": problem.interval,
        "shifts": [pattern.text for pattern in problem.patterns],
        "seed": problem.seed,
        "proof_seed": problem.proof_seed,
        "hour_cost": problem.hour_cost,
        "officer_hours": solution.officer_hours,
        "baseline_officer_hours": solution.baseline_officer_hours,
        "callout_cost": problem.callout_cost,
        "callout_hours": _finite(solution.callout_hours),
        "baseline_callout_hours": _finite(solution.baseline_callout_hours),
        "cost": _finite(solution.cost),
        "baseline_cost": _finite(solution.baseline_cost),
        "passed": solution.passed,
        "search_rounds": solution.requirement.rounds,
        "repair_rounds": solution.repairs,
        "simulation_rounds": solution.rounds,
        "replications_simulated": solution.replications,
        "wall_seconds_per_replication": _finite(per_replication),
        "capped_intervals": [f"{name} {problem.clock(h)}"
                             for name, h in solution.requirement.capped],
        "short_intervals": shortfalls(solution),
        "service_mean_minutes": {name: load.service_mean
                                 for name, load in solution.loads.items()},
        "roster": roster_rows(solution),
        "intervals": requirement_rows(solution),
        "tightness": solution.tightness,
    }


__all__ = ["requirement_rows", "roster_rows", "shortfalls", "summary"]
