"""Terminal tables of results (Rich)."""

from __future__ import annotations

import math
from functools import partial

from rich.console import Console
from rich.table import Table

from portsim.experiment.results import Results
from portsim.stats.summary import Interval


def _fmt(value: float, digits: int = 2) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:,.{digits}f}"


def _with_ci(interval: Interval, digits: int = 2) -> str:
    if not math.isfinite(interval.half_width):
        return _fmt(interval.mean, digits)
    return f"{_fmt(interval.mean, digits)} ± {_fmt(interval.half_width, digits)}"


def results_tables(results: Results, sla_minutes: float | None = None) -> list[Table]:
    """A table per class and per station: means over replications ± 95% half-widths."""
    title = results.name + (f" — variant {results.variant}" if results.variant else "")
    reps = len(results.replications)
    sla = f"≤{sla_minutes:g} min" if sla_minutes is not None else "within SLA"
    classes = Table(title=f"{title}: classes ({reps} replications, mean ± 95% CI; times in min)")
    for header in ("class", "arrivals/h", "done/h", "wait mean", "wait p95", "wait max",
                   f"share {sla}", "time in system"):
        classes.add_column(header, justify="right" if header != "class" else "left")
    for name in results.names("classes"):
        s = partial(results.summary, "classes", name)
        classes.add_row(
            name, _fmt(s("arrival_rate_per_hour").mean, 1), _with_ci(s("throughput_per_hour"), 1),
            _with_ci(s("wait_mean")), _with_ci(s("wait_p95")), _fmt(s("wait_max").mean),
            _with_ci(s("wait_sla_share"), 3), _with_ci(s("sojourn_mean")))
    stations = Table(title=f"{title}: stations")
    for header in ("station", "servers", "utilisation", "queue mean", "queue max",
                   "wait mean", "wait p95", "done/h"):
        stations.add_column(header, justify="right" if header != "station" else "left")
    for name in results.names("stations"):
        s = partial(results.summary, "stations", name)
        stations.add_row(
            name, _fmt(s("servers_mean").mean, 1), _with_ci(s("utilisation"), 3),
            _with_ci(s("queue_mean")), _fmt(s("queue_max").mean, 0), _with_ci(s("wait_mean")),
            _with_ci(s("wait_p95")), _with_ci(s("throughput_per_hour"), 1))
    return [classes, stations]


def print_results(results: Results, console: Console | None = None,
                  sla_minutes: float | None = None) -> None:
    console = console or Console()
    for table in results_tables(results, sla_minutes):
        console.print(table)
