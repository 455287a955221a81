"""Property: every valid scenario simulates, and every replication conserves flow and obeys
Little's law.

Flow conservation (after the warm-up): arrivals + in_system_start == completions + in_system_end.
Little's law over the measured window [w, H] with T = H - w: the area under the number in system,
L·T, differs from the summed times in system of the completions, W·C, only by the entities
present at the window's edges, each by at most its overlap with the other side:

    -in_system_start · w  <=  L·T - W·C  <=  in_system_end · T

so when the system is empty at both edges, L·T == W·C exactly (L = λW).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from conftest import MAX_ENTITIES
from hypothesis import HealthCheck, given, settings
from scenario_strategies import mutated_documents, valid_documents

from portsim.engine.result import ReplicationResult
from portsim.engine.simulation import EntityLimitExceeded, run_replication
from portsim.errors import ScenarioError
from portsim.scenario import compile_model, load_scenario

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check_invariants(result: ReplicationResult, horizon: float, warmup: float) -> None:
    kpis = result.kpis
    system = kpis["system"]["all"]
    arrivals, completions = system["arrivals"], system["completions"]
    start, end = system["in_system_start"], system["in_system_end"]
    # Flow conservation: nobody appears or disappears.
    assert arrivals + start == completions + end, system
    assert min(arrivals, completions, start, end) >= 0
    # The classes add up to the system.
    classes = kpis["classes"].values()
    assert sum(row["arrivals"] for row in classes) == arrivals
    assert sum(row["completions"] for row in classes) == completions
    # A wait is part of the time in system.
    for row in classes:
        if row["completions"] > 0:
            assert row["wait_mean"] <= row["sojourn_mean"] * (1 + 1e-9) + 1e-9, row
            assert 0 <= row["wait_sla_share"] <= 1
    # Little's law within the bound its edges allow.
    window = horizon - warmup
    area = system["in_system_mean"] * window
    total_sojourn = system["sojourn_mean"] * completions if completions else 0.0
    slack = 1e-6 * max(1.0, area, total_sojourn)
    gap = area - total_sojourn
    assert -start * warmup - slack <= gap <= end * window + slack, (gap, system)
    if start == 0 and end == 0:
        assert math.isclose(area, total_sojourn, rel_tol=1e-9, abs_tol=1e-6), system


def simulate_all(doc: dict[str, Any], seeds: tuple[int, ...] = (0, 1)) -> None:
    scenario = load_scenario(doc)
    for variant in [None, *scenario.variant_names]:
        model = compile_model(scenario, variant)
        for seed in seeds:
            try:
                result = run_replication(model, seed=seed, replication=seed,
                                         max_entities=2 * MAX_ENTITIES)
            except EntityLimitExceeded:
                continue  # the guard doing its job: refused, not simulated for ever
            check_invariants(result, model.horizon, model.warmup)


@pytest.mark.slow
@SETTINGS
@given(valid_documents())
def test_valid_documents_simulate_with_conservation_and_littles_law(doc: dict[str, Any]) -> None:
    simulate_all(doc)


@pytest.mark.slow
@settings(SETTINGS, max_examples=200)
@given(mutated_documents(gentle=True))
def test_mutated_documents_that_load_also_simulate(doc: dict[str, Any]) -> None:
    try:
        load_scenario(doc)
    except ScenarioError:
        return
    simulate_all(doc, seeds=(3,))
