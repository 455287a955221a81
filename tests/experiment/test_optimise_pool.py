"""KN++ on several workers starts one process pool for all its stages, and answers exactly
as on one worker (a replication's streams depend only on its seed and index)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portsim.experiment import executors
from portsim.experiment.optimise.api import optimise

TWO_HALLS = Path(__file__).parents[1] / "validation" / "data" / "two_halls.yaml"


def test_every_stage_of_kn_runs_on_one_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[int] = []
    new_pool = executors._new_pool

    def counted(workers: int):  # type: ignore[no-untyped-def]
        started.append(workers)
        return new_pool(workers)

    monkeypatch.setattr(executors, "_new_pool", counted)
    question = {"minimise": "wait_mean", "subject_to": ["officer_hours<=216"],
                "delta": "0.02min", "replications": 10}
    vary = ["stations.hall_a.servers=5,6", "stations.hall_b.servers=3,4"]
    pooled = optimise(TWO_HALLS, vary, workers=2, **question)  # type: ignore[arg-type]
    assert pooled.outcome.stages > 2
    assert started == [2]
    serial = optimise(TWO_HALLS, vary, workers=1, **question)  # type: ignore[arg-type]
    assert pooled.selected == serial.selected
    assert pooled.outcome.history == serial.outcome.history
    assert [json.dumps(values.tolist()) for values in pooled.outcome.objective] == \
        [json.dumps(values.tolist()) for values in serial.outcome.objective]
