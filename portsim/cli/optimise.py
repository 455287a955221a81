"""``portsim optimise``: the best design of a space of settings, chosen by a ranking-and-
selection procedure on common random numbers, with its guarantee; printed, written and
(optionally) added to the scenario as a variant."""

from __future__ import annotations

from collections.abc import Sequence
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
    ReplicationsOpt,
    SchedulerOpt,
    SeedOpt,
    VariantOpt,
    WorkersOpt,
    check_scheduler,
    console,
    user_errors,
    warn,
)
from portsim.cli.runs import workers_or_all
from portsim.errors import PortsimError

VaryOpt = Annotated[list[str], typer.Option(
    "--vary", help="An axis of the design space, PATH=VALUES in the resolved scenario (the "
                   "sweep's syntax: start:stop:step, a,b,c, PATH*=FACTORS, PATH+=N; "
                   "PATH1,PATH2=VALUES moves paths together); repeat for more axes: the "
                   "designs are every combination.", show_default=False)]
MinimiseOpt = Annotated[str | None, typer.Option(
    "--minimise", help="What to minimise: cost (the cost ledger's figure a day), a whole-port "
                       "KPI (waiting_hours, wait_mean) or SCOPE.NAME.KPI.",
    show_default=False)]
MaximiseOpt = Annotated[str | None, typer.Option(
    "--maximise", help="What to maximise instead (e.g. classes.mainland.wait_sla_share).",
    show_default=False)]
SubjectToOpt = Annotated[list[str] | None, typer.Option(
    "--subject-to", help="A constraint; repeatable: pledge (the pledge met in every slot for "
                         "its classes), or KPI<=VALUE / KPI>=VALUE on the KPI's mean "
                         "(wait_p95<=30min, officer_hours<=400, "
                         "classes.mainland.wait_sla_share>=95%).", show_default=False)]
DeltaOpt = Annotated[str | None, typer.Option(
    help="The indifference zone δ: the smallest difference in the objective worth telling "
         "apart, in its unit (500 for cost, 1min, 1%). Default: 1% of the first stage's best "
         "mean.", show_default=False)]
ConfidenceOpt = Annotated[float, typer.Option(
    help="The probability of correct selection to guarantee (1 − α).")]
BudgetOpt = Annotated[int | None, typer.Option(
    min=1, help="The most replications over all designs (default: 100 per design); a "
                "budget that runs out gives the best so far without a guarantee. Above 50 "
                "designs required: OCBA spends it after a screening round.",
    show_default=False)]
ToleranceOpt = Annotated[str | None, typer.Option(
    help="How near its bound a constraint's mean may lie and be judged either way, as a "
         "share of the bound (the feasibility check's ε; default 10%). Not with --front, "
         "which judges a constraint on its mean with no tolerance.", show_default=False)]
PriceOpt = Annotated[list[str] | None, typer.Option(
    "--price", help="A price for the cost ledger, for this question only: per_hour=40, "
                    "per_position_day.gate=300, currency=CNY (the scenario's costs: keys); "
                    "repeatable.", show_default=False)]
WriteVariantOpt = Annotated[str | None, typer.Option(
    help="Add the selected design to FILE as a variant of this name (only if a design is "
         "selected with the guarantee, the file still holds what was read and the result "
         "loads); variant.yaml in the output folder has it in any case.",
    show_default=False)]
OptimiseOutOpt = Annotated[Path | None, typer.Option(
    help="Output folder (default: results/<stem>-optimise).", show_default=False)]
FrontOpt = Annotated[str | None, typer.Option(
    "--front", help="Two objectives A,B (each cost, a whole-port KPI or SCOPE.NAME.KPI) "
                    "instead of --minimise: every design runs --replications on common "
                    "random numbers and the Pareto set is shown, written and plotted.",
    show_default=False)]
FirstOpt = ReplicationsOpt
#: ε of the feasibility checks, as a share of each bound, when --tolerance is not given.
DEFAULT_TOLERANCE = "10%"


def optimise(
    file: FileArg,
    vary: VaryOpt,
    minimise: MinimiseOpt = None,
    maximise: MaximiseOpt = None,
    front: FrontOpt = None,
    subject_to: SubjectToOpt = None,
    delta: DeltaOpt = None,
    confidence: ConfidenceOpt = 0.95,
    budget: BudgetOpt = None,
    tolerance: ToleranceOpt = None,
    price: PriceOpt = None,
    variant: VariantOpt = None,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    write_variant: WriteVariantOpt = None,
    out: OptimiseOutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    force: ForceOpt = False,
    engine: EngineOpt = EngineChoice.auto,
) -> None:
    """Choose the best design among the combinations of --vary values, with a guarantee.

    Runs KN++ (Kim & Nelson's fully sequential indifference-zone procedure with variance
    updating) on common random numbers, screening the --subject-to constraints as it goes
    (Andradóttir & Kim): --replications is the first stage, each design then gets more only
    while it is in contention. Prints the selected design, the probability of correct
    selection it guarantees within δ and the runners-up within δ; writes optimise.json,
    designs.csv, optimise.png, variant.yaml. 51-500 designs: a screen, then OCBA on --budget.
    With --front A,B: the Pareto set of two objectives instead (front.csv, front.png).
    """
    given = dict(locals())  # the options as given, for --front
    from portsim.cli.front import front_command
    from portsim.experiment.optimise.search import MOST_OCBA
    from portsim.experiment.optimise.space import build_space, parse_axes

    with user_errors():
        if front is not None:
            return front_command(given)
        question = _question(minimise, maximise, subject_to, delta, tolerance, confidence)
        scenario = _scenario(file, variant)
        original = _variant_checked(file, write_variant)
        out, inputs = _output(file, out, force, scheduler, scenario)
        space = build_space(scenario, parse_axes(vary), variant, price or (), MOST_OCBA)
        result, against = _run(scenario, space, question, variant, replications, seed,
                               budget, (workers, scheduler, engine), price or ())
        _report(result, against, file, out, write_variant, original, inputs, scenario,
                variant)


def _scenario(file: Path, variant: str | None) -> Any:
    """The scenario file loaded, with --variant checked (an unknown one: one message with a
    suggestion) before anything else is."""
    from portsim.scenario import load_scenario

    scenario = load_scenario(file)
    scenario.document(variant)
    return scenario


def _question(minimise: str | None, maximise: str | None, subject_to: list[str] | None,
              delta: str | None, tolerance: str | None, confidence: float) -> dict[str, Any]:
    """The objective, the constraints, δ and ε as asked (checked before any run)."""
    from portsim.experiment.optimise.problem import (
        Objective,
        parse_amount,
        parse_constraint,
        parse_item,
    )

    if (minimise is None) == (maximise is None):
        raise PortsimError("give one of --minimise KPI and --maximise KPI (e.g. "
                           "--minimise cost)")
    option = "--minimise" if minimise is not None else "--maximise"
    objective = Objective(parse_item(minimise or maximise or "", option), maximise is not None)
    if not 0.5 <= confidence < 1:
        raise PortsimError(f"--confidence {confidence}: must be at least 0.5 and below 1")
    chosen_delta = parse_amount(delta, "--delta") if delta is not None else None
    if chosen_delta is not None and chosen_delta <= 0:
        raise PortsimError(f"--delta {delta!r}: must be positive")
    tolerance = tolerance if tolerance is not None else DEFAULT_TOLERANCE
    share = parse_amount(tolerance, "--tolerance")
    if not 0 < share < 1:
        raise PortsimError(f"--tolerance {tolerance!r}: must lie between 0% and 100%")
    return {"objective": objective, "delta": chosen_delta, "tolerance": share,
            "confidence": confidence,
            "constraints": [parse_constraint(text) for text in subject_to or []]}


def _variant_checked(file: Path, name: str | None) -> bytes | None:
    """With --write-variant: its name and the file checked now, not after the search; the
    bytes read, which the file must still hold when the variant is added."""
    from portsim.scenario.edit import check_variant_name

    return check_variant_name(file, name) if name is not None else None


def _output(file: Path, out: Path | None, force: bool, scheduler: str | None,
            scenario: Any) -> tuple[Path, Any]:
    from portsim.report.files import check_output
    from portsim.writing import Inputs

    inputs = Inputs.of(*scenario.files)
    out = out or Path("results") / f"{file.stem}-optimise"
    check_output(out, force, inputs=inputs)
    check_scheduler(scheduler)
    return out, inputs


def _run(scenario: Any, space: Any, question: dict[str, Any], variant: str | None,
         replications: int | None, seed: int | None, budget: int | None,
         running: tuple[int | None, str | None, EngineChoice],
         prices: Sequence[str]) -> tuple[Any, Any]:
    """The procedure's answer, then the selected design against the baseline (its ledger,
    who pays), on one pool of workers."""
    from portsim.experiment.executors import one_pool
    from portsim.experiment.optimise.baseline import against_baseline
    from portsim.experiment.optimise.search import MOST_DESIGNS, default_budget
    from portsim.experiment.optimise.search import optimise as search
    from portsim.experiment.options import RunOptions

    workers, scheduler, engine = running

    options = RunOptions(workers=workers_or_all(workers), scheduler=scheduler,
                         engine=engine.value)
    first = replications if replications is not None else scenario.replications
    if first < 2:
        raise PortsimError(f"--replications {first}: the first stage needs at least 2")
    count = len(space.designs)
    if count < 2:
        warn(None, "the space has one design: nothing to choose between; its constraints "
                   "are checked")
    if count > MOST_DESIGNS:
        console.print(f"{count} designs, more than {MOST_DESIGNS} for KN++: procedure OCBA.\n"
                      f"A first round of {first} each; designs clearly worse by more than δ or\n"
                      "clearly infeasible screened out; the rest of --budget allocated by\n"
                      "OCBA, which estimates its probability of correct selection but does\n"
                      "not guarantee it.", highlight=False, soft_wrap=True)
    with one_pool(options.workers, scheduler), \
            console.status(f"optimising over {count} designs") as status:
        result = search(scenario, space, question["objective"], question["constraints"],
                        options, delta=question["delta"], confidence=question["confidence"],
                        first=first, budget=default_budget(budget, count),
                        tolerance=question["tolerance"], variant=variant, seed=seed,
                        progress=lambda done: status.update(
                            f"optimising over {count} designs: {done:,} replications"))
        status.update("the selected design against the baseline, for the cost ledger")
        return result, against_baseline(result, scenario, options, prices)


def _report(result: Any, against: Any, file: Path, out: Path, write_variant: str | None,
            original: bytes | None, inputs: Any, scenario: Any, variant: str | None) -> None:
    """Print, write the files, and with --write-variant add the selected design to FILE if
    it was selected with the guarantee and the file is unchanged."""
    from portsim.report.files import write_output
    from portsim.report.optimise import (
        against_words,
        print_optimisation,
        variant_comments,
        written,
    )
    from portsim.report.optimise_page import write_optimisation
    from portsim.scenario.edit import add_variant

    print_optimisation(result, console)
    if against is not None:
        console.print(Text(against_words(against)))
    name = write_variant or "optimised"
    patch = _patch(result, scenario, variant)
    files: list[str] = []

    def write(folder: Path) -> None:
        files.extend(write_optimisation(result, folder, name, patch, against))

    write_output(out, write, force=True, inputs=inputs)
    console.print(written(out, files))
    if write_variant is None or patch is None:
        return
    if result.outcome.stopped != "selected":
        warn(None, f"{file} is not changed: no design was selected with the guarantee"
                   + (" (OCBA's estimated probability of correct selection is below "
                      "--confidence)" if result.outcome.procedure == "OCBA" else ""))
        return
    add_variant(file, write_variant, str(patch["description"]), {}, variant_comments(result),
                original=original, overrides=patch)
    console.print(f"variant [bold]{escape(write_variant)}[/] added to {escape(str(file))}: "
                  f"compare it with portsim compare {escape(str(file))} --variants "
                  f"{escape(write_variant)}", highlight=False)


def _patch(result: Any, scenario: Any, variant: str | None) -> dict[str, Any] | None:
    from portsim.experiment.optimise.variant import design_patch

    chosen = result.selected
    if chosen is None:
        return None
    resolved = result.space.designs[chosen].provenance["scenario"]["resolved"]
    overrides = scenario.base.variants[variant] if variant is not None else None
    under = f" on variant {variant}" if variant is not None else ""
    description = (f"chosen by portsim optimise{under}: {result.space.labels[chosen]} "
                   f"({'min' if not result.objective.maximise else 'max'}imising "
                   f"{result.objective.text})")
    return design_patch(resolved, result.space.axes, overrides, description)
