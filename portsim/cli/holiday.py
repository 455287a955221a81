"""``portsim holiday``: a holiday of several days, both directions, from a calendar file; the
pledge day by day and hour by hour, and the officers moved between directions
(docs/holiday.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.text import Text

from portsim.cli.common import (
    EngineChoice,
    EngineOpt,
    ForceOpt,
    OutOpt,
    ReplicationsOpt,
    Resumable,
    ResumeOpt,
    SchedulerOpt,
    WorkersOpt,
    console,
    user_errors,
    warn,
)
from portsim.cli.runs import running

if TYPE_CHECKING:
    from portsim.experiment.holiday import HolidayResults


def holiday(
    file: Annotated[Path, typer.Argument(help="Calendar file (YAML): the port's scenario, "
                                              "the demand of each day and direction, the "
                                              "officers both directions share.",
                                         show_default=False)],
    replications: ReplicationsOpt = None,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    plots: Annotated[bool, typer.Option(help="Draw the heatmaps.")] = True,
    force: ForceOpt = False,
    engine: EngineOpt = EngineChoice.auto,
) -> None:
    """Run a holiday (the eve, then every day, both directions, as one continuous run) and
    each variant of it on the same random numbers; report the pledge by day, hour and
    direction and the officers moved (docs/holiday.md).

    Writes results.json, pledge.csv (day × hour × direction), daily.csv (travellers and
    officers moved per day), heatmap-RUN.png and report.html.
    """
    from portsim.experiment.holiday import run_holiday
    from portsim.report.holiday_page import write_holiday
    from portsim.scenario.holiday import load_calendar
    from portsim.writing import Inputs

    resumable = Resumable()
    with user_errors(resumable):
        calendar = load_calendar(file)
        out = out or Path("results") / file.stem
        inputs = Inputs.of(file, *calendar.scenario.files)
        count = replications or calendar.document.replications
        runs = len(calendar.models)
        with running(out, force=force, resume=resume, total=count * runs, workers=workers,
                     replications=count, scheduler=scheduler, trace=None, resumable=resumable,
                     engine=engine, inputs=inputs,
                     what=f"{runs} runs × {count:,} replications") as options:
            results = run_holiday(calendar, options.replace(replications=count))
        _print(results)
        files = write_holiday(results, out, force=True, plots=plots, inputs=inputs)
        seconds = sum(run.seconds for run in results.runs)
        console.print(f"holiday written to [bold]{escape(str(out))}[/] ({', '.join(files)}); "
                      f"{seconds / (count * runs):.1f} s per replication of a run (wall "
                      "clock, summed over workers)", highlight=False)


def _print(results: HolidayResults) -> None:
    """The headline of each run first, then each variant against the baseline, the day
    table and the engines."""
    from portsim.report.holiday import comparison_lines, day_table, headline
    from portsim.report.kpis import few_replications

    few = few_replications(results.replications)
    if few is not None:
        warn(None, few)
    for run in results.runs:
        for line in headline(results, run):
            console.print(Text(line))
    for line in comparison_lines(results):
        console.print(Text(line))
    console.print(day_table(results))
    engines = ", ".join(f"{run.name}: {run.engine}" for run in results.runs)
    console.print(Text(f"engines: {engines}"))
