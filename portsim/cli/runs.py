"""What the commands that run replications (run, compare, sweep, study, staff) share.

Before anything runs: the checks of --trace, --precision and --from-state, and the output
folder with its progress bar (:func:`running`), so that a bad option costs no simulation. After
the run: the lines printed around the KPI tables (precision reached, warm-up chosen, warnings,
the engine that ran each model, the forecast's window).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from portsim.cli.common import (
    EngineChoice,
    Resumable,
    console,
    errors,
    parsed_duration,
    warn,
)
from portsim.errors import PortsimError

if TYPE_CHECKING:
    from portsim.experiment.options import RunOptions


def workers_or_all(workers: int | None) -> int:
    """The --workers asked for, else one process per core."""
    from portsim.experiment.executors import default_workers

    return workers if workers is not None else default_workers()


def check_trace(trace: Path | None, *, force: bool, inputs: Any, out: Path) -> str | None:
    """The --trace file as a path the run writes to, checked before anything runs: its
    format, that it is none of the command's ``inputs``, outside the output folder ``out``
    (which is replaced whole), and new unless ``force``."""
    from portsim.experiment.trace import TRACE_SUFFIXES, trace_format
    from portsim.writing import check_file, target_of

    if trace is None:
        return None
    trace_format(trace)  # fail before running, not after
    if trace.is_dir():
        raise PortsimError(f"--trace {trace}: is a folder; give a file name ending in "
                           f"{TRACE_SUFFIXES}")
    if target_of(trace).is_relative_to(target_of(out)):
        raise PortsimError(f"--trace {trace}: is inside the output folder {out}, which the "
                           "run's results replace whole; write the trace beside it")
    # Whether the file can be written, found now rather than after the whole simulation: an
    # OSError here (a read-only folder, a parent that is a file) exits with code 1 at once.
    check_file(trace, force=force, inputs=inputs, option="--trace")
    return str(trace)


def inputs_of(scenario: Any, *others: Path | None) -> Any:
    """What a command reads, which none of its outputs may replace: the scenario file, its
    timetables and ``others`` (a state file)."""
    from portsim.writing import Inputs

    return Inputs.of(*scenario.files, *others)


def precision_goal(text: str | None, kpis: list[str] | None, most: int,
                   models: Sequence[Any] = ()) -> Any:
    """The --precision goal with the KPIs it watches (None if none was asked for), checked
    before anything runs: a target within reach, a cap within the replications' limit, and
    KPIs that a run of one of ``models`` reports."""
    from portsim import limits
    from portsim.experiment.precision import Precision, parse_items, parse_precision

    if text is None:
        if kpis:
            raise PortsimError("--precision-kpi needs --precision")
        return None
    allowed = limits.current().max_replications
    if most > allowed:
        raise PortsimError(f"--max-replications {most:,}: more than the limit of {allowed:,} "
                           f"(set {limits.describe('max_replications')} to allow more)")
    try:
        goal = Precision(parse_precision(text), parse_items(kpis or []), most)
    except ValueError as error:
        raise PortsimError(str(error)) from None
    if goal.kpis and models:
        _check_watched(goal.kpis, models)
    limits.check_tasks(most * max(len(models), 1),
                       f"--max-replications {most:,} for {max(len(models), 1)} models")
    return goal


def _check_watched(items: Sequence[tuple[str, str, str]], models: Sequence[Any]) -> None:
    """Each watched KPI is reported by a run of every one of ``models`` (each is watched)."""
    from portsim.engine.collect import kpi_names
    from portsim.experiment.sweeps import KPI, SweepError, check_kpi

    for model in models:
        known = kpi_names(model)
        for scope, name, kpi in items:
            try:
                check_kpi(KPI(scope, name, kpi), known, option="--precision-kpi")
            except SweepError as error:
                where = f" in {model.name}" if len(models) > 1 else ""
                raise SweepError(f"{error}{where}") from None


def forecast_of(file: Path, scenario: Any, variant: str | None, from_state: Path | None,
                horizon: str | None, snapshot_at: str | None) -> Any:
    """The warm start and snapshot asked for, checked before anything runs (None if none)."""
    from portsim.experiment.forecast import Forecast
    from portsim.scenario.state import load_state

    if from_state is None and horizon is not None:
        raise PortsimError("--horizon needs --from-state (a cold run's horizon is the "
                           "scenario's time.horizon)")
    if from_state is None and snapshot_at is None:
        return None
    length = parsed_duration("--horizon", horizon) if horizon is not None else None
    if length is not None and length <= 0:
        raise PortsimError(f"--horizon {horizon}: must be longer than 0")
    state = load_state(from_state, scenario.model(variant)) if from_state is not None else None
    at = parsed_duration("--snapshot-at", snapshot_at) if snapshot_at is not None else None
    forecast = Forecast(state, length, at, str(from_state) if from_state else None)
    model = forecast_model(forecast, scenario, variant)
    _check_reach(model, horizon)
    if at is not None:
        begin = state.clock if state is not None else 0.0
        if not begin <= at < model.horizon:
            raise PortsimError(
                f"--snapshot-at {snapshot_at}: outside the run ({begin / 60:g} h to "
                f"{model.horizon / 60:g} h from the start of {file})")
    return forecast


def _check_reach(model: Any, horizon: str | None) -> None:
    """A warm start's end (its clock time and --horizon) within the simulated time one
    replication may reach."""
    from portsim import limits

    most = limits.current().max_horizon
    if model.horizon > most:
        given = f"--horizon {horizon}: " if horizon is not None else ""
        raise PortsimError(
            f"{given}the run would end {limits.format_horizon(model.horizon)} after the "
            f"start of day 1, beyond the limit of {limits.format_horizon(most)} of simulated "
            f"time (set {limits.describe('max_horizon')} to allow more)")


def forecast_model(forecast: Any, scenario: Any, variant: str | None) -> Any:
    """The model ``forecast`` runs for ``variant``; what the engine refuses (e.g. a warm start
    of a station with breakdowns) as a user error naming the variant."""
    try:
        return forecast.apply(scenario.model(variant))
    except ValueError as error:
        where = f"variant {variant!r}: " if variant is not None else ""
        raise PortsimError(f"{where}{error}") from None


@contextmanager
def running(out: Path, *, force: bool, resume: bool, total: int, workers: int | None,
            scheduler: str | None, trace: str | None, resumable: Resumable,
            precision: Any = None, engine: EngineChoice = EngineChoice.auto,
            inputs: Any = None, what: str = "the command", replications: int | None = None,
            ) -> Iterator[RunOptions]:
    """Prepare the output folder and a progress bar; yield the run's options.

    Shared by ``run``, ``compare``, ``sweep`` and ``study``: the replications of each model
    (``replications``) and in all (``total``; ``what`` says how they multiply) are held to
    the limits and the folder is checked (and ``.partial`` opened) before anything runs, so
    that a bad folder costs no simulation; it must not hold any of the command's ``inputs``.
    """
    from portsim.experiment.options import RunOptions
    from portsim.limits import check_replications, check_tasks
    from portsim.report.progress import ReplicationProgress

    if replications is not None:
        check_replications(replications)
    check_tasks(total, what)  # before the output folder is touched
    store = resumable.prepare(out, force=force, resume=resume, scheduler=scheduler,
                              inputs=inputs)
    with ReplicationProgress(total, console) as bar:
        yield RunOptions(workers=workers_or_all(workers), scheduler=scheduler, store=store,
                         resume=resume, trace=trace, progress=bar, resumed=bar.resumed,
                         precision=precision, engine=engine.value)


def print_notes(runs: Sequence[Any], *, labelled: bool) -> None:
    """What comes before the KPI tables: too few replications, each run's precision, the
    warm-up chosen (the same for all), and each run's warnings (named by its label when
    ``labelled``)."""
    from portsim.report.kpis import few_replications

    few = few_replications(len(runs[0].replications))
    if few is not None:
        warn(None, few)
    for results in runs:
        if results.precision is not None:
            _print_precision(results.label, results.precision)
    _print_warmup(runs[0])
    for results in runs:
        for warning in results.warnings:
            warn(results.label if labelled else None, warning)


def print_engines_and_window(runs: Sequence[Any], forecast: Any) -> None:
    """What comes after the KPI tables: the engine that ran each model and, for a forecast,
    the window its KPIs cover (that of the first run)."""
    _print_engines(runs)
    if forecast is not None and forecast.state is not None:
        first = runs[0]
        _print_forecast(forecast.state, (first.horizon or 0.0) - (first.warmup or 0.0))


def _print_engines(runs: Sequence[Any]) -> None:
    """Say which engine ran each model (the fast path, or the event engine)."""
    by_engine: dict[str, list[str]] = {}
    for result in runs:
        by_engine.setdefault(result.engine, []).append(result.label)
    if len(runs) == 1:
        text = f"engine: {runs[0].engine}"
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


def _print_forecast(state: Any, span: float) -> None:
    from portsim.document.parts import clock

    day, minute = divmod(state.clock, 1440.0)
    console.print(
        f"forecast from day {int(day) + 1} {clock(minute)} for "
        f"{span / 60:g} h: {state.customers} customers in the state count in "
        "waits, sojourns, completions and queue lengths (with the time they waited before the "
        "clock time); arrivals count only those arriving after it", highlight=False)
