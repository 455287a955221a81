"""Compare a scenario's baseline with its variants on common random numbers.

Every variant runs with the baseline's seed, so replication ``i`` of each variant sees the same
arrivals and service draws wherever the variant did not change them. Differences are therefore
taken replication by replication (paired), and their Student-t interval is usually much narrower
than the two variants' own intervals would suggest: that is what common random numbers buy.

A variant may add or drop classes, stations and policies (and so the stations a policy
creates). A comparison covers the union of every (scope, name, KPI) of the baseline and its
variants — the baseline's first, in its order, then what each variant adds, in variant order —
and a variant lacking an item has no value for it; a paired difference exists only where both
the baseline and the variant have the item.

``Comparison.to_dict()`` is what ``results.json`` holds and ``Comparison.rows()`` what
``comparison.csv`` holds; both are documented in ``docs/results.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Unpack

import numpy as np

from portsim.errors import PortsimError, ScenarioError
from portsim.experiment import frames
from portsim.experiment.attribution import Attribution, attribute, counterfactuals, inspections
from portsim.experiment.headline import COST, Pick, choose, focus, verdict
from portsim.experiment.ledger import SYSTEM, ledger_dict, ledger_items, ledger_kpis, per_unit_rows
from portsim.experiment.options import RunOptions, RunSettings, run_options
from portsim.experiment.results import (
    EVERY,
    SCOPES,
    TOGETHER_AFTER,
    Memo,
    Results,
    union_items,
    union_kpis,
    union_names,
)
from portsim.experiment.runner import prepare, run_prepared
from portsim.stats.kpis import difference_bounds
from portsim.stats.summary import Interval, t_interval, t_intervals

if TYPE_CHECKING:
    from portsim.experiment.forecast import Forecast

BASELINE = "baseline"
FORMAT = "portsim-comparison/1"
#: A paired difference at most this share of the values compared is rounding, not a change.
ROUNDING = 1e-9
#: The fields of an interval in comparison.csv, empty where a variant lacks the item.
INTERVAL_FIELDS = tuple(t_interval(()).as_dict())


class VariantError(PortsimError):
    """A variant asked for that the scenario does not have."""


@dataclass(frozen=True)
class Change:
    """One value a variant changes, by its dotted path in the resolved scenario (minutes)."""

    path: str
    baseline: Any
    variant: Any


@dataclass(repr=False)
class Comparison:
    """The baseline's and each variant's results, run on common random numbers."""

    baseline: Results
    variants: dict[str, Results]
    changes: dict[str, list[Change]] = field(default_factory=dict)
    description: str | None = None
    #: Per variant, the KPIs that say what it buys, for whom, and who pays (see .headline).
    headline: dict[str, list[Pick]] = field(default_factory=dict)
    #: The delay attributed to border inspection (``attribute_delay``); None: not asked for.
    attribution: Attribution | None = None
    # NOTE: each paired difference kept once worked out, for performance reasons: the
    # tables, plots and files ask for the same ones several times
    _differences: Memo = field(default_factory=Memo, init=False, repr=False, compare=False)

    def __repr__(self) -> str:
        # Every variant's replications would print (millions of characters): say what ran.
        variants = ", ".join(repr(label) for label in self.variants) or "none"
        return (f"<Comparison {self.name!r}: baseline and {len(self.variants)} variants "
                f"({variants}), {self.replications} replications each on common random "
                f"numbers, seed {self.seed}; .summary_frame() for the paired differences>")

    # ------------------------------------------------------------------ access

    @property
    def name(self) -> str:
        return str(self.baseline.provenance.get("scenario", {}).get("name", self.baseline.name))

    @property
    def seed(self) -> int:
        return self.baseline.seed

    @property
    def replications(self) -> int:
        return len(self.baseline.replications)

    @property
    def sla(self) -> float | None:
        return self.baseline.sla

    @property
    def labels(self) -> list[str]:
        """``"baseline"`` first, then the variants in the order they were asked for."""
        return [BASELINE, *self.variants]

    @property
    def all(self) -> list[Results]:
        return [self.baseline, *self.variants.values()]

    def results(self, label: str) -> Results:
        return self.baseline if label == BASELINE else self.variants[label]

    def names(self, scope: str) -> list[str]:
        """Classes or stations (``scope``) of the baseline or of any variant: the baseline's
        in its order, then those the variants add, in variant order."""
        return union_names(self.all, scope)

    def kpi_names(self, scope: str, name: str) -> list[str]:
        """The KPIs of ``name`` in the baseline or in any variant, ordered as :meth:`names`."""
        return union_kpis(self.all, scope, name)

    def labels_with(self, scope: str, name: str) -> list[str]:
        """The labels whose model has the class or station ``name``."""
        return [label for label in self.labels if self.results(label).has(scope, name)]

    def summary(self, label: str, scope: str, name: str, kpi: str,
                level: float = 0.95) -> Interval | None:
        """The KPI's mean and interval in ``label``; ``None`` if that model lacks it."""
        results = self.results(label)
        return results.summary(scope, name, kpi, level) if results.has(scope, name, kpi) else None

    def values(self, label: str, scope: str, name: str, kpi: str) -> np.ndarray | None:
        """The KPI's value in each replication of ``label``; None if that model lacks it."""
        results = self.results(label)
        return results.per_replication(scope, name, kpi) if results.has(scope, name, kpi) else None

    def difference_values(self, variant: str, scope: str, name: str, kpi: str) -> np.ndarray:
        """Per replication: the variant's value minus the baseline's (paired by replication).

        Both must have the KPI (see :meth:`difference`), except a resource of the ledger that
        one side does not use at all (a baseline calling in nobody, a variant without gates):
        it uses 0 of it. A difference within rounding of the values themselves
        (:data:`ROUNDING`) is none: the fast path and the event engine give one value in
        another order of additions, and a KPI a variant does not touch must not read "changed"
        because its baseline ran on the other engine.
        """
        return _paired_differences(self._values(self.variants[variant], scope, name, kpi),
                                   self._values(self.baseline, scope, name, kpi))

    def _values(self, results: Results, scope: str, name: str, kpi: str) -> np.ndarray:
        if results.has(scope, name, kpi) or not self.absent_means_none(scope, name, kpi):
            return results.per_replication(scope, name, kpi)
        return np.zeros(len(results.replications))

    def absent_means_none(self, scope: str, name: str, kpi: str) -> bool:
        """Whether a side lacking the KPI uses none of it: a resource of the whole port's
        ledger (hours on duty, call-out hours, positions) that its model does not have."""
        return (scope, name) == SYSTEM and kpi in ledger_kpis(self) and kpi != "cost"

    def difference(self, variant: str, scope: str, name: str, kpi: str,
                   level: float = 0.95) -> Interval | None:
        """Mean paired difference (variant − baseline) and its paired-t interval; ``None``
        when the baseline or the variant lacks the KPI (a class or station only one has),
        unless it is a resource the side lacking it uses none of (see
        :meth:`difference_values`)."""
        known = self._differences.of(*(results.replications for results in self.all))
        key = (variant, scope, name, kpi, level)
        if key not in known:
            asked = known.get((EVERY, variant, level), 0)
            if asked == TOGETHER_AFTER:  # many asked for: all of the variant's, together
                known.update(self._every_difference(variant, level))
            known[EVERY, variant, level] = asked + 1
            if key not in known:
                known[key] = self._difference(variant, scope, name, kpi, level)
        return known[key]

    def _paired(self, variant: str, scope: str, name: str, kpi: str) -> bool:
        """Whether the variant has a difference in the KPI (see :meth:`difference`)."""
        base, other = self.baseline.has(scope, name, kpi), self.variants[variant].has(
            scope, name, kpi)
        return (base and other) or ((base or other) and self.absent_means_none(scope, name, kpi))

    def _difference(self, variant: str, scope: str, name: str, kpi: str,
                    level: float) -> Interval | None:
        if not self._paired(variant, scope, name, kpi):
            return None
        return t_interval(self.difference_values(variant, scope, name, kpi), level,
                          difference_bounds(scope, kpi))

    def _every_difference(self, variant: str, level: float) -> dict[tuple[Any, ...], Interval]:
        """The difference in every KPI the variant has one in, at ``level``, worked out
        together (see :func:`~portsim.stats.summary.t_intervals`); none if the replications
        do not pair up, and each is then worked out alone as before."""
        paired = [item for item in self.items() if self._paired(variant, *item)]
        try:
            values = np.array([self._values(self.variants[variant], *item) for item in paired],
                              dtype=float)
            base = np.array([self._values(self.baseline, *item) for item in paired],
                            dtype=float)
            differences = _paired_differences(values, base)
        except (KeyError, TypeError, ValueError):
            return {}
        if differences.ndim != 2:  # no KPI in common
            return {}
        intervals = t_intervals(differences, level,
                                [difference_bounds(scope, kpi) for scope, _, kpi in paired])
        return {(variant, *item, level): interval
                for item, interval in zip(paired, intervals, strict=True)}

    def headline_picks(self, variant: str) -> list[Pick]:
        """The variant's headline (what it buys, for whom, who pays), then what it costs: the
        whole port's ledger of resource use (see :mod:`portsim.experiment.ledger`)."""
        picks = self.headline.get(variant, [])
        taken = {pick.item for pick in picks}
        return [*picks, *(Pick(*item, COST) for item in ledger_items(self) if item not in taken)]

    def items(self) -> Iterator[tuple[str, str, str]]:
        """Every (scope, name, kpi) of the baseline or of any variant, in a stable order:
        scope by scope, ordered as :meth:`names` and :meth:`kpi_names`."""
        return union_items(self.all)

    @property
    def timings(self) -> dict[str, Any]:
        per_label = {label: self.results(label).timings for label in self.labels}
        total = sum(timing["total_seconds"] for timing in per_label.values())
        return {"total_seconds": float(total), "variants": per_label}

    # ------------------------------------------------------------------ export

    def to_dict(self) -> dict[str, Any]:
        differences: dict[str, Any] = {}
        for variant in self.variants:
            nested: dict[str, Any] = {}
            for scope, name, kpi in self.items():
                diff = self.difference(variant, scope, name, kpi)
                if diff is not None:  # only where both have the item
                    nested.setdefault(scope, {}).setdefault(name, {})[kpi] = diff.as_dict()
            differences[variant] = nested
        scenario = self.baseline.provenance.get("scenario", {})
        return {
            "format": FORMAT,
            "portsim_version": self.baseline.provenance.get("portsim_version"),
            "scenario": {"name": self.name, "file": scenario.get("file"),
                         "description": self.description, "sla": self.sla},
            "seed": self.seed,
            "replications": self.replications,
            "baseline": BASELINE,
            # JSON objects are written with sorted keys; this keeps the order asked for.
            "labels": self.labels,
            "variants": {label: self.results(label).to_dict() for label in self.labels},
            "changes": {variant: [{"path": c.path, "baseline": c.baseline,
                                   "variant": c.variant} for c in changes]
                        for variant, changes in self.changes.items()},
            "differences": differences,
            # who gains and who pays, then what it costs (see experiment.ledger)
            "headline": {variant: [pick.to_dict() for pick in self.headline_picks(variant)]
                         for variant in self.headline},
            "ledger": ledger_dict(self),
            # only when asked for: a comparison without it is written as it always was
            **({} if self.attribution is None
               else {"inspection_delay": self.attribution.to_dict()}),
        }

    def rows(self) -> list[dict[str, Any]]:
        """One row per (KPI, variant) of the union: its interval and the paired difference to
        the baseline; empty where the variant lacks the KPI, and the difference empty for the
        baseline itself and where either side lacks the KPI; the difference's verdict and why
        the KPI is in the variant's headline (empty where it is not); whether it is
        overloaded."""
        rows = []
        why = {variant: {pick.item: pick.why for pick in self.headline_picks(variant)}
               for variant in self.headline}
        for scope, name, kpi in self.items():
            for label in self.labels:
                # The columns of summary.csv first (one tidy shape for both files).
                row: dict[str, Any] = {"variant": label, "scope": scope, "name": name,
                                       "kpi": kpi,
                                       **_fields(self.summary(label, scope, name, kpi))}
                diff = None if label == BASELINE else self.difference(label, scope, name, kpi)
                row.update({f"diff_{key}": value for key, value in _fields(diff).items()})
                row["verdict"] = "" if label == BASELINE else verdict(diff, kpi)
                row["headline"] = why.get(label, {}).get((scope, name, kpi), "")
                row["overloaded"] = self.results(label).overloaded
                rows.append(row)
        for row in per_unit_rows(self, _fields):
            rows.append({**row, "verdict": "", "headline": COST if row["variant"] in why else "",
                         "overloaded": self.results(row["variant"]).overloaded})
        return rows

    def to_frame(self) -> Any:
        """A tidy pandas DataFrame: one row per (variant, scope, name, kpi, replication)."""
        rows = (row for results in self.all for row in results.long_rows())
        return frames.frame(rows, frames.LONG_COLUMNS)

    def summary_frame(self) -> Any:
        """A pandas DataFrame of :meth:`rows` (the columns of comparison.csv)."""
        return frames.frame(self.rows(), frames.SUMMARY_COLUMNS)

    def _repr_html_(self) -> str:
        """Each variant's paired difference to the baseline in every class's mean wait and
        share within the standard, for Jupyter."""
        shown = (("wait_mean", "mean wait (min)", 1.0), ("wait_p95", "p95 wait (min)", 1.0),
                 ("wait_sla_share", "share within the standard (points)", 100.0))
        header = ["variant", "class"] + [f"Δ {words}" for _, words, _ in shown]
        rows = []
        for variant in self.variants:
            for name in self.names("classes"):
                cells = []
                for kpi, _, scale in shown:
                    diff = self.difference(variant, "classes", name, kpi)
                    cells.append("—" if diff is None or not math.isfinite(diff.mean) else
                                 f"{diff.mean * scale:+,.2f} ± {diff.half_width * scale:,.2f}"
                                 if math.isfinite(diff.half_width) else
                                 f"{diff.mean * scale:+,.2f}")
                rows.append([variant, name, *cells])
        return frames.html_table(rows, header, f"{self.name}: variant − baseline, paired 95% "
                                 f"CI over {self.replications} replications")


def _paired_differences(values: np.ndarray, base: np.ndarray) -> np.ndarray:
    """``values - base``, 0 where within :data:`ROUNDING` of the values themselves (see
    :meth:`Comparison.difference_values`); element by element, for one KPI or many."""
    differences = values - base
    with np.errstate(invalid="ignore"):
        differences[np.abs(differences)
                    <= ROUNDING * np.maximum(np.abs(values), np.abs(base))] = 0.0
    return differences


def _fields(interval: Interval | None) -> dict[str, Any]:
    return dict.fromkeys(INTERVAL_FIELDS) if interval is None else dict(interval.as_dict())


def document_changes(before: Any, after: Any, path: str = "") -> list[Change]:
    """Dotted paths where ``after`` differs from ``before`` (lists compared whole)."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        changes: list[Change] = []
        for key in [*before, *(k for k in after if k not in before)]:
            here = f"{path}.{key}" if path else str(key)
            changes.extend(document_changes(before.get(key), after.get(key), here))
        return changes
    return [] if before == after else [Change(path, before, after)]


def check_variants(scenario: Any, wanted: Sequence[str] | None) -> list[str]:
    """The variants to run, all by default; unknown names are errors with a suggestion."""
    known = list(scenario.variant_names)
    if wanted is None:
        chosen = known
    else:
        chosen = []
        for name in wanted:
            try:
                scenario.document(name)  # the scenario says what is unknown, with a suggestion
            except ScenarioError as error:
                raise VariantError(str(error)) from None
            if name not in chosen:
                chosen.append(name)
    if not chosen:
        raise VariantError(f"{scenario.source_file or scenario.name}: the scenario has no "
                           "variants to compare with its baseline; `portsim run FILE` runs "
                           "it alone, `portsim sweep FILE --set PATH=A:B:STEP` compares "
                           "values of one setting, and `portsim study` runs several ports "
                           "together")
    if BASELINE in chosen:
        raise VariantError(f"a variant named {BASELINE!r} cannot be told apart from the "
                           "baseline in a comparison; rename it")
    return chosen


def compare(source: Any, options: RunOptions | None = None, *,
            variants: Sequence[str] | None = None, forecast: Forecast | None = None,
            attribute_delay: bool = False, **settings: Unpack[RunSettings]) -> Comparison:
    """Run the baseline and ``variants`` (all by default) of a scenario with the same seed.

    ``source`` is a scenario file, a mapping or a loaded :class:`~portsim.scenario.Scenario`.
    Run settings come as ``options`` or as keywords (see :class:`RunOptions`). All
    replications of all variants share one pool (or cluster); ``trace`` writes the event log
    of the baseline's replication 0. ``forecast``: every variant starts from its state (the
    same customers at the same clock time) and runs for its horizon. ``attribute_delay``:
    each run also runs without its border inspection, and its vehicle classes get the delay
    attributed to inspection (see :mod:`portsim.experiment.attribution`).
    """
    from portsim.scenario import Scenario, load_scenario

    options = run_options(options, settings)
    scenario = source if isinstance(source, Scenario) else load_scenario(source)
    chosen = check_variants(scenario, variants)
    prepared = [prepare(scenario, variant, label, forecast)[0]
                for label, variant in [(BASELINE, None), *((name, name) for name in chosen)]]
    inspected = inspections(scenario, prepared) if attribute_delay else {}
    prepared += counterfactuals(prepared, inspected, options.engine)
    results = run_prepared(prepared, options, scenario, trace_label=BASELINE)
    attribution = attribute(results, inspected) if attribute_delay else None
    base_document = scenario.resolved(None)
    changes = {label: document_changes(base_document, scenario.resolved(label))
               for label in chosen}
    comparison = Comparison(baseline=results.pop(BASELINE), variants=results, changes=changes,
                            description=scenario.base.description, attribution=attribution)
    for variant in chosen:
        classes, stations, purposes = focus(scenario, variant,
                                            (c.path for c in changes[variant]))
        comparison.headline[variant] = choose(comparison, variant, classes, stations, purposes)
    return comparison


__all__ = ["BASELINE", "SCOPES", "Change", "Comparison", "VariantError", "check_variants",
           "compare", "document_changes"]
