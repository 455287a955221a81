"""M/M/c whose servers break down and are repaired (preemptive resume), solved as its Markov
chain on (customers, broken servers): a sparse linear system, cut off where the probability
beyond is negligible."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class BreakdownQueue:
    """Steady state of M/M/c whose servers fail and are repaired (each its own exponential up
    and repair times, in calendar time; a failure interrupts the service it hits, which resumes
    on the next free server)."""

    in_system_mean: float  # time-average number at the station, waiting or in service
    queue_mean: float  # time-average number waiting (interrupted customers included)
    broken_mean: float  # time-average number of broken servers: c * repair / (up + repair)


def breakdown_queue(arrival_rate: float, service_mean: float, servers: int, up_mean: float,
                    repair_mean: float, *, tolerance: float = 1e-12) -> BreakdownQueue:
    """M/M/c with breakdowns, solved as its Markov chain on (customers n, broken servers k):
    arrivals at rate lambda; services at min(n, c - k) / E[S]; failures at (c - k) / E[up];
    repairs at k / E[repair] (every broken server repaired at once, independently). With
    exponential services, resuming an interrupted service and any server taking it over are
    the same chain. The customers are cut off at a level where the probability left beyond it
    is below ``tolerance`` (doubled until it is). Stable when lambda E[S] < c * availability.
    """
    if servers < 1 or min(arrival_rate, service_mean, up_mean, repair_mean) <= 0:
        raise ValueError("need servers >= 1 and positive rates and means")
    availability = up_mean / (up_mean + repair_mean)
    if arrival_rate * service_mean >= servers * availability:
        raise ValueError("unstable: the load is not below the servers' availability")
    from scipy.sparse.linalg import spsolve

    states, most = servers + 1, 64
    while True:
        generator = _breakdown_chain(arrival_rate, 1.0 / service_mean, servers, 1.0 / up_mean,
                                     1.0 / repair_mean, most)
        size = generator.shape[0]
        # pi Q = 0 with sum(pi) = 1: the transpose with one balance equation replaced.
        system = generator.T.tolil()
        system[0, :] = np.ones(size)
        right = np.zeros(size)
        right[0] = 1.0
        pi = spsolve(system.tocsr(), right).reshape(most + 1, states)
        if pi[most // 2:].sum() < tolerance:
            break
        most *= 2
    n = np.arange(most + 1)[:, None]
    k = np.arange(states)[None, :]
    in_service = np.minimum(n, servers - k)
    return BreakdownQueue(float((pi * n).sum()), float((pi * (n - in_service)).sum()),
                          float((pi * k).sum()))


def _breakdown_chain(arrival_rate: float, service_rate: float, servers: int, failure_rate: float,
                     repair_rate: float, most: int) -> Any:
    """The generator matrix (sparse) of M/M/c with breakdowns on states n * (c + 1) + k, for
    customers n up to ``most`` and broken servers k."""
    from scipy.sparse import coo_matrix

    rows: list[int] = []
    cols: list[int] = []
    rates: list[float] = []
    states = servers + 1

    def move(source: int, target: int, rate: float) -> None:
        rows.extend((source, source))
        cols.extend((target, source))
        rates.extend((rate, -rate))

    for n in range(most + 1):
        for k in range(states):
            here = n * states + k
            if n < most:
                move(here, here + states, arrival_rate)
            working = servers - k
            if n > 0 and min(n, working) > 0:
                move(here, here - states, min(n, working) * service_rate)
            if working > 0:
                move(here, here + 1, working * failure_rate)
            if k > 0:
                move(here, here - 1, k * repair_rate)
    size = (most + 1) * states
    return coo_matrix((rates, (rows, cols)), shape=(size, size)).tocsr()
