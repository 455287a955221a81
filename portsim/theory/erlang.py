"""Markovian queues with c servers: Erlang B and C, M/M/1, M/M/c (mean wait, waiting-time tail
and quantiles) and M/M/c/K (a finite queue that refuses arrivals when full).

Reference: [GH] D. Gross, J. Shortle, J. Thompson, C. Harris, *Fundamentals of Queueing
Theory*, 4th ed., Wiley 2008: §2.2 (M/M/1), §2.3 (M/M/c), §2.5 (M/M/c/K), §2.6 (Erlang B).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from portsim.theory.metrics import QueueMetrics, check_stable, metrics_from_wait


def erlang_b(servers: int, offered_load: float) -> float:
    """Erlang B blocking probability B(c, a) for offered load ``a = lambda E[S]`` in erlangs.

    Recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)) [GH §2.6]: every term lies in [0, 1],
    so it neither overflows (as a^c / c! would for c in the hundreds) nor cancels.
    """
    if servers < 0 or offered_load < 0:
        raise ValueError("need servers >= 0 and offered_load >= 0")
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


def erlang_c(servers: int, offered_load: float) -> float:
    """Erlang C: probability an arrival waits in M/M/c, C(c, a) = B / (1 - rho (1 - B)).

    ``rho = a / c`` must be below 1 [GH eq. 2.36, via Erlang B for numerical stability].
    """
    if servers < 1:
        raise ValueError("need servers >= 1")
    rho = offered_load / servers
    if rho >= 1:
        raise ValueError(f"unstable queue: utilisation {rho:.4g} >= 1 has no steady state")
    b = erlang_b(servers, offered_load)
    return b / (1.0 - rho * (1.0 - b))


def mmc(arrival_rate: float, service_mean: float, servers: int) -> QueueMetrics:
    """M/M/c: P(wait) = C(c, a), Wq = C / (c mu - lambda), Lq = lambda Wq [GH §2.3]."""
    check_stable(arrival_rate, service_mean, servers)
    load = arrival_rate * service_mean
    c_prob = erlang_c(servers, load)
    wait = c_prob / (servers / service_mean - arrival_rate)
    return metrics_from_wait(arrival_rate, service_mean, servers, c_prob, wait)


def mm1(arrival_rate: float, service_mean: float) -> QueueMetrics:
    """M/M/1: P(wait) = rho, Wq = rho E[S] / (1 - rho) [GH §2.2]. At rho = 0.8, Wq = 4 E[S]."""
    return mmc(arrival_rate, service_mean, 1)


def mmc_wait_tail(arrival_rate: float, service_mean: float, servers: int, t: float) -> float:
    """M/M/c FIFO waiting-time tail P(Wq > t) = C(c, a) exp(-(c mu - lambda) t), t >= 0 [GH §2.3.3].

    ``1 - mmc_wait_tail(..., sla)`` is the share served within the SLA.
    """
    if t < 0:
        raise ValueError("t must be >= 0")
    metrics = mmc(arrival_rate, service_mean, servers)
    return metrics.prob_wait * math.exp(-(servers / service_mean - arrival_rate) * t)


def mmc_wait_quantile(arrival_rate: float, service_mean: float, servers: int, q: float) -> float:
    """The q-quantile of the M/M/c FIFO wait [GH §2.3.3]:

    0 if q <= 1 - C, else ln(C / (1 - q)) / (c mu - lambda). Inverts :func:`mmc_wait_tail`
    (the wait has an atom of 1 - C at zero).
    """
    if not 0 <= q < 1:
        raise ValueError("q must lie in [0, 1)")
    metrics = mmc(arrival_rate, service_mean, servers)
    if q <= 1 - metrics.prob_wait:
        return 0.0
    return math.log(metrics.prob_wait / (1 - q)) / (servers / service_mean - arrival_rate)


@dataclass(frozen=True, slots=True)
class FiniteQueue:
    """Steady state of M/M/c/K: at most ``capacity`` customers in the system (c in service,
    ``capacity - c`` waiting); an arrival that finds it full is refused."""

    blocking: float  # P(an arrival is refused) = P(N = K) (PASTA)
    queue_mean: float  # time-average number waiting
    wait_mean: float  # mean wait of those admitted (Little)


def mmck(arrival_rate: float, service_mean: float, servers: int, capacity: int) -> FiniteQueue:
    """M/M/c/K by its birth-death product form [GH §2.5]: p_n proportional to a^n / n! for
    n <= c and to a^c / c! rho^(n-c) above; refused arrivals are those that find K."""
    if servers < 1 or capacity < servers or arrival_rate <= 0 or service_mean <= 0:
        raise ValueError("need servers >= 1, capacity >= servers and positive rates")
    load = arrival_rate * service_mean
    weights = [1.0]
    for n in range(1, capacity + 1):
        weights.append(weights[-1] * load / min(n, servers))
    total = math.fsum(weights)
    probabilities = [w / total for w in weights]
    queue = math.fsum(max(0, n - servers) * p for n, p in enumerate(probabilities))
    blocking = probabilities[-1]
    return FiniteQueue(blocking, queue, queue / (arrival_rate * (1.0 - blocking)))
