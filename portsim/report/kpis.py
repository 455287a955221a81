"""Which KPIs a comparison shows, in what words and units, and how numbers are written.

Shared by the terminal table and the HTML report so both say the same thing the same way.
Shares are stored as fractions and shown as percentages; times are minutes. A value a variant
does not have (``None``: a class or station only other variants have) is written "—".
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass

from portsim.stats.kpis import COUNT, MINUTES, lookup
from portsim.stats.summary import FEWEST_REPLICATIONS, MOST_RELATIVE_HALF_WIDTH, Interval
from portsim.wording import standard_words


@dataclass(frozen=True)
class Shown:
    """A KPI as shown to people: label, unit, scale from stored value, decimals."""

    kpi: str
    label: str
    unit: str = ""
    scale: float = 1.0
    digits: int = 2

    def words(self, sla: float | None = None) -> str:
        """Its label, the standard written out: ``share with wait ≤ 30 min``."""
        return self.label.replace("{sla}", standard_words(sla) if sla is not None
                                  else "standard")

    def heading(self, sla: float | None = None) -> str:
        """Its label and unit: ``mean wait (min)``."""
        label = self.words(sla)
        return f"{label} ({self.unit})" if self.unit else label


#: The KPIs the full tables show, by scope, in the catalogue's words (see :func:`shown_kpi`).
SHOWN_KPIS: dict[str, tuple[str, ...]] = {
    "system": ("wait_mean", "wait_sla_share", "sojourn_mean", "throughput_per_hour",
               "in_system_mean", "in_system_end"),
    "classes": ("wait_mean", "wait_p95", "wait_sla_share", "wait_max", "sojourn_mean",
                "throughput_per_hour", "late_share", "lateness_mean"),
    "stations": ("utilisation", "queue_mean", "wait_mean", "wait_p95"),
}

SCOPE_TITLES = {"system": "Whole port", "classes": "By class", "stations": "By station"}


def shown_kpi(scope: str, key: str, digits: int | None = None) -> Shown:
    """A KPI in the catalogue's words: shares in %, times in minutes; ``digits`` overrides
    the decimals its unit gets."""
    entry = lookup(scope, key)
    if entry is None:
        shown = Shown(key, key.replace("_", " "))
    elif entry.is_share:
        shown = Shown(key, entry.label, "%", 100.0, 1)
    elif entry.unit == MINUTES:
        shown = Shown(key, entry.label, "min")
    else:
        shown = Shown(key, entry.label, digits=0 if entry.unit == COUNT else 1)
    return shown if digits is None else dataclasses.replace(shown, digits=digits)


def shown_for(scope: str, available: list[str]) -> Iterator[Shown]:
    """The shown KPIs of ``scope`` that the results actually have."""
    for key in SHOWN_KPIS[scope]:
        if key in available:
            yield shown_kpi(scope, key)
    if scope == "classes":
        # Milestones are named in the scenario (e.g. a ship cleared to berth): show their means.
        for kpi in available:
            if kpi.startswith("until_") and kpi.endswith("_mean"):
                yield shown_kpi(scope, kpi)


#: The most decimals :func:`enough_digits` gives a KPI.
MOST_DIGITS = 4


def enough_digits(shown: Shown, interval: Interval | None) -> Shown:
    """``shown`` with decimals enough for a small difference and its half-width to show at
    least one significant digit (``+0.007 ± 0.002 min``, not ``+0.01 ± 0.00``), up to
    :data:`MOST_DIGITS`."""
    if interval is None:
        return shown
    needed = [-math.floor(math.log10(abs(value * shown.scale)))
              for value in (interval.mean, interval.half_width)
              if math.isfinite(value) and value != 0]
    digits = min(MOST_DIGITS, max([shown.digits, *needed]))
    return dataclasses.replace(shown, digits=digits) if digits > shown.digits else shown


def number(value: float | None, shown: Shown) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value * shown.scale:,.{shown.digits}f}"


#: Marks a mean whose interval is too wide to read it as a figure (:data:`IMPRECISE_NOTE`).
IMPRECISE = "†"
IMPRECISE_NOTE = (f"{IMPRECISE} the 95% half-width exceeds {MOST_RELATIVE_HALF_WIDTH:.0%} of the "
                  "mean: too wide to read the mean as a figure; add replications")
#: How to ask for more replications, for commands that size them by a precision target.
MORE_REPLICATIONS = "--replications N, or --precision 5% to size them"


def spread(interval: Interval, shown: Shown, sign: str = "") -> str:
    """How sure a mean is: ``± 0.30``; where the KPI's physical range cut the interval (a
    share near 100 %, a wait near 0) its two ends, ``(85.3–100.0)`` (``(-0.2 to +1.0)`` for a
    difference, ``sign="+"``); "" when unknown."""
    if not math.isfinite(interval.half_width):
        return ""
    if interval.bounded:
        low, high = (f"{end * shown.scale:{sign},.{shown.digits}f}"
                     for end in (interval.low, interval.high))
        return f"({low} to {high})" if sign else f"({low}–{high})"
    return f"± {number(interval.half_width, shown)}"


def with_interval(interval: Interval | None, shown: Shown, *, flag: bool = True) -> str:
    """``mean ± half-width`` (the ends instead where the physical range cut the interval,
    just the mean when the half-width is unknown), marked :data:`IMPRECISE` when too wide
    (and ``flag``)."""
    if interval is None:
        return "—"
    text = " ".join(part for part in (number(interval.mean, shown), spread(interval, shown))
                    if part)
    return text + (f" {IMPRECISE}" if flag and interval.imprecise else "")


def signed(interval: Interval | None, shown: Shown) -> str:
    """A difference: ``+1.20 ± 0.30`` (never flagged: its interval is read against 0)."""
    if interval is None or not math.isfinite(interval.mean):
        return "—"
    text = f"{interval.mean * shown.scale:+,.{shown.digits}f}"
    return " ".join(part for part in (text, spread(interval, shown, "+")) if part)


def significant(interval: Interval | None) -> bool:
    """Whether the interval excludes zero (a difference not explained by chance at its level).

    An exactly zero difference in every replication (a KPI the variant does not touch) has a
    zero-width interval at 0 and is not significant.
    """
    return interval is not None and interval.excludes_zero


def few_replications(replications: int, how: str = MORE_REPLICATIONS) -> str | None:
    """The warning for a run of fewer than :data:`FEWEST_REPLICATIONS` replications (``how``:
    the options that ask for more)."""
    if replications >= FEWEST_REPLICATIONS:
        return None
    return (f"only {counted(replications, 'replication')}: intervals from fewer than "
            f"{FEWEST_REPLICATIONS} rest on too rough a spread to act on; run 10 or more "
            f"({how})")


def counted(count: int, noun: str) -> str:
    """``1 replication``, ``2 replications``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
