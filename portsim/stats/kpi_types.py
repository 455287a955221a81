"""What a KPI of the catalogue (:mod:`portsim.stats.kpis`) is: its record, the units values are
stored in and how replications are combined."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Scope = Literal["classes", "stations", "system"]
SCOPES: tuple[Scope, ...] = ("classes", "stations", "system")

#: Units. Stored values are minutes, fractions in [0, 1], counts or rates per hour; the ledger
#: of resource use gives hours a day (per 24 hours of the measured span) and a cost a day.
MINUTES, SHARE, COUNT, PER_HOUR, LEVEL = "min", "share", "count", "per hour", "mean level"
HOURS_A_DAY, COST_A_DAY = "hours a day", "cost a day"

AFTER_WARMUP = "after the warm-up"
MEAN_OVER_REPLICATIONS = "mean"
MEAN_OF_QUANTILES = "mean of the replications' quantiles"
MEAN_OF_MAXIMA = "mean of the replications' maxima"


@dataclass(frozen=True)
class Kpi:
    """One KPI of one scope."""

    key: str
    """Its name in results.json, comparison.csv and ``Results.summary``."""
    label: str
    """Its words for people: ``95th percentile wait``."""
    unit: str
    """``min``, ``share`` (a fraction, shown as %), ``count``, ``per hour`` or ``mean level``."""
    counts: str
    """Who or what it counts, and when."""
    aggregate: str = MEAN_OVER_REPLICATIONS
    """How the replications' values are combined (always with a Student-t interval)."""
    only_for: str | None = None
    """A condition for the KPI to exist (``a due time``, ``milestone``); None: always."""
    family: str | None = None
    """The tally a KPI summarises (``wait``), for the seven KPIs every tally has."""
    signed: bool = False
    """A difference of two runs' values (the delay attributed to inspection): it may be below
    zero (a share of it: at most 1)."""

    @property
    def is_share(self) -> bool:
        return self.unit == SHARE

    @property
    def bounds(self) -> tuple[float, float]:
        """The physical range of its values: shares in [0, 1]; every other KPI (times, counts,
        rates, levels, hours and costs a day) is never negative. Reported intervals are cut
        to it. A signed KPI is a difference, with no floor."""
        if self.signed:
            return (-math.inf, 1.0) if self.is_share else (-math.inf, math.inf)
        return (0.0, 1.0) if self.is_share else (0.0, math.inf)
