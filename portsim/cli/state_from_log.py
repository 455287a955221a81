"""``portsim state-from-log``: the state at a clock time of an event log (who waits, who is in
service), written as a state file for ``run --from-state``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from portsim.cli.common import console, parsed_duration, user_errors
from portsim.errors import PortsimError


def state_from_log(
    log: Annotated[Path, typer.Argument(
        help="Event log: a --trace .csv or .parquet file, or observations in its columns "
             "(time, entity, class, station, event).", show_default=False)],
    at: Annotated[str, typer.Option(
        help="The clock time of the state: 14:00, or 38h for 14:00 on day 2.",
        show_default=False)],
    out: Annotated[Path, typer.Option(help="The state file to write (YAML).",
                                      show_default=False)],
    scenario: Annotated[Path | None, typer.Option(
        help="Check the state against this scenario's stations and classes.",
        show_default=False)] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing state file.")] = False,
) -> None:
    """Write the state at a clock time of an event log (who waits, who is in service) as a
    state file for run --from-state."""
    from portsim.experiment.forecast import write_state
    from portsim.experiment.logstate import state_from_log as read_state
    from portsim.scenario import load_scenario
    from portsim.writing import Inputs, check_file

    with user_errors():
        clock = parsed_duration("--at", at)
        _check_clock(at, clock)
        loaded = load_scenario(scenario) if scenario is not None else None
        inputs = Inputs.of(log, *(loaded.files if loaded is not None else ()))
        check_file(out, force=force, inputs=inputs)  # before the log is read
        state = read_state(log, clock)
        check = _checker(out, loaded.model()) if loaded is not None else None
        write_state(state, out, f"The state at {at} of {log}", replace=force, inputs=inputs,
                    check=check)
        console.print(f"state at {escape(at)} ({state.customers} customers) written to "
                      f"[bold]{escape(str(out))}[/]", highlight=False)


def _checker(out: Path, model: Any) -> Callable[[Path], None]:
    """A check of the written state file against ``model``: its problems, named as ``out``'s
    (the file is checked under its temporary name, before it takes ``out``'s place)."""
    from portsim.errors import ScenarioError
    from portsim.scenario.state import load_state

    def check(written: Path) -> None:
        try:
            load_state(written, model)
        except ScenarioError as error:
            raise ScenarioError(error.problems, file=str(out)) from None

    return check


def _check_clock(at: str, clock: float) -> None:
    """A clock time within the simulated time one replication may reach (the state file
    would be refused when read)."""
    from portsim import limits

    most = limits.current().max_horizon
    if clock > most:
        raise PortsimError(f"--at {at}: {limits.format_horizon(clock)} after the start of day "
                           f"1, beyond the limit of {limits.format_horizon(most)} of simulated "
                           f"time (set {limits.describe('max_horizon')} to allow more)")
