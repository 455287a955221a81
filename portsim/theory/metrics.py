"""The steady-state results of one queue, and what every formula checks and fills in.

Times in the unit of ``service_mean``; rates per that unit. Reference: [GH] D. Gross,
J. Shortle, J. Thompson, C. Harris, *Fundamentals of Queueing Theory*, 4th ed., Wiley 2008.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QueueMetrics:
    """Steady-state results of one queue. Times in the unit of ``service_mean``."""

    arrival_rate: float
    service_mean: float
    servers: int
    utilisation: float  # rho = lambda E[S] / c
    prob_wait: float  # P(Wq > 0)
    wait_mean: float  # Wq, mean time in queue
    queue_mean: float  # Lq, time-average number waiting
    sojourn_mean: float  # W = Wq + E[S]
    in_system_mean: float  # L = lambda W


def check_stable(arrival_rate: float, service_mean: float, servers: int) -> float:
    """The utilisation rho = lambda E[S] / c; a queue without a steady state (rho >= 1) or
    with impossible parameters is refused."""
    if arrival_rate < 0 or service_mean <= 0 or servers < 1:
        raise ValueError("need arrival_rate >= 0, service_mean > 0 and servers >= 1")
    rho = arrival_rate * service_mean / servers
    if rho >= 1:
        raise ValueError(f"unstable queue: utilisation {rho:.4g} >= 1 has no steady state")
    return rho


def metrics_from_wait(
    arrival_rate: float, service_mean: float, servers: int, prob_wait: float, wait_mean: float
) -> QueueMetrics:
    """Fill in the Little's-law relatives Lq = lambda Wq, W = Wq + E[S], L = lambda W."""
    sojourn = wait_mean + service_mean
    return QueueMetrics(
        arrival_rate=arrival_rate,
        service_mean=service_mean,
        servers=servers,
        utilisation=arrival_rate * service_mean / servers,
        prob_wait=prob_wait,
        wait_mean=wait_mean,
        queue_mean=arrival_rate * wait_mean,
        sojourn_mean=sojourn,
        in_system_mean=arrival_rate * sojourn,
    )
