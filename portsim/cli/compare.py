"""``portsim compare``: the baseline and its variants on common random numbers, their paired
differences printed and written with plots and report.html."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from portsim.cli.common import (
    EngineChoice,
    EngineOpt,
    FileArg,
    ForceOpt,
    FromStateOpt,
    HorizonOpt,
    MaxReplicationsOpt,
    PrecisionKpiOpt,
    PrecisionOpt,
    ReplicationsOpt,
    Resumable,
    ResumeOpt,
    SchedulerOpt,
    SeedOpt,
    TraceOpt,
    WorkersOpt,
    console,
    frozen_garbage,
    user_errors,
)
from portsim.cli.runs import (
    check_trace,
    forecast_model,
    forecast_of,
    inputs_of,
    precision_goal,
    print_engines_and_window,
    print_notes,
    running,
)

VariantsOpt = Annotated[str | None, typer.Option(
    help="Comma-separated variants to compare with the baseline (default: all).",
    show_default=False)]
CompareOutOpt = Annotated[Path | None, typer.Option(
    help="Output folder (default: results/<stem>-compare).", show_default=False)]
PlotsOpt = Annotated[bool, typer.Option(help="Draw the plots and report.html.")]
DetailOpt = Annotated[bool, typer.Option(
    help="Print every KPI table, not only each variant's headline.")]
DecomposeOpt = Annotated[str | None, typer.Option(
    metavar="VARIANT",
    help="Split this variant into its separate changes (each value it overrides; a policy's "
         "parameters one by one) and run them alone and together on common random numbers: "
         "each change's effect and their interactions on the variant's headline KPIs, in "
         "decomposition.csv and report.html (default folder: results/<stem>-<variant>-"
         "decomposed).", show_default=False)]
AttributeDelayOpt = Annotated[bool, typer.Option(
    "--attribute-delay",
    help="Also run each variant with its border inspection stations (the scenario's "
         "`inspection:` block) taking no time, on common random numbers: the minutes of "
         "each vehicle class's delay due to inspection, per variant (doubles the runs).")]


def compare(
    file: FileArg,
    variants: VariantsOpt = None,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    out: CompareOutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    trace: TraceOpt = None,
    plots: PlotsOpt = True,
    detail: DetailOpt = False,
    force: ForceOpt = False,
    precision: PrecisionOpt = None,
    precision_kpi: PrecisionKpiOpt = None,
    max_replications: MaxReplicationsOpt = 200,
    engine: EngineOpt = EngineChoice.auto,
    from_state: FromStateOpt = None,
    horizon: HorizonOpt = None,
    decompose: DecomposeOpt = None,
    attribute_delay: AttributeDelayOpt = False,
) -> None:
    """Compare the baseline with its variants on common random numbers.

    Prints each KPI per variant and its paired difference to the baseline, and writes
    results.json, comparison.csv, timings.json, PNG plots and a self-contained report.html.
    With --from-state, every variant starts from the same state file at its clock time and
    runs for --horizon (docs/forecast.md). --decompose: docs/policies.md.
    --attribute-delay: docs/results.md."""
    from portsim.experiment.comparison import compare as run_comparison

    resumable = Resumable()
    with user_errors(resumable):
        scenario, chosen, planned, inputs = _runs(file, variants, decompose, from_state)
        out = out or _default_out(file, decompose)
        trace_path = check_trace(trace, force=force, inputs=inputs, out=out)
        forecast = _forecast_of_every(file, scenario, chosen, from_state, horizon)
        total = _total(scenario, chosen, attribute_delay, replications)
        watch = precision_goal(precision, precision_kpi, max_replications,
                               [scenario.model(None), *map(scenario.model, chosen)])
        with running(out, force=force, resume=resume, total=total, workers=workers,
                     replications=replications or scenario.replications,
                     scheduler=scheduler, trace=trace_path, resumable=resumable,
                     precision=watch, engine=engine, inputs=inputs) as options:
            comparison = run_comparison(scenario, options, variants=chosen,
                                        replications=replications, seed=seed,
                                        forecast=forecast, attribute_delay=attribute_delay)
        _outputs(comparison, forecast, planned, out, trace_path, detail=detail, plots=plots,
                 inputs=inputs)


def _outputs(comparison: Any, forecast: Any, planned: Any, out: Path, trace_path: str | None,
             *, detail: bool, plots: bool, inputs: Any) -> None:
    """Print the comparison (or the decomposition ``planned``) and write its files."""
    decomposition = _decomposition(planned, comparison)
    with frozen_garbage():  # the results live on to the end of the command
        _report(comparison, forecast, detail=detail, decomposition=decomposition)
        _write(comparison, out, trace_path, decomposition, plots=plots, inputs=inputs)


def _total(scenario: Any, chosen: list[str], attribute_delay: bool,
           replications: int | None) -> int:
    """The replications of the comparison's runs: the baseline, the variants, and the
    counterfactuals --attribute-delay adds (checked before anything runs)."""
    from portsim.experiment.attribution import inspected_runs

    runs = 1 + len(chosen) + (inspected_runs(scenario, [None, *chosen]) if attribute_delay
                              else 0)
    return runs * (replications or scenario.replications)


def _chosen_variants(scenario: Any, variants: str | None) -> list[str]:
    """The variants --variants names (all of the scenario's without it), each checked."""
    from portsim.experiment.comparison import VariantError, check_variants

    wanted = None if variants is None else [v.strip() for v in variants.split(",")
                                             if v.strip()]
    if wanted == []:
        known = ", ".join(scenario.variant_names) or "none"
        raise VariantError(f"--variants {variants!r} names no variant; give names "
                           f"separated by commas (the scenario's variants: {known})")
    return check_variants(scenario, wanted)


def _runs(file: Path, variants: str | None, decompose: str | None,
          from_state: Path | None) -> tuple[Any, list[str], Any, Any]:
    """The scenario and the variants the command runs (with --decompose: the mixes of one
    variant's changes, as variants of a scenario built for them, and their plan), and the
    files it reads, which no output may replace (the user's scenario, not the built one)."""
    from portsim.scenario import load_scenario

    scenario = load_scenario(file)
    inputs = inputs_of(scenario, from_state)
    planned = _decomposition_plan(scenario, decompose, variants)
    if planned is not None:
        return planned.scenario, planned.labels, planned, inputs
    return scenario, _chosen_variants(scenario, variants), None, inputs


def _default_out(file: Path, decompose: str | None) -> Path:
    return Path("results") / (f"{file.stem}-compare" if decompose is None
                              else f"{file.stem}-{decompose}-decomposed")


def _decomposition_plan(scenario: Any, decompose: str | None, variants: str | None) -> Any:
    """The runs that --decompose asks for (None without it), checked before anything runs:
    the mixes of the variant's changes, which the command compares instead of the variants."""
    from portsim.errors import PortsimError
    from portsim.experiment.decomposition import plan

    if decompose is None:
        return None
    if variants is not None:
        raise PortsimError("--decompose runs the mixes of one variant's changes as the "
                           "variants it compares; leave out --variants (compare the variants "
                           "with one command, decompose one of them with another)")
    return plan(scenario, decompose)


def _decomposition(planned: Any, comparison: Any) -> Any:
    """The effects of a decomposition's runs (None without --decompose)."""
    from portsim.experiment.decomposition import Decomposition

    return None if planned is None else Decomposition(planned, comparison)


def _forecast_of_every(file: Path, scenario: Any, chosen: list[str], from_state: Path | None,
                       horizon: str | None) -> Any:
    """The baseline's warm start (None if none), which the state must also fit in every
    chosen variant (a policy may add or replace stations)."""
    forecast = forecast_of(file, scenario, None, from_state, horizon, None)
    if forecast is not None:
        for name in chosen:  # the state must fit every variant's stations and classes
            _state_fits(from_state, scenario, name)
            forecast_model(forecast, scenario, name)
    return forecast


def _state_fits(path: Path | None, scenario: Any, variant: str) -> None:
    """Check the state file against ``variant``'s model (a policy may add or replace
    stations): its problems, each said to be the variant's."""
    from portsim.errors import ScenarioError
    from portsim.scenario.state import load_state

    assert path is not None
    try:
        load_state(path, scenario.model(variant))
    except ScenarioError as error:
        raise ScenarioError([dataclasses.replace(problem, message=f"variant {variant!r}: "
                                                 f"{problem.message}")
                             for problem in error.problems], file=error.file) from None


def _report(comparison: Any, forecast: Any, *, detail: bool, decomposition: Any) -> None:
    """The comparison's headline (with --detail every table); a decomposition's effects
    instead of the headline of each of its runs (they too with --detail)."""
    from portsim.report.attribution import print_attribution
    from portsim.report.compare_table import print_comparison
    from portsim.report.decomposition import print_decomposition

    print_notes(comparison.all, labelled=True)
    if decomposition is None or detail:
        print_comparison(comparison, console, detail=detail)
    if decomposition is not None:
        print_decomposition(decomposition, console)
    print_attribution(comparison, console)
    print_engines_and_window(comparison.all, forecast)


def _write(comparison: Any, out: Path, trace_path: str | None, decomposition: Any = None, *,
           plots: bool, inputs: Any) -> None:
    """Write the comparison's files to ``out`` and say where they and the event log are."""
    from portsim.report.outputs import write_comparison

    files = write_comparison(comparison, out, force=True, plots=plots, inputs=inputs,
                             decomposition=decomposition)
    console.print(f"comparison written to [bold]{escape(str(out))}[/] "
                  f"({', '.join(files)}); open {escape(str(out / 'report.html'))} for the "
                  "plots, or add --detail for every table")
    if trace_path is not None:
        console.print(f"event log of the baseline's replication 0 written to "
                      f"[bold]{escape(trace_path)}[/]")
