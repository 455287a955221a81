"""Open Jackson networks: the traffic equations, and each station an independent M/M/c at its
rate (product form) [GH] D. Gross, J. Shortle, J. Thompson, C. Harris, *Fundamentals of Queueing
Theory*, 4th ed., Wiley 2008, §3.2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from portsim.theory.erlang import mmc
from portsim.theory.metrics import QueueMetrics


@dataclass(frozen=True, slots=True)
class NetworkMetrics:
    """An open Jackson network: per-station M/M/c results and network-wide means."""

    stations: tuple[QueueMetrics, ...]
    external_rate: float  # total arrivals from outside, gamma = sum gamma_i
    in_system_mean: float  # L = sum L_i
    sojourn_mean: float  # W = L / gamma (Little), mean time from entry to exit
    wait_mean: float  # mean total time queueing per customer = sum Lq_i / gamma


def traffic_equations(external: Sequence[float], routing: Sequence[Sequence[float]]) -> np.ndarray:
    """Solve lambda = gamma + P^T lambda for the total arrival rate at each station [GH §3.2].

    ``routing[i][j]`` is the probability of going from station i to j next; the rest of row i
    leaves the network. A feed-forward network solves exactly; (I - P^T) must be invertible.
    """
    gamma = np.asarray(external, dtype=float)
    p = np.asarray(routing, dtype=float)
    n = gamma.size
    if p.shape != (n, n):
        raise ValueError("routing must be a square matrix matching the external rates")
    if (p < 0).any() or (p.sum(axis=1) > 1 + 1e-12).any():
        raise ValueError("routing rows must be probabilities summing to at most 1")
    return np.linalg.solve(np.eye(n) - p.T, gamma)


def jackson_network(
    external: Sequence[float],
    routing: Sequence[Sequence[float]],
    service_means: Sequence[float],
    servers: Sequence[int],
) -> NetworkMetrics:
    """Open Jackson network: each station is an independent M/M/c at its traffic-equation rate
    (product form) [GH §3.2]; network sojourn W = sum L_i / sum gamma_i by Little's law.
    """
    rates = traffic_equations(external, routing)
    if not len(service_means) == len(servers) == rates.size:
        raise ValueError("one service mean and one server count per station")
    stations = tuple(
        mmc(float(lam), s, c) for lam, s, c in zip(rates, service_means, servers, strict=True)
    )
    gamma = float(np.sum(external))
    if gamma <= 0:
        raise ValueError("the network needs external arrivals")
    total_l = sum(m.in_system_mean for m in stations)
    total_lq = sum(m.queue_mean for m in stations)
    return NetworkMetrics(
        stations=stations,
        external_rate=gamma,
        in_system_mean=total_l,
        sojourn_mean=total_l / gamma,
        wait_mean=total_lq / gamma,
    )
