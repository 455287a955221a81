"""The headline of a comparison: per variant, its few KPIs against the baseline, in words.

One row per (variant, headline KPI): the baseline's and the variant's values, the paired
difference with its 95 % interval, the change in % of the baseline, and a verdict: better or
worse when the interval excludes zero (which way is better is the catalogue's), "no clear
change" otherwise. The terminal, the HTML report and the forest plot all read these rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from portsim.experiment.comparison import Comparison
from portsim.experiment.pledge import Verdict, pledge_words, pledged_classes, verdict
from portsim.report.kpis import Shown, number, shown_kpi, signed, significant
from portsim.stats.kpis import direction
from portsim.stats.summary import Interval

BETTER, WORSE, UNCLEAR, CHANGED = "better", "worse", "no clear change", "changed"


@dataclass(frozen=True)
class HeadlineRow:
    variant: str
    scope: str
    name: str
    kpi: str
    shown: Shown
    baseline: Interval | None
    value: Interval | None
    difference: Interval | None

    @property
    def subject(self) -> str:
        """Whom the KPI is about: a class, a station, or the whole port."""
        return "whole port" if self.scope == "system" else self.name

    def label(self, sla: float | None) -> str:
        return f"{self.subject}: {self.shown.heading(sla)}"

    @property
    def change_percent(self) -> float:
        """The difference in % of the baseline's mean (nan when that is 0 or unknown)."""
        if self.difference is None or self.baseline is None or not self.baseline.mean:
            return math.nan
        return 100.0 * self.difference.mean / abs(self.baseline.mean)

    @property
    def verdict(self) -> str:
        if self.difference is None or not significant(self.difference):
            return UNCLEAR
        way = direction(self.kpi)
        if way == 0:
            return CHANGED
        return BETTER if (self.difference.mean > 0) == (way > 0) else WORSE

    def cells(self, sla: float | None) -> list[str]:
        """Label, baseline, variant, difference ± half-width, % change, verdict."""
        change = self.change_percent
        return [self.label(sla), _value(self.baseline, self.shown),
                _value(self.value, self.shown), signed(self.difference, self.shown),
                f"{change:+.0f} %" if math.isfinite(change) else "—", self.verdict]


HEADERS = ("KPI", "baseline", "variant", "Δ (95% CI)", "change", "verdict")


def _value(interval: Interval | None, shown: Shown) -> str:
    return "—" if interval is None else number(interval.mean, shown)


def headline_rows(comparison: Comparison) -> dict[str, list[HeadlineRow]]:
    """The headline rows of each variant, in the comparison's order."""
    rows: dict[str, list[HeadlineRow]] = {}
    for variant in comparison.variants:
        rows[variant] = [
            HeadlineRow(variant, scope, name, kpi, shown_kpi(scope, kpi),
                        comparison.summary("baseline", scope, name, kpi),
                        comparison.summary(variant, scope, name, kpi),
                        comparison.difference(variant, scope, name, kpi))
            for scope, name, kpi in comparison.headline.get(variant, [])]
    return rows


def sentence(variant: str, rows: list[HeadlineRow], sla: float | None) -> str:
    """One line a planner reads first: how many headline KPIs got better, worse, or did not
    clearly change, and the largest clear improvement."""
    better = [row for row in rows if row.verdict == BETTER]
    worse = [row for row in rows if row.verdict == WORSE]
    text = (f"{variant}: {len(better)} of {len(rows)} headline KPIs better, {len(worse)} worse "
            "(95% paired intervals)")
    if better:
        best = max(better, key=lambda row: abs(row.change_percent)
                   if math.isfinite(row.change_percent) else 0.0)
        diff = best.difference
        assert diff is not None
        text += (f"; largest: {best.label(sla)} {signed(diff, best.shown)} "
                 f"({best.change_percent:+.0f} %)")
    return text


def pledge_grid(comparison: Comparison) -> dict[str, dict[str, Verdict | None]] | None:
    """Per class the pledge counts (in any label), per label, the pledge verdict over the
    clock slots (None where the label's model lacks the class or its pledge does not count
    it); None when no results were filed by slot."""
    names = [name for name in comparison.names("classes")
             if any(pledged_classes(comparison.results(label), [name])
                    for label in comparison.labels)]
    grid = {name: {label: (verdict(comparison.results(label), "classes", name)
                           if comparison.results(label).has("classes", name)
                           and pledged_classes(comparison.results(label), [name]) else None)
                   for label in comparison.labels}
            for name in names}
    if not any(found is not None and found.slots for row in grid.values()
               for found in row.values()):
        return None
    return grid


def pledge_title(comparison: Comparison) -> str:
    """``The pledge: at least 80% wait ≤ 20 s in every half-hour of arrival`` (the file's
    share, standard, slot and measure)."""
    return f"The pledge: {pledge_words(comparison.baseline)}"


__all__ = ["BETTER", "HEADERS", "UNCLEAR", "WORSE", "HeadlineRow", "headline_rows",
           "pledge_grid", "pledge_title", "sentence"]
