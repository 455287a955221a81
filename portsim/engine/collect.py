"""Collection: the KPIs, series and histograms of one finished replication.

A function of the replication's state (classes, stations, system counters) at the horizon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.stats.accumulators import Tally

if TYPE_CHECKING:
    from portsim.engine.classes import ClassState
    from portsim.engine.simulation import Replication
    from portsim.engine.station import Station


@dataclass
class ReplicationResult:
    """KPIs of one replication, plus what plots need (series, histograms) and provenance."""

    replication: int
    seed: int
    kpis: dict[str, dict[str, dict[str, float]]]
    series: dict[str, Any] = field(default_factory=dict)
    histograms: dict[str, Any] = field(default_factory=dict)
    events: int = 0
    wall_seconds: float = 0.0


def collect(state: Replication, events: int, wall_seconds: float) -> ReplicationResult:
    """The KPIs of a replication run to its horizon; closes its stations' statistics."""
    end = state.model.horizon
    hours = (end - state.model.warmup) / 60.0
    kpis: dict[str, dict[str, dict[str, float]]] = {"classes": {}, "stations": {}}
    histograms: dict[str, Any] = {"classes": {}, "stations": {}}
    for name, kind in state.classes.items():
        kpis["classes"][name] = _class_kpis(kind, hours)
        histograms["classes"][name] = _histogram(kind.waits)
    for name, station in state.stations.items():
        station.close(end)
        kpis["stations"][name] = _station_kpis(station, hours)
        histograms["stations"][name] = _histogram(station.waits)
    kpis["system"] = {"all": _system_kpis(state, end, hours)}
    return ReplicationResult(state.replication, state.seed, kpis, _series(state), histograms,
                             events, wall_seconds)


def _class_kpis(kind: ClassState, hours: float) -> dict[str, float]:
    row = {"arrivals": float(kind.arrivals), "completions": float(kind.completions),
           "arrival_rate_per_hour": kind.arrivals / hours,
           "throughput_per_hour": kind.completions / hours}
    row.update(_tally_kpis("wait", kind.waits))
    row["prob_wait"] = kind.waits.share_positive()
    row.update(_tally_kpis("sojourn", kind.sojourns))
    for milestone, tally in kind.milestones.items():
        row.update(_tally_kpis(f"until_{milestone}", tally))
    if kind.lateness is not None:
        row["late_share"] = 1.0 - kind.lateness.share_within()
        row["lateness_mean"] = kind.lateness.mean
        row["lateness_max"] = kind.lateness.maximum if kind.lateness.count else math.nan
    return row


def _station_kpis(station: Station, hours: float) -> dict[str, float]:
    available = station.capacity_level.area
    row = {"arrivals": float(station.arrivals),
           "completions": float(station.completions),
           "arrival_rate_per_hour": station.arrivals / hours,
           "throughput_per_hour": station.completions / hours}
    row.update(_tally_kpis("wait", station.waits))
    row["prob_wait"] = station.waits.share_positive()
    row["queue_mean"] = station.queue_level.time_average()
    row["queue_max"] = float(station.queue_level.maximum)
    row["utilisation"] = station.busy_level.area / available if available > 0 else math.nan
    row["servers_mean"] = station.servers_level.time_average()
    return row


def _system_kpis(state: Replication, end: float, hours: float) -> dict[str, float]:
    in_span = end - state.in_start
    in_system_mean = ((state.in_area + end * state.in_count) / in_span if in_span > 0
                      else float(state.in_count))
    system_waits, system_sojourns = state.system_waits, state.system_sojourns
    if not state.system_tallies:  # one class: its tallies are the system's (see Replication)
        (kind,) = state.classes.values()
        system_waits, system_sojourns = kind.waits, kind.sojourns
    return {
        "arrivals": float(state.arrivals),
        "completions": float(state.completions),
        "in_system_start": float(state.in_system_start),
        "in_system_end": float(state.in_count),
        "in_system_mean": in_system_mean,
        "arrival_rate_per_hour": state.arrivals / hours,
        "throughput_per_hour": state.completions / hours,
        "sojourn_mean": system_sojourns.mean,
        "wait_mean": system_waits.mean,
        "wait_sla_share": system_waits.share_within(),
    }


def _series(state: Replication) -> dict[str, Any]:
    return {
        "bin_minutes": state.bin_width,
        "arrivals": {n: k.arrival_series for n, k in state.classes.items()},
        "completions": {n: k.completion_series for n, k in state.classes.items()},
        "queue_mean": {
            n: (np.asarray(s.queue_level.bins) / state.bin_width).tolist()
            for n, s in state.stations.items()
        },
    }


def _tally_kpis(prefix: str, tally: Tally) -> dict[str, float]:
    return {
        f"{prefix}_mean": tally.mean,
        f"{prefix}_p50": tally.quantile(0.50),
        f"{prefix}_p90": tally.quantile(0.90),
        f"{prefix}_p95": tally.quantile(0.95),
        f"{prefix}_p99": tally.quantile(0.99),
        f"{prefix}_max": tally.maximum if tally.count else math.nan,
        f"{prefix}_sla_share": tally.share_within(),
    }


def _histogram(tally: Tally) -> dict[str, Any]:
    tally.flush()
    nonzero = np.flatnonzero(tally.histogram)
    return {"zeros": tally.zeros, "bins": nonzero.tolist(),
            "counts": tally.histogram[nonzero].tolist(), "max": tally.maximum}
