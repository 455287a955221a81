"""Cross-check against another simulator: Ciw (a test-only dependency) runs the same M/M/10 and
the same tandem network, and its replication means must agree with portsim's.

Agreement is a Welch two-sample comparison of the replication means: the difference must lie
within its 95% Welch interval widened by ``TOLERANCE`` of the portsim mean (warm-up and
end-of-run effects differ slightly between the two simulators: Ciw's records are kept here for
customers who arrive after the warm-up and finish by the horizon, portsim's for customers who
finish after the warm-up). The Ciw runs are sized so that the comparison itself is sharp where
marked: its half-width is below 5% of the mean, so a 5% disagreement would show.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats
from shared_runs import once
from validation_targets import TOLERANCE

from portsim.experiment.results import Results

ciw = pytest.importorskip("ciw")

WORKERS = 2
CIW_REPLICATIONS = 16
MMC_DAYS = 2.0  # ~26,000 customers per Ciw replication
TANDEM_DAYS = 25.0  # ~25,000 customers (50,000 service records) per Ciw replication
WARMUP = 1440.0  # one day, as in tandem.yaml (mmc.yaml warms up 2 h; longer is harmless)


@dataclass(frozen=True)
class Welch:
    """Difference of two means with its Welch t interval."""

    difference: float
    half_width: float

    @classmethod
    def of(cls, a: np.ndarray, b: np.ndarray, level: float = 0.95) -> Welch:
        va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
        df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
        return cls(
            float(a.mean() - b.mean()), float(stats.t.ppf(0.5 + level / 2, df)) * math.sqrt(va + vb)
        )


def _mmc_replication(seed: int) -> tuple[float, float]:
    """(probability of waiting, mean wait) of one Ciw M/M/10 run at rho = 0.9."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=9.0)],
        service_distributions=[ciw.dists.Exponential(rate=1.0)],
        number_of_servers=[10],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(WARMUP + MMC_DAYS * 1440.0)
    waits = np.array([r.waiting_time for r in sim.get_all_records() if r.arrival_date >= WARMUP])
    return float((waits > 0).mean()), float(waits.mean())


def _tandem_replication(seed: int) -> tuple[float, float, float]:
    """(wait at first, wait at second, total wait per customer) of one Ciw tandem run."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=0.7), None],
        service_distributions=[ciw.dists.Exponential(rate=0.5), ciw.dists.Exponential(rate=1.0)],
        number_of_servers=[2, 1],
        routing=[[0.0, 1.0], [0.0, 0.0]],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(WARMUP + TANDEM_DAYS * 1440.0)
    by_customer: dict[int, dict[int, float]] = defaultdict(dict)
    entered: dict[int, float] = {}
    for r in sim.get_all_records():
        by_customer[r.id_number][r.node] = r.waiting_time
        if r.node == 1:
            entered[r.id_number] = r.arrival_date
    done = [w for c, w in by_customer.items() if len(w) == 2 and entered[c] >= WARMUP]
    first = np.array([w[1] for w in done])
    second = np.array([w[2] for w in done])
    return float(first.mean()), float(second.mean()), float((first + second).mean())


def _ciw_runs(function: Callable[[int], tuple[float, ...]]) -> np.ndarray:
    """One row per Ciw replication (seeds 1..n), run in a small process pool once per test run
    (both engines' tests compare with the same Ciw runs)."""
    def run() -> np.ndarray:
        with ProcessPoolExecutor(max_workers=WORKERS) as pool:
            return np.array(list(pool.map(function, range(1, CIW_REPLICATIONS + 1))))

    return once(f"ciw {function.__name__}", run)


def _assert_agree(label: str, ours: np.ndarray, theirs: np.ndarray, sharp: bool) -> None:
    welch = Welch.of(ours, theirs)
    slack = welch.half_width + TOLERANCE * abs(ours.mean())
    message = (
        f"{label}: portsim {ours.mean():.5g}, Ciw {theirs.mean():.5g}, difference "
        f"{welch.difference:+.4g} ± {welch.half_width:.3g} "
        f"({welch.half_width / abs(ours.mean()):.2%} of the mean)"
    )
    print(message)  # shown with pytest -s: the achieved agreement
    assert abs(welch.difference) <= slack, "portsim and Ciw disagree: " + message
    if sharp:
        assert welch.half_width < 0.05 * abs(ours.mean()), "comparison too coarse: " + message


@pytest.mark.slow
def test_mmc_agrees_with_ciw(validation_run: Callable[[str], Results]) -> None:
    ours = validation_run("mmc")
    theirs = _ciw_runs(_mmc_replication)
    _assert_agree(
        "M/M/10 P(wait)",
        ours.per_replication("stations", "server", "prob_wait"),
        theirs[:, 0],
        sharp=True,
    )
    _assert_agree(
        "M/M/10 mean wait",
        ours.per_replication("stations", "server", "wait_mean"),
        theirs[:, 1],
        sharp=False,  # rho = 0.9: the mean wait scatters ~4x more than P(wait)
    )


@pytest.mark.slow
def test_tandem_agrees_with_ciw(validation_run: Callable[[str], Results]) -> None:
    ours = validation_run("tandem")
    theirs = _ciw_runs(_tandem_replication)
    _assert_agree(
        "tandem wait at first",
        ours.per_replication("stations", "first", "wait_mean"),
        theirs[:, 0],
        sharp=False,
    )
    _assert_agree(
        "tandem wait at second",
        ours.per_replication("stations", "second", "wait_mean"),
        theirs[:, 1],
        sharp=False,
    )
    _assert_agree(
        "tandem total wait",
        ours.per_replication("classes", "customer", "wait_mean"),
        theirs[:, 2],
        sharp=True,
    )
