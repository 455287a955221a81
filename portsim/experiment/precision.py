"""Replications that size themselves: add rounds until every watched KPI is precise enough.

``--precision 5%`` asks that the 95 % half-width of each watched KPI be at most 5 % of its mean
(for shares: 5 percentage points). After each round the replications still needed are estimated
from the half-widths seen, ``n * (half_width / allowed) ** 2`` (the usual sample-size rule, on the
normal quantile), and the next round runs up to that many, never more than the cap.
Replication ``i`` always draws from the streams keyed ``(seed, i)``, so a run that stops at
``n`` replications is byte-identical to a fixed run of ``n``, whatever the rounds and workers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from portsim.stats.kpis import lookup
from portsim.stats.summary import normal_quantile, t_quantile

if TYPE_CHECKING:
    from portsim.experiment.results import Results

Item = tuple[str, str, str]

#: The finest precision asked for: a half-width shrinks with the square root of the
#: replications, so a millionth of the mean is beyond any run within the limits.
FINEST = 1e-6
#: KPIs watched when none are named: each class's mean wait and share within the standard.
DEFAULT_KPIS = ("wait_mean", "wait_sla_share")


@dataclass(frozen=True)
class Precision:
    """A precision target for a run."""

    target: float
    """Allowed 95 % half-width: relative to the mean, or absolute for shares."""
    kpis: tuple[Item, ...] = ()
    """(scope, name, kpi) to watch; empty: every class's mean wait and share within the
    standard."""
    most: int = 200
    """The most replications per model."""
    first: int = 10
    """The fewest replications of the first round: the spread estimated from fewer is too
    noisy to stop on (stopping when a small sample happens to look precise undercovers)."""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.target) and self.target > 0):
            raise ValueError(f"a precision target must be a positive number, not {self.target}")
        if self.most < 2:
            raise ValueError("a precision cap must allow at least 2 replications")
        if self.first < 2:
            raise ValueError("a precision's first round needs at least 2 replications")

    def watched(self, results: Results) -> Iterator[Item]:
        if self.kpis:
            yield from self.kpis
            return
        for name in results.names("classes"):
            for kpi in DEFAULT_KPIS:
                yield "classes", name, kpi

    def allowed(self, scope: str, kpi: str, mean: float) -> float:
        """The half-width allowed for a KPI whose mean is ``mean``."""
        entry = lookup(scope, kpi)
        if entry is not None and entry.is_share:
            return self.target
        return self.target * abs(mean)

    def shortfall(self, results: Iterable[Results]) -> int:
        """Replications each model needs in all, judged on what has run (0: precise enough)."""
        needed = 0
        for result in results:
            count = len(result.replications)
            for scope, name, kpi in self.watched(result):
                interval = result.summary(scope, name, kpi)
                if interval.n < 2:
                    # One replication says nothing of its own precision; a KPI that stays
                    # empty in most replications cannot be made precise by more of them.
                    if count < 2:
                        needed = max(needed, 2)
                    continue
                allowed = self.allowed(scope, kpi, interval.mean)
                if interval.half_width <= allowed:
                    continue
                if allowed <= 0:
                    needed = max(needed, self.most)
                    continue
                # The half-width of n more replications shrinks with sqrt(n) and with the t
                # quantile (large with few replications): estimate on the normal quantile.
                spread = interval.half_width / t_quantile(interval.n - 1, 0.975)
                ratio = normal_quantile(0.975) * spread / allowed
                estimate = min(interval.n * ratio * ratio, float(self.most))  # never inf
                needed = max(needed, count + 1, math.ceil(estimate))
        return needed

    def report(self, result: Results) -> dict[str, Any]:
        """What results.json records: the target, the replications used, each watched KPI's
        half-width and whether it met the target."""
        rows = []
        for scope, name, kpi in self.watched(result):
            interval = result.summary(scope, name, kpi)
            allowed = self.allowed(scope, kpi, interval.mean)
            met = math.isfinite(interval.half_width) and interval.half_width <= allowed
            rows.append({"scope": scope, "name": name, "kpi": kpi,
                         "half_width": _finite(interval.half_width),
                         "allowed": _finite(allowed), "met": met})
        return {"target": self.target, "most": self.most,
                "replications": len(result.replications), "kpis": rows}


def next_count(current: int, needed: int, most: int) -> int:
    """Replications for the next round: what the estimate says, at least one more and at most
    four times as many (an estimate from few replications is itself noisy), capped."""
    return min(most, 4 * current, max(current + 1, needed))


def parse_precision(text: str) -> float:
    """``5%`` → 0.05; ``0.05`` → 0.05."""
    written = text.strip()
    try:
        value = float(written[:-1]) / 100 if written.endswith("%") else float(written)
    except ValueError:
        raise ValueError(f"--precision {text!r}: expected a share such as 5% or 0.05") from None
    if not (math.isfinite(value) and 0 < value < 1):
        raise ValueError(f"--precision {text!r}: must be between 0 and 100%")
    if value < FINEST:
        raise ValueError(f"--precision {text!r}: finer than {FINEST:.4%}, which no number of "
                         "replications within the limits reaches")
    return value


def parse_items(texts: Sequence[str]) -> tuple[Item, ...]:
    """``classes.car.wait_mean`` → ("classes", "car", "wait_mean")."""
    items = []
    for text in texts:
        parts = text.split(".")
        if len(parts) != 3:
            raise ValueError(f"--precision-kpi {text!r}: expected SCOPE.NAME.KPI")
        items.append((parts[0], parts[1], parts[2]))
    return tuple(items)


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


__all__ = ["DEFAULT_KPIS", "FINEST", "Precision", "next_count", "parse_items", "parse_precision"]
