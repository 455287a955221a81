"""What a variant costs, in words, beside its benefit: the ledger rows of a comparison's
headline (see :mod:`portsim.experiment.ledger`) for the terminal and the HTML report.

Per variant: each resource's hours on duty a day, the call-out hours, the positions installed
(a capital change where they differ), the cost a day where the scenario prices them, and the
waiting-hours a day, each against the baseline with its paired 95 % interval; then the
waiting-hours it saves per unit of each resource it adds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from portsim.experiment.ledger import BENEFIT, SYSTEM, PerUnit, ledger_items, per_unit
from portsim.report.kpis import Shown, number, shown_kpi, signed
from portsim.stats.summary import Interval

if TYPE_CHECKING:
    from portsim.experiment.comparison import Comparison
    from portsim.experiment.results import Results

HEADERS = ("resource use a day", "baseline", "variant", "Δ (95% CI)")


@dataclass(frozen=True)
class LedgerRow:
    """One ledger KPI of a variant against the baseline."""

    kpi: str
    shown: Shown
    baseline: Interval | None
    value: Interval | None
    difference: Interval | None

    @property
    def capital(self) -> bool:
        """Positions that differ: an investment (or a saving) in places to serve at."""
        return (self.kpi.endswith("_positions") and self.difference is not None
                and self.difference.mean != 0)

    def cells(self) -> list[str]:
        label = self.shown.heading() + (" — a capital change" if self.capital else "")
        return [label, _value(self.baseline, self.shown), _value(self.value, self.shown),
                change(self.difference, self.shown)]


def change(difference: Interval | None, shown: Shown) -> str:
    """A paired difference; one that is the same in every replication (a schedule, positions)
    without its zero half-width, and none at all as ``0``."""
    if difference is not None and difference.half_width == 0:
        return "0" if difference.mean == 0 else signed(
            Interval(difference.mean, difference.mean, difference.mean, math.nan, 1), shown)
    return signed(difference, shown)


def _value(interval: Interval | None, shown: Shown) -> str:
    return "—" if interval is None else number(interval.mean, shown)


def currency(comparison: Comparison) -> str | None:
    """The label of the scenario's prices (``costs.currency``), if it gives one."""
    return results_currency(comparison.baseline)


def results_currency(results: Results) -> str | None:
    """The label of the prices of the scenario a run's results come from."""
    resolved = results.provenance.get("scenario", {}).get("resolved") or {}
    costs = resolved.get("costs") or {}
    return costs.get("currency")


def _shown(comparison: Comparison, kpi: str) -> Shown:
    shown = shown_kpi(SYSTEM[0], kpi)
    if kpi == "cost":
        unit = currency(comparison)
        return Shown(kpi, "cost a day", unit or "", digits=0)
    return shown


def ledger_rows(comparison: Comparison, variant: str) -> list[LedgerRow]:
    """The ledger rows of ``variant``, the waiting-hours (its benefit measure) last."""
    rows = []
    for scope, name, kpi in ledger_items(comparison):
        rows.append(LedgerRow(kpi, _shown(comparison, kpi),
                              comparison.summary("baseline", scope, name, kpi),
                              comparison.summary(variant, scope, name, kpi),
                              comparison.difference(variant, scope, name, kpi)))
    return rows


def unit_words(comparison: Comparison, kpi: str, plural: bool = False) -> str:
    """A ledger KPI's unit: ``officer-hour``, ``gate position``, ``call-out hour``; plural,
    as a noun after a number: ``officer-hours a day``, ``gate positions``."""
    if kpi == "cost":
        unit = currency(comparison)
        return (f"{unit or 'cost'} a day" if plural else f"{unit or 'unit'} of cost")
    resource, _, what = kpi.rpartition("_")
    words = ("call-out hour" if kpi == "on_call_hours" else
             resource.replace("_", " ") + ("-hour" if what == "hours" else " position"))
    return f"{words}s" + (" a day" if what == "hours" else "") if plural else words


def per_unit_words(comparison: Comparison, found: PerUnit) -> tuple[str, str]:
    """(label, value) of a benefit per unit added: ``waiting-hours saved per extra
    officer-hour``; a position is had all day: ``waiting-hours saved a day per extra gate
    position``; a cost a day: ``waiting-hours saved per CNY spent``."""
    if found.per == "cost":
        per = f"per {currency(comparison) or 'unit of cost'} spent"
    elif found.per.endswith("_positions"):
        per = f"a day per extra {unit_words(comparison, found.per)}"
    else:
        per = f"per extra {unit_words(comparison, found.per)}"
    ratio = found.ratio
    # A variant whose waits clearly grow as it adds resources adds waiting-hours: said so,
    # rather than as a negative saving.
    spread = ratio.half_width if math.isfinite(ratio.half_width) else 0.0
    added = math.isfinite(ratio.mean) and ratio.mean + spread < 0
    shown = -ratio.mean if added else ratio.mean
    text = f"{shown:,.2f}" if math.isfinite(shown) else "—"
    if spread > 0:
        text += f" ± {spread:,.2f}"
    return f"waiting-hours {'added' if added else 'saved'} {per}", text


def cost_words(comparison: Comparison, variant: str) -> tuple[str, list[str]]:
    """What the variant costs, in words: the ledger KPIs it changes, with their paired
    intervals (``+36.0 officer-hours a day, +2 officer positions, +2,360 CNY a day``); and its
    benefit per unit of each resource it adds, per unit of cost first where the scenario prices
    its resources (the one a decision weighs)."""
    changed = [row for row in ledger_rows(comparison, variant)
               if row.kpi != BENEFIT and row.difference is not None
               and row.difference.mean != 0]
    text = ("no change in resource use" if not changed else ", ".join(
        f"{change(row.difference, row.shown)} "
        f"{unit_words(comparison, row.kpi, not _one_position(row))}" for row in changed))
    ratios = sorted(per_unit(comparison, variant), key=lambda found: found.per != "cost")
    return text, [f"{value} {label}" for label, value in
                  (per_unit_words(comparison, found) for found in ratios)]


def saving_words(comparison: Comparison, variant: str) -> str | None:
    """What a variant that only gives resources back saves, in words and without the minus
    sign (``77.3 officer-hours a day ± 4.1``); None when it adds any resource or changes none.
    Such a variant is a saving to be paid for in waiting, not a benefit bought at a cost."""
    changed = [(row, row.difference) for row in ledger_rows(comparison, variant)
               if row.kpi != BENEFIT and row.difference is not None
               and row.difference.mean != 0]
    if not changed or any(difference.mean > 0 for _, difference in changed):
        return None
    return ", ".join(
        f"{change(_given_back(difference), row.shown).lstrip('+')} "
        f"{unit_words(comparison, row.kpi, not _one_position(row))}"
        for row, difference in changed)


def _given_back(difference: Interval) -> Interval:
    """A decrease read as the amount given back (its interval mirrored)."""
    return Interval(-difference.mean, -difference.high, -difference.low,
                    difference.half_width, difference.n, difference.level)


def _one_position(row: Any) -> bool:
    """Whether the row adds or removes exactly one position (``+1 gate position``)."""
    return row.kpi.endswith("_positions") and abs(row.difference.mean) == 1


def cost_sentence(comparison: Comparison, variant: str) -> str:
    """One line on what the variant costs: the ledger KPIs it changes, with their paired
    intervals, and its benefit per unit added."""
    changed, ratios = cost_words(comparison, variant)
    return (f"{variant} costs: {changed}" + ("; " + ", ".join(ratios) if ratios else "")
            + (bundle_note(comparison, variant) if ratios else ""))


def bundle_note(comparison: Comparison, variant: str) -> str:
    """Where the variant changes several values at once, that the figure per unit added (a
    saving, or waiting-hours added) is the whole variant's (a part of it may come from another
    change: more e-gates that also widen who may use them), and how to split it; empty for a
    single change."""
    paths = [change.path for change in comparison.changes.get(variant, [])
             if change.path != "description"]
    if len(paths) < 2:
        return ""
    return (f" (that figure is for all {len(paths)} changes the variant makes together; "
            f"compare --decompose {variant} shows each one's share)")


def ledger_table_rows(comparison: Comparison, variant: str) -> list[tuple[list[str], Any]]:
    """The table's rows: (cells, kind) with kind ``ledger`` or ``per_unit``."""
    rows: list[tuple[list[str], Any]] = [(row.cells(), "ledger")
                                         for row in ledger_rows(comparison, variant)]
    for found in per_unit(comparison, variant):
        label, value = per_unit_words(comparison, found)
        rows.append(([label, "", "", value], "per_unit"))
    return rows


__all__ = ["HEADERS", "LedgerRow", "bundle_note", "change", "cost_sentence", "cost_words",
           "currency", "ledger_rows", "ledger_table_rows", "per_unit_words",
           "results_currency", "saving_words", "unit_words"]
