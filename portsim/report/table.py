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

from portsim.experiment.ledger import ledger_kpis
from portsim.experiment.results import Results
from portsim.report.kpis import (
    IMPRECISE,
    IMPRECISE_NOTE,
    Shown,
    counted,
    number,
    shown_kpi,
    spread,
)
from portsim.report.ledger import results_currency

NAME_WIDTH = 24

# (header, KPI as shown, with its interval beneath). A maximum shows the mean of the
# replications' maxima with the largest seen beneath ("max").
CLASS_COLUMNS: tuple[tuple[str, Shown, bool], ...] = (
    ("arrive/h", shown_kpi("classes", "arrival_rate_per_hour"), True),
    ("done/h", shown_kpi("classes", "throughput_per_hour"), True),
    ("wait", shown_kpi("classes", "wait_mean"), True),
    ("p95 wait", shown_kpi("classes", "wait_p95"), True),
    ("longest wait", shown_kpi("classes", "wait_max"), False),
    ("% {sla}", shown_kpi("classes", "wait_sla_share"), True),
    ("queued at end", shown_kpi("classes", "waiting_end"), False),
    ("in system", shown_kpi("classes", "sojourn_mean"), True),
)
STATION_COLUMNS: tuple[tuple[str, Shown, bool], ...] = (
    ("servers", shown_kpi("stations", "servers_mean"), False),
    ("% busy", shown_kpi("stations", "utilisation"), True),
    ("queue", shown_kpi("stations", "queue_mean", digits=2), True),
    ("max queue", shown_kpi("stations", "queue_max"), False),
    ("queued at end", shown_kpi("stations", "waiting_end"), False),
    ("wait", shown_kpi("stations", "wait_mean"), True),
    ("p95 wait", shown_kpi("stations", "wait_p95"), True),
    ("done/h", shown_kpi("stations", "throughput_per_hour"), True),
)

#: Stations that can be out of order (breakdowns, outages) get a table of their own.
RELIABILITY_COLUMNS: tuple[tuple[str, Shown, bool], ...] = (
    ("servers out of order", shown_kpi("stations", "broken_mean", digits=2), True),
    ("% time out of order", shown_kpi("stations", "out_of_order_share"), True),
    ("services interrupted", shown_kpi("stations", "interrupted"), True),
    ("sent to fallback", shown_kpi("stations", "diverted"), True),
)


def _table(results: Results, scope: str, title: str, first: str,
           columns: tuple[tuple[str, Shown, bool], ...], sla: str,
           names: list[str] | None = None) -> Table:
    names = results.names(scope) if names is None else names
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
            cell = Text(number(interval.mean, shown)
                        + (f" {IMPRECISE}" if with_interval and interval.imprecise else ""))
            if with_interval and math.isfinite(interval.half_width):
                cell.append("\n" + spread(interval, shown).replace("± ", "±"), style="dim")
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
    tables = [
        _table(results, "classes",
               f"{title}\nclasses: {counted(reps, 'replication')}, mean and ± 95% CI; times in "
               "minutes; longest wait: mean of the replications' longest, beneath it the largest "
               "seen",
               "class", CLASS_COLUMNS, sla),
        _table(results, "stations", f"{title}\nstations", "station", STATION_COLUMNS, sla),
    ]
    unreliable = [name for name in results.names("stations")
                  if results.has("stations", name, "out_of_order_share")]
    if unreliable:
        tables.append(_table(results, "stations", f"{title}\nstations that can be out of order",
                             "station", RELIABILITY_COLUMNS, sla, unreliable))
    return tables


def ledger_text(results: Results) -> Text:
    """The whole port's resource use a day, one line: each resource's hours on duty, the
    call-out hours, the positions, the cost (see :mod:`portsim.experiment.ledger`)."""
    parts = []
    for kpi in ledger_kpis(results):
        shown = shown_kpi("system", kpi, digits=0 if kpi == "cost" else None)
        interval = results.summary("system", "all", kpi)
        text = number(interval.mean, shown)
        if math.isfinite(interval.half_width) and interval.half_width > 0:
            text += f" ± {number(interval.half_width, shown)}"
        unit = results_currency(results) if kpi == "cost" else None
        parts.append(f"{shown.label} {text}" + (f" {unit}" if unit else ""))
    return Text("resource use: " + "; ".join(parts))


def print_results(results: Results, console: Console | None = None,
                  sla_minutes: float | None = None) -> None:
    console = console or Console(emoji=False)
    for table in results_tables(results, sla_minutes):
        console.print(table)
    console.print(ledger_text(results))
    if any(results.summary(scope, name, shown.kpi).imprecise
           for scope, columns in (("classes", CLASS_COLUMNS), ("stations", STATION_COLUMNS),
                                  ("stations", RELIABILITY_COLUMNS))
           for name in results.names(scope) for _, shown, interval in columns
           if interval and results.has(scope, name, shown.kpi)):
        console.print(Text(IMPRECISE_NOTE))
