"""An optimisation as data: one row per design (designs.csv) and everything together,
JSON-ready (optimise.json)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from portsim.experiment.optimise.procedure import UNDECIDED
from portsim.experiment.optimise.search import FORMAT, Optimisation
from portsim.stats.summary import Interval


def _number(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _interval(interval: Interval | None) -> dict[str, Any] | None:
    if interval is None:
        return None
    return {"mean": _number(interval.mean), "ci_low": _number(interval.low),
            "ci_high": _number(interval.high), "n": interval.n}


def constraint_rows(result: Optimisation, design: int) -> list[dict[str, Any]]:
    """Per bound: its mean over the design's replications and the feasibility check's word."""
    rows = []
    values = result.outcome.constraints[design]
    for index, bound in enumerate(result.bounds):
        signed = values[index] if values.shape[1] else np.zeros(0)
        # Back from "value − bound" (or "bound − value" for a floor) to the KPI's own value.
        own = bound.bound - signed if bound.floor else signed + bound.bound
        rows.append({"constraint": bound.label, "kpi": f"{bound.scope}.{bound.name}."
                     f"{bound.kpi}", "bound": bound.bound, "floor": bound.floor,
                     "mean": _number(float(own.mean())) if own.size else None,
                     "check": result.outcome.feasibility[design][index]})
    return rows


def design_rows(result: Optimisation) -> list[dict[str, Any]]:
    """designs.csv: the axes' values, then status, replications, the objective's estimate,
    feasibility and the ledger's figures."""
    rows = []
    ledger_names = sorted({kpi for i in range(len(result.labels)) for kpi in result.ledger(i)})
    for i, assignment in enumerate(result.space.assignments):
        estimate = result.estimate(i)
        difference = result.difference(i)
        checks = result.outcome.feasibility[i]
        row: dict[str, Any] = {**assignment, "status": result.status(i),
                               "feasibility": result.feasibility(i),
                               "replications": result.outcome.replications(i),
                               "objective": result.objective.text,
                               "mean": _number(estimate.mean), "ci_low": _number(estimate.low),
                               "ci_high": _number(estimate.high),
                               "diff_to_selected": _number(difference.mean) if difference else None,
                               "diff_ci_low": _number(difference.low) if difference else None,
                               "diff_ci_high": _number(difference.high) if difference else None,
                               "constraints_met": sum(c == "feasible" for c in checks),
                               "constraints_undecided": sum(c == UNDECIDED for c in checks),
                               "constraints_broken": sum(c == "infeasible" for c in checks)}
        ledger = result.ledger(i)
        for kpi in ledger_names:
            row[kpi] = _number(ledger[kpi].mean) if kpi in ledger else None
        rows.append(row)
    return rows


def summary(result: Optimisation) -> dict[str, Any]:
    """Everything the optimisation found, JSON-ready (optimise.json)."""
    outcome, settings = result.outcome, result.outcome.settings
    chosen = result.selected
    first = result.results[0]
    return {
        "format": FORMAT,
        "portsim_version": first.provenance.get("portsim_version"),
        "scenario": {"name": result.name, "variant": result.variant},
        "procedure": result.procedure,
        "axes": [{"path": s.path, "op": s.op, "values": list(s.values)}
                 for s in result.space.axes],
        "beyond_positions": result.space.beyond,
        "objective": {"kpi": str(result.objective.kpi),
                      "sense": "maximise" if result.objective.maximise else "minimise"},
        "constraints": [c.text for c in result.constraints],
        "settings": {"delta": result.delta, "delta_default": result.delta_chosen,
                     "confidence": settings.confidence, "first_stage": settings.first,
                     "step": settings.step, "budget": settings.budget,
                     "tolerance_share": result.tolerance,
                     "alpha_comparison": outcome.compared_alpha,
                     "alpha_feasibility": outcome.feasibility_alpha,
                     "seed": result.seed},
        "stopped": outcome.stopped,
        "selected": None if chosen is None else result.space.assignments[chosen],
        "guarantee": result.guarantee(),
        "apcs": _number(outcome.apcs) if outcome.apcs is not None else None,
        "runners_up": [result.space.assignments[i] for i in result.runners_up()],
        "replications": outcome.total,
        "brute_force_replications": result.brute_force,
        "stages": outcome.stages,
        "history": [{"replications_total" if outcome.procedure == "OCBA"
                     else "replications_each": r, "in_contention": n}
                    for r, n in outcome.history],
        "warnings": list(result.warnings),
        "designs": [{"settings": result.space.assignments[i], "status": result.status(i),
                     "feasibility": result.feasibility(i),
                     "replications": outcome.replications(i),
                     "estimate": _interval(result.estimate(i)),
                     "difference_to_selected": _interval(result.difference(i)),
                     "ledger": {kpi: _interval(value)
                                for kpi, value in result.ledger(i).items()},
                     "pledge": result.pledge_text(i),
                     "constraints": constraint_rows(result, i)}
                    for i in range(len(result.labels))],
    }


__all__ = ["constraint_rows", "design_rows", "summary"]
