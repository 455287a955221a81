"""Screening then OCBA, on arrays: the allocation rule, the stage's rounding, the screen, the
feasibility checks and the estimate the outcome carries."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from portsim.experiment.optimise.ocba import (
    OCBA,
    SCREENED,
    allocation,
    apcs,
    ragged,
    screen,
    select_ocba,
    spread_stage,
)
from portsim.experiment.optimise.procedure import (
    BUDGET,
    INFEASIBLE,
    NONE_FEASIBLE,
    SELECTED,
    Settings,
)

TWO_HALLS = Path(__file__).parents[1] / "validation" / "data" / "two_halls.yaml"


def noisy(means: Sequence[float], constraints: Sequence[float] = (), noise: float = 1.0,
          seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)

    def observe(designs: Sequence[int], start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        n = stop - start
        y = np.array([[means[i] + noise * rng.standard_normal() for _ in range(n)]
                      for i in designs])
        c = np.array([[[constraints[i] + noise * rng.standard_normal() for _ in range(n)]]
                      if constraints else np.zeros((0, n)) for i in designs])
        return y, c.reshape(len(designs), -1, n)

    return ragged(observe)


def test_allocation_follows_chen_s_ratios() -> None:
    """N_i/N_j = (σ_i/Δ_i)²/(σ_j/Δ_j)², N_b = σ_b √(Σ N_i²/σ_i²), summing to the total."""
    means = np.array([0.0, 1.0, 2.0, 1.0])
    spreads = np.array([1.0, 1.0, 1.0, 2.0])
    n = allocation(means, spreads, 1000.0)
    assert n.sum() == pytest.approx(1000.0)
    assert n[1] / n[2] == pytest.approx((1 / 1) ** 2 / (1 / 2) ** 2)
    assert n[3] / n[1] == pytest.approx(4.0)
    assert n[0] == pytest.approx(1.0 * np.sqrt(n[1] ** 2 + n[2] ** 2 + n[3] ** 2 / 4))


def test_a_stage_spreads_exactly_its_increment_by_shortfall() -> None:
    given = spread_stage(np.array([10.0, 10.0, 10.0]), np.array([30.0, 12.0, 5.0]), 7)
    assert given.sum() == 7
    assert given[2] == 0 and given[0] > given[1]
    assert spread_stage(np.array([5.0, 5.0]), np.array([5.0, 5.0]), 3).sum() == 3


def test_the_screen_keeps_the_close_and_drops_the_clearly_worse() -> None:
    rng = np.random.default_rng(3)
    shared = rng.standard_normal(10)
    values = np.array([mean + shared + 0.1 * rng.standard_normal(10)
                       for mean in (0.0, 0.2, 5.0)])
    out = screen(values, np.array([True, True, True]), delta=0.5, alpha=0.05)
    assert out.tolist() == [False, False, True]
    # A design not known to be feasible judges nobody.
    assert not screen(values, np.array([False, True, True]), 0.5, 0.05)[0]
    assert not screen(values, np.array([False, False, False]), 0.5, 0.05).any()


def test_apcs_is_near_one_when_clear_and_near_zero_when_backwards() -> None:
    rng = np.random.default_rng(1)
    clear = [rng.normal(0, 1, 50), rng.normal(5, 1, 50)]
    assert apcs(clear, [0, 1], 0) > 0.999
    assert apcs(clear, [0, 1], 1) < 0.001


def test_the_budget_is_spent_the_best_gets_most_and_screened_designs_stay_put() -> None:
    means = [0.0, 0.3, 0.6, 10.0, 12.0]
    outcome = select_ocba(noisy(means), 5, 0, Settings(delta=0.5, first=5, budget=300, step=20))
    assert outcome.procedure == OCBA
    assert outcome.total == 300
    assert outcome.selected == 0
    assert outcome.eliminated[3] == SCREENED and outcome.replications(3) == 5
    # The best and its close rival share most of it; the farther one gets less.
    assert outcome.replications(0) > outcome.total / 5
    assert outcome.replications(2) < min(outcome.replications(0), outcome.replications(1))
    assert outcome.apcs is not None and 0 <= outcome.apcs <= 1
    assert outcome.stopped in (SELECTED, BUDGET)
    assert outcome.history[0] == (25, 3)


def test_an_infeasible_design_leaves_and_cannot_be_chosen() -> None:
    outcome = select_ocba(noisy([0.0, 1.0, 2.0], [5.0, -5.0, -5.0], noise=0.1), 3, 1,
                          Settings(delta=0.5, first=5, budget=60, step=10, tolerances=(0.1,)))
    assert outcome.eliminated[0] == INFEASIBLE
    assert outcome.selected == 1


def test_none_feasible() -> None:
    outcome = select_ocba(noisy([0.0, 1.0], [5.0, 5.0], noise=0.1), 2, 1,
                          Settings(delta=0.5, first=5, budget=40, step=10, tolerances=(0.1,)))
    assert (outcome.stopped, outcome.selected) == (NONE_FEASIBLE, None)


def test_it_needs_a_budget_beyond_the_first_round() -> None:
    with pytest.raises(ValueError, match="budget"):
        select_ocba(noisy([0.0, 1.0]), 2, 0, Settings(delta=0.5, first=5, budget=None))
    with pytest.raises(ValueError, match="budget"):
        select_ocba(noisy([0.0, 1.0]), 2, 0, Settings(delta=0.5, first=5, budget=9))


def test_constant_outputs_neither_divide_by_zero_nor_lose_the_best() -> None:
    def observe(designs: Sequence[int], start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        return (np.array([[float(i)] * (stop - start) for i in designs]),
                np.zeros((len(designs), 0, stop - start)))

    outcome = select_ocba(ragged(observe), 60, 0, Settings(delta=0.5, first=2, budget=200,
                                                           step=20))
    assert (outcome.selected, outcome.stopped, outcome.apcs) == (0, SELECTED, 1.0)


def test_the_python_api_asks_for_a_budget_above_fifty_designs() -> None:
    import portsim
    from portsim.experiment.optimise.problem import OptimiseError

    axes = ["stations.hall_a.servers=4:12:1", "stations.hall_b.servers=3:8:1"]
    with pytest.raises(OptimiseError, match=r"54 designs, more than 50: .* give --budget"):
        portsim.optimise(TWO_HALLS, axes, minimise="wait_mean", delta=0.1, workers=1)
