"""The result of one replication: its KPIs, series, wait histograms and provenance.

Made by collection (:mod:`portsim.engine.collect`) for either engine, and read by everything
above the engine (experiments, stores, reports); it holds plain data and can be written to JSON
and read back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from portsim.engine.state import StartState, state_from_data, state_to_data

__all__ = ["Histogram", "ReplicationResult", "Series"]


@dataclass
class Series:
    """What one replication did over time, in bins of ``bin_minutes`` over the whole run."""

    bin_minutes: float
    arrivals: dict[str, list[int]] = field(default_factory=dict)      # per class, per bin
    completions: dict[str, list[int]] = field(default_factory=dict)   # per class, per bin
    queue_mean: dict[str, list[float]] = field(default_factory=dict)  # per station, per bin


@dataclass
class Histogram:
    """The waits of a class or station in one replication: how many were zero, and the counts
    in the occupied bins of the log histogram (``portsim.stats.accumulators.bin_edges``)."""

    zeros: int
    bins: list[int]
    counts: list[int]
    max: float


@dataclass
class ReplicationResult:
    """KPIs of one replication (``kpis[scope][name][kpi]``, the catalogue's keys), what plots
    read (series, wait histograms by scope and name) and provenance."""

    replication: int
    seed: int
    kpis: dict[str, dict[str, dict[str, float]]]
    series: Series = field(default_factory=lambda: Series(60.0))
    histograms: dict[str, dict[str, Histogram]] = field(default_factory=dict)
    events: int = 0
    wall_seconds: float = 0.0
    snapshot: StartState | None = None  # the state at Model.snapshot_at, if asked for
    #: Which engine ran it: "events" (the event engine) or "fast" (the FIFO fast path).
    engine: str = "events"

    def to_json(self) -> dict[str, Any]:
        """Plain data (for a replication kept on disk to resume)."""
        data = asdict(self)
        data["snapshot"] = state_to_data(self.snapshot) if self.snapshot is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReplicationResult:
        """The inverse of :meth:`to_json`."""
        return cls(
            replication=data["replication"], seed=data["seed"], kpis=data["kpis"],
            series=Series(**data["series"]),
            histograms={scope: {name: Histogram(**h) for name, h in by_name.items()}
                        for scope, by_name in data["histograms"].items()},
            events=data["events"], wall_seconds=data["wall_seconds"],
            snapshot=(state_from_data(data["snapshot"]) if data.get("snapshot") is not None
                      else None),
            engine=data.get("engine", "events"))
