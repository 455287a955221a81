"""The ``portsim`` command line: run, validate, schema.

Every error a user can cause (a bad scenario file, an existing output folder) is a
:class:`~portsim.errors.PortsimError`: printed as one message on stderr with exit code 2, never a
traceback, and never after a partial write.
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from portsim.errors import PortsimError

app = typer.Typer(
    name="portsim",
    help="Discrete-event simulation of port clearance and the policies that speed it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)

EXIT_BAD_INPUT = 2


class UsageError(PortsimError):
    """A command-line value that does not fit the scenario (e.g. an unknown variant)."""


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the project's own errors into one message and exit code 2."""
    try:
        yield
    except PortsimError as error:
        errors.print(f"[bold red]error:[/] {error}", markup=True, highlight=False,
                     soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except KeyboardInterrupt:
        errors.print("interrupted", style="yellow")
        raise typer.Exit(130) from None


def check_variant(scenario: Any, variant: str | None) -> None:
    if variant is None or variant in scenario.variant_names:
        return
    known = ", ".join(scenario.variant_names) or "none"
    close = difflib.get_close_matches(variant, scenario.variant_names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise UsageError(f"{scenario.source_file}: no variant {variant!r} (variants: {known}){hint}")


FileArg = Annotated[Path, typer.Argument(help="Scenario file (YAML).", show_default=False)]
VariantOpt = Annotated[str | None, typer.Option(help="Run this variant, not the baseline.")]
ReplicationsOpt = Annotated[
    int | None, typer.Option(min=1, help="Replications (default: the file's).")]
SeedOpt = Annotated[int | None, typer.Option(min=0, help="Seed (default: the file's).")]
OutOpt = Annotated[
    Path | None, typer.Option(help="Output folder (default: results/<stem>[-<variant>]).")]
WorkersOpt = Annotated[int, typer.Option(min=1, help="Processes running replications.")]
ForceOpt = Annotated[bool, typer.Option(help="Replace an existing output folder.")]


@app.command()
def run(
    file: FileArg,
    variant: VariantOpt = None,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    out: OutOpt = None,
    workers: WorkersOpt = 1,
    force: ForceOpt = False,
) -> None:
    """Run a scenario, print its KPIs and write results.json and summary.csv."""
    from portsim.experiment.runner import simulate
    from portsim.report.files import check_output, dump_csv, dump_json, write_output
    from portsim.report.table import print_results
    from portsim.scenario import load_scenario

    with user_errors():
        scenario = load_scenario(file)
        check_variant(scenario, variant)
        out = out or Path("results") / (file.stem + (f"-{variant}" if variant else ""))
        check_output(out, force)
        results = simulate(scenario, replications=replications, seed=seed, variant=variant,
                           workers=workers)
        for warning in results.warnings:
            errors.print(f"[yellow]warning:[/] {warning}", highlight=False)
        print_results(results, console, sla_minutes=scenario.sla)

        def write(folder: Path) -> None:
            dump_json(results.to_dict(), folder / "results.json")
            dump_csv(results.summary_rows(), folder / "summary.csv")
            dump_json(results.timings, folder / "timings.json")

        write_output(out, write, force=force)
        console.print(f"results written to [bold]{out}[/] "
                      f"(results.json, summary.csv, timings.json)")


@app.command()
def validate(file: FileArg) -> None:
    """Check a scenario file and all its variants without running it."""
    from portsim.engine.load import overload_warnings
    from portsim.scenario import compile_model, load_scenario

    with user_errors():
        scenario = load_scenario(file)
        for variant in [None, *scenario.variant_names]:
            model = compile_model(scenario, variant)
            label = variant or "baseline"
            for warning in overload_warnings(model):
                errors.print(f"[yellow]warning ({label}):[/] {warning}", highlight=False)
        variants = ", ".join(scenario.variant_names) or "none"
        console.print(f"{file}: valid — {scenario.name!r}; variants: {variants}",
                      highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from portsim.scenario import scenario_json_schema

    sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n")
