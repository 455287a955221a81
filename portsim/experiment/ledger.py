"""The cost side of a comparison: each variant's resource use against the baseline's, and its
benefit per unit of what it adds.

Every run reports its ledger of resource use a day (the whole port's KPIs
``<resource>_hours``, ``<resource>_positions``, ``on_call_hours`` and, where the scenario has
``costs:``, ``cost``; see :mod:`portsim.stats.kpis`). A comparison shows beside each
variant's benefit what it costs: the paired difference of every ledger KPI, and the benefit
-- the waiting-hours a day it saves, ``waiting_hours`` -- per unit of each resource it clearly
adds (waiting-hours saved a day per extra officer-hour, per extra gate, per unit of cost).

The ratio's interval is the ratio estimator's (the delta method on paired replications):
with ``b_i`` the waiting-hours saved and ``c_i`` the resource added in replication ``i``,
``r = mean(b) / mean(c)`` and the Student-t interval of ``(b_i - r c_i) / mean(c)``; exact
when the resource added is the same in every replication (gates, a shift change).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from portsim.stats.kpis import RESOURCE_KPIS
from portsim.stats.summary import Interval, t_interval

#: What the benefit is measured in: hours spent in queues a day, by customers of every station.
BENEFIT = "waiting_hours"
SYSTEM = ("system", "all")
_SUFFIXES = tuple(kpi.key.removeprefix("{resource}") for kpi in RESOURCE_KPIS)


class Named(Protocol):
    """What names KPIs: a comparison, or one run's results."""

    def kpi_names(self, scope: str, name: str) -> list[str]: ...


class Compared(Protocol):
    """What the ledger reads of a comparison
    (:class:`~portsim.experiment.comparison.Comparison`)."""

    variants: Any
    baseline: Any

    def kpi_names(self, scope: str, name: str) -> list[str]: ...
    def summary(self, label: str, scope: str, name: str, kpi: str,
                level: float = 0.95) -> Interval | None: ...
    def difference(self, variant: str, scope: str, name: str, kpi: str,
                   level: float = 0.95) -> Interval | None: ...
    def difference_values(self, variant: str, scope: str, name: str,
                          kpi: str) -> np.ndarray: ...


def ledger_kpis(comparison: Named) -> list[str]:
    """The whole port's ledger KPIs the compared models have: every resource's hours, then the
    call-out hours, then every resource's positions, then the cost."""
    available = comparison.kpi_names(*SYSTEM)
    hours = [kpi for kpi in available if kpi.endswith(_SUFFIXES[0])
             and kpi not in ("on_call_hours", BENEFIT)]
    positions = [kpi for kpi in available if kpi.endswith(_SUFFIXES[1])]
    return [*hours, *(k for k in ("on_call_hours",) if k in available), *positions,
            *(k for k in ("cost",) if k in available)]


def ledger_items(comparison: Compared) -> list[tuple[str, str, str]]:
    """The ledger's (scope, name, kpi) items, the benefit measure last."""
    kpis = ledger_kpis(comparison)
    if BENEFIT in comparison.kpi_names(*SYSTEM):
        kpis.append(BENEFIT)
    return [(*SYSTEM, kpi) for kpi in kpis]


@dataclass(frozen=True)
class PerUnit:
    """A variant's benefit per unit of a resource it clearly adds."""

    per: str
    """The ledger KPI added (``officer_hours``, ``gate_positions``, ``cost``)."""
    added: Interval
    """How much of it the variant adds a day (paired difference)."""
    saved: Interval
    """The waiting-hours a day it saves (paired, baseline − variant)."""
    ratio: Interval
    """Waiting-hours saved a day per unit added."""

    @property
    def key(self) -> str:
        """Its name in comparison.csv: ``waiting_hours_saved_per_extra_officer_hours``."""
        return f"{BENEFIT}_saved_per_extra_{self.per}"

    def as_dict(self) -> dict[str, Any]:
        return {"benefit": ".".join((*SYSTEM, BENEFIT)), "per": ".".join((*SYSTEM, self.per)),
                "added": self.added.as_dict(), "saved": self.saved.as_dict(),
                **self.ratio.as_dict()}


def ratio_interval(benefit: np.ndarray, cost: np.ndarray, level: float = 0.95) -> Interval:
    """mean(benefit) / mean(cost) with the ratio estimator's Student-t interval (paired)."""
    keep = ~(np.isnan(benefit) | np.isnan(cost))
    benefit, cost = benefit[keep], cost[keep]
    if not benefit.size or not np.mean(cost):
        return t_interval((), level)
    ratio = float(np.mean(benefit) / np.mean(cost))
    spread = t_interval((benefit - ratio * cost) / np.mean(cost), level)
    if not math.isfinite(spread.half_width):
        return Interval(ratio, math.nan, math.nan, math.nan, spread.n, level)
    return Interval(ratio, ratio - spread.half_width, ratio + spread.half_width,
                    spread.half_width, spread.n, level)


def per_unit(comparison: Compared, variant: str) -> list[PerUnit]:
    """The variant's benefit per unit of each ledger KPI it clearly adds (its paired interval
    lies above zero); none without the benefit measure on both sides."""
    if not _both_have(comparison, variant, BENEFIT):
        return []
    saved_values = -comparison.difference_values(variant, *SYSTEM, BENEFIT)
    found = []
    for kpi in ledger_kpis(comparison):
        added = comparison.difference(variant, *SYSTEM, kpi)
        if added is None or not _clearly_positive(added):
            continue
        values = comparison.difference_values(variant, *SYSTEM, kpi)
        found.append(PerUnit(kpi, added, t_interval(saved_values),
                             ratio_interval(saved_values, values)))
    return found


def _both_have(comparison: Compared, variant: str, kpi: str) -> bool:
    return comparison.difference(variant, *SYSTEM, kpi) is not None


def _clearly_positive(interval: Interval) -> bool:
    """Above zero: a constant change (zero-width interval) or an interval clear of zero."""
    return interval.mean > 0 and (interval.half_width == 0 or interval.low > 0)


def ledger_dict(comparison: Compared) -> dict[str, Any]:
    """``ledger`` in a comparison's results.json: per variant, the ledger items shown (their
    paired differences are in ``differences``) and the benefit per unit added."""
    items = [".".join(item) for item in ledger_items(comparison)]
    return {variant: {"items": items,
                      "per_unit": [found.as_dict() for found in per_unit(comparison, variant)]}
            for variant in comparison.variants}


def per_unit_rows(comparison: Compared,
                  fields: Callable[[Interval | None], dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """comparison.csv's rows of each variant's benefit per unit added: scope ``system``, name
    ``all``, KPI ``waiting_hours_saved_per_extra_<ledger KPI>``; the ratio and its interval in
    the value columns (``fields`` writes an interval as the file's columns)."""
    for variant in comparison.variants:
        for found in per_unit(comparison, variant):
            yield {"variant": variant, "scope": SYSTEM[0], "name": SYSTEM[1], "kpi": found.key,
                   **fields(found.ratio),
                   **{f"diff_{key}": value for key, value in fields(None).items()}}


__all__ = ["BENEFIT", "PerUnit", "ledger_dict", "ledger_items", "ledger_kpis", "per_unit",
           "per_unit_rows", "ratio_interval"]
