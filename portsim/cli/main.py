"""The ``portsim`` program: the Typer app, assembled from one module per command.

Each command module imports its heavy dependencies (the engine, pandas, matplotlib) inside the
command, so that ``portsim --help`` and ``portsim validate`` load none of them.
"""

from __future__ import annotations

import gc
from typing import Annotated, Any

import typer

from portsim.cli.calibrate import calibrate
from portsim.cli.common import EXIT_OS_ERROR, console, drop_stdout, errors
from portsim.cli.compare import compare
from portsim.cli.fit import fit
from portsim.cli.holiday import holiday
from portsim.cli.optimise import optimise
from portsim.cli.run import run
from portsim.cli.schema import schema
from portsim.cli.staff import staff
from portsim.cli.state_from_log import state_from_log
from portsim.cli.study import study
from portsim.cli.sweep import sweep
from portsim.cli.validate import validate


class Program(typer.Typer):
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
        except OSError as error:
            # Outside a command's own handling: --help or --version written to a full disk or
            # a closed pipe. One message and exit code 1, as a command's own output gets.
            drop_stdout()
            errors.print(f"error: cannot write to standard output: "
                         f"{error.strerror or error}", markup=False, highlight=False)
            raise SystemExit(EXIT_OS_ERROR) from None
        finally:
            gc.enable()


app = Program(
    name="portsim",
    help="Discrete-event simulation of port clearance and the policies that speed it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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


# In this order in --help.
app.command()(run)
app.command()(compare)
app.command()(sweep)
app.command()(staff)
app.command()(optimise)
app.command("state-from-log")(state_from_log)
app.command()(fit)
app.command()(calibrate)
app.command()(study)
app.command()(holiday)
app.command()(validate)
app.command()(schema)
