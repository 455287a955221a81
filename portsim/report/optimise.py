"""What ``portsim optimise`` shows and writes: the answer and its guarantee first, then every
design's estimate with its interval, the replications it received and its verdict; the plot of
the objective by design (infeasible designs greyed); optimise.json, designs.csv, optimise.png
and variant.yaml (the selected design as a variant)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from portsim.experiment.optimise.search import Optimisation
from portsim.experiment.sweeps import Setting
from portsim.report.kpis import Shown, number, shown_kpi

if TYPE_CHECKING:
    from portsim.experiment.comparison import Comparison

#: The files ``portsim optimise`` writes into its output folder.
OPTIMISE_FILES = ("optimise.json", "designs.csv", "optimise.png", "report.html",
                  "variant.yaml")


def objective_shown(result: Optimisation) -> Shown:
    kpi = result.objective.kpi
    return shown_kpi(kpi.scope, kpi.kpi)


def _value(value: float, shown: Shown) -> str:
    text = number(value, shown)
    return f"{text} {shown.unit}" if shown.unit and shown.unit != "%" else \
        f"{text}{shown.unit}"


def headline(result: Optimisation) -> list[str]:
    """The answer in a few lines: the design, its estimate, the guarantee, the runners-up
    and what it cost against brute force."""
    shown = objective_shown(result)
    sense = "highest" if result.objective.maximise else "lowest"
    lines = [f"{result.name}: {len(result.labels)} designs, {sense} "
             f"{result.objective.text}"
             + (f" subject to {', '.join(c.text for c in result.constraints)}"
                if result.constraints else "")]
    chosen = result.selected
    if chosen is None:
        lines.append("no design meets the constraints; " + _closest(result))
    else:
        estimate = result.estimate(chosen)
        lines.append(f"{'selected' if result.outcome.stopped == 'selected' else 'best so far'}"
                     f": {result.labels[chosen]}")
        lines.append(f"  {result.objective.text} {_value(estimate.mean, shown)} "
                     f"(95% CI {number(estimate.low, shown)} to "
                     f"{number(estimate.high, shown)}; "
                     f"{result.outcome.replications(chosen)} replications)")
    lines.append(f"guarantee: {result.guarantee()}")
    runners = result.runners_up()
    if runners:
        lines.append("within δ of it (as good for practical purposes): "
                     + "; ".join(result.labels[i] for i in runners))
    stages = result.outcome.stages
    lines.append(f"replications: {result.outcome.total:,} in {stages} "
                 f"stage{'s' if stages != 1 else ''}; "
                 f"every design at the most any received: {result.brute_force:,}")
    return lines


def _closest(result: Optimisation) -> str:
    """The design whose constraint means lie above their bounds in the fewest places (the
    smallest objective among equals)."""
    over = [int((values.mean(axis=1) > 0).sum()) if values.size else 0
            for values in result.outcome.constraints]
    best = min(range(len(over)), key=lambda i: (over[i], result.outcome.mean(i)))
    return (f"closest: {result.labels[best]} ({over[best]} of {len(result.bounds)} "
            "constraint means beyond their bounds; see designs.csv)")


def _stage_words(result: Optimisation) -> str:
    if result.outcome.procedure == "OCBA":
        budget = result.outcome.settings.budget or 0
        return f"per stage after over all designs, to a budget of {budget:,}"
    return "per stage after"


def print_optimisation(result: Optimisation, console: Console) -> None:
    """The headline first, then the table of designs and the procedure's settings."""
    for line in headline(result):
        console.print(Text(line), soft_wrap=False)
    console.print(_table(result))
    for line in axis_legend(result.space.axes):
        console.print(Text(line))
    settings = result.outcome.settings
    console.print(Text(
        f"{result.procedure}; δ = {result.delta_words}"
        f"{' (1% of the first stage best: give --delta)' if result.delta_chosen else ''}, "
        f"1−α = {settings.confidence:g}, first stage {settings.first} replications, "
        f"{settings.step} {_stage_words(result)}, common random numbers "
        f"(seed {result.seed})"))
    if result.space.beyond:
        console.print(Text(f"left out, beyond a station's positions: "
                           f"{len(result.space.beyond)} combinations"))


def against_words(comparison: Comparison) -> str:
    """The selected design against the baseline in one sentence, as compare says it: what it
    buys, who pays, at what cost."""
    from portsim.experiment.optimise.baseline import SELECTED
    from portsim.report.headline import cost_clause, headline_rows, sentence
    from portsim.report.ledger import saving_words

    rows = headline_rows(comparison)[SELECTED]
    return (f"against the baseline ({comparison.replications:,} replications each on the "
            "same random numbers): "
            + sentence(SELECTED, rows, comparison.sla, cost_clause(comparison, SELECTED),
                       saving_words(comparison, SELECTED)))


def axis_heading(index: int) -> str:
    """An axis's column: a letter (paths are long; the legend under the table names them)."""
    return chr(ord("A") + index) if index < 26 else f"axis {index + 1}"


def _table(result: Optimisation) -> Table:
    shown = objective_shown(result)
    table = Table(title=Text(f"designs: {result.objective.text} (mean ± 95% CI)"),
                  title_justify="left")
    for index in range(len(result.space.axes)):
        table.add_column(Text(axis_heading(index)), justify="right", overflow="fold")
    table.add_column(Text(shown.heading()), justify="right")
    table.add_column("reps", justify="right")
    if result.bounds:
        table.add_column("feasibility")
    table.add_column("verdict")
    for i, assignment in enumerate(result.space.assignments):
        estimate = result.estimate(i)
        style = ("bold green" if i == result.selected
                 else "dim" if result.feasibility(i) == "infeasible" else "")
        value = number(estimate.mean, shown)
        if estimate.half_width > 0 or estimate.half_width != estimate.half_width:
            value += f" ±{number(estimate.half_width, shown)}"
        cells = [*(Text(str(v)) for v in assignment.values()), Text(value),
                 Text(str(result.outcome.replications(i)))]
        if result.bounds:
            cells.append(Text(result.feasibility(i)))
        table.add_row(*cells, Text(result.status(i)), style=style)
    return table


def axis_legend(axes: Sequence[Setting]) -> list[str]:
    """What each column letter stands for."""
    return [f"{axis_heading(index)}: {setting.path}{'' if setting.op == '=' else ' ' + setting.op}"
            for index, setting in enumerate(axes)]


def optimise_figure(result: Optimisation) -> Figure:
    """The objective by design with 95 % intervals; the selected design marked, designs
    found infeasible greyed, designs within δ of the selected shaded."""
    from portsim.report.figures import error_bars, new_figure

    shown = objective_shown(result)
    count = len(result.labels)
    figure, (ax,) = new_figure(1, f"{result.name}: {result.objective.text} by design",
                               width=7.5, height=max(2.5, 0.32 * count + 1.2))
    estimates = [result.estimate(i) for i in range(count)]
    scale = shown.scale
    bars = error_bars(estimates) * scale
    for i, estimate in enumerate(estimates):
        infeasible = result.feasibility(i) == "infeasible"
        colour = ("C2" if i == result.selected else "0.7" if infeasible else "C0")
        ax.errorbar([estimate.mean * scale], [i], xerr=bars[:, i:i + 1], fmt="o",
                    color=colour, ecolor=colour, capsize=3,
                    markersize=8 if i == result.selected else 5)
    if result.selected is not None:
        best = estimates[result.selected].mean * scale
        edge = best + (-1 if result.objective.maximise else 1) * result.delta * scale
        ax.axvspan(min(best, edge), max(best, edge), color="C2", alpha=0.12,
                   label=f"within δ of the selected ({result.delta_words})")
        ax.legend(loc="best", fontsize=8)
    ax.set_yticks(range(count), [_short(result, i) for i in range(count)], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("\n".join([shown.heading(), *axis_legend(result.space.axes)]))
    ax.grid(axis="x", alpha=0.3)
    return figure


def _short(result: Optimisation, design: int) -> str:
    """A design as the table's columns name it: ``A=10, B=5``."""
    values = result.space.assignments[design].values()
    return ", ".join(f"{axis_heading(index)}={value}" for index, value in enumerate(values))


def variant_text(result: Optimisation, name: str, patch: Mapping[str, Any]) -> str:
    """The selected design as a scenario variant, ready to paste under ``variants:``."""
    from portsim.scenario.edit import variant_lines

    return "\n".join(["variants:", *variant_lines(name, str(patch["description"]), {},
                                                   variant_comments(result),
                                                   overrides=patch)]) + "\n"


def variant_comments(result: Optimisation) -> list[str]:
    chosen = result.selected
    estimate = result.estimate(chosen) if chosen is not None else None
    lines = [f"portsim optimise: {result.objective.text}"
             + (f" = {estimate.mean:,.6g} (95% CI {estimate.low:,.6g} to "
                f"{estimate.high:,.6g})"
                if estimate is not None else "")]
    return [*lines, f"guarantee: {result.guarantee()}"]


def written(out: Path, files: list[str]) -> str:
    return f"optimisation written to [bold]{escape(str(out))}[/] ({', '.join(files)})"


__all__ = ["OPTIMISE_FILES", "against_words", "axis_heading", "axis_legend", "headline",
           "objective_shown", "optimise_figure", "print_optimisation", "variant_text",
           "written"]
