"""``portsim optimise``'s procedure against designs whose truth is known.

1. Synthetic normal outputs with known means, correlated across designs as common random
   numbers make them: over hundreds of macro-replications the empirical probability of correct
   selection (PCS) meets the stated 1 − α, in the slippage configuration (the best exactly δ
   better than all others: the hardest case the guarantee covers), in a designed case where two
   designs sit within δ (either is a correct selection), and with a constraint that makes the
   apparent best infeasible.
2. Real simulations (marked slow): two halls of M/M/c desks sharing a budget of officers,
   where Erlang C gives every design's exact mean wait; the procedure selects the true best
   feasible design, agrees with brute force, and takes fewer replications than it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from portsim.experiment.optimise.procedure import (
    INFEASIBLE,
    SELECTED,
    Observer,
    Settings,
    brute_force,
    select,
)
from portsim.theory.erlang import mmc

TWO_HALLS = Path(__file__).parent / "data" / "two_halls.yaml"
MACRO = 400


def normal_outputs(means: Sequence[float], sigma: float, rho: float, rng: np.random.Generator,
                   constraint_means: Sequence[float] | None = None) -> Observer:
    """Replication ``j`` of design ``i``: ``μ_i + σ (√ρ Z_j + √(1−ρ) E_ij)`` (a shared draw
    per replication: common random numbers), and a unit-variance constraint output."""
    mu = np.asarray(means, dtype=float)
    g = None if constraint_means is None else np.asarray(constraint_means, dtype=float)
    drawn: list[tuple[np.ndarray, np.ndarray]] = []

    def observe(designs: Sequence[int], start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        while len(drawn) < stop:
            shared = rng.standard_normal()
            own = rng.standard_normal(mu.size)
            y = mu + sigma * (math.sqrt(rho) * shared + math.sqrt(1 - rho) * own)
            c = (g + rng.standard_normal(mu.size))[:, None] if g is not None \
                else np.zeros((mu.size, 0))
            drawn.append((y, c))
        chosen = list(designs)
        y = np.array([[drawn[j][0][i] for j in range(start, stop)] for i in chosen])
        c = np.array([[drawn[j][1][i] for j in range(start, stop)] for i in chosen])
        return y.reshape(len(chosen), stop - start), c.reshape(len(chosen), -1, stop - start)

    return observe


def _pcs(means: Sequence[float], correct: set[int], settings: Settings, *, seed: int,
         rho: float = 0.5, constraint_means: Sequence[float] | None = None,
         macro: int = MACRO) -> tuple[float, float]:
    """The share of macro-replications that selected a correct design, and the mean total
    replications they took."""
    rng = np.random.default_rng(seed)
    hits, total = 0, 0
    constraints = 0 if constraint_means is None else 1
    for _ in range(macro):
        outcome = select(normal_outputs(means, 3.0, rho, rng, constraint_means), len(means),
                         constraints, settings)
        assert outcome.stopped == SELECTED
        hits += outcome.selected in correct
        total += outcome.total
    return hits / macro, total / macro


def test_slippage_configuration_meets_the_guarantee() -> None:
    """Five designs, the best exactly δ better than the other four, n₀ = 10, 1 − α = 0.95."""
    pcs, _ = _pcs([0.0, 1.0, 1.0, 1.0, 1.0], {0}, Settings(delta=1.0), seed=1)
    assert pcs >= 0.95


def test_two_designs_within_delta_either_is_correct() -> None:
    """The best and a design 0.4 δ behind it are both within δ; the others lie 1.2 δ and more
    behind: selecting either of the first two is correct."""
    pcs, _ = _pcs([0.0, 0.4, 1.2, 1.5, 2.0], {0, 1}, Settings(delta=1.0), seed=2)
    assert pcs >= 0.95


def test_the_apparent_best_is_infeasible() -> None:
    """Design 1 has the best objective but its constraint's mean lies 1 above the bound;
    the best feasible design is design 0 (the others are δ and more behind it)."""
    settings = Settings(delta=1.0, tolerances=(0.5,))
    pcs, _ = _pcs([0.0, -2.0, 1.0, 1.5], {0}, settings, seed=3,
                  constraint_means=[-1.0, 1.0, -1.0, -1.0])
    assert pcs >= 0.95


@pytest.mark.slow
def test_textbook_kn_plus_plus_falls_short_where_the_kept_constant_does_not() -> None:
    """Why portsim keeps KN's first-stage h²: with two designs in the slippage configuration,
    KN++ as published (h² relaxed with r) selects the best less often than promised over
    2,000 macro-replications; the kept constant meets the promise."""
    kept, _ = _pcs([0.0, 1.0], {0}, Settings(delta=1.0), seed=5, rho=0.0, macro=2000)
    textbook, _ = _pcs([0.0, 1.0], {0}, Settings(delta=1.0, textbook=True), seed=5, rho=0.0,
                       macro=2000)
    assert kept >= 0.95
    assert textbook < kept


def test_brute_force_agrees_and_costs_more() -> None:
    """Against giving every design as many replications as KN++ gave any: the same answer,
    with fewer replications."""
    rng = np.random.default_rng(4)
    means = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    outcome = select(normal_outputs(means, 3.0, 0.5, rng), 6, 0, Settings(delta=1.0))
    most = max(outcome.replications(i) for i in range(6))
    best, spent = brute_force(normal_outputs(means, 3.0, 0.5, np.random.default_rng(4)), 6, 0,
                              most)
    assert best == outcome.selected == 0
    assert outcome.total < spent


# ----------------------------------------------------------------- real simulations


def exact_wait(a: int, b: int) -> float:
    """The mean wait over both halls' travellers, Erlang C (rates per minute, mean 3 min)."""
    rate_a, rate_b = 1.0, 40 / 60
    wait_a = mmc(rate_a, 3.0, a).wait_mean
    wait_b = mmc(rate_b, 3.0, b).wait_mean
    return (rate_a * wait_a + rate_b * wait_b) / (rate_a + rate_b)


def _two_halls(seed: int, delta: float) -> object:
    from portsim.experiment.optimise.problem import Objective, parse_constraint, parse_item
    from portsim.experiment.optimise.search import optimise
    from portsim.experiment.optimise.space import build_space, parse_axes
    from portsim.experiment.options import RunOptions
    from portsim.scenario import load_scenario

    scenario = load_scenario(TWO_HALLS)
    space = build_space(scenario, parse_axes(["stations.hall_a.servers=4:6:1",
                                              "stations.hall_b.servers=3:5:1"]))
    return optimise(scenario, space, Objective(parse_item("wait_mean", "--minimise")),
                    [parse_constraint("officer_hours<=216")], RunOptions(workers=1),
                    delta=delta, seed=seed)


def test_the_designs_exact_waits_order_as_the_test_assumes() -> None:
    """The budget of 9 officers allows (5, 4) at 0.317 min, (6, 3) at 0.593 min and worse;
    (6, 4), (5, 5) and (6, 5) wait less but need 10 or 11 officers."""
    assert exact_wait(5, 4) == pytest.approx(0.3169, abs=1e-4)
    assert exact_wait(6, 3) == pytest.approx(0.5928, abs=1e-4)
    feasible = {(a, b): exact_wait(a, b) for a in (4, 5, 6) for b in (3, 4, 5) if a + b <= 9}
    assert min(feasible, key=feasible.__getitem__) == (5, 4)
    assert exact_wait(6, 4) < exact_wait(5, 4)


@pytest.mark.slow
@pytest.mark.parametrize(("delta", "correct"), [(0.1, {(5, 4)}), (0.3, {(5, 4), (6, 3)})])
def test_real_simulations_select_the_erlang_c_best(delta: float, correct: set[tuple[int, int]],
                                                   ) -> None:
    """30 macro-replications (seeds 100..129) of the whole procedure on simulations; with
    δ = 0.3 min the runner-up (6, 3) lies within δ (0.276 min behind) and is correct too.
    Infeasible designs (more than 9 officers) are never selected."""
    hits = 0
    for seed in range(100, 130):
        result = _two_halls(seed, delta)
        chosen = result.space.assignments[result.selected]  # type: ignore[attr-defined]
        pair = (chosen["stations.hall_a.servers"], chosen["stations.hall_b.servers"])
        assert sum(pair) <= 9
        hits += pair in correct
        for i, assignment in enumerate(result.space.assignments):  # type: ignore[attr-defined]
            officers = assignment["stations.hall_a.servers"] + \
                assignment["stations.hall_b.servers"]
            assert (result.outcome.status(i) == INFEASIBLE) == (officers > 9)  # type: ignore[attr-defined]
    # Consistent with PCS ≥ 0.95: at most one miss in 30 (P(≥ 2 misses) < 0.45 even at 0.95).
    assert hits >= 29


@pytest.mark.slow
def test_real_simulations_agree_with_brute_force_using_fewer_replications() -> None:
    """With δ = 0.05 min the procedure has to work for its answer; brute force (every design
    the most replications any design received, the constraint judged by its Bonferroni upper
    bound) selects the same design, and KN++ spends fewer replications."""
    result = _two_halls(7, 0.05)
    outcome = result.outcome  # type: ignore[attr-defined]
    replicator_runs = max(outcome.replications(i) for i in range(outcome.k))
    from portsim.experiment.optimise.problem import Objective, parse_item
    from portsim.experiment.optimise.space import Replicator
    from portsim.experiment.options import RunOptions

    fresh = Replicator(result.space, Objective(parse_item("wait_mean", "--minimise")),  # type: ignore[attr-defined]
                       result.bounds, RunOptions(workers=1), 7)  # type: ignore[attr-defined]
    best, spent = brute_force(fresh, outcome.k, len(result.bounds), replicator_runs)  # type: ignore[attr-defined]
    assert best == result.selected  # type: ignore[attr-defined]
    assert outcome.total < spent
    print(f"\nKN++ {outcome.total} replications, brute force {spent} "
          f"({1 - outcome.total / spent:.0%} fewer)")
