"""``portsim fit``: a scenario fitted from an event log, with ``fit.html`` (Q-Q plots) beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from portsim.cli.common import console, parsed_duration, user_errors
from portsim.errors import PortsimError

#: The page of plots, written beside the scenario.
PAGE = "fit.html"


def fit(
    log: Annotated[Path, typer.Argument(
        help="Event log: a --trace .csv, .parquet or .xes file (time, entity, class, station,"
             " event), or one row per visit (entity, class, station, arrival, start, end).",
        show_default=False)],
    out: Annotated[Path, typer.Option(help="The fitted scenario file to write (YAML); "
                                           "fit.html is written beside it.",
                                      show_default=False)],
    scenario: Annotated[Path | None, typer.Option(
        help="Take the servers (rosters), horizon, replications, seed and service standard "
             "from this scenario instead of inferring them.", show_default=False)] = None,
    slot: Annotated[str | None, typer.Option(
        help="Arrival slot width (15min, 1h; must divide a day). Default: the narrowest whose "
             "median slot holds 100 arrivals.", show_default=False)] = None,
    force: Annotated[bool, typer.Option(help="Replace existing output files.")] = False,
) -> None:
    """Fit a scenario from an event log: arrivals per class, service distributions per station
    and class (by AIC), routing shares, servers on duty; each figure's source as a comment."""
    from portsim.writing import Inputs, check_file

    with user_errors():
        width = _slot(slot)
        loaded = _load(scenario)
        inputs = Inputs.of(log, *(loaded.files if loaded is not None else ()))
        page = out.parent / PAGE
        check_file(out, force=force, inputs=inputs)  # both before the log is read
        check_file(page, force=force, inputs=inputs, option="")
        fitted = _fit(log, width, loaded)
        _write(fitted, out, page, loaded, force=force, inputs=inputs)
        console.print(f"fitted scenario written to [bold]{escape(str(out))}[/], plots to "
                      f"[bold]{escape(str(page))}[/]", highlight=False)


def _slot(slot: str | None) -> float | None:
    """``--slot`` in minutes: positive, dividing a day."""
    if slot is None:
        return None
    width = parsed_duration("--slot", slot)
    if width <= 0 or abs(1440 / width - round(1440 / width)) > 1e-9:
        raise PortsimError(f"--slot {slot}: the slot must divide a day (15min, 30min, 1h, "
                           "2h, ...)")
    return width


def _load(scenario: Path | None) -> Any:
    from portsim.scenario import load_scenario

    return load_scenario(scenario) if scenario is not None else None


def _fit(log: Path, width: float | None, loaded: Any) -> Any:
    from portsim.fitting.fit import fit_log

    rosters = None
    if loaded is not None:
        stations = loaded.resolved()["stations"]
        rosters = {name: station["servers"] for name, station in stations.items()
                   if station.get("servers") is not None}
    return fit_log(log, width, rosters)


def _write(fitted: Any, out: Path, page: Path, loaded: Any, *, force: bool,
           inputs: Any) -> None:
    """The scenario (checked as ``portsim validate`` would before it takes its place), then
    the page."""
    from portsim.errors import ScenarioError
    from portsim.fitting.scenario import scenario_text
    from portsim.report.fit_page import fit_html
    from portsim.scenario import load_scenario
    from portsim.writing import new_file, write_file

    base = loaded.resolved() if loaded is not None else None
    title = f"fitted from {fitted.log.path}"
    text = scenario_text(fitted, title, base)
    html = fit_html(fitted, str(out))
    with new_file(out, replace=force, inputs=inputs) as temporary:
        temporary.write_bytes(text.encode("utf-8"))
        try:
            load_scenario(temporary)
        except ScenarioError as error:  # a fault of portsim fit's, not of the log
            raise ScenarioError(error.problems, file=str(out)) from None
    write_file(page, html, replace=force, inputs=inputs)
