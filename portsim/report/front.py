"""What ``portsim optimise --front A,B`` shows and writes: the front first (its designs from
best to worst on A), then the dominated and infeasible designs with who dominates them; the
plot of A against B with each design's two intervals, the front joined, dominated designs
greyed and infeasible ones crossed; optimise.json and front.csv."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from rich.console import Console
from rich.table import Table
from rich.text import Text

from portsim.experiment.optimise.front import FRONT_FORMAT, RULE, Front, finite
from portsim.report.kpis import Shown, number, shown_kpi
from portsim.report.optimise import axis_heading, axis_legend

#: The files ``portsim optimise --front`` writes into its output folder.
FRONT_FILES = ("optimise.json", "front.csv", "front.png", "report.html")


def objective_shown(result: Front, which: int) -> Shown:
    kpi = result.objectives[which].kpi
    return shown_kpi(kpi.scope, kpi.kpi)


def _name(result: Front, which: int) -> str:
    """The objective as the user would write it: ``wait_mean`` for the whole port."""
    kpi = result.objectives[which].kpi
    return kpi.kpi if (kpi.scope, kpi.name) == ("system", "all") else str(kpi)


def _sense(result: Front, which: int) -> str:
    return "higher" if result.objectives[which].maximise else "lower"


def order(result: Front) -> list[int]:
    """The front's designs first, then the rest by the first objective."""
    members = result.on_front()
    first = result.objectives[0]
    rest = sorted((i for i in range(len(result.labels)) if i not in members),
                  key=lambda i: first.sign * float(result.values[i, 0].mean()))
    return [*members, *rest]


def headline(result: Front) -> list[str]:
    """The question and the answer's size in a few lines."""
    count = len(result.labels)
    members = result.on_front()
    infeasible = sum(not result.feasible(i) for i in range(count))
    lines = [f"{result.name}: {count} designs"
             + (f" subject to {', '.join(c.text for c in result.constraints)}"
                if result.constraints else ""),
             f"front of {_name(result, 0)} ({_sense(result, 0)} better) and "
             f"{_name(result, 1)} ({_sense(result, 1)} better)"]
    lines.append(f"Pareto front: {len(members)} designs; "
                 f"{count - len(members) - infeasible} dominated"
                 + (f", {infeasible} infeasible" if result.bounds else ""))
    lines.append(f"every design: {result.replications} replications on common random "
                 f"numbers (seed {result.seed})")
    return lines


def cell(result: Front, design: int, which: int) -> str:
    shown = objective_shown(result, which)
    estimate = result.estimate(design, which)
    text = number(estimate.mean, shown)
    if estimate.half_width > 0:
        text += f" ±{number(estimate.half_width, shown)}"
    return text


def verdict(result: Front, design: int) -> str:
    status = result.status(design)
    if status == "dominated":
        return "dominated by " + ",".join(f"#{j + 1}" for j in result.dominated_by(design))
    return status


def _table(result: Front) -> Table:
    table = Table(title=Text(f"designs (mean ± {result.level:.0%} CI), the front first"),
                  title_justify="left")
    table.add_column("#", justify="right")
    for index in range(len(result.space.axes)):
        table.add_column(Text(axis_heading(index)), justify="right", overflow="fold")
    for which in range(2):
        table.add_column(Text(objective_shown(result, which).heading()), justify="right")
    table.add_column("verdict", overflow="fold")
    for i in order(result):
        status = result.status(i)
        style = "bold green" if status == "front" else "dim"
        table.add_row(Text(str(i + 1)),
                      *(Text(str(v)) for v in result.space.assignments[i].values()),
                      Text(cell(result, i, 0)), Text(cell(result, i, 1)),
                      Text(verdict(result, i)), style=style)
    return table


def legend(result: Front) -> list[str]:
    return axis_legend(result.space.axes)


def print_front(result: Front, console: Console) -> None:
    """The headline, the table (the front first), the columns' legend and the rule."""
    for line in headline(result):
        console.print(Text(line), soft_wrap=False)
    console.print(_table(result))
    for line in legend(result):
        console.print(Text(line))
    console.print(Text(f"dominated: {RULE} ({result.level:.0%}, paired over the "
                       f"{result.replications} replications)"))
    if result.bounds:
        console.print(Text("infeasible: a constraint's mean over the replications lies "
                           "beyond its bound; infeasible designs dominate none"))


def front_rows(result: Front) -> list[dict[str, Any]]:
    """front.csv: one row per design, the front first."""
    rows = []
    for i in order(result):
        row: dict[str, Any] = {"design": i + 1, **result.space.assignments[i],
                               "status": result.status(i),
                               "dominated_by": " ".join(str(j + 1)
                                                        for j in result.dominated_by(i)),
                               "replications": result.replications}
        for which, objective in enumerate(result.objectives):
            estimate = result.estimate(i, which)
            key = objective.text
            row.update({f"{key}_mean": finite(estimate.mean),
                        f"{key}_ci_low": finite(estimate.low),
                        f"{key}_ci_high": finite(estimate.high)})
        row["constraints_broken"] = "; ".join(result.broken(i))
        rows.append(row)
    return rows


def front_summary(result: Front) -> dict[str, Any]:
    """Everything the front found, JSON-ready (optimise.json)."""
    return {
        "format": FRONT_FORMAT,
        "portsim_version": result.provenance.get("portsim_version"),
        "scenario": {"name": result.name, "variant": result.variant},
        "procedure": "Pareto front on common random numbers",
        "rule": RULE, "level": result.level,
        "objectives": [{"kpi": o.text, "better": "higher" if o.maximise else "lower"}
                       for o in result.objectives],
        "constraints": [c.text for c in result.constraints],
        "axes": [{"path": s.path, "op": s.op, "values": list(s.values)}
                 for s in result.space.axes],
        "replications_per_design": result.replications, "seed": result.seed,
        "front": [dict(result.space.assignments[i]) for i in result.on_front()],
        "designs": [{**{k: v for k, v in row.items() if k not in result.space.assignments[0]},
                     "settings": dict(result.space.assignments[row["design"] - 1])}
                    for row in front_rows(result)],
    }


def front_figure(result: Front) -> Figure:
    """A against B, each design with its two intervals: the front joined and coloured,
    dominated designs grey, infeasible ones crossed in red."""
    from portsim.report.figures import error_bars, new_figure

    shown = [objective_shown(result, 0), objective_shown(result, 1)]
    figure, (ax,) = new_figure(1, f"{result.name}\nfront of {_name(result, 0)} and "
                                  f"{_name(result, 1)}", width=7.0, height=5.0)
    count = len(result.labels)
    for which_status, colour, marker in (("dominated", "0.65", "o"),
                                         ("infeasible", "C3", "x"), ("front", "C0", "o")):
        chosen = [i for i in range(count) if result.status(i) == which_status]
        if not chosen:
            continue
        xs = [result.estimate(i, 0) for i in chosen]
        ys = [result.estimate(i, 1) for i in chosen]
        ax.errorbar([x.mean * shown[0].scale for x in xs], [y.mean * shown[1].scale for y in ys],
                    xerr=error_bars(xs) * shown[0].scale, yerr=error_bars(ys) * shown[1].scale,
                    fmt=marker, color=colour, ecolor=colour, capsize=2, markersize=5,
                    label=which_status, zorder=3 if which_status == "front" else 2)
        for i, x, y in zip(chosen, xs, ys, strict=True):
            ax.annotate(str(i + 1), (x.mean * shown[0].scale, y.mean * shown[1].scale),
                        textcoords="offset points", xytext=(4, 4), fontsize=7, color=colour)
    members = result.on_front()
    ax.plot([result.values[i, 0].mean() * shown[0].scale for i in members],
            [result.values[i, 1].mean() * shown[1].scale for i in members],
            color="C0", linewidth=1.2, zorder=2)
    ax.set_xlabel("\n".join([f"{shown[0].heading()} ({_sense(result, 0)} better)",
                             *legend(result)]))
    ax.set_ylabel(f"{shown[1].heading()} ({_sense(result, 1)} better)")
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)
    return figure


__all__ = ["FRONT_FILES", "cell", "front_figure", "front_rows", "front_summary", "headline",
           "objective_shown", "order", "print_front", "verdict"]
