"""One server with general service times: M/G/1 by Pollaczek–Khinchine (M/D/1 as its
zero-variance case), and non-preemptive priority M/G/1 (Cobham) with Kleinrock's conservation
law.

References:
- [GH] D. Gross, J. Shortle, J. Thompson, C. Harris, *Fundamentals of Queueing Theory*, 4th ed.,
  Wiley 2008: §5.1 (P–K).
- [K2] L. Kleinrock, *Queueing Systems, Vol. 2*, Wiley 1976: §3.4–3.5 (priority, conservation law).
- [C54] A. Cobham, "Priority assignment in waiting line problems", *Operations Research* 2 (1954).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from portsim.theory.metrics import QueueMetrics, check_stable, metrics_from_wait


def mg1(arrival_rate: float, service_mean: float, service_scv: float) -> QueueMetrics:
    """M/G/1 FIFO by Pollaczek–Khinchine: Wq = rho / (1 - rho) * (1 + SCV) / 2 * E[S] [GH §5.1.1].

    ``service_scv`` is the squared coefficient of variation Var[S] / E[S]^2 (1 exponential,
    0 deterministic). P(wait) = rho (PASTA: an arrival waits iff the server is busy).
    """
    if service_scv < 0:
        raise ValueError("service_scv must be >= 0")
    rho = check_stable(arrival_rate, service_mean, 1)
    wait = rho / (1 - rho) * (1 + service_scv) / 2 * service_mean
    return metrics_from_wait(arrival_rate, service_mean, 1, rho, wait)


def md1(arrival_rate: float, service_time: float) -> QueueMetrics:
    """M/D/1: P–K with SCV = 0, Wq = rho E[S] / (2 (1 - rho)), half the M/M/1 wait."""
    return mg1(arrival_rate, service_time, 0.0)


@dataclass(frozen=True, slots=True)
class PriorityClass:
    """One class of a priority M/G/1 queue: arrival rate, E[S] and E[S^2] of its service time."""

    arrival_rate: float
    service_mean: float
    service_second_moment: float

    @classmethod
    def from_scv(
        cls, arrival_rate: float, service_mean: float, service_scv: float
    ) -> PriorityClass:
        """E[S^2] = E[S]^2 (1 + SCV)."""
        return cls(arrival_rate, service_mean, service_mean**2 * (1 + service_scv))

    @property
    def utilisation(self) -> float:
        return self.arrival_rate * self.service_mean


def residual_work(classes: Sequence[PriorityClass]) -> float:
    """W0 = sum_k lambda_k E[S_k^2] / 2: mean remaining service an arrival finds in progress."""
    return sum(k.arrival_rate * k.service_second_moment for k in classes) / 2


def priority_waits(classes: Sequence[PriorityClass]) -> tuple[float, ...]:
    """Cobham's formula for non-preemptive priority M/G/1, classes listed highest priority first:

    W_k = W0 / ((1 - sigma_{k-1}) (1 - sigma_k)),  sigma_k = rho_1 + ... + rho_k  [C54; K2 §3.4].

    Waits are in queue (FIFO within a class). Needs sigma_K = total utilisation < 1.
    """
    total = sum(k.utilisation for k in classes)
    if total >= 1:
        raise ValueError(f"unstable queue: utilisation {total:.4g} >= 1 has no steady state")
    w0 = residual_work(classes)
    waits: list[float] = []
    sigma_before = 0.0
    for k in classes:
        sigma = sigma_before + k.utilisation
        waits.append(w0 / ((1 - sigma_before) * (1 - sigma)))
        sigma_before = sigma
    return tuple(waits)


def conservation_value(classes: Sequence[PriorityClass]) -> float:
    """Kleinrock's conservation law: for any work-conserving non-preemptive discipline of M/G/1,

    sum_k rho_k W_k = rho W0 / (1 - rho)  [K2 §3.4, eq. 3.48],

    the same value FIFO gives (there every W_k = W0 / (1 - rho)). Compare it with
    ``sum(rho_k * W_k)`` from :func:`priority_waits` or from a simulation.
    """
    rho = sum(k.utilisation for k in classes)
    if rho >= 1:
        raise ValueError(f"unstable queue: utilisation {rho:.4g} >= 1 has no steady state")
    return rho * residual_work(classes) / (1 - rho)
