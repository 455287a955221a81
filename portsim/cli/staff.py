"""``portsim staff``: the fewest officers per interval and the cheapest roster that meet a
waiting-time target, proved on fresh seeds, printed and written (optionally as a variant)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from portsim.cli.common import (
    EXIT_TARGET_NOT_MET,
    EngineChoice,
    EngineOpt,
    FileArg,
    ForceOpt,
    ReplicationsOpt,
    SchedulerOpt,
    SeedOpt,
    VariantOpt,
    WorkersOpt,
    check_scheduler,
    console,
    parsed_duration,
    user_errors,
)
from portsim.cli.runs import workers_or_all
from portsim.errors import PortsimError

StationsOpt = Annotated[str, typer.Option(
    help="Comma-separated stations to staff, e.g. desks_north,desks_south.",
    show_default=False)]
TargetOpt = Annotated[str, typer.Option(
    help="What every interval must meet, at the unfavourable end of its 95% interval: "
         "wait_p95<=30min, wait_mean<=10min or wait_sla_share>=0.95 (the waits at the "
         "staffed stations of the customers who joined in that interval); CLASS,...: in "
         "front judges those classes' waits instead.",
    show_default=False)]
ShiftsOpt = Annotated[str, typer.Option(
    help="Allowed shifts LENGTH@GRID, comma-separated: 8h@1h = 8-hour shifts starting on "
         "every hour.")]
IntervalOpt = Annotated[str, typer.Option(
    help="Width of the intervals the day is staffed by (divides a day).")]
MostOpt = Annotated[list[str] | None, typer.Option(
    help="Counters physically available, STATION=N; repeatable.", show_default=False)]
LeastOpt = Annotated[int, typer.Option(
    min=0, help="Officers kept on duty in every interval at each station.")]
HourCostOpt = Annotated[float, typer.Option(
    min=0.0, help="Cost of one officer-hour (the roster minimises officer-hours times "
                  "this).")]
CalloutCostOpt = Annotated[float, typer.Option(
    min=0.0, help="Cost of a call-out hour: servers called in for bookings (zero wait, "
                  "zero-delay departure), added to the roster's cost.")]
ProofSeedOpt = Annotated[int | None, typer.Option(
    min=0, help="Seed of the proof run (default: the seed + 1, fresh random numbers).",
    show_default=False)]
MaxRoundsOpt = Annotated[int, typer.Option(
    min=2, help="The most simulation rounds the requirement search may take.")]
TightnessOpt = Annotated[bool, typer.Option(
    help="Also check that one officer fewer in any shift breaks some interval (one more "
         "run per shift used).")]
WriteVariantOpt = Annotated[str | None, typer.Option(
    help="Add the roster to FILE as a variant of this name (FILE is changed only if the "
         "target is met and the result loads; with --variant, that variant's overrides and "
         "the roster); variant.yaml in the output folder has it in any case.",
    show_default=False)]
StaffOutOpt = Annotated[Path | None, typer.Option(
    help="Output folder (default: results/<stem>-staff).", show_default=False)]


def staff(
    file: FileArg,
    stations: StationsOpt,
    target: TargetOpt,
    shifts: ShiftsOpt = "8h@1h",
    interval: IntervalOpt = "1h",
    variant: VariantOpt = None,
    most: MostOpt = None,
    least: LeastOpt = 1,
    hour_cost: HourCostOpt = 1.0,
    callout_cost: CalloutCostOpt = 0.0,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    proof_seed: ProofSeedOpt = None,
    max_rounds: MaxRoundsOpt = 30,
    tightness: TightnessOpt = False,
    write_variant: WriteVariantOpt = None,
    out: StaffOutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    force: ForceOpt = False,
    engine: EngineOpt = EngineChoice.auto,
) -> None:
    """Find the fewest officers per interval, and the cheapest roster of allowed shifts, that
    meet a waiting-time target in every interval; prove it with fresh seeds.

    Prints the requirement curve against the roster and the scenario's own staffing, the
    roster, officer-hours and cost, and the proof's verdict per interval; writes
    staffing.json, requirement.csv, roster.csv, staffing.png and variant.yaml. Exits with
    code 4 when some interval misses the target (saying where and by how much).
    """
    from portsim.experiment.staffing.solver import solve
    from portsim.scenario import load_scenario

    with user_errors():
        scenario = load_scenario(file)
        model = scenario.model(variant)
        out, width, limits = _checked(file, out, force, scheduler, interval, most,
                                      write_variant)
        chosen_seed = seed if seed is not None else scenario.seed
        run, model = _runner(scenario, variant, model, chosen_seed, replications, workers,
                             scheduler, engine)
        problem = _problem(model, stations, target, shifts, width, limits, chosen_seed,
                           proof_seed, least=least, hour_cost=hour_cost,
                           callout_cost=callout_cost, max_rounds=max_rounds, variant=variant)
        with console.status("staffing search") as status:
            solution = solve(problem, run, tightness=tightness,
                             progress=lambda text: status.update(escape(text)))
        overrides = scenario.base.variants[variant] if variant is not None else None
        _report(solution, file, out, write_variant, overrides)


def _checked(file: Path, out: Path | None, force: bool, scheduler: str | None, interval: str,
             most: list[str] | None,
             write_variant: str | None) -> tuple[Path, float, dict[str, int]]:
    """The output folder (checked, as the scheduler and the --write-variant name are, before
    any simulation), the intervals' width in minutes and the counters each station has at the
    most (--most)."""
    from portsim.report.files import check_output
    from portsim.scenario.edit import check_variant_name

    if write_variant is not None:
        check_variant_name(file, write_variant)

    out = out or Path("results") / f"{file.stem}-staff"
    check_output(out, force)
    check_scheduler(scheduler)
    width = parsed_duration(f"--interval {interval!r}", interval)
    limits: dict[str, int] = {}
    for item in most or []:
        name, _, count = item.partition("=")
        if not count.strip().isdigit() or int(count) < 1:
            raise PortsimError(f"--most {item!r}: expected STATION=N with N >= 1")
        limits[name.strip()] = int(count)
    return out, width, limits


def _runner(scenario: Any, variant: str | None, model: Any, seed: int,
            replications: int | None, workers: int | None, scheduler: str | None,
            engine: EngineChoice) -> tuple[Any, Any]:
    """What replicates a staffing of the model in each round, and the model itself: with its
    warm-up chosen by pilot runs first when the scenario asks for that (warmup: auto)."""
    from portsim.experiment.options import RunOptions
    from portsim.experiment.staffing.evaluation import replicating

    options = RunOptions(workers=workers_or_all(workers), scheduler=scheduler,
                         engine=engine.value)
    per_round = replications or scenario.replications
    if scenario.warmup_auto:
        from portsim.experiment.runner import Prepared, auto_warmup

        [chosen], choice = auto_warmup([Prepared("baseline", variant, model, {})], options,
                                       seed, per_round)
        model = chosen.model
        console.print(f"warm-up chosen by MSER-5: {choice['minutes'] / 60:g} h",
                      highlight=False)
    return replicating(per_round, options), model


def _problem(model: Any, stations: str, target: str, shifts: str, width: float,
             limits: dict[str, int], seed: int, proof_seed: int | None, *, least: int,
             hour_cost: float, callout_cost: float, max_rounds: int,
             variant: str | None) -> Any:
    """The staffing problem the options describe; one that names no station is refused."""
    from portsim.experiment.staffing.problem import Problem
    from portsim.experiment.staffing.roster import parse_shifts
    from portsim.experiment.staffing.target import parse_target

    problem = Problem(
        model=model, stations=tuple(s.strip() for s in stations.split(",") if s.strip()),
        target=parse_target(target, model.sla), interval=width,
        patterns=parse_shifts(shifts, width), seed=seed,
        proof_seed=proof_seed if proof_seed is not None else seed + 1,
        most=limits, least=least, hour_cost=hour_cost, callout_cost=callout_cost,
        max_rounds=max_rounds, variant=variant)
    if not problem.stations:
        raise PortsimError("--stations names no station")
    return problem


def _report(solution: Any, file: Path, out: Path, write_variant: str | None,
            overrides: Any) -> None:
    """Print the solution, write its files to ``out`` and, with --write-variant, add the
    roster to ``file`` as a variant (with --variant, that variant's overrides and the roster:
    what was proved)."""
    from portsim.report.files import write_output
    from portsim.report.staffing import (
        print_solution,
        print_unmet,
        variant_comments,
        variant_description,
        variant_schedules,
        write_solution,
    )
    from portsim.scenario.edit import add_variant

    print_solution(solution, console)
    name = write_variant or "staffed"
    def write(folder: Path) -> None:
        write_solution(solution, folder, name, overrides)

    write_output(out, write, force=True)
    console.print(f"staffing written to [bold]{escape(str(out))}[/] (staffing.json, "
                  "requirement.csv, roster.csv, staffing.png, variant.yaml)")
    if write_variant is not None and solution.passed:
        add_variant(file, write_variant, variant_description(solution),
                    variant_schedules(solution), variant_comments(solution),
                    overrides=overrides)
        console.print(f"variant [bold]{escape(write_variant)}[/] added to "
                      f"{escape(str(file))}: compare it with "
                      f"portsim compare {escape(str(file))} --variants "
                      f"{escape(write_variant)}", highlight=False)
    if not solution.passed:
        print_unmet(solution, console, file if write_variant is not None else None)
        raise typer.Exit(EXIT_TARGET_NOT_MET)
