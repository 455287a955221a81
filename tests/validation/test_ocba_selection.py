"""Screening then OCBA against synthetic normal outputs whose means are known: 100 designs,
the best 0.5 (= δ) ahead of the next and the rest spread out to 5.4 behind, σ = 2, correlated
across designs as common random numbers make them (ρ = 0.5). Over 200 macro-replications with a
budget of 3,000 replications (n₀ = 10, so 2,000 left for OCBA after the first round), the best is
selected at least 90 % of the time (measured: 98 %; 96 % with a budget of 2,000) and receives far
more replications than the average design (measured: about 610 against 30)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from portsim.experiment.optimise.ocba import Ragged, select_ocba
from portsim.experiment.optimise.procedure import Settings

K, BUDGET, MACRO = 100, 3000, 200
MEANS = np.concatenate([[0.0], 0.5 + 0.05 * np.arange(K - 1)])


def crn_outputs(means: np.ndarray, sigma: float, rho: float, seed: int) -> Ragged:
    """Replication ``j`` of design ``i``: ``μ_i + σ (√ρ Z_j + √(1−ρ) E_ij)``; each design's own
    draws come from its own stream, so a design's replications do not depend on the order the
    allocation asks for them."""
    shared = np.random.default_rng(seed).standard_normal(BUDGET)
    own = [np.random.default_rng([seed, i]) for i in range(means.size)]

    def draw(designs: Sequence[int], starts: Sequence[int],
             stops: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray]]:
        out = []
        for i, start, stop in zip(designs, starts, stops, strict=True):
            noise = (np.sqrt(rho) * shared[start:stop]
                     + np.sqrt(1 - rho) * own[i].standard_normal(stop - start))
            out.append((means[i] + sigma * noise, np.zeros((0, stop - start))))
        return out

    return draw


@pytest.mark.slow
def test_ocba_on_100_designs_picks_the_best_and_gives_it_more() -> None:
    settings = Settings(delta=0.5, first=10, budget=BUDGET, step=100)
    hits, best, average = 0, [], []
    for seed in range(MACRO):
        outcome = select_ocba(crn_outputs(MEANS, 2.0, 0.5, seed), K, 0, settings)
        assert outcome.total <= BUDGET
        hits += outcome.selected == 0
        best.append(outcome.replications(0))
        average.append(outcome.total / K)
    assert hits / MACRO >= 0.90
    assert np.mean(best) > 5 * np.mean(average)
