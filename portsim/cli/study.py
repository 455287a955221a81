"""``portsim study``: every port of a study file run together, each port's and the national
pledge KPIs printed and written (docs/national.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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


def study(
    file: Annotated[Path, typer.Argument(help="Study file (YAML): the ports to run together.",
                                         show_default=False)],
    replications: ReplicationsOpt = None,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    plots: Annotated[bool, typer.Option(help="Draw the plots.")] = True,
    force: ForceOpt = False,
    engine: EngineOpt = EngineChoice.auto,
) -> None:
    """Run every port of a study file (ports × replications as tasks) and report each port's
    and the national pledge KPIs (docs/national.md).

    Writes study.json, study.csv, timings.json, plots, report.md, and each port's results.json
    under ports/.
    """
    from portsim.experiment.study import run_study
    from portsim.report.study import precision_notes, study_table, write_study
    from portsim.scenario.study import load_study
    from portsim.writing import Inputs

    resumable = Resumable()
    with user_errors(resumable):
        loaded = load_study(file)
        out = out or Path("results") / file.stem
        inputs = Inputs.of(file, *(path for port in loaded.ports
                                   for path in port.scenario.files))
        count = replications or loaded.document.replications
        total = count * sum(port.entry.copies for port in loaded.ports)
        with running(out, force=force, resume=resume, total=total, workers=workers,
                     replications=count, scheduler=scheduler, trace=None, resumable=resumable,
                     engine=engine, inputs=inputs,
                     what=f"{len(loaded.ports)} ports (with their copies) × "
                          f"{count:,} replications") as options:
            results = run_study(loaded, options.replace(replications=count))
        for port in results.ports:
            for copy in port.copies.values():
                for warning in copy.warnings:
                    warn(port.port.name, warning)
        for note in precision_notes(results):
            warn(None, note)
        console.print(study_table(results))
        engines = ", ".join(f"{port.port.name}: {port.engine}" for port in results.ports)
        console.print(Text(f"engines: {engines}"))
        files = write_study(results, out, force=True, plots=plots, inputs=inputs)
        console.print(f"study written to [bold]{escape(str(out))}[/] ({', '.join(files)}); "
                      f"{results.timings['seconds_per_replication']:.1f} s in the tasks per "
                      "replication (wall clock, summed over workers)", highlight=False)
