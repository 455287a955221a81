"""``portsim calibrate``: a scenario's free parameters fitted to observed figures, figures held
out of the fit checked, the calibrated variants written (docs/calibration.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from portsim.cli.common import (
    EngineChoice,
    EngineOpt,
    FileArg,
    ForceOpt,
    SeedOpt,
    console,
    user_errors,
)

TargetsOpt = Annotated[Path, typer.Option(
    help="The targets file: observed figures with source, uncertainty and use: fit or "
         "hold-out (e.g. scenarios/targets/mohan.yaml).", show_default=False)]
CalibrateOutOpt = Annotated[Path | None, typer.Option(
    help="Output folder (default: results/<stem>-calibrate).", show_default=False)]
WriteVariantOpt = Annotated[str | None, typer.Option(
    help="Add the calibrated scenario to FILE as a variant of this name (and NAME_VARIANT "
         "for each variant a target uses); FILE is changed only if the result loads. "
         "variant.yaml in the output folder has them in any case.", show_default=False)]
CalibrationReplicationsOpt = Annotated[int, typer.Option(
    min=2, help="Replications per candidate (the same seeds for every candidate).")]
CalibrationWorkersOpt = Annotated[int, typer.Option(
    min=1, help="Processes running each candidate's replications (a candidate's few "
                "replications run fastest in one).")]


def calibrate(
    file: FileArg,
    targets: TargetsOpt,
    out: CalibrateOutOpt = None,
    write_variant: WriteVariantOpt = None,
    replications: CalibrationReplicationsOpt = 5,
    seed: SeedOpt = None,
    workers: CalibrationWorkersOpt = 1,
    force: ForceOpt = False,
    engine: EngineOpt = EngineChoice.auto,
) -> None:
    """Fit the scenario's free parameters (its calibrate: block) to the targets marked
    use: fit, on common random numbers; report every target at the fit, the held-out ones
    apart; write calibration.json, targets.csv and variant.yaml.

    The distance is the sum of squared standardised errors, (model − observed) over the
    observed and the model's standard errors combined; the search is a Latin hypercube over
    the ranges, then a bounded Nelder–Mead from its best point.
    """
    from portsim.calibration.calibrate import calibrate as run_calibration
    from portsim.calibration.targets import load_targets
    from portsim.report.files import check_output
    from portsim.scenario import load_scenario
    from portsim.writing import Inputs

    with user_errors():
        scenario = load_scenario(file)
        loaded = load_targets(targets)
        original = _names_checked(file, write_variant, loaded, scenario)
        inputs = Inputs.of(*scenario.files, targets)
        out = out or Path("results") / f"{file.stem}-calibrate"
        check_output(out, force, inputs=inputs)
        with console.status("calibrating") as status:
            result = run_calibration(
                scenario, loaded, replications=replications, seed=seed,
                workers=workers, engine=engine.value,
                progress=lambda count, evaluation: status.update(escape(
                    f"calibrating: candidate {count}, distance {evaluation.distance:.3g}")))
        _report(result, file, out, write_variant, original, inputs)


def _names_checked(file: Path, name: str | None, targets: Any, scenario: Any) -> bytes | None:
    """With --write-variant: every name it will add checked now, before the search; the
    file's bytes as read, which it must still hold when the variants are added."""
    from portsim.scenario.edit import check_variant_name

    if name is None:
        return None
    original = check_variant_name(file, name)
    for variant in {v for _, target in targets.items() for v in target.variants()} - {None}:
        if variant in scenario.variant_names:
            check_variant_name(file, f"{name}_{variant}")
    return original


def _report(result: Any, file: Path, out: Path, write_variant: str | None,
            original: bytes | None, inputs: Any) -> None:
    from portsim.calibration.written import additions, variant_text
    from portsim.report.calibration import print_calibration, write_calibration
    from portsim.report.files import write_output
    from portsim.scenario.edit import add_variants

    print_calibration(result, console)
    found = additions(result, write_variant or "calibrated")
    text = variant_text(found)
    write_output(out, lambda folder: write_calibration(result, folder, text), force=True,
                 inputs=inputs)
    console.print(f"calibration written to [bold]{escape(str(out))}[/] (calibration.json, "
                  "targets.csv, variant.yaml)", highlight=False)
    if write_variant is not None:
        add_variants(file, found, original=original)
        names = ", ".join(label for label, *_ in found)
        console.print(f"variants [bold]{escape(names)}[/] added to {escape(str(file))}: "
                      f"compare them with portsim compare {escape(str(file))} --variants "
                      f"{escape(names.replace(', ', ','))}", highlight=False)
