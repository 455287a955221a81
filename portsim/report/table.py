"""Terminal tables of one run's results (Rich), readable in 80 columns.

Each cell shows the mean over replications and, beneath it, the 95% half-width, so columns stay
narrow enough that names are never cut. Numbers are written as in the comparison report
(:mod:`portsim.report.kpis`).
"""

from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table
from rich.text import Text

from portsim.experiment.results import Results
from portsim.report.kpis import Shown, counted, number

NAME_WIDTH = 24

# (header, KPI as shown, with its interval beneath). A maximum shows the mean of the
# replications' maxima with the largest seen beneath ("max").
CLASS_COLUMNS: tuple[tuple[str, Shown, bool], ...] = (
    ("arrive/h", Shown("arrival_rate_per_hour", "arrivals per hour", digits=1), True),
    ("done/h", Shown("throughput_per_hour", "cleared per hour", digits=1), True),
    ("wait", Shown("wait_mean", "mean wait", "min"), True),
    ("p95 wait", Shown("wait_p95", "95th percentile wait", "min"), True),
    ("longest wait", Shown("wait_max", "longest wait", "min"), False),
    ("% {sla}", Shown("wait_sla_share", "share waiting within the standard", "%", 100.0, 1), True),
    ("queued at end", Shown("waiting_end", "still queueing at the end", digits=0), False),
    ("in system", Shown("sojourn_mean", "mean time in system", "min"), True),
)
STATION_COLUMNS: tuple[tuple[str, Shown, bool], ...] = (
    ("servers", Shown("servers_mean", "servers on duty", digits=1), False),
    ("% busy", Shown("utilisation", "utilisation", "%", 100.0, 1), True),
    ("queue", Shown("queue_mean", "mean queue length"), True),
    ("max queue", Shown("queue_max", "longest queue", digits=0), False),
    ("queued at end", Shown("waiting_end", "still queueing at the end", digits=0), False),
    ("wait", Shown("wait_mean", "mean wait", "min"), True),
    ("p95 wait", Shown("wait_p95", "95th percentile wait", "min"), True),
    ("done/h", Shown("throughput_per_hour", "cleared per hour", digits=1), True),
)


def _table(results: Results, scope: str, title: str, first: str,
           columns: tuple[tuple[str, Shown, bool], ...], sla: str) -> Table:
    names = results.names(scope)
    # Text, not str: names are the user's and must not be read as Rich markup or emoji codes.
    table = Table(title=Text(title), title_justify="left")
    width = min(max([len(first), *map(len, names)]), NAME_WIDTH)
    table.add_column(first, justify="left", no_wrap=True, min_width=width, overflow="ellipsis")
    for header, _, _ in columns:
        # fold, never cut: a number must be read whole even on a narrow terminal
        table.add_column(header.format(sla=sla), justify="right", overflow="fold")
    for name in names:
        cells: list[str | Text] = [Text(name)]
        for _, shown, with_interval in columns:
            if not results.has(scope, name, shown.kpi):
                cells.append(Text("—"))
                continue
            interval = results.summary(scope, name, shown.kpi)
            cell = Text(number(interval.mean, shown))
            if with_interval and math.isfinite(interval.half_width):
                cell.append(f"\n±{number(interval.half_width, shown)}", style="dim")
            elif shown.kpi.endswith("_max") and len(results.replications) > 1:
                cell.append(f"\nmax {number(results.largest(scope, name, shown.kpi), shown)}",
                            style="dim")
            cells.append(cell)
        table.add_row(*cells)
    return table


def results_tables(results: Results, sla_minutes: float | None = None) -> list[Table]:
    """A table per class and per station: means over replications ± 95% half-widths."""
    title = results.name + (f" — variant {results.variant}" if results.variant else "")
    reps = len(results.replications)
    sla = f"≤{sla_minutes:g}min" if sla_minutes is not None else "in SLA"
    return [
        _table(results, "classes",
               f"{title}\nclasses: {counted(reps, 'replication')}, mean and ± 95% CI; times in "
               "minutes; longest wait: mean of the replications' longest, beneath it the largest "
               "seen",
               "class", CLASS_COLUMNS, sla),
        _table(results, "stations", f"{title}\nstations", "station", STATION_COLUMNS, sla),
    ]


def print_results(results: Results, console: Console | None = None,
                  sla_minutes: float | None = None) -> None:
    console = console or Console(emoji=False)
    for table in results_tables(results, sla_minutes):
        console.print(table)
