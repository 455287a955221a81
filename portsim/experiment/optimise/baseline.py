"""The selected design set against the baseline — the scenario (or its ``--variant``) as the
file has it, priced as the question prices it — on the same replications and the same random
numbers: what the choice costs and who pays for it, as ``portsim compare`` shows a variant.

The baseline runs as many replications as the selected design received, on the same seed, so
every difference is paired replication by replication. Where the baseline is itself one of the
designs, its replications are reused and only the missing ones run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portsim.experiment.comparison import BASELINE, Comparison, document_changes
from portsim.experiment.headline import BETTER, WORSE, choose, edited, verdict
from portsim.experiment.optimise.search import Optimisation
from portsim.experiment.optimise.space import base_document
from portsim.experiment.options import RunOptions
from portsim.experiment.runner import Job, job_inputs, prepare, results_of, run_jobs

#: The selected design's label in the comparison (and in the report's sentences).
SELECTED = "selected design"


def against_baseline(result: Optimisation, scenario: Any, options: RunOptions,
                     prices: Sequence[str] = ()) -> Comparison | None:
    """The selected design (or the best so far) against the baseline on common random
    numbers; None when no design was selected."""
    from portsim.scenario import load_scenario

    chosen = result.selected
    if chosen is None:
        return None
    document = base_document(scenario, result.variant, prices)
    folder = scenario.source_file.parent if scenario.source_file is not None else None
    prepared, _ = prepare(load_scenario(document, base_dir=folder), label=BASELINE)
    design = result.results[chosen]
    count = len(design.replications)
    digest = prepared.provenance["scenario"]["sha256"]
    # The baseline may be one of the designs: its replications so far are the baseline's.
    have = next((list(runs.replications[:count]) for runs in result.results
                 if runs.provenance["scenario"]["sha256"] == digest), [])
    quiet = options.replace(store=None, resume=False, trace=None, progress=None,
                            resumed=None, precision=None)
    runs = run_jobs([Job(BASELINE, prepared.model, result.seed, count,
                         job_inputs(prepared.model, prepared.provenance))], quiet,
                    have={BASELINE: have})[BASELINE]
    baseline = results_of(prepared.model, prepared.provenance, result.variant, result.seed,
                          runs)
    changes = document_changes(prepared.provenance["scenario"]["resolved"],
                               design.provenance["scenario"]["resolved"])
    comparison = Comparison(baseline=baseline, variants={SELECTED: design},
                            changes={SELECTED: changes},
                            description=scenario.base.description)
    classes, stations, purposes = edited(change.path for change in changes)
    comparison.headline[SELECTED] = choose(comparison, SELECTED, classes, stations, purposes)
    return comparison


def baseline_summary(comparison: Comparison) -> dict[str, Any]:
    """``against_baseline`` in optimise.json: what the selected design changes, the ledger
    against the baseline with paired intervals, and every headline KPI that clearly changed
    (``worse``: who pays)."""
    from portsim.experiment.ledger import ledger_items, per_unit

    def interval(value: Any) -> dict[str, Any] | None:
        return None if value is None else value.as_dict()

    def item(scope: str, name: str, kpi: str) -> dict[str, Any]:
        return {"scope": scope, "name": name, "kpi": kpi,
                "baseline": interval(comparison.summary(BASELINE, scope, name, kpi)),
                "selected": interval(comparison.summary(SELECTED, scope, name, kpi)),
                "difference": interval(comparison.difference(SELECTED, scope, name, kpi))}

    clear = [{**item(*pick.item), "verdict": found}
             for pick in comparison.headline.get(SELECTED, [])
             for found in [verdict(comparison.difference(SELECTED, *pick.item), pick.kpi)]
             if found in (BETTER, WORSE)]
    return {"replications": comparison.replications, "seed": comparison.seed,
            "changes": [{"path": c.path, "baseline": c.baseline, "selected": c.variant}
                        for c in comparison.changes.get(SELECTED, [])],
            "ledger": [item(*found) for found in ledger_items(comparison)],
            "per_unit": [found.as_dict() for found in per_unit(comparison, SELECTED)],
            "clear_changes": clear}


__all__ = ["SELECTED", "against_baseline", "baseline_summary"]
