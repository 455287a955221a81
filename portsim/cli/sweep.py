"""``portsim sweep``: a grid of parameter values run, its KPIs tabled and plotted against them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.text import Text

from portsim.cli.common import (
    EngineChoice,
    EngineOpt,
    FileArg,
    ForceOpt,
    FromStateOpt,
    HorizonOpt,
    ReplicationsOpt,
    Resumable,
    ResumeOpt,
    SchedulerOpt,
    SeedOpt,
    VariantOpt,
    WorkersOpt,
    console,
    errors,
    user_errors,
)
from portsim.cli.runs import forecast_of, inputs_of, running

SetOpt = Annotated[list[str], typer.Option(
    "--set", help="PATH=VALUES in the resolved scenario (minutes, per minute): a range "
                  "start:stop:step, a list a,b,c or one value; repeat for a grid. "
                  "E.g. stations.counters.servers=10:30:2", show_default=False)]
KpiOpt = Annotated[list[str] | None, typer.Option(
    help="KPI to plot, SCOPE.NAME.KPI, e.g. classes.car.wait_p95; repeatable "
         "(default: system.all.wait_mean).", show_default=False)]
SweepOutOpt = Annotated[Path | None, typer.Option(
    help="Output folder (default: results/<stem>-sweep).", show_default=False)]
TargetOpt = Annotated[str | None, typer.Option(
    help="A target line on the plots: a share as 95% (or 0.95), a time as 20min.",
    show_default=False)]


def sweep(
    file: FileArg,
    set_: SetOpt,
    kpi: KpiOpt = None,
    variant: VariantOpt = None,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    out: SweepOutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    force: ForceOpt = False,
    target: TargetOpt = None,
    engine: EngineOpt = EngineChoice.auto,
    from_state: FromStateOpt = None,
    horizon: HorizonOpt = None,
) -> None:
    """Run a grid of parameter values and plot KPIs against the parameter.

    PATH=VALUES replaces a value; PATH*=FACTORS scales it and PATH+=N adds to it, keeping a
    shift schedule's shape; PATH1,PATH2=VALUES moves several paths on one axis. Writes
    sweep.csv, sweep.json, timings.json and a PNG per KPI (with 95% CIs, the waiting-time
    standard and overloaded points marked). With --from-state, every point starts from the
    same state file at its clock time and runs for --horizon (docs/forecast.md).
    """
    from portsim.experiment.sweeps import grid, parse_kpi, parse_setting, parse_target
    from portsim.experiment.sweeps import sweep as run_sweep
    from portsim.report.outputs import write_sweep
    from portsim.scenario import load_scenario

    resumable = Resumable()
    with user_errors(resumable):
        scenario = load_scenario(file)
        scenario.document(variant)  # an unknown variant: one message with a suggestion
        settings = [parse_setting(text) for text in set_]
        kpis = [parse_kpi(text) for text in (kpi or ["system.all.wait_mean"])]
        target_value = parse_target(target) if target is not None else None
        forecast = forecast_of(file, scenario, variant, from_state, horizon, None)
        out = out or Path("results") / f"{file.stem}-sweep"
        inputs = inputs_of(scenario, from_state)
        points, count = len(grid(settings)), replications or scenario.replications
        with running(out, force=force, resume=resume, total=count * points, workers=workers,
                     replications=count, inputs=inputs,
                     scheduler=scheduler, trace=None, resumable=resumable, engine=engine,
                     what=f"{points:,} points × {count:,} replications") as options:
            result = run_sweep(scenario, settings, options, kpis=kpis, variant=variant,
                               replications=replications, seed=seed, forecast=forecast)
        _report(result)
        files = write_sweep(result, out, force=True, target=target_value, inputs=inputs)
        console.print(f"sweep written to [bold]{escape(str(out))}[/] ({', '.join(files)})")


def _report(result: Any) -> None:
    """The sweep's warnings (overloaded points among them) on stderr, its table on stdout."""
    for warning in result.warnings:
        errors.print(Text.assemble(("warning: ", "yellow"), warning))
    overloaded = [point for point in result.points if point.overloaded]
    if overloaded:
        errors.print(Text.assemble(
            ("warning: ", "yellow"),
            f"{len(overloaded)} of {len(result.points)} points are overloaded (a station "
            "is offered more work than it can do; marked in the table, sweep.csv and the "
            "plots): their waits grow with the horizon and describe no steady state"))
    console.print(_sweep_table(result))


def _sweep_table(result: Any) -> Any:
    from rich.table import Table

    from portsim.report.kpis import counted, shown_kpi, with_interval

    # Text, not str: names and paths are the user's and must not be read as markup.
    table = Table(title=Text(f"{result.name}: sweep ({counted(len(result.points), 'point')}; "
                             "mean ± 95% CI)"), title_justify="left")
    for setting in result.settings:
        table.add_column(Text(setting.key), justify="right", overflow="fold")
    shown = {str(kpi): shown_kpi(kpi.scope, kpi.kpi) for kpi in result.kpis}
    for kpi in result.kpis:
        table.add_column(Text(shown[str(kpi)].heading(result.sla) + f"\n{kpi}"),
                         justify="right", overflow="fold")
    table.add_column("overloaded")
    for point in result.points:
        cells = [Text(str(point.assignment[s.key])) for s in result.settings]
        cells += [Text(with_interval(point.results.summary(k.scope, k.name, k.kpi),
                                     shown[str(k)]))
                  for k in result.kpis]
        cells.append(Text("yes", style="bold red") if point.overloaded else Text(""))
        table.add_row(*cells)
    return table
