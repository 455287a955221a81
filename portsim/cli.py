"""The ``portsim`` command line: run, compare, sweep, staff, validate, schema.

Every error a user can cause (a bad scenario file, an existing output folder) is a
:class:`~portsim.errors.PortsimError`: printed as one message on stderr with exit code 2, never a
traceback, and never after a partial write. A replication that fails (an error in the run, a
killed worker) exits with code 3 and names the replication and seed; Ctrl-C exits with 130. In
both cases the finished replications stay in ``DIR/.partial`` and ``--resume`` finishes the run.
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from portsim.errors import PortsimError, ReplicationError

if TYPE_CHECKING:
    from portsim.experiment.options import RunOptions as RunOptionsType



class _Program(typer.Typer):
    """The Typer app, with the cyclic garbage collector paused while a command starts up.

    Only the ``portsim`` program calls the app (its entry point, ``python -m portsim``); tests
    invoke its commands through Typer's runner, which this leaves alone.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # NOTE: paused for performance reasons: importing a command's modules (pydantic models,
        # dataclasses) allocates enough to trigger ~140 collections that find nothing, about
        # 10 % of the start-up. The command re-enables it when it begins its work (user_errors).
        gc.disable()
        try:
            return super().__call__(*args, **kwargs)
        finally:
            gc.enable()


app = _Program(
    name="portsim",
    help="Discrete-event simulation of port clearance and the policies that speed it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Files and CI logs have no width of their own: give tables room instead of Rich's 80 columns.
# User text (names, paths, messages) is printed as written: never read as Rich markup ("[/]")
# or emoji codes (":100:" after a line number); markup is kept for portsim's own styling only,
# and every piece of user text passed with it goes through ``escape``.
console = Console(width=None if sys.stdout.isatty() else 120, emoji=False)


def _print_version(asked: bool) -> None:
    if asked:
        from portsim.version import __version__

        console.print(f"portsim {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print portsim's version and exit.")] = False,
) -> None:
    """Discrete-event simulation of port clearance and the policies that speed it."""
errors = Console(stderr=True, emoji=False)

EXIT_BAD_INPUT = 2
EXIT_RUN_FAILED = 3
EXIT_OS_ERROR = 1
EXIT_INTERRUPTED = 130


class _Resumable:
    """A run's output folder: where its finished replications are kept (for the hint after a
    failure), and what the run created there, taken away again when it failed before finishing
    any replication, so that the next plain run is not refused."""

    out: Path | None = None
    _had_out = _had_partial = True

    def prepare(self, out: Path, *, force: bool, resume: bool, scheduler: str | None) -> Any:
        """Check the scheduler and the output folder before anything runs; the store."""
        from portsim.experiment.store import PARTIAL
        from portsim.report.outputs import prepare_output

        if scheduler is not None:
            from portsim.experiment.executors import check_scheduler

            check_scheduler(scheduler)  # before DIR/.partial exists
        store = prepare_output(out, force=force, resume=resume)
        self.out = out
        self._had_out = out.exists()
        self._had_partial = (out / PARTIAL).exists()
        return store

    def discard_unused(self) -> None:
        from portsim.report.outputs import discard_unused

        if self.out is not None:
            discard_unused(self.out, had_out=self._had_out, had_partial=self._had_partial)


@contextmanager
def user_errors(resumable: _Resumable | None = None) -> Iterator[None]:
    """Turn the project's own errors into one message: exit code 2 for bad input, 3 for a
    failed replication, 130 for Ctrl-C; say how to resume when replications were kept.

    Every command runs its work in here, after its imports: the garbage collector, paused for
    the start-up (:class:`_Program`), runs again from here on.
    """
    gc.enable()
    def hint() -> str:
        if resumable is not None:
            resumable.discard_unused()
        out = resumable.out if resumable is not None else None
        if out is None or not (out / ".partial").is_dir():
            return ""
        return (f"\nfinished replications are kept in {out / '.partial'}; "
                "run the same command with --resume to finish the run")

    try:
        yield
    except ReplicationError as error:
        errors.print(f"[bold red]error:[/] {escape(str(error) + hint())}", highlight=False,
                     soft_wrap=True)
        raise typer.Exit(EXIT_RUN_FAILED) from None
    except PortsimError as error:
        errors.print(f"[bold red]error:[/] {escape(str(error) + hint())}", highlight=False,
                     soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except KeyboardInterrupt:
        errors.print(f"interrupted{escape(hint())}", style="yellow", highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except OSError as error:
        # The machine, not the input: a full disk, a folder without write permission. A write
        # that fails (ENOSPC) often names no file: name the output folder instead.
        out = resumable.out if resumable is not None else None
        where = (f" ({error.filename})" if error.filename
                 else f" (writing to {out})" if out is not None else "")
        errors.print(f"[bold red]error:[/] {escape(error.strerror or str(error))}"
                     f"{escape(where + hint())}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_OS_ERROR) from None


def _warn(label: str | None, warning: str) -> None:
    """One warning on stderr, on one line (as errors are): a field path must not be split."""
    where = f" ({escape(label)})" if label is not None else ""
    errors.print(f"[yellow]warning{where}:[/] {escape(warning)}", highlight=False,
                 soft_wrap=True)


FileArg = Annotated[Path, typer.Argument(help="Scenario file (YAML).", show_default=False)]
VariantOpt = Annotated[str | None, typer.Option(help="Run this variant, not the baseline.")]
ReplicationsOpt = Annotated[
    int | None, typer.Option(min=1, help="Replications (default: the file's).")]
SeedOpt = Annotated[int | None, typer.Option(min=0, help="Seed (default: the file's).")]
OutOpt = Annotated[
    Path | None, typer.Option(help="Output folder (default: results/<stem>[-<variant>]).")]
WorkersOpt = Annotated[int | None, typer.Option(
    min=1, help="Processes running replications (default: all cores).", show_default=False)]
ForceOpt = Annotated[bool, typer.Option(help="Replace an existing output folder.")]
SchedulerOpt = Annotated[str | None, typer.Option(
    help="Run replications on this Dask scheduler (e.g. tcp://host:8786) instead of local "
         "processes; needs portsim\\[dask].", show_default=False)]
ResumeOpt = Annotated[bool, typer.Option(
    help="Finish an interrupted run: reuse the replications kept in DIR/.partial.")]
PrecisionOpt = Annotated[str | None, typer.Option(
    help="Add replications in rounds until each watched KPI's 95% half-width is within this "
         "share of its mean (shares: within this many percentage points), e.g. 5%. "
         "--replications is then the first round.", show_default=False)]
PrecisionKpiOpt = Annotated[list[str] | None, typer.Option(
    help="A KPI --precision watches, SCOPE.NAME.KPI; repeatable (default: every class's "
         "wait_mean and wait_sla_share).", show_default=False)]
MaxReplicationsOpt = Annotated[int, typer.Option(
    min=2, help="The most replications --precision may run per variant.")]
TraceOpt = Annotated[Path | None, typer.Option(
    help="Write the event log of replication 0 (of the baseline) to this file: .csv, or "
         ".parquet with pyarrow, or for process mining .xes, .jsonocel/.json (OCEL 2.0 JSON) "
         "or .sqlite (OCEL 2.0 SQLite) with portsim\\[mining].", show_default=False)]


FromStateOpt = Annotated[Path | None, typer.Option(
    help="Start each replication from this state file (a warm start at its clock time); "
         "see docs/forecast.md.", show_default=False)]
HorizonOpt = Annotated[str | None, typer.Option(
    help="With --from-state: how long to run after the state's clock time, e.g. 3h "
         "(default: the scenario's measured span).", show_default=False)]
SnapshotAtOpt = Annotated[str | None, typer.Option(
    help="Write each replication's state at this time of the run (e.g. 14:00, or 38h for the "
         "second day) to DIR/states/ as a state file for --from-state.", show_default=False)]


def _forecast(file: Path, scenario: Any, variant: str | None, from_state: Path | None,
              horizon: str | None, snapshot_at: str | None) -> Any:
    """The warm start and snapshot asked for, checked before anything runs (None if none)."""
    from portsim.experiment.forecast import Forecast
    from portsim.scenario.state import load_state
    from portsim.units import parse_duration

    def minutes(option: str, text: str | None) -> float | None:
        if text is None:
            return None
        try:
            return parse_duration(text)
        except ValueError as error:
            raise PortsimError(f"{option}: {error}") from None

    if from_state is None and horizon is not None:
        raise PortsimError("--horizon needs --from-state (a cold run's horizon is the "
                           "scenario's time.horizon)")
    if from_state is None and snapshot_at is None:
        return None
    length = minutes("--horizon", horizon)
    if length is not None and length <= 0:
        raise PortsimError(f"--horizon {horizon}: must be longer than 0")
    state = load_state(from_state, scenario.model(variant)) if from_state is not None else None
    at = minutes("--snapshot-at", snapshot_at)
    forecast = Forecast(state, length, at, str(from_state) if from_state else None)
    model = _forecast_model(forecast, scenario, variant)
    if at is not None:
        begin = state.clock if state is not None else 0.0
        if not begin <= at < model.horizon:
            raise PortsimError(
                f"--snapshot-at {snapshot_at}: outside the run ({begin / 60:g} h to "
                f"{model.horizon / 60:g} h from the start of {file})")
    return forecast


class EngineChoice(StrEnum):
    """The engines ``--engine`` accepts (see portsim.engine.fast.choose_engine)."""

    auto = "auto"
    events = "events"
    fast = "fast"


EngineOpt = Annotated[EngineChoice, typer.Option(
    help="Which engine runs the replications: auto (the FIFO fast path when every station is "
         "first come first served and the routes are feed-forward, else the event engine), "
         "events, or fast (an error naming why when the model does not qualify).")]


def _workers(workers: int | None) -> int:
    from portsim.experiment.executors import default_workers

    return workers if workers is not None else default_workers()


def _check_trace(trace: Path | None) -> str | None:
    from portsim.experiment.trace import TRACE_SUFFIXES, trace_format

    if trace is None:
        return None
    trace_format(trace)  # fail before running, not after
    if trace.is_dir():
        raise PortsimError(f"--trace {trace}: is a folder; give a file name ending in "
                           f"{TRACE_SUFFIXES}")
    # Whether the file can be written, found now rather than after the whole simulation: an
    # OSError here (a read-only folder, a parent that is a file) exits with code 1 at once.
    trace.parent.mkdir(parents=True, exist_ok=True)
    tempfile.TemporaryFile(dir=trace.parent).close()
    return str(trace)


def _precision(text: str | None, kpis: list[str] | None, most: int) -> Any:
    from portsim.experiment.precision import Precision, parse_items, parse_precision

    if text is None:
        if kpis:
            raise PortsimError("--precision-kpi needs --precision")
        return None
    try:
        return Precision(parse_precision(text), parse_items(kpis or []), most)
    except ValueError as error:
        raise PortsimError(str(error)) from None


@contextmanager
def _running(out: Path, *, force: bool, resume: bool, total: int, workers: int | None,
             scheduler: str | None, trace: str | None, resumable: _Resumable,
             precision: Any = None, engine: EngineChoice = EngineChoice.auto,
             ) -> Iterator[RunOptionsType]:
    """Prepare the output folder and a progress bar; yield the run's options.

    Shared by ``run``, ``compare`` and ``sweep``: the folder is checked (and ``.partial``
    opened) before anything runs, so that a bad folder costs no simulation.
    """
    from portsim.experiment.options import RunOptions
    from portsim.report.progress import ReplicationProgress

    store = resumable.prepare(out, force=force, resume=resume, scheduler=scheduler)
    with ReplicationProgress(total, console) as bar:
        yield RunOptions(workers=_workers(workers), scheduler=scheduler, store=store,
                         resume=resume, trace=trace, progress=bar, resumed=bar.resumed,
                         precision=precision, engine=engine.value)


@app.command()
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
    from portsim.report.files import dump_csv, dump_json, write_output
    from portsim.report.table import print_results
    from portsim.scenario import load_scenario

    resumable = _Resumable()
    with user_errors(resumable):
        scenario = load_scenario(file)
        scenario.document(variant)  # an unknown variant: one message with a suggestion
        trace_path = _check_trace(trace)
        forecast = _forecast(file, scenario, variant, from_state, horizon, snapshot_at)
        out = out or Path("results") / (file.stem + (f"-{variant}" if variant else ""))
        total = replications or scenario.replications
        watch = _precision(precision, precision_kpi, max_replications)
        with _running(out, force=force, resume=resume, total=total, workers=workers,
                      scheduler=scheduler, trace=trace_path, resumable=resumable,
                      precision=watch, engine=engine) as options:
            results = simulate(scenario, options, variant=variant, replications=replications,
                               seed=seed, forecast=forecast)
        if results.precision is not None:
            _print_precision(results.label, results.precision)
        _print_warmup(results)
        for warning in results.warnings:
            _warn(None, warning)
        print_results(results, console, sla_minutes=scenario.sla)
        _print_engines([results])

        if forecast is not None and forecast.state is not None:
            _print_forecast(forecast.state, (results.horizon or 0.0) - (results.warmup or 0.0))

        def write(folder: Path) -> None:
            from portsim.experiment.forecast import write_snapshots

            dump_json(results.to_dict(), folder / "results.json")
            dump_csv(results.summary_rows(), folder / "summary.csv")
            dump_json(results.timings, folder / "timings.json")
            write_snapshots(results.replications, folder)

        # prepare_output has checked the folder; replacing it also drops .partial.
        write_output(out, write, force=True)
        console.print(f"results written to [bold]{escape(str(out))}[/] "
                      f"(results.json, summary.csv, timings.json)")
        if trace_path is not None:
            console.print(f"event log of replication 0 written to "
                          f"[bold]{escape(trace_path)}[/]")
        if snapshot_at is not None:
            console.print(f"the state at {escape(snapshot_at)} of each replication written to "
                          f"[bold]{escape(str(out / 'states'))}[/]")


def _forecast_model(forecast: Any, scenario: Any, variant: str | None) -> Any:
    """The model ``forecast`` runs for ``variant``; what the engine refuses (e.g. a warm start
    of a station with breakdowns) as a user error naming the variant."""
    try:
        return forecast.apply(scenario.model(variant))
    except ValueError as error:
        where = f"variant {variant!r}: " if variant is not None else ""
        raise PortsimError(f"{where}{error}") from None


def _state_fits(path: Path | None, scenario: Any, variant: str) -> None:
    """Check the state file against ``variant``'s model (a policy may add or replace
    stations): its problems, each said to be the variant's."""
    import dataclasses

    from portsim.errors import ScenarioError
    from portsim.scenario.state import load_state

    assert path is not None
    try:
        load_state(path, scenario.model(variant))
    except ScenarioError as error:
        raise ScenarioError([dataclasses.replace(problem, message=f"variant {variant!r}: "
                                                 f"{problem.message}")
                             for problem in error.problems], file=error.file) from None


def _print_forecast(state: Any, span: float) -> None:
    from portsim.document.parts import clock

    day, minute = divmod(state.clock, 1440.0)
    console.print(
        f"forecast from day {int(day) + 1} {clock(minute)} for "
        f"{span / 60:g} h: {state.customers} customers in the state count in "
        "waits, sojourns, completions and queue lengths (with the time they waited before the "
        "clock time); arrivals count only those arriving after it", highlight=False)


@app.command()
def compare(
    file: FileArg,
    variants: Annotated[str | None, typer.Option(
        help="Comma-separated variants to compare with the baseline (default: all).",
        show_default=False)] = None,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    out: Annotated[Path | None, typer.Option(
        help="Output folder (default: results/<stem>-compare).", show_default=False)] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    trace: TraceOpt = None,
    plots: Annotated[bool, typer.Option(help="Draw the plots and report.html.")] = True,
    detail: Annotated[bool, typer.Option(
        help="Print every KPI table, not only each variant's headline.")] = False,
    force: ForceOpt = False,
    precision: PrecisionOpt = None,
    precision_kpi: PrecisionKpiOpt = None,
    max_replications: MaxReplicationsOpt = 200,
    engine: EngineOpt = EngineChoice.auto,
    from_state: FromStateOpt = None,
    horizon: HorizonOpt = None,
) -> None:
    """Compare the baseline with its variants on common random numbers.

    Prints each KPI per variant and its paired difference to the baseline, and writes
    results.json, comparison.csv, timings.json, PNG plots and a self-contained report.html.
    With --from-state, every variant starts from the same state file at its clock time and
    runs for --horizon (docs/forecast.md).
    """
    from portsim.experiment.comparison import VariantError, check_variants
    from portsim.experiment.comparison import compare as run_comparison
    from portsim.report.compare_table import print_comparison
    from portsim.report.outputs import write_comparison
    from portsim.scenario import load_scenario

    resumable = _Resumable()
    with user_errors(resumable):
        scenario = load_scenario(file)
        wanted = None if variants is None else [v.strip() for v in variants.split(",")
                                                 if v.strip()]
        if wanted == []:
            known = ", ".join(scenario.variant_names) or "none"
            raise VariantError(f"--variants {variants!r} names no variant; give names "
                               f"separated by commas (the scenario's variants: {known})")
        chosen = check_variants(scenario, wanted)
        trace_path = _check_trace(trace)
        forecast = _forecast(file, scenario, None, from_state, horizon, None)
        if forecast is not None:
            for name in chosen:  # the state must fit every variant's stations and classes
                _state_fits(from_state, scenario, name)
                _forecast_model(forecast, scenario, name)
        out = out or Path("results") / f"{file.stem}-compare"
        total = (replications or scenario.replications) * (1 + len(chosen))
        watch = _precision(precision, precision_kpi, max_replications)
        with _running(out, force=force, resume=resume, total=total, workers=workers,
                      scheduler=scheduler, trace=trace_path, resumable=resumable,
                      precision=watch, engine=engine) as options:
            comparison = run_comparison(scenario, options, variants=chosen,
                                        replications=replications, seed=seed,
                                        forecast=forecast)
        for results in comparison.all:
            if results.precision is not None:
                _print_precision(results.label, results.precision)
        _print_warmup(comparison.all[0])
        for results in comparison.all:
            for warning in results.warnings:
                _warn(results.label, warning)
        print_comparison(comparison, console, detail=detail)
        _print_engines(comparison.all)
        if forecast is not None and forecast.state is not None:
            base = comparison.baseline
            _print_forecast(forecast.state, (base.horizon or 0.0) - (base.warmup or 0.0))
        files = write_comparison(comparison, out, force=True, plots=plots)
        console.print(f"comparison written to [bold]{escape(str(out))}[/] "
                      f"({', '.join(files)}); open {escape(str(out / 'report.html'))} for the "
                      "plots, or add --detail for every table")
        if trace_path is not None:
            console.print(f"event log of the baseline's replication 0 written to "
                          f"[bold]{escape(trace_path)}[/]")


@app.command()
def sweep(
    file: FileArg,
    set_: Annotated[list[str], typer.Option(
        "--set", help="PATH=VALUES in the resolved scenario (minutes, per minute): a range "
                      "start:stop:step, a list a,b,c or one value; repeat for a grid. "
                      "E.g. stations.counters.servers=10:30:2", show_default=False)],
    kpi: Annotated[list[str] | None, typer.Option(
        help="KPI to plot, SCOPE.NAME.KPI, e.g. classes.car.wait_p95; repeatable "
             "(default: system.all.wait_mean).", show_default=False)] = None,
    variant: VariantOpt = None,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    out: Annotated[Path | None, typer.Option(
        help="Output folder (default: results/<stem>-sweep).", show_default=False)] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    force: ForceOpt = False,
    target: Annotated[str | None, typer.Option(
        help="A target line on the plots: a share as 95% (or 0.95), a time as 20min.",
        show_default=False)] = None,
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

    resumable = _Resumable()
    with user_errors(resumable):
        scenario = load_scenario(file)
        scenario.document(variant)  # an unknown variant: one message with a suggestion
        settings = [parse_setting(text) for text in set_]
        kpis = [parse_kpi(text) for text in (kpi or ["system.all.wait_mean"])]
        target_value = parse_target(target) if target is not None else None
        forecast = _forecast(file, scenario, variant, from_state, horizon, None)
        out = out or Path("results") / f"{file.stem}-sweep"
        total = (replications or scenario.replications) * len(grid(settings))
        with _running(out, force=force, resume=resume, total=total, workers=workers,
                      scheduler=scheduler, trace=None, resumable=resumable,
                      engine=engine) as options:
            result = run_sweep(scenario, settings, options, kpis=kpis, variant=variant,
                               replications=replications, seed=seed, forecast=forecast)
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
        files = write_sweep(result, out, force=True, target=target_value)
        console.print(f"sweep written to [bold]{escape(str(out))}[/] ({', '.join(files)})")


def _print_engines(results: list[Any]) -> None:
    """Say which engine ran each model (the fast path, or the event engine)."""
    by_engine: dict[str, list[str]] = {}
    for result in results:
        by_engine.setdefault(result.engine, []).append(result.label)
    if len(results) == 1:
        text = f"engine: {results[0].engine}"
    else:
        text = "engine: " + "; ".join(f"{engine} ({', '.join(labels)})"
                                      for engine, labels in by_engine.items())
    console.print(Text(text + " (--engine events forces the event engine)"
                       if "fast" in by_engine else text))


def _print_precision(label: str, report: dict[str, Any]) -> None:
    missed = [f"{row['scope']}.{row['name']}.{row['kpi']}" for row in report["kpis"]
              if not row["met"]]
    text = (f"{label}: {report['replications']} replications for a precision of "
            f"{report['target']:.1%}")
    if missed:
        errors.print(Text.assemble(("warning: ", "yellow"), text + f" not reached (the cap is "
                                   f"{report['most']}) for {', '.join(missed)}"))
    else:
        console.print(Text(text + " (reached; half-widths in results.json)"))


def _print_warmup(results: Any) -> None:
    choice = results.warmup_choice
    if choice is None:
        return
    rounded = ", rounded up to whole days" if choice["rounded_to_days"] else ""
    console.print(Text(f"warm-up chosen by MSER-5: {choice['minutes'] / 60:g} h (on the queue "
                       f"lengths of {choice['pilot_replications']} pilot replications{rounded}; "
                       "series in results.json)"))


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


@app.command()
def staff(
    file: FileArg,
    stations: Annotated[str, typer.Option(
        help="Comma-separated stations to staff, e.g. desks_north,desks_south.",
        show_default=False)],
    target: Annotated[str, typer.Option(
        help="What every interval must meet, at the unfavourable end of its 95% interval: "
             "wait_p95<=30min, wait_mean<=10min or wait_sla_share>=0.95 (the waits at the "
             "staffed stations of the customers who joined in that interval); CLASS,...: in "
             "front judges those classes' waits instead.",
        show_default=False)],
    shifts: Annotated[str, typer.Option(
        help="Allowed shifts LENGTH@GRID, comma-separated: 8h@1h = 8-hour shifts starting on "
             "every hour.")] = "8h@1h",
    interval: Annotated[str, typer.Option(
        help="Width of the intervals the day is staffed by (divides a day).")] = "1h",
    variant: VariantOpt = None,
    most: Annotated[list[str] | None, typer.Option(
        help="Counters physically available, STATION=N; repeatable.", show_default=False)] = None,
    least: Annotated[int, typer.Option(
        min=0, help="Officers kept on duty in every interval at each station.")] = 1,
    hour_cost: Annotated[float, typer.Option(
        min=0.0, help="Cost of one officer-hour (the roster minimises officer-hours times "
                      "this).")] = 1.0,
    callout_cost: Annotated[float, typer.Option(
        min=0.0, help="Cost of a call-out hour: servers called in for bookings (zero wait, "
                      "zero-delay departure), added to the roster's cost.")] = 0.0,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    proof_seed: Annotated[int | None, typer.Option(
        min=0, help="Seed of the proof run (default: the seed + 1, fresh random numbers).",
        show_default=False)] = None,
    max_rounds: Annotated[int, typer.Option(
        min=2, help="The most simulation rounds the requirement search may take.")] = 30,
    tightness: Annotated[bool, typer.Option(
        help="Also check that one officer fewer in any shift breaks some interval (one more "
             "run per shift used).")] = False,
    write_variant: Annotated[str | None, typer.Option(
        help="Add the roster to FILE as a variant of this name (FILE is changed only if the "
             "result loads); variant.yaml in the output folder has it in any case.",
        show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        help="Output folder (default: results/<stem>-staff).", show_default=False)] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    force: ForceOpt = False,
    engine: EngineOpt = EngineChoice.auto,
) -> None:
    """Find the fewest officers per interval, and the cheapest roster of allowed shifts, that
    meet a waiting-time target in every interval; prove it with fresh seeds.

    Prints the requirement curve against the roster and the scenario's own staffing, the
    roster, officer-hours and cost, the proof's verdict per interval and the replications
    spent; writes staffing.json, requirement.csv, roster.csv, staffing.png and variant.yaml.
    """
    from portsim.experiment.options import RunOptions
    from portsim.experiment.staffing.evaluation import replicating
    from portsim.experiment.staffing.problem import Problem
    from portsim.experiment.staffing.roster import parse_shifts
    from portsim.experiment.staffing.solver import solve
    from portsim.experiment.staffing.target import parse_target
    from portsim.report.files import check_output, write_output
    from portsim.report.staffing import (
        print_solution,
        variant_comments,
        variant_description,
        variant_schedules,
        write_solution,
    )
    from portsim.scenario import load_scenario
    from portsim.scenario.edit import add_variant, check_variant_name
    from portsim.units import parse_duration

    with user_errors():
        scenario = load_scenario(file)
        model = scenario.model(variant)
        out = out or Path("results") / f"{file.stem}-staff"
        check_output(out, force)
        if scheduler is not None:
            from portsim.experiment.executors import check_scheduler

            check_scheduler(scheduler)
        try:
            width = parse_duration(interval)
        except ValueError as error:
            raise PortsimError(f"--interval {interval!r}: {error}") from None
        limits: dict[str, int] = {}
        for item in most or []:
            name, _, count = item.partition("=")
            if not count.strip().isdigit() or int(count) < 1:
                raise PortsimError(f"--most {item!r}: expected STATION=N with N >= 1")
            limits[name.strip()] = int(count)
        chosen_seed = seed if seed is not None else scenario.seed
        options = RunOptions(workers=_workers(workers), scheduler=scheduler,
                             engine=engine.value)
        per_round = replications or scenario.replications
        if scenario.warmup_auto:
            from portsim.experiment.runner import Prepared, auto_warmup

            [chosen], choice = auto_warmup([Prepared("baseline", variant, model, {})], options,
                                           chosen_seed, per_round)
            model = chosen.model
            console.print(f"warm-up chosen by MSER-5: {choice['minutes'] / 60:g} h",
                          highlight=False)
        problem = Problem(
            model=model, stations=tuple(s.strip() for s in stations.split(",") if s.strip()),
            target=parse_target(target, model.sla), interval=width,
            patterns=parse_shifts(shifts, width), seed=chosen_seed,
            proof_seed=proof_seed if proof_seed is not None else chosen_seed + 1,
            most=limits, least=least, hour_cost=hour_cost, callout_cost=callout_cost,
            max_rounds=max_rounds)
        if not problem.stations:
            raise PortsimError("--stations names no station")
        if write_variant is not None:  # refused now rather than after the whole search
            check_variant_name(file, write_variant)
        run = replicating(per_round, options)
        with console.status("staffing search") as status:
            solution = solve(problem, run, tightness=tightness,
                             progress=lambda text: status.update(escape(text)))
        print_solution(solution, console)
        name = write_variant or "staffed"
        def write(folder: Path) -> None:
            write_solution(solution, folder, name)

        write_output(out, write, force=True)
        console.print(f"staffing written to [bold]{escape(str(out))}[/] (staffing.json, "
                      "requirement.csv, roster.csv, staffing.png, variant.yaml)")
        if write_variant is not None:
            add_variant(file, write_variant, variant_description(solution),
                        variant_schedules(solution), variant_comments(solution))
            console.print(f"variant [bold]{escape(write_variant)}[/] added to "
                          f"{escape(str(file))}: compare it with "
                          f"portsim compare {escape(str(file))} --variants "
                          f"{escape(write_variant)}", highlight=False)


@app.command("state-from-log")
def state_from_log(
    log: Annotated[Path, typer.Argument(
        help="Event log: a --trace .csv or .parquet file, or observations in its columns "
             "(time, entity, class, station, event).", show_default=False)],
    at: Annotated[str, typer.Option(
        help="The clock time of the state: 14:00, or 38h for 14:00 on day 2.",
        show_default=False)],
    out: Annotated[Path, typer.Option(help="The state file to write (YAML).",
                                      show_default=False)],
    scenario: Annotated[Path | None, typer.Option(
        help="Check the state against this scenario's stations and classes.",
        show_default=False)] = None,
) -> None:
    """Write the state at a clock time of an event log (who waits, who is in service) as a
    state file for run --from-state."""
    from portsim.experiment.forecast import write_state
    from portsim.experiment.logstate import state_from_log as read_state
    from portsim.scenario import load_scenario
    from portsim.scenario.state import load_state
    from portsim.units import parse_duration

    with user_errors():
        try:
            clock = parse_duration(at)
        except ValueError as error:
            raise PortsimError(f"--at: {error}") from None
        model = load_scenario(scenario).model() if scenario is not None else None
        state = read_state(log, clock)
        write_state(state, out, f"The state at {at} of {log}")
        if model is not None:
            try:
                load_state(out, model)
            except PortsimError:
                out.unlink()
                raise
        console.print(f"state at {escape(at)} ({state.customers} customers) written to "
                      f"[bold]{escape(str(out))}[/]", highlight=False)


@app.command()
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
    from portsim.report.study import study_table, write_study
    from portsim.scenario.study import load_study

    resumable = _Resumable()
    with user_errors(resumable):
        loaded = load_study(file)
        out = out or Path("results") / file.stem
        count = replications or loaded.document.replications
        total = count * sum(port.entry.copies for port in loaded.ports)
        with _running(out, force=force, resume=resume, total=total, workers=workers,
                      scheduler=scheduler, trace=None, resumable=resumable,
                      engine=engine) as options:
            results = run_study(loaded, options.replace(replications=count))
        for port in results.ports:
            for copy in port.copies.values():
                for warning in copy.warnings:
                    _warn(port.port.name, warning)
        console.print(study_table(results))
        engines = ", ".join(f"{port.port.name}: {port.engine}" for port in results.ports)
        console.print(Text(f"engines: {engines}"))
        files = write_study(results, out, force=True, plots=plots)
        console.print(f"study written to [bold]{escape(str(out))}[/] ({', '.join(files)}); "
                      f"{results.timings['seconds_per_replication']:.1f} s in the tasks per "
                      "replication (wall clock, summed over workers)", highlight=False)


@app.command()
def validate(file: FileArg) -> None:
    """Check a scenario file and all its variants without running it."""
    from portsim.document.durations import long_durations
    from portsim.engine.load import overload_warnings
    from portsim.scenario import compile_model, load_scenario

    with user_errors():
        scenario = load_scenario(file)
        for variant in [None, *scenario.variant_names]:
            model = compile_model(scenario, variant)
            label = variant or "baseline"
            for warning in overload_warnings(model) + long_durations(scenario.resolved(variant)):
                _warn(label, warning)
        variants = ", ".join(scenario.variant_names) or "none"
        console.print(f"{file}: valid — '{scenario.name}'; variants: {variants}",
                      highlight=False, markup=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from portsim.document.json_schema import scenario_json_schema

    sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n")
