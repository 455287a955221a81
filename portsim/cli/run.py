"""``portsim run``: one scenario (or one variant) replicated, its KPIs printed and written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape

from portsim.cli.common import (
    EngineChoice,
    EngineOpt,
    FileArg,
    ForceOpt,
    FromStateOpt,
    HorizonOpt,
    MaxReplicationsOpt,
    OutOpt,
    PrecisionKpiOpt,
    PrecisionOpt,
    ReplicationsOpt,
    Resumable,
    ResumeOpt,
    SchedulerOpt,
    SeedOpt,
    SnapshotAtOpt,
    TraceOpt,
    VariantOpt,
    WorkersOpt,
    console,
    user_errors,
)
from portsim.cli.runs import (
    check_trace,
    forecast_of,
    inputs_of,
    precision_goal,
    print_engines_and_window,
    print_notes,
    running,
)


def run(
    file: FileArg,
    variant: VariantOpt = None,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    trace: TraceOpt = None,
    force: ForceOpt = False,
    precision: PrecisionOpt = None,
    precision_kpi: PrecisionKpiOpt = None,
    max_replications: MaxReplicationsOpt = 200,
    from_state: FromStateOpt = None,
    horizon: HorizonOpt = None,
    snapshot_at: SnapshotAtOpt = None,
    engine: EngineOpt = EngineChoice.auto,
) -> None:
    """Run a scenario, print its KPIs and write results.json and summary.csv.

    With --from-state, the run is a forecast: each replication starts from the state file at
    its clock time and runs for --horizon; the KPIs cover that window (docs/forecast.md).
    """
    from portsim.experiment.runner import simulate
    from portsim.report.table import print_results
    from portsim.scenario import load_scenario

    resumable = Resumable()
    with user_errors(resumable):
        scenario = load_scenario(file)
        scenario.document(variant)  # an unknown variant: one message with a suggestion
        out = out or Path("results") / (file.stem + (f"-{variant}" if variant else ""))
        inputs = inputs_of(scenario, from_state)
        trace_path = check_trace(trace, force=force, inputs=inputs, out=out)
        forecast = forecast_of(file, scenario, variant, from_state, horizon, snapshot_at)
        total = replications or scenario.replications
        watch = precision_goal(precision, precision_kpi, max_replications,
                               [scenario.model(variant)])
        with running(out, force=force, resume=resume, total=total, workers=workers,
                     replications=total, scheduler=scheduler, trace=trace_path,
                     resumable=resumable, precision=watch, engine=engine,
                     inputs=inputs) as options:
            results = simulate(scenario, options, variant=variant, replications=replications,
                               seed=seed, forecast=forecast)
        print_notes([results], labelled=False)
        print_results(results, console, sla_minutes=scenario.sla)
        print_engines_and_window([results], forecast)
        _write(results, out, trace_path, snapshot_at, inputs)


def _write(results: Any, out: Path, trace_path: str | None, snapshot_at: str | None,
           inputs: Any) -> None:
    """Write the run's files to ``out`` (results.json, summary.csv, timings.json, the states
    asked for) and say where they and the event log are."""
    from portsim.experiment.forecast import write_snapshots
    from portsim.report.files import dump_csv, dump_json, write_output

    def write(folder: Path) -> None:
        dump_json(results.to_dict(), folder / "results.json")
        dump_csv(results.summary_rows(), folder / "summary.csv")
        dump_json(results.timings, folder / "timings.json")
        write_snapshots(results.replications, folder)

    # prepare_output has checked the folder; replacing it also drops .partial.
    write_output(out, write, force=True, inputs=inputs)
    console.print(f"results written to [bold]{escape(str(out))}[/] "
                  f"(results.json, summary.csv, timings.json)")
    if trace_path is not None:
        console.print(f"event log of replication 0 written to "
                      f"[bold]{escape(trace_path)}[/]")
    if snapshot_at is not None:
        console.print(f"the state at {escape(snapshot_at)} of each replication written to "
                      f"[bold]{escape(str(out / 'states'))}[/]")
