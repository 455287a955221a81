"""The figure of a staffing solution (staffing.png): per staffed unit, the required, rostered
and scenario officers per interval over the day, and beside it the proof run's KPI per interval
with its 95 % interval against the target."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from portsim.experiment.pledge import MET, THIN
from portsim.experiment.staffing.solver import Solution
from portsim.report.figures import DPI
from portsim.wording import standard_words


def staffing_figure(solution: Solution) -> Figure:
    """Per station: required, rostered and scenario officers per interval (steps) over the
    day, and the proof run's KPI with its interval against the target."""
    problem = solution.problem
    stations = problem.units
    fig = Figure(figsize=(9.0, 3.4 * len(stations) + 0.6), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = np.atleast_2d(fig.subplots(len(stations), 2, squeeze=False,
                                      gridspec_kw={"width_ratios": [3, 2]}))
    for (left, right), name in zip(axes, stations, strict=True):
        _officers(left, solution, name)
        _proof(right, solution, name)
    fig.suptitle(f"Staffing for {problem.target.text}", fontsize=12)
    return fig


def _officers(ax: Axes, solution: Solution, name: str) -> None:
    """Required, rostered and the scenario's own officers per interval, as steps."""
    problem = solution.problem
    hours = np.arange(problem.intervals + 1) * problem.interval / 60.0
    lines: tuple[tuple[Sequence[int], str, dict[str, Any]], ...] = (
        (solution.requirement.staffing[name], "required", {"color": "C3", "lw": 2}),
        (solution.rosters[name].coverage, "rostered", {"color": "C0", "lw": 2}),
        (solution.baseline[name], "scenario as written", {"color": "black", "ls": "--", "lw": 1}))
    for values, label, style in lines:
        ax.step(hours, [*values, values[-1]], where="post", label=label, **style)
    ax.set_title(f"{name}: officers per interval")
    ax.set_xlabel("clock hour")
    ax.set_ylabel("officers on duty")
    ax.set_xticks(np.arange(0, 25, 3))
    ax.set_xlim(0, 24)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=8)


def _proof(ax: Axes, solution: Solution, name: str) -> None:
    """The proof run's KPI per interval with its 95 % interval, met and not met apart, and
    the target."""
    problem = solution.problem
    minutes = problem.target.slot_kpi != "beyond_share"
    proof = solution.proof.values[name]
    centres = (np.arange(problem.intervals) + 0.5) * problem.interval / 60.0
    scale = 1.0 if minutes else 100.0
    means = np.array([np.nan if v is None else v.mean * scale for v in proof])
    low = np.array([np.nan if v is None else (v.mean - v.low) * scale for v in proof])
    high = np.array([np.nan if v is None else (v.high - v.mean) * scale for v in proof])
    ok = np.array([status in (MET, THIN) for status in solution.proof.statuses[name]])
    for mask, colour, label in ((ok, "C0", "met"), (~ok, "C3", "not met")):
        if mask.any():
            ax.errorbar(centres[mask], means[mask],
                        yerr=np.vstack([np.nan_to_num(low[mask]), np.nan_to_num(high[mask])]),
                        fmt="o", ms=3, color=colour, label=label, capsize=2)
    ax.axhline(problem.target.bound * scale, color="black", ls=":", label="target")
    ax.set_title("proof run, fresh seeds (95% CI)")
    ax.set_xlabel("clock hour")
    ax.set_ylabel(f"wait {problem.target.slot_kpi} (min)" if minutes
                  else f"% waiting > {standard_words(problem.target.sla or 0.0)}")
    ax.set_xticks(np.arange(0, 25, 6))
    ax.set_xlim(0, 24)
    ax.legend(loc="upper left", fontsize=8)


__all__ = ["staffing_figure"]
