"""Servers that break down, against known answers.

- The Markov chain of M/M/c with breakdowns (portsim.theory.breakdowns.breakdown_queue, a
  sparse linear solve) against the same chain solved by the matrix-geometric method (Neuts: the
  rate matrix R of the levels n >= c, then the boundary levels), and against Erlang C without
  failures.
- The simulator against that chain: mean number at the station and waiting, and the mean
  number of broken servers, inside the 95 % intervals of independent replications (M/M/1 and
  M/M/3; resume and restart, which exponential services make the same chain).
- Per-server availability E[up] / (E[up] + E[repair]) with non-exponential up and repair times
  (a renewal-reward result: it holds for any distributions).
- Little's law at the station with interruptions.

These run on the fast path (``engine="auto"``); one replication on each engine checks that
they give the same KPIs.
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_kpis import assert_same_kpis
from validation_targets import SHARP_HALF_WIDTH, TOLERANCE

from portsim.engine import distributions as d
from portsim.engine import model as m
from portsim.engine import run_replication
from portsim.stats.summary import t_interval
from portsim.theory.breakdowns import breakdown_queue
from portsim.theory.erlang import mmc

REPLICATIONS = 10


def _matrix_geometric(lam: float, service: float, servers: int, up: float,
                      repair: float) -> float:
    """Mean number in system of the same chain, by Neuts' matrix-geometric method."""
    mu, fail, fix, size = 1.0 / service, 1.0 / up, 1.0 / repair, servers + 1

    def phases(n: int) -> np.ndarray:  # the failure/repair moves within a level
        moves = np.zeros((size, size))
        for k in range(size):
            if k < servers:
                moves[k, k + 1] = (servers - k) * fail
            if k > 0:
                moves[k, k - 1] = k * fix
        return moves

    def down(n: int) -> np.ndarray:
        return np.diag([min(n, servers - k) * mu for k in range(size)])

    up_level = lam * np.eye(size)

    def local(n: int) -> np.ndarray:
        moves = phases(n)
        out = moves.sum(axis=1) + lam + np.diag(down(n))
        return moves - np.diag(out)

    # Levels n >= c repeat: A0 (up), A1 (local), A2 (down).
    a0, a1, a2 = up_level, local(servers), down(servers)
    rate = np.zeros((size, size))
    for _ in range(100_000):
        following = -(a0 + rate @ rate @ a2) @ np.linalg.inv(a1)
        if np.max(np.abs(following - rate)) < 1e-15:
            break
        rate = following
    # Boundary levels 0..c: pi_n for n < c solved jointly with pi_c (pi_{c+1} = pi_c R).
    levels = servers + 1
    system = np.zeros((levels * size, levels * size))
    for n in range(levels):
        block = slice(n * size, (n + 1) * size)
        system[block, block] = local(n) if n < servers else a1 + rate @ a2
        if n + 1 < levels:
            system[block, (n + 1) * size:(n + 2) * size] = up_level
        if n > 0:
            system[block, (n - 1) * size:n * size] = down(n)
    # pi Q = 0: transpose, and replace one equation by the normalisation.
    tail = np.linalg.inv(np.eye(size) - rate)
    weights = np.concatenate([np.ones(servers * size), tail @ np.ones(size)])
    matrix = system.T.copy()
    matrix[0] = weights
    right = np.zeros(levels * size)
    right[0] = 1.0
    pi = np.linalg.solve(matrix, right).reshape(levels, size)
    mean = sum(n * pi[n].sum() for n in range(servers))
    # Levels c, c+1, ...: sum_j (c + j) pi_c R^j.
    mean += pi[servers] @ (servers * tail + rate @ tail @ tail) @ np.ones(size)
    return float(mean)


@pytest.mark.parametrize(("lam", "servers", "up", "repair"), [
    (0.5, 1, 60.0, 10.0), (0.6, 1, 30.0, 3.0), (1.5, 3, 100.0, 20.0), (2.5, 3, 120.0, 15.0),
])
def test_the_chain_agrees_with_the_matrix_geometric_solution(lam: float, servers: int,
                                                             up: float, repair: float) -> None:
    chain = breakdown_queue(lam, 1.0, servers, up, repair)
    assert chain.in_system_mean == pytest.approx(
        _matrix_geometric(lam, 1.0, servers, up, repair), rel=1e-9)
    assert chain.broken_mean == pytest.approx(servers * repair / (up + repair), rel=1e-9)


def test_the_chain_without_failures_is_erlang_c() -> None:
    chain = breakdown_queue(2.5, 1.0, 3, 1e12, 1e-9)
    assert chain.queue_mean == pytest.approx(mmc(2.5, 1.0, 3).queue_mean, rel=1e-6)


def breakdown_model(lam: float, servers: int, up: float, repair: float,
                    interrupted: str = "resume", horizon: float = 100_000.0) -> m.Model:
    station = m.StationSpec("s", m.ShiftSchedule.constant(servers), d.Exponential(1.0),
                            breakdowns=m.Breakdowns(d.Exponential(up), d.Exponential(repair)),
                            interrupted=interrupted)  # type: ignore[arg-type]
    return m.Model(stations=(station,),
                   classes=(m.ClassSpec("x", m.Poisson(lam), (m.Visit("s"),)),),
                   horizon=horizon, warmup=2_000.0, name="breakdowns")


@pytest.mark.parametrize(("lam", "servers", "up", "repair", "interrupted"), [
    (0.5, 1, 60.0, 10.0, "resume"),   # availability 6/7, effective load 0.58: L = 3.11
    (0.5, 1, 60.0, 10.0, "restart"),  # the same chain with exponential services
    (0.6, 1, 30.0, 3.0, "resume"),    # short frequent failures: L = 2.42
    (1.5, 3, 100.0, 20.0, "resume"),  # three servers, one broken on average half the time
])
@pytest.mark.slow
def test_mmc_with_breakdowns(lam: float, servers: int, up: float, repair: float,
                             interrupted: str) -> None:
    model = breakdown_model(lam, servers, up, repair, interrupted)
    runs = [run_replication(model, seed=7, replication=r).kpis for r in range(REPLICATIONS)]
    expected = breakdown_queue(lam, 1.0, servers, up, repair)
    in_system = t_interval([run["system"]["all"]["in_system_mean"] for run in runs])
    assert in_system.contains(expected.in_system_mean, TOLERANCE), (in_system, expected)
    assert in_system.half_width < 3 * SHARP_HALF_WIDTH * expected.in_system_mean
    queue = t_interval([run["stations"]["s"]["queue_mean"] for run in runs])
    assert queue.contains(expected.queue_mean, TOLERANCE), (queue, expected)
    broken = t_interval([run["stations"]["s"]["broken_mean"] for run in runs])
    assert broken.contains(expected.broken_mean, TOLERANCE), (broken, expected)
    # Little's law at the station: interrupted customers stay in it until they finish.
    for run in runs:
        station, kind = run["stations"]["s"], run["classes"]["x"]
        assert station["interrupted"] > 0
        rate = kind["arrival_rate_per_hour"] / 60.0
        assert run["system"]["all"]["in_system_mean"] == pytest.approx(
            rate * kind["sojourn_mean"], rel=0.03)


@pytest.mark.slow
def test_availability_with_any_up_and_repair_times() -> None:
    """Each server is broken E[repair] / (E[up] + E[repair]) of the time, whatever the
    distributions (lognormal up times, gamma repairs here: 40 / (200 + 40) = 1/6)."""
    station = m.StationSpec("s", m.ShiftSchedule.constant(5), d.Exponential(1.0),
                            breakdowns=m.Breakdowns(d.Lognormal(200.0, 0.8),
                                                    d.Gamma(40.0, 0.5)))
    model = m.Model(stations=(station,),
                    classes=(m.ClassSpec("x", m.Poisson(1.0), (m.Visit("s"),)),),
                    horizon=100_000.0, warmup=2_000.0)
    runs = [run_replication(model, seed=3, replication=r).kpis for r in range(REPLICATIONS)]
    broken = t_interval([run["stations"]["s"]["broken_mean"] / 5 for run in runs])
    assert broken.contains(40.0 / 240.0, TOLERANCE), broken
    assert broken.half_width < 0.05 * 40.0 / 240.0


@pytest.mark.parametrize("interrupted", ["resume", "restart"])
def test_the_chains_run_on_the_fast_path_with_the_event_engines_kpis(interrupted: str) -> None:
    """The replications above run on the fast path (engine "auto"): there they give the event
    engine's KPIs on the same seed, so the intervals are the event engine's too."""
    model = breakdown_model(1.5, 3, 100.0, 20.0, interrupted, horizon=20_000.0)
    fast = run_replication(model, seed=7)
    assert fast.engine == "fast"
    assert_same_kpis(run_replication(model, seed=7, engine="events").kpis, fast.kpis)
    assert fast.kpis["stations"]["s"]["interrupted"] > 0
