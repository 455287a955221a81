"""The optimisation procedure's edges and its Python API."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import portsim
from portsim.experiment.optimise.procedure import (
    BUDGET,
    INFEASIBLE,
    NONE_FEASIBLE,
    SELECTED,
    Settings,
    eta,
    h_squared,
    select,
)

TWO_HALLS = Path(__file__).parents[1] / "validation" / "data" / "two_halls.yaml"


def fixed(means: Sequence[float], constraints: Sequence[float] = (), noise: float = 0.0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)

    def observe(designs: Sequence[int], start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        n = stop - start
        y = np.array([[means[i] + noise * rng.standard_normal() for _ in range(n)]
                      for i in designs])
        c = np.array([[[constraints[i]] * n] if constraints else np.zeros((0, n))
                      for i in designs])
        return y, c.reshape(len(designs), -1, n)

    return observe


def test_kim_and_nelson_constants() -> None:
    """η = ½[(2β)^(−2/f) − 1]; h² = 2η(n₀ − 1); for large f, h² tends to −2 ln(2β)."""
    assert eta(0.05, 9) == pytest.approx(0.5 * (0.1 ** (-2 / 9) - 1))
    assert h_squared(0.05, 10) == pytest.approx(2 * eta(0.05, 9) * 9)
    assert h_squared(0.05, 100_000) == pytest.approx(-2 * np.log(0.1), rel=1e-4)


def test_deterministic_outputs_decide_at_the_first_stage() -> None:
    outcome = select(fixed([3.0, 1.0, 2.0]), 3, 0, Settings(delta=0.5))
    assert (outcome.stopped, outcome.selected, outcome.total) == (SELECTED, 1, 30)


def test_a_design_found_infeasible_leaves_and_cannot_be_chosen() -> None:
    outcome = select(fixed([1.0, 2.0], [1.0, -1.0]), 2, 1,
                     Settings(delta=0.5, tolerances=(0.1,)))
    assert outcome.selected == 1
    assert outcome.eliminated[0] == INFEASIBLE


def test_no_feasible_design() -> None:
    outcome = select(fixed([1.0, 2.0], [1.0, 1.0]), 2, 1,
                     Settings(delta=0.5, tolerances=(0.1,)))
    assert (outcome.stopped, outcome.selected) == (NONE_FEASIBLE, None)


def test_the_budget_stops_it_without_a_guarantee() -> None:
    outcome = select(fixed([0.0, 0.01], noise=1.0), 2, 0,
                     Settings(delta=0.001, budget=60))
    assert outcome.stopped == BUDGET
    assert outcome.total <= 60
    assert outcome.selected in (0, 1)


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="δ must be a positive"):
        Settings(delta=0.0)
    with pytest.raises(ValueError, match="at least 2 replications"):
        Settings(delta=1.0, first=1)


def test_python_api_answers_as_the_command() -> None:
    result = portsim.optimise(TWO_HALLS, ["stations.hall_a.servers=4:6:1",
                                          "stations.hall_b.servers=3:5:1"],
                              minimise="wait_mean", subject_to=["officer_hours<=216"],
                              delta="0.1min", workers=1)
    assert isinstance(result, portsim.Optimisation)
    assert result.space.assignments[result.selected] == {"stations.hall_a.servers": 5,
                                                         "stations.hall_b.servers": 4}
    assert result.guarantee().startswith("with probability at least 95%")
    with pytest.raises(portsim.PortsimError, match="one of minimise and maximise"):
        portsim.optimise(TWO_HALLS, ["stations.hall_a.servers=4,5"])
