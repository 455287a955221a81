"""The headline of a comparison in words: per variant, what it buys, for whom, who pays.

One row per (variant, headline KPI, chosen by :mod:`portsim.experiment.headline`): the
baseline's and the variant's values, the paired difference with its 95 % interval, the change
in % of the baseline, and a verdict: better or worse when the interval excludes zero (which way
is better is the catalogue's), "no clear change" otherwise, "n/a" where one side lacks the KPI.
The change in % is left out ("—") for shares (their difference is already in percentage
points) and where the baseline is near zero, where a percentage says nothing (0.04 → 0.15 min
is not "+263 %"). The terminal, the HTML report and the forest plot all read these rows, and
each variant's :func:`sentence` says it in one line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from portsim.experiment.comparison import Comparison
from portsim.experiment.headline import (
    ALSO,
    BETTER,
    CHANGED,
    NOT_APPLICABLE,
    PORT,
    PURPOSE,
    SERVED,
    UNCLEAR,
    WORSE,
    verdict,
)
from portsim.experiment.pledge import Verdict, pledge_words, pledged_classes
from portsim.experiment.pledge import verdict as pledge_verdict
from portsim.report.kpis import (
    IMPRECISE,
    Shown,
    enough_digits,
    number,
    shown_for,
    shown_kpi,
    signed,
)
from portsim.report.ledger import bundle_note, cost_words
from portsim.stats.summary import Interval

#: Below this baseline (in the KPI's shown unit: 1 minute, 1 an hour, 1 customer) a change in
#: % of the baseline says nothing: only the change itself is shown.
NEAR_ZERO = 1.0
#: At most this many subjects are named in a sentence's "who pays" (the table lists them all).
MOST_NAMED = 4


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
    why: str = ALSO
    words: str | None = None

    @property
    def subject(self) -> str:
        """Whom the KPI is about: a class, a station, or the whole port."""
        return "whole port" if self.scope == "system" else self.name

    def label(self, sla: float | None) -> str:
        return f"{self.subject}: {self.shown.heading(sla)}"

    @property
    def change_percent(self) -> float:
        """The difference in % of the baseline's mean; nan for a share, and where the baseline
        is near zero or unknown."""
        if (self.difference is None or self.baseline is None or self.shown.unit == "%"
                or not abs(self.baseline.mean * self.shown.scale) >= NEAR_ZERO):
            return math.nan
        return 100.0 * self.difference.mean / abs(self.baseline.mean)

    @property
    def verdict(self) -> str:
        return verdict(self.difference, self.kpi)

    @property
    def imprecise(self) -> bool:
        """Whether the baseline's or the variant's mean is marked too imprecise to read."""
        return any(side is not None and side.imprecise for side in (self.baseline, self.value))

    def change_words(self) -> str:
        """The difference with its unit: ``+2.90 ± 0.80 min``, ``-5.0 ± 2.0 points``."""
        unit = {"%": " points", "": ""}.get(self.shown.unit, f" {self.shown.unit}")
        return signed(self.difference, self.shown) + unit

    def cells(self, sla: float | None) -> list[str]:
        """Label, baseline, variant, difference ± half-width, % change, verdict."""
        change = self.change_percent
        return [self.label(sla), _value(self.baseline, self.shown),
                _value(self.value, self.shown), signed(self.difference, self.shown),
                f"{change:+.0f} %" if math.isfinite(change) else "—", self.verdict]


HEADERS = ("KPI", "baseline", "variant", "Δ (95% CI)", "change", "verdict")


def _value(interval: Interval | None, shown: Shown) -> str:
    """The mean, marked when its interval is too wide to read it as a figure."""
    if interval is None:
        return "—"
    return number(interval.mean, shown) + (f" {IMPRECISE}" if interval.imprecise else "")


def headline_rows(comparison: Comparison) -> dict[str, list[HeadlineRow]]:
    """The headline rows of each variant, in the comparison's order."""
    rows: dict[str, list[HeadlineRow]] = {}
    for variant in comparison.variants:
        rows[variant] = []
        for pick in comparison.headline.get(variant, []):
            difference = comparison.difference(variant, *pick.item)
            rows[variant].append(HeadlineRow(
                variant, pick.scope, pick.name, pick.kpi,
                enough_digits(shown_kpi(pick.scope, pick.kpi), difference),
                comparison.summary("baseline", *pick.item),
                comparison.summary(variant, *pick.item), difference, pick.why, pick.words))
    return rows


def cost_clause(comparison: Comparison, variant: str) -> str:
    """"At what cost": the variant's change in resource use a day (officer-hours, call-out
    hours, positions, cost; see :mod:`portsim.experiment.ledger`) and its benefit per unit of
    cost (or, unpriced, of the first resource it adds); the ledger table beside the headline
    has every ratio. A variant of several changes says the ratio is the whole bundle's."""
    changed, ratios = cost_words(comparison, variant)
    return changed + (f" ({ratios[0]}{bundle_note(comparison, variant)})" if ratios else "")


def _buys(variant: str, rows: list[HeadlineRow], sla: float | None) -> tuple[str, set[str]]:
    """What the variant buys: its purpose where that clearly improved, else every clear
    improvement; and the subjects named."""
    purpose = [row for row in rows if row.why == PURPOSE]
    gained = ([row for row in purpose if row.verdict == BETTER]
              or [row for row in rows if row.verdict == BETTER and row.why != PORT])
    if gained:
        by_subject: dict[str, list[HeadlineRow]] = {}
        for row in gained:
            by_subject.setdefault(row.subject, []).append(row)
        bought = "; ".join(
            f"for {subject}: " + ", ".join(f"{row.words or row.shown.words(sla)} "
                                           f"{row.change_words()}{_percent(row)}"
                                           for row in found[:2])
            for subject, found in list(by_subject.items())[:MOST_NAMED])
        more = len(by_subject) - MOST_NAMED
        text = f"{variant} buys {bought}" + (f"; and for {more} more" if more > 0 else "")
        return text, set(list(by_subject)[:MOST_NAMED])
    aims = ", ".join(dict.fromkeys(f"{row.words or row.shown.words(sla)} of {row.subject}"
                                   for row in purpose if row.verdict == UNCLEAR))
    if aims:
        return f"{variant} buys no clear change in what it is for ({aims})", set()
    return f"{variant} buys no clear improvement", set()


def _one_side(rows: list[HeadlineRow], sla: float | None) -> list[str]:
    """Who is only in the variant (with what they get) or only in the baseline."""
    clauses = []
    new = [row for row in rows if row.baseline is None and row.value is not None]
    if new:
        clauses.append("only in the variant: " + _named(new, sla, value=True))
    gone = [row for row in rows if row.value is None and row.baseline is not None]
    if gone:
        clauses.append("only in the baseline: " + _named(gone, sla, value=True))
    return clauses


def _percent(row: HeadlineRow) -> str:
    change = row.change_percent
    return f" ({change:+.0f} %)" if math.isfinite(change) else ""


def _named(rows: list[HeadlineRow], sla: float | None, *, kpis: bool = False,
           value: bool = False) -> str:
    """Subjects, in order, each with (up to two of) its KPIs and their changes when ``kpis``,
    or their values when ``value``; at most :data:`MOST_NAMED`, then how many more."""
    by_subject: dict[str, list[HeadlineRow]] = {}
    for row in rows:
        by_subject.setdefault(row.subject, []).append(row)

    def said(row: HeadlineRow) -> str:
        if kpis:
            return f"{row.shown.words(sla)} {row.change_words()}"
        shown = row.value if row.value is not None else row.baseline
        unit = {"%": " %", "": ""}.get(row.shown.unit, f" {row.shown.unit}")
        return f"{row.shown.words(sla)} {_value(shown, row.shown)}{unit}"

    named = [subject + (" (" + ", ".join(said(row) for row in found[:2]) + ")"
                        if kpis or value else "")
             for subject, found in list(by_subject.items())[:MOST_NAMED]]
    more = len(by_subject) - MOST_NAMED
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")


def sentence(variant: str, rows: list[HeadlineRow], sla: float | None,
             cost: str | None = None, saves: str | None = None) -> str:
    """One line a planner reads first: what the variant buys (its purpose), who else gains,
    who pays (every KPI clearly worse), and — given the cost ledger's ``cost`` — at what
    cost. A variant that only gives resources back (``saves``, see
    :func:`portsim.report.ledger.saving_words`) says first what it saves, then who pays."""
    people = [row for row in rows if row.why != PORT]
    bought, named = _buys(variant, rows, sla)
    if saves is not None:
        bought = (f"{variant} saves {saves}" if not named
                  else f"{bought}, and saves {saves}")
        cost = None
    gains = [row for row in people if row.verdict == BETTER and row.subject not in named]
    worse = [row for row in people if row.verdict == WORSE] or [
        row for row in rows if row.verdict == WORSE]
    clauses = [bought, *_one_side(people, sla)]
    if gains:
        clauses.append(f"also better for {_named(gains, sla)}")
    clauses.append(f"who pays: {_named(worse, sla, kpis=True)}" if worse
                   else "nobody is clearly worse off")
    if cost is not None:
        clauses.append(f"at what cost: {cost}")
    return "; ".join(clauses) + " (95% paired intervals)."


def imprecise_shown(comparison: Comparison, *, detail: bool) -> bool:
    """Whether a mean shown (in the headline; with ``detail`` in the full tables too) is
    marked too imprecise to read."""
    if any(row.imprecise for rows in headline_rows(comparison).values() for row in rows):
        return True
    return detail and any(
        found is not None and found.imprecise
        for scope in ("system", "classes", "stations") for name in comparison.names(scope)
        for shown in shown_for(scope, comparison.kpi_names(scope, name))
        for found in (comparison.summary(label, scope, name, shown.kpi)
                      for label in comparison.labels))


def pledge_grid(comparison: Comparison) -> dict[str, dict[str, Verdict | None]] | None:
    """Per class the pledge counts (in any label), per label, the pledge verdict over the
    clock slots (None where the label's model lacks the class or its pledge does not count
    it); None when no results were filed by slot."""
    names = [name for name in comparison.names("classes")
             if any(pledged_classes(comparison.results(label), [name])
                    for label in comparison.labels)]
    grid = {name: {label: (pledge_verdict(comparison.results(label), "classes", name)
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


__all__ = ["ALSO", "BETTER", "CHANGED", "HEADERS", "NOT_APPLICABLE", "PORT", "PURPOSE",
           "SERVED", "UNCLEAR", "WORSE", "HeadlineRow", "cost_clause", "headline_rows",
           "imprecise_shown", "pledge_grid", "pledge_title", "sentence"]
