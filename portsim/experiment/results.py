"""Results of many replications of one model: summaries, per-replication values, provenance.

``Results.to_dict()`` is exactly what ``results.json`` holds; its structure is documented in
``docs/results.md``. Everything in it depends only on the inputs (scenario, variant, seed,
replications, portsim version), so the same inputs give byte-identical files; wall-clock timings
live in :attr:`Results.timings` and go to a separate file.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.experiment import frames
from portsim.stats.kpis import MEAN_OF_MAXIMA, bounds, lookup
from portsim.stats.summary import Interval, t_interval, t_intervals
from portsim.wording import standard_words

if TYPE_CHECKING:  # results are read without the engine (plots, reports)
    from portsim.engine.result import ReplicationResult

SCOPES = ("classes", "stations", "system")
#: The key under which a memo counts the figures worked out one by one at a level; after
#: :data:`TOGETHER_AFTER` of them (a comparison's files, not a precision target's few KPIs a
#: round), every item's is worked out together.
EVERY = "every item"
TOGETHER_AFTER = 50


class Memo:
    """Figures worked out from some lists (replications), forgotten as soon as one of those
    lists is replaced or changes length."""

    def __init__(self) -> None:
        self.sources: tuple[list[Any], ...] = ()
        self.sizes: tuple[int, ...] = ()
        self.values: dict[Any, Any] = {}

    def of(self, *sources: list[Any]) -> dict[Any, Any]:
        """The figures kept for ``sources`` (an empty dict where they changed)."""
        # NOTE: map over C functions, not generator expressions, for performance reasons:
        # a comparison's files look up tens of thousands of figures.
        sizes = tuple(map(len, sources))
        if sizes != self.sizes or not all(map(operator.is_, sources, self.sources)):
            self.sources, self.sizes, self.values = sources, sizes, {}
        return self.values


@dataclass(repr=False)
class Results:
    """Replications of one model (one scenario variant), in replication order."""

    name: str
    variant: str | None
    seed: int
    replications: list[ReplicationResult]
    provenance: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: Simulated time of each replication and its warm-up (minutes), and the waiting-time
    #: standard; plots need them to read the time series. ``None`` when not known.
    horizon: float | None = None
    warmup: float = 0.0
    sla: float | None = None
    #: The share of each class that must wait at most ``sla`` in every clock slot.
    pledge_share: float = 0.95
    #: Whose queue the pledge counts (None: every class; empty: no class), how each slot is
    #: judged (``share`` within ``sla``, or the ``longest`` wait) and the slots' width (min).
    pledge_classes: tuple[str, ...] | None = None
    pledge_measure: str = "share"
    pledge_slot: float = 60.0
    #: With a precision target: the target, the replications it took and the half-widths
    #: achieved (see :mod:`portsim.experiment.precision`); None for a fixed count.
    precision: dict[str, Any] | None = None
    #: With ``warmup: auto``: the warm-up chosen, the pilot it was chosen on and the series
    #: (see :mod:`portsim.experiment.autowarmup`); None for a warm-up given in the file.
    warmup_choice: dict[str, Any] | None = None
    # NOTE: each summary kept once worked out, for performance reasons: a comparison's
    # tables, plots and files ask for the same ones several times
    _summaries: Memo = field(default_factory=Memo, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.replications = sorted(self.replications, key=lambda r: r.replication)

    def __repr__(self) -> str:
        # The fields hold every replication's KPIs (hundreds of thousands of characters for
        # a few replications): a summary names what is there and how to get at it.
        return (f"<Results {self.name!r} {self.label}: {len(self.replications)} replications, "
                f"{len(self.names('classes'))} classes, {len(self.names('stations'))} stations, "
                f"{self.engine} engine, seed {self.seed}"
                f"{f', {len(self.warnings)} warnings' if self.warnings else ''}; "
                ".summary_frame() for the intervals>")

    @property
    def label(self) -> str:
        """The variant's name, or ``"baseline"``."""
        return self.variant or "baseline"

    # ------------------------------------------------------------------ access

    def names(self, scope: str) -> list[str]:
        return list(self.replications[0].kpis[scope]) if self.replications else []

    def kpi_names(self, scope: str, name: str) -> list[str]:
        """The KPIs of ``name`` (none when this model has no such class or station)."""
        if not self.replications:
            return []
        return list(self.replications[0].kpis[scope].get(name, {}))

    def has(self, scope: str, name: str, kpi: str | None = None) -> bool:
        """Whether this model has the class or station ``name`` (and its ``kpi``): a variant
        may add or drop classes, stations and the KPIs that go with them."""
        if not self.replications or name not in self.replications[0].kpis[scope]:
            return False
        return kpi is None or kpi in self.replications[0].kpis[scope][name]

    def per_replication(self, scope: str, name: str, kpi: str) -> np.ndarray:
        """One value per replication, in replication order."""
        return np.array([r.kpis[scope][name][kpi] for r in self.replications], dtype=float)

    def summary(self, scope: str, name: str, kpi: str, level: float = 0.95) -> Interval:
        """Mean over replications and its Student-t interval, cut to the KPI's physical range
        (waits never below 0, shares within [0, 1]; see :mod:`portsim.stats.summary`)."""
        known = self._summaries.of(self.replications)
        key = (scope, name, kpi, level)
        if key not in known:
            asked = known.get((EVERY, level), 0)
            if asked == TOGETHER_AFTER:  # many asked for: every one at this level, together
                known.update(self._every_summary(level))
            known[EVERY, level] = asked + 1
            if key not in known:
                known[key] = t_interval(self.per_replication(scope, name, kpi), level,
                                        bounds(scope, kpi))
        return known[key]

    def _every_summary(self, level: float) -> dict[tuple[str, str, str, float], Interval]:
        """The summary of every item at ``level``, worked out together (see
        :func:`~portsim.stats.summary.t_intervals`); none if some replication lacks an item,
        which is then summarised alone as before."""
        items = list(self.items())
        try:
            matrix = np.array([[r.kpis[scope][name][kpi] for r in self.replications]
                               for scope, name, kpi in items], dtype=float)
        except (KeyError, TypeError, ValueError):
            return {}
        if matrix.ndim != 2:  # no item, or no replication
            return {}
        intervals = t_intervals(matrix, level,
                                [bounds(scope, kpi) for scope, _, kpi in items])
        return {(*item, level): interval for item, interval in zip(items, intervals, strict=True)}

    def largest(self, scope: str, name: str, kpi: str) -> float:
        """The largest value any replication saw (for a maximum: the largest of all, where
        :meth:`summary` gives the mean of the replications' maxima)."""
        values = self.per_replication(scope, name, kpi)
        finite = values[np.isfinite(values)]
        return float(finite.max()) if finite.size else math.nan

    def items(self) -> Iterator[tuple[str, str, str]]:
        """Every (scope, name, kpi) triple, in a stable order."""
        return union_items((self,))

    @property
    def engine(self) -> str:
        """Which engine ran the replications: "events", "fast", or both names when a resumed
        run mixed them."""
        engines = sorted({r.engine for r in self.replications}) or ["events"]
        return " and ".join(engines)

    @property
    def timings(self) -> dict[str, Any]:
        seconds = [r.wall_seconds for r in self.replications]
        events = [r.events for r in self.replications]
        return {"replication_seconds": seconds, "total_seconds": float(sum(seconds)),
                "events": events}

    # ------------------------------------------------------------------ export

    def to_dict(self) -> dict[str, Any]:
        kpis: dict[str, Any] = {}
        for scope, name, kpi in self.items():
            values = self.per_replication(scope, name, kpi)
            entry: dict[str, Any] = dict(self.summary(scope, name, kpi).as_dict())
            catalogued = lookup(scope, kpi)
            if catalogued is not None and catalogued.aggregate == MEAN_OF_MAXIMA:
                entry["largest"] = _json_number(self.largest(scope, name, kpi))
            entry["values"] = [_json_number(v) for v in values]
            kpis.setdefault(scope, {}).setdefault(name, {})[kpi] = entry
        document = {
            "format": "portsim-results/1",
            **self.provenance,
            "name": self.name,
            "variant": self.variant,
            "seed": self.seed,
            "replications": len(self.replications),
            "warnings": list(self.warnings),
            "kpis": kpis,
        }
        if self.engine != "events":
            # Only named when not the event engine, so that results of models it runs stay
            # byte-identical to those of earlier versions.
            document["engine"] = self.engine
        if self.precision is not None:
            document["precision"] = self.precision
        if self.warmup_choice is not None:
            document["warmup_choice"] = self.warmup_choice
        return document

    def long_rows(self, extra: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """One row per (scope, name, KPI, replication), the columns of
        :data:`~portsim.experiment.frames.LONG_COLUMNS` after ``extra``'s."""
        for scope, name, kpi in self.items():
            values = self.per_replication(scope, name, kpi)
            for replication, value in zip(self.replications, values, strict=True):
                yield {**(extra or {}), "variant": self.label, "scope": scope, "name": name,
                       "kpi": kpi, "replication": replication.replication, "value": float(value)}

    def to_frame(self) -> Any:
        """A tidy pandas DataFrame: one row per (variant, scope, name, kpi, replication)."""
        return frames.frame(self.long_rows(), frames.LONG_COLUMNS)

    def summary_frame(self) -> Any:
        """A pandas DataFrame of :meth:`summary_rows` (the columns of summary.csv)."""
        return frames.frame(self.summary_rows(), frames.SUMMARY_COLUMNS)

    def _repr_html_(self) -> str:
        """The per-class headline, for Jupyter."""
        headline = ("wait_mean", "wait_p95", "wait_sla_share", "throughput_per_hour")
        header = ["class"] + [_label("classes", kpi, self.sla) for kpi in headline]
        rows = [[name] + [_shown(self.summary("classes", name, kpi), "classes", kpi)
                          for kpi in headline]
                for name in self.names("classes")]
        return frames.html_table(rows, header, f"{self.name}: {len(self.replications)} "
                                 "replications, mean ± 95% CI")

    @property
    def overloaded(self) -> bool:
        """Whether some station is offered more work than it can do (queues grow without
        bound; the warnings say which)."""
        return bool(self.warnings)

    def summary_rows(self) -> list[dict[str, Any]]:
        """Flat rows (variant, scope, name, kpi, mean, ci_low, ci_high, half_width, n,
        overloaded) for CSV."""
        rows = []
        for scope, name, kpi in self.items():
            entry = self.summary(scope, name, kpi).as_dict()
            rows.append({"variant": self.label, "scope": scope, "name": name,
                         "kpi": kpi, **entry, "overloaded": self.overloaded})
        return rows


def _label(scope: str, kpi: str, sla: float | None) -> str:
    entry = lookup(scope, kpi)
    label = entry.label if entry is not None else kpi
    return label.replace("{sla}", standard_words(sla) if sla is not None else "the standard")


def _shown(interval: Interval, scope: str, kpi: str) -> str:
    """``mean ± half-width`` in the KPI's unit (shares in %)."""
    if not math.isfinite(interval.mean):
        return "—"
    entry = lookup(scope, kpi)
    scale, unit = (100.0, " %") if entry is not None and entry.is_share else (1.0, "")
    text = f"{interval.mean * scale:,.2f}"
    if math.isfinite(interval.half_width):
        text += f" ± {interval.half_width * scale:,.2f}"
    return text + unit


def union_names(results: Iterable[Results], scope: str) -> list[str]:
    """The classes or stations (``scope``) of any of ``results``: the first's in its order,
    then those each later one adds, in its order."""
    return list(dict.fromkeys(name for result in results for name in result.names(scope)))


def union_kpis(results: Iterable[Results], scope: str, name: str) -> list[str]:
    """The KPIs of ``name`` in any of ``results``, ordered as :func:`union_names`."""
    return list(dict.fromkeys(kpi for result in results for kpi in result.kpi_names(scope, name)))


def union_items(results: Sequence[Results]) -> Iterator[tuple[str, str, str]]:
    """Every (scope, name, kpi) of any of ``results``, scope by scope, ordered as
    :func:`union_names` and :func:`union_kpis`."""
    for scope in SCOPES:
        for name in union_names(results, scope):
            for kpi in union_kpis(results, scope, name):
                yield scope, name, kpi


def _json_number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None
