"""``portsim staff``: the fewest officers per interval and the cheapest roster that meet a
waiting-time target, proved on fresh seeds, printed and written (optionally as a variant)."""

from __future__ import annotations

import math
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

#: The most officers --least and --most may name at one station: more than any port's
#: counters, and the Erlang formulas that start the search loop once per officer.
MOST_OFFICERS = 100_000
#: The shortest --interval, in minutes (at most 288 intervals a day).
SHORTEST_INTERVAL = 5.0
#: The largest cost of an officer-hour or call-out hour (costs are multiplied by hours and
#: summed: a larger one would lose the hours in rounding).
MOST_COST = 1e12

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
    help="Counters physically available, STATION=N; repeatable. Default: the station's "
         "positions (the fewest at any hour); more than them is refused.",
    show_default=False)]
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
        _check_numbers(least, hour_cost, callout_cost)
        scenario = load_scenario(file)
        written = _variant_checked(file, write_variant, scenario, variant)
        out, width, limits, inputs = _checked(file, out, force, scheduler, interval, most,
                                              scenario)
        chosen_seed = seed if seed is not None else scenario.seed
        run, model = _runner(scenario, variant, scenario.model(variant), chosen_seed,
                             replications, workers, scheduler, engine)
        problem = _problem(model, stations, target, shifts, width, limits, chosen_seed,
                           proof_seed, least=least, hour_cost=hour_cost,
                           callout_cost=callout_cost, max_rounds=max_rounds, variant=variant)
        with console.status("staffing search") as status:
            solution = solve(problem, run, tightness=tightness,
                             progress=lambda text: status.update(escape(text)))
        _report(solution, file, out, write_variant, written, inputs)


def _variant_checked(file: Path, name: str | None, scenario: Any,
                     variant: str | None) -> tuple[bytes | None, Any]:
    """With --write-variant: its name and the file's structure checked now rather than after
    the whole search; the file's bytes as read, which it must still hold when the variant is
    added, and (with --variant) that variant's overrides, which the new one keeps."""
    from portsim.scenario.edit import check_variant_name

    original = check_variant_name(file, name) if name is not None else None
    return original, (scenario.base.variants[variant] if variant is not None else None)


def _checked(file: Path, out: Path | None, force: bool, scheduler: str | None, interval: str,
             most: list[str] | None,
             scenario: Any) -> tuple[Path, float, dict[str, int], Any]:
    """The output folder (checked, as the scheduler is, and never holding a file the command
    reads), the intervals' width in minutes, the counters each station has at the most
    (--most) and the files read."""
    from portsim.engine.model import MINUTES_PER_DAY
    from portsim.report.files import check_output
    from portsim.writing import Inputs

    inputs = Inputs.of(*scenario.files)

    out = out or Path("results") / f"{file.stem}-staff"
    check_output(out, force, inputs=inputs)
    check_scheduler(scheduler)
    width = parsed_duration(f"--interval {interval!r}", interval)
    if not SHORTEST_INTERVAL <= width <= MINUTES_PER_DAY:
        # Each interval keeps a waiting-time histogram per class and station: 1s intervals
        # would need 537 MiB per tally, and 1e-300 minutes is no interval at all.
        raise PortsimError(f"--interval {interval!r}: must be from {SHORTEST_INTERVAL:g} "
                           "minutes to a day (e.g. 15min, 30min, 1h)")
    limits: dict[str, int] = {}
    for item in most or []:
        name, _, count = item.partition("=")
        text = count.strip()
        if not (text.isdigit() and len(text) <= 9) or not 1 <= int(text) <= MOST_OFFICERS:
            raise PortsimError(f"--most {item!r}: expected STATION=N with N from 1 to "
                               f"{MOST_OFFICERS:,}")
        limits[name.strip()] = int(text)
    return out, width, limits, inputs


def _check_numbers(least: int, hour_cost: float, callout_cost: float) -> None:
    """Officers and costs the search can work with: the Erlang formulas loop once per
    officer, and a cost that is not a finite number makes every roster cost the same."""
    if least > MOST_OFFICERS:
        raise PortsimError(f"--least {least:,}: more than {MOST_OFFICERS:,} officers at a "
                           "station")
    for option, cost in (("--hour-cost", hour_cost), ("--callout-cost", callout_cost)):
        if not (math.isfinite(cost) and 0 <= cost <= MOST_COST):
            raise PortsimError(f"{option} {cost}: must be a finite number from 0 to "
                               f"{MOST_COST:g}")


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
    from portsim.experiment.staffing.problem import Problem, most_within_positions
    from portsim.experiment.staffing.roster import parse_shifts
    from portsim.experiment.staffing.target import parse_target

    chosen = tuple(s.strip() for s in stations.split(",") if s.strip())
    problem = Problem(
        model=model, stations=chosen, target=parse_target(target, model.sla), interval=width,
        patterns=parse_shifts(shifts, width), seed=seed,
        proof_seed=proof_seed if proof_seed is not None else seed + 1,
        most=most_within_positions(model, chosen, limits), least=least, hour_cost=hour_cost,
        callout_cost=callout_cost, max_rounds=max_rounds, variant=variant)
    if not problem.stations:
        raise PortsimError("--stations names no station")
    return problem


def _report(solution: Any, file: Path, out: Path, write_variant: str | None,
            written: tuple[bytes | None, Any], inputs: Any) -> None:
    """Print the solution, write its files to ``out`` and, with --write-variant, add the
    roster to ``file`` as a variant, if the file still holds the bytes read (``written``: those
    bytes, and with --variant that variant's overrides, which the new variant keeps with the
    roster: what was proved)."""
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

    original, overrides = written
    print_solution(solution, console)
    name = write_variant or "staffed"

    def write(folder: Path) -> None:
        write_solution(solution, folder, name, overrides)

    write_output(out, write, force=True, inputs=inputs)
    console.print(f"staffing written to [bold]{escape(str(out))}[/] (staffing.json, "
                  "requirement.csv, roster.csv, staffing.png, variant.yaml)")
    if write_variant is not None and solution.passed:
        add_variant(file, write_variant, variant_description(solution),
                    variant_schedules(solution), variant_comments(solution),
                    original=original, overrides=overrides)
        console.print(f"variant [bold]{escape(write_variant)}[/] added to "
                      f"{escape(str(file))}: compare it with "
                      f"portsim compare {escape(str(file))} --variants "
                      f"{escape(write_variant)}", highlight=False)
    if not solution.passed:
        print_unmet(solution, console, file if write_variant is not None else None)
        raise typer.Exit(EXIT_TARGET_NOT_MET)
