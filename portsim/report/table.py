"""Terminal tables of one run's results (Rich), readable in 80 columns.

Each cell shows the mean over replications and, beneath it, the 95% half-width, so columns stay
narrow enough that names are never cut.
"""

from __future__ import annotations

import math
from functools import partial

from rich.console import Console
from rich.table import Table
from rich.text import Text

from portsim.experiment.results import Results
from portsim.stats.summary import Interval

NAME_WIDTH = 24


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:,.{digits}f}"


def _cell(interval: Interval, digits: int = 2, scale: float = 1.0) -> Text:
    text = Text(_fmt(interval.mean * scale, digits))
    if math.isfinite(interval.half_width):
        text.append(f"\n±{_fmt(interval.half_width * scale, digits)}", style="dim")
    return text


def _table(title: str, first: str, names: list[str], headers: tuple[str, ...]) -> Table:
    table = Table(title=title, title_justify="left")
    width = min(max([len(first), *map(len, names)]), NAME_WIDTH)
    table.add_column(first, justify="left", no_wrap=True, min_width=width, overflow="ellipsis")
    for header in headers:
        # fold, never cut: a number must be read whole even on a narrow terminal
        table.add_column(header, justify="right", overflow="fold")
    return table


def results_tables(results: Results, sla_minutes: float | None = None) -> list[Table]:
    """A table per class and per station: means over replications ± 95% half-widths."""
    title = results.name + (f" — variant {results.variant}" if results.variant else "")
    reps = len(results.replications)
    sla = f"≤{sla_minutes:g}min" if sla_minutes is not None else "in SLA"
    class_names = results.names("classes")
    classes = _table(
        f"{title}\nclasses: {reps} replications, mean and ± 95% CI; times in minutes",
        "class", class_names,
        ("arrive/h", "done/h", "wait", "p95 wait", "max wait", f"% {sla}", "in system"))
    for name in class_names:
        s = partial(results.summary, "classes", name)
        classes.add_row(
            name, _cell(s("arrival_rate_per_hour"), 1), _cell(s("throughput_per_hour"), 1),
            _cell(s("wait_mean")), _cell(s("wait_p95")), _fmt(s("wait_max").mean),
            _cell(s("wait_sla_share"), 1, 100.0), _cell(s("sojourn_mean")))
    station_names = results.names("stations")
    stations = _table(f"{title}\nstations", "station", station_names,
                      ("servers", "% busy", "queue", "max queue", "wait", "p95 wait", "done/h"))
    for name in station_names:
        s = partial(results.summary, "stations", name)
        stations.add_row(
            name, _fmt(s("servers_mean").mean, 1), _cell(s("utilisation"), 1, 100.0),
            _cell(s("queue_mean")), _fmt(s("queue_max").mean, 0), _cell(s("wait_mean")),
            _cell(s("wait_p95")), _cell(s("throughput_per_hour"), 1))
    return [classes, stations]


def print_results(results: Results, console: Console | None = None,
                  sla_minutes: float | None = None) -> None:
    console = console or Console()
    for table in results_tables(results, sla_minutes):
        console.print(table)
