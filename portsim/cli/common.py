"""What every command shares: the consoles, the options, and errors turned into exit codes.

Every error a user can cause (a bad scenario file, an existing output folder) is a
:class:`~portsim.errors.PortsimError`: printed as one message on stderr with exit code 2, never a
traceback, and never after a partial write. A replication that fails (an error in the run, a
killed worker) exits with code 3 and names the replication and seed; Ctrl-C exits with 130. In
both cases the finished replications stay in ``DIR/.partial`` and ``--resume`` finishes the run.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from portsim.errors import PortsimError, ReplicationError

# Files and CI logs have no width of their own: give tables room instead of Rich's 80 columns,
# unless COLUMNS says how wide they are to be.
# User text (names, paths, messages) is printed as written: never read as Rich markup ("[/]")
# or emoji codes (":100:" after a line number); markup is kept for portsim's own styling only,
# and every piece of user text passed with it goes through ``escape``.


class _Output(Console):
    """The console on stdout. A reader that goes away (``portsim run … | head``) ends the
    printout, not the command: its files are still written, then it says so and exits 1."""

    broken = False

    def on_broken_pipe(self) -> None:
        self.quiet = True
        self.broken = True
        # What is still buffered for stdout goes nowhere, rather than fail again at exit.
        with contextlib.suppress(OSError, ValueError, AttributeError):  # no descriptor
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)


console = _Output(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 120,
                  emoji=False)
errors = Console(stderr=True, emoji=False)

EXIT_BAD_INPUT = 2
EXIT_RUN_FAILED = 3
EXIT_OS_ERROR = 1
EXIT_INTERRUPTED = 130
#: ``portsim staff``: the roster does not meet the target in some interval (its files are
#: written; the scenario file is not changed).
EXIT_TARGET_NOT_MET = 4


def check_scheduler(scheduler: str | None) -> None:
    """Refuse a --scheduler that cannot be used, before anything runs."""
    if scheduler is not None:
        from portsim.experiment.cluster import check_scheduler as check

        check(scheduler)


class Resumable:
    """A run's output folder: where its finished replications are kept (for the hint after a
    failure), and what the run created there, taken away again when it failed before finishing
    any replication, so that the next plain run is not refused."""

    out: Path | None = None
    _had_out = _had_partial = True

    def prepare(self, out: Path, *, force: bool, resume: bool, scheduler: str | None,
                inputs: Any = None) -> Any:
        """Check the scheduler and the output folder (which must hold none of the command's
        ``inputs``) before anything runs; the store."""
        from portsim.experiment.store import PARTIAL
        from portsim.report.outputs import prepare_output
        from portsim.writing import NO_INPUTS

        check_scheduler(scheduler)  # before DIR/.partial exists
        store = prepare_output(out, force=force, resume=resume,
                               inputs=inputs if inputs is not None else NO_INPUTS)
        self.out = out
        self._had_out = out.exists()
        self._had_partial = (out / PARTIAL).exists()
        return store

    def discard_unused(self) -> None:
        from portsim.report.outputs import discard_unused

        if self.out is not None:
            discard_unused(self.out, had_out=self._had_out, had_partial=self._had_partial)


@contextmanager
def frozen_garbage() -> Iterator[None]:
    """Leave every object made so far (a command's results) out of the garbage collector's
    passes for the duration, and back in them after.

    NOTE: for performance reasons: the tables, plots and files of a comparison make tens of
    thousands of short-lived objects, whose full collections otherwise walk every KPI of
    every replication too (about 0.2 s of README's comparison).
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def user_errors(resumable: Resumable | None = None) -> Iterator[None]:
    """Turn the project's own errors into one message: exit code 2 for bad input, 3 for a
    failed replication, 130 for Ctrl-C; say how to resume when replications were kept.

    Every command runs its work in here, after its imports: the garbage collector, paused for
    the start-up (:class:`portsim.cli.main.Program`), runs again from here on.
    """
    gc.enable()
    console.broken = console.quiet = False  # a command of its own (tests run several)

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
        if console.broken:
            errors.print("[bold red]error:[/] the standard output was closed before "
                         "everything was printed (broken pipe); the command's work and its "
                         "files are complete", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_OS_ERROR)
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


def write_stdout(text: str) -> None:
    """``text`` on standard output, flushed now: a full disk or a closed pipe is an OSError
    here, in the command (exit code 1 with a message), not at the interpreter's exit."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as error:
        drop_stdout()
        raise OSError(error.errno, error.strerror, "standard output") from None


def drop_stdout() -> None:
    """Point standard output at the null device once writing to it failed, so that the
    interpreter's last flush of what is still buffered cannot fail again at exit."""
    import contextlib
    import os

    # ValueError: no file descriptor (a test's captured output).
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def warn(label: str | None, warning: str) -> None:
    """One warning on stderr, on one line (as errors are): a field path must not be split."""
    where = f" ({escape(label)})" if label is not None else ""
    errors.print(f"[yellow]warning{where}:[/] {escape(warning)}", highlight=False,
                 soft_wrap=True)


def parsed_duration(option: str, text: str) -> float:
    """``text`` in minutes; a text that is no duration as a user error naming ``option``."""
    from portsim.units import parse_duration

    try:
        return parse_duration(text)
    except ValueError as error:
        raise PortsimError(f"{option}: {error}") from None


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


class EngineChoice(StrEnum):
    """The engines ``--engine`` accepts (see portsim.engine.fast.choose_engine)."""

    auto = "auto"
    events = "events"
    fast = "fast"


EngineOpt = Annotated[EngineChoice, typer.Option(
    help="Which engine runs the replications: auto (the FIFO fast path when every station is "
         "first come first served and the routes are feed-forward, else the event engine), "
         "events, or fast (an error naming why when the model does not qualify).")]
