"""``portsim optimise --front A,B``: the Pareto set of two objectives, every design run to the
same number of replications on common random numbers; printed, written and plotted."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from portsim.cli.common import EngineChoice, console, warn
from portsim.errors import PortsimError

#: The most designs the front is offered for: each runs every replication.
MOST_FRONT_DESIGNS = 50


def _refuse_single(given: Mapping[str, Any]) -> None:
    """The options that belong to choosing one design, refused with --front."""
    if given["minimise"] is not None or given["maximise"] is not None:
        raise PortsimError("give --front A,B or one of --minimise/--maximise, not both "
                           "(--front already names what is minimised or maximised)")
    chosen = [name for name in ("delta", "budget", "write_variant") if given[name] is not None]
    if chosen:
        raise PortsimError(f"--{chosen[0].replace('_', '-')} chooses one design; with --front "
                           "every design runs --replications and no single design is chosen")
    if given["tolerance"] is not None:
        raise PortsimError(
            f"--tolerance {given['tolerance']}: with --front a constraint is judged on its mean "
            "over the fixed replications, with no sequential check and so no tolerance; write "
            "the bound you would accept in --subject-to instead (e.g. officer_hours<=250)")


def front_command(given: Mapping[str, Any]) -> None:
    """``given``: the optimise command's options by name. Check the question, build the
    space, run, print and write (inside the command's ``user_errors``)."""
    from portsim.experiment.optimise.front import parse_front
    from portsim.experiment.optimise.problem import parse_constraint
    from portsim.experiment.optimise.space import build_space, parse_axes
    from portsim.experiment.sweeps import grid
    from portsim.scenario import load_scenario

    _refuse_single(given)
    objectives = parse_front(given["front"])
    confidence = float(given["confidence"])
    if not 0.5 <= confidence < 1:
        raise PortsimError(f"--confidence {confidence}: must be at least 0.5 and below 1")
    constraints = [parse_constraint(item) for item in given["subject_to"] or []]
    file, variant = Path(given["file"]), given["variant"]
    scenario = load_scenario(file)
    scenario.document(variant)
    out, inputs = _output(file, given["out"], given["force"], given["scheduler"], scenario)
    axes = parse_axes(given["vary"])
    count = len(grid(axes))
    if count > MOST_FRONT_DESIGNS:
        raise PortsimError(f"the design space has {count:,} designs; the front is offered for "
                           f"at most {MOST_FRONT_DESIGNS} (each runs every replication): "
                           "narrow the --vary values")
    space = build_space(scenario, axes, variant, given["price"] or ())
    if len(space.designs) < 2:
        warn(None, "the space has one design: it is its own front")
    replications = given["replications"]
    result = _run(scenario, space, objectives, constraints,
                  replications if replications is not None else scenario.replications,
                  confidence, variant, given["seed"],
                  (given["workers"], given["scheduler"], given["engine"]))
    _report(result, out, inputs)


def _output(file: Path, out: Path | None, force: bool, scheduler: str | None,
            scenario: Any) -> tuple[Path, Any]:
    """The output folder, checked before any run (as the single-design path checks it)."""
    from portsim.cli.common import check_scheduler
    from portsim.report.files import check_output
    from portsim.writing import Inputs

    inputs = Inputs.of(*scenario.files)
    out = out or Path("results") / f"{file.stem}-front"
    check_output(out, force, inputs=inputs)
    check_scheduler(scheduler)
    return out, inputs


def _run(scenario: Any, space: Any, objectives: Any, constraints: Any, replications: int,
         level: float, variant: str | None, seed: int | None,
         running: tuple[int | None, str | None, EngineChoice]) -> Any:
    from portsim.cli.runs import workers_or_all
    from portsim.experiment.optimise.front import front
    from portsim.experiment.options import RunOptions

    workers, scheduler, engine = running
    options = RunOptions(workers=workers_or_all(workers), scheduler=scheduler,
                         engine=engine.value)
    count = len(space.designs)
    with console.status(f"the front over {count} designs") as status:
        return front(scenario, space, objectives, constraints, options,
                     replications=replications, level=level, variant=variant, seed=seed,
                     progress=lambda done: status.update(
                         f"the front over {count} designs: {done:,} replications"))


def _report(result: Any, out: Path, inputs: Any) -> None:
    from portsim.report.files import write_output
    from portsim.report.front import print_front
    from portsim.report.optimise import written
    from portsim.report.optimise_page import write_front

    print_front(result, console)
    files: list[str] = []

    def write(folder: Path) -> None:
        files.extend(write_front(result, folder))

    write_output(out, write, force=True, inputs=inputs)
    console.print(written(out, files).replace("optimisation", "front"))
