"""The pledge verdict, slot by slot, from the replications' shares beyond the standard."""

from __future__ import annotations

import pytest

from portsim.engine.result import ReplicationResult
from portsim.experiment.pledge import BROKEN, MET, THIN, UNCERTAIN, judge, verdict
from portsim.experiment.results import Results
from portsim.stats.summary import t_interval


def results_with(beyond: dict[str, list[float]], count: float = 100.0) -> Results:
    reps = []
    for index in range(len(next(iter(beyond.values())))):
        row = {}
        for slot, values in beyond.items():
            row[f"wait_{slot}_count"] = count
            row[f"wait_{slot}_beyond_share"] = values[index]
        reps.append(ReplicationResult(index, 0, {"classes": {"c": row}, "stations": {},
                                                 "system": {"all": {}}}))
    return Results("m", None, 0, reps, pledge_share=0.95)


def test_each_slot_is_met_broken_or_uncertain_by_its_interval() -> None:
    results = results_with({"h0800": [0.00, 0.01, 0.02, 0.01],   # clearly within 5 %
                            "h1600": [0.20, 0.25, 0.22, 0.30],   # clearly beyond
                            "h1700": [0.00, 0.10, 0.02, 0.09]})  # straddles 5 %
    found = verdict(results, "classes", "c")
    assert [(s.clock, s.status) for s in found.slots] == [
        ("08:00", MET), ("16:00", BROKEN), ("17:00", UNCERTAIN)]
    assert found.status == BROKEN
    assert found.text() == "broken 16:00–17:00; uncertain 17:00–18:00"
    assert found.spans(MET) == "08:00–09:00"
    morning = results_with({f"h{h:02d}00": [0.3, 0.3, 0.31] for h in (6, 7, 8, 11)})
    assert verdict(morning, "classes", "c").text() == "broken 06:00–09:00, 11:00–12:00"


def test_met_everywhere_and_empty_slots_left_out() -> None:
    results = results_with({"h0800": [0.0, 0.0, 0.01], "h0900": [0.0, 0.01, 0.0]})
    found = verdict(results, "classes", "c")
    assert found.status == MET and found.text() == "met in all 2 hours"
    empty = results_with({"h0300": [0.0, 0.0]}, count=0.0)
    assert verdict(empty, "classes", "c").text() == "no arrivals"


def test_a_slot_with_arrivals_in_one_replication_is_not_judged() -> None:
    assert judge(t_interval([0.5]), 0.05) == THIN
    assert judge(t_interval([]), 0.05) == THIN
    assert judge(t_interval([0.0, 0.0]), 0.05) == MET
    results = results_with({"h0200": [0.0, float("nan"), float("nan")],
                            "h0800": [0.0, 0.01, 0.0]})
    found = verdict(results, "classes", "c")
    assert found.status == MET
    assert found.text() == "met in 1 hour (1 too thin to judge)"


@pytest.mark.parametrize("share", [0.8, 0.99])
def test_the_pledged_share_sets_the_line(share: float) -> None:
    results = results_with({"h0800": [0.08, 0.10, 0.09, 0.11]})
    expected = MET if share == 0.8 else BROKEN
    assert verdict(results, "classes", "c", share).status == expected
