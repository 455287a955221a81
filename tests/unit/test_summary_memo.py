"""Summaries and paired differences are kept once worked out (a comparison's tables, plots and
files ask for each several times), and worked out again when the replications change."""

from __future__ import annotations

from portsim.engine.result import ReplicationResult
from portsim.experiment.comparison import Comparison
from portsim.experiment.results import Results


def waits(*values: float, first: int = 0) -> list[ReplicationResult]:
    return [ReplicationResult(replication=first + index, seed=1,
                              kpis={"classes": {"pax": {"wait_mean": value}},
                                    "stations": {}, "system": {}})
            for index, value in enumerate(values)]


def test_a_summary_follows_its_replications() -> None:
    results = Results("port", None, 1, waits(1.0, 3.0))
    assert results.summary("classes", "pax", "wait_mean") is results.summary(
        "classes", "pax", "wait_mean")
    assert results.summary("classes", "pax", "wait_mean").mean == 2.0
    results.replications.extend(waits(8.0, first=2))  # more replications: a new figure
    assert results.summary("classes", "pax", "wait_mean").mean == 4.0
    results.replications = waits(5.0, 7.0)  # other replications, as many: a new figure
    assert results.summary("classes", "pax", "wait_mean").mean == 6.0


def test_a_difference_follows_both_sides() -> None:
    base = Results("port", None, 1, waits(1.0, 3.0))
    variant = Results("port", "more", 1, waits(2.0, 6.0))
    comparison = Comparison(baseline=base, variants={"more": variant})
    assert comparison.difference("more", "classes", "pax", "wait_mean").mean == 2.0
    base.replications = waits(2.0, 4.0)
    assert comparison.difference("more", "classes", "pax", "wait_mean").mean == 1.0
    variant.replications = waits(4.0, 8.0)
    assert comparison.difference("more", "classes", "pax", "wait_mean").mean == 3.0


def test_a_few_summaries_are_worked_out_alone_many_together(monkeypatch) -> None:
    # A precision target asks for a few KPIs a round, as replications come in: those alone;
    # a comparison's files ask for thousands: after TOGETHER_AFTER, every one at once.
    from portsim.experiment import results as module

    kpis = {"classes": {"pax": {f"k{i}": float(i) for i in range(3 * module.TOGETHER_AFTER)}},
            "stations": {}, "system": {}}
    results = Results("port", None, 1, [ReplicationResult(replication=r, seed=1, kpis=kpis)
                                        for r in range(2)])
    together = []
    every = Results._every_summary
    monkeypatch.setattr(Results, "_every_summary",
                        lambda self, level: together.append(level) or every(self, level))
    for i in range(module.TOGETHER_AFTER):
        assert results.summary("classes", "pax", f"k{i}").mean == i
    assert together == []
    for i in range(3 * module.TOGETHER_AFTER):
        assert results.summary("classes", "pax", f"k{i}").mean == i
    assert together == [0.95]
