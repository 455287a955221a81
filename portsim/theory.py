"""Textbook answers for the queues the validation scenarios simulate.

Pure functions, no simulation: M/M/1 and M/M/c (Erlang C), M/G/1 (Pollaczek–Khinchine, M/D/1 as
its zero-variance case), the M/M/c waiting-time tail, non-preemptive priority M/G/1 (Cobham) with
Kleinrock's conservation law, open Jackson networks, M/M/c/K (a finite queue) and Erlang A
(M/M/c+M, exponential patience) and M/M/c with servers that break down (preemptive resume).
Times are in one consistent unit
(portsim uses minutes); rates are per that unit.

References:
- [GH] D. Gross, J. Shortle, J. Thompson, C. Harris, *Fundamentals of Queueing Theory*, 4th ed.,
  Wiley 2008: §2.2 (M/M/1), §2.3 (M/M/c), §3.2 (Jackson networks), §5.1 (P–K).
- [K2] L. Kleinrock, *Queueing Systems, Vol. 2*, Wiley 1976: §3.4–3.5 (priority, conservation law).
- [C54] A. Cobham, "Priority assignment in waiting line problems", *Operations Research* 2 (1954).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special


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


def _check_stable(arrival_rate: float, service_mean: float, servers: int) -> float:
    if arrival_rate < 0 or service_mean <= 0 or servers < 1:
        raise ValueError("need arrival_rate >= 0, service_mean > 0 and servers >= 1")
    rho = arrival_rate * service_mean / servers
    if rho >= 1:
        raise ValueError(f"unstable queue: utilisation {rho:.4g} >= 1 has no steady state")
    return rho


def _metrics(
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


# ----------------------------------------------------------------------------- M/M/c


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
    _check_stable(arrival_rate, service_mean, servers)
    load = arrival_rate * service_mean
    c_prob = erlang_c(servers, load)
    wait = c_prob / (servers / service_mean - arrival_rate)
    return _metrics(arrival_rate, service_mean, servers, c_prob, wait)


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


# ----------------------------------------------------------------------------- M/M/c/K


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


# ----------------------------------------------------------------------------- Erlang A


@dataclass(frozen=True, slots=True)
class ErlangA:
    """Steady state of Erlang A (M/M/c+M): exponential patience, FIFO, customers renege while
    waiting and never once in service. Times in the unit of ``service_mean``."""

    prob_wait: float  # P(W > 0): all servers busy at arrival
    prob_abandon: float  # P(Ab): the share of arrivals who give up
    wait_mean: float  # E[W] over all arrivals (served: until service; abandoning: until they go)
    wait_mean_served: float  # E[W | served]
    wait_mean_abandoned: float  # E[W | abandoned]
    queue_mean: float  # time-average number waiting (lambda E[W])


def _erlang_a_scaled(arrival_rate: float, service_mean: float, servers: int,
                     patience_mean: float) -> tuple[float, float, float, np.ndarray]:
    """x = c mu / theta, log A(x, y) (y = lambda / theta), and the probabilities q_j that an
    arrival finds all servers busy and j customers waiting (summing to P(W > 0)).

    A(x, y) = sum_j y^j / prod_{i=1..j} (x + i) = x e^y y^-x gamma(x, y) [MZ05 §2]; it is summed
    term by term here, in logs: the closed form's gamma(x, y) underflows and e^y overflows for
    long patience or hundreds of servers, where the series is still exact. The terms rise while
    x + j < y, then fall faster than geometrically; summed until the rest cannot matter.
    """
    if servers < 1 or arrival_rate <= 0 or service_mean <= 0 or patience_mean <= 0:
        raise ValueError("need servers >= 1 and positive rates and means")
    x = servers / service_mean * patience_mean
    y = arrival_rate * patience_mean
    logs = [0.0]
    j = 0
    while True:
        j += 1
        logs.append(logs[-1] + math.log(y / (x + j)))
        if j > y - x and logs[-1] < max(logs) - 50.0:
            break
    log_terms = np.asarray(logs)
    peak = float(log_terms.max())
    terms = np.exp(log_terms - peak)
    log_a = peak + math.log(math.fsum(terms))
    blocking = erlang_b(servers, arrival_rate * service_mean)
    # P(W > 0) = A E_B / (1 + (A - 1) E_B), written to stay finite for huge A
    prob_wait = 1.0 / (1.0 + math.exp(-log_a) * (1.0 - blocking) / blocking)
    return x, log_a, prob_wait, terms * (prob_wait / float(terms.sum()))


def erlang_a(arrival_rate: float, service_mean: float, servers: int,
             patience_mean: float) -> ErlangA:
    """Erlang A (M/M/c+M) [MZ05], [GMR02]: with x = c mu / theta, y = lambda / theta,
    rho = lambda / (c mu), A(x, y) = x e^y y^-x gamma(x, y) (lower incomplete gamma):

    - P(W > 0) = A E_B / (1 + (A - 1) E_B), E_B the Erlang B of c servers at load lambda E[S];
    - P(Ab | W > 0) = 1 / (rho A) + 1 - 1 / rho, P(Ab) = P(Ab | W > 0) P(W > 0);
    - E[W] = P(Ab) / theta (abandonment rate theta L_q = lambda P(Ab), and L_q = lambda E[W]).

    The wait of those served comes from the state at arrival (PASTA): an arrival that finds
    j waiting reaches a server after V = sum_{i=0..j} Exp(c mu + i theta) unless its own
    patience tau ~ Exp(theta) runs out first; E[V e^(-theta V)] is that sum's Laplace
    transform's derivative at theta, summed over j. Stable for any load (impatience bounds
    the queue). References: [MZ05] A. Mandelbaum, S. Zeltyn, "The Palm/Erlang-A queue, with
    applications to call centers", 2005; [GMR02] O. Garnett, A. Mandelbaum, M. Reiman,
    "Designing a call center with impatient customers", MSOM 4 (2002).
    """
    x, _, prob_wait, weights = _erlang_a_scaled(arrival_rate, service_mean, servers,
                                                patience_mean)
    theta = 1.0 / patience_mean
    ahead = np.arange(weights.size, dtype=float)
    served = x / (x + ahead + 1.0)  # P(V < tau | j waiting ahead) = prod (x+i) / (x+i+1)
    # Summed as sum q_j (1 - served_j): the closed form P(Ab | W > 0) = 1 / (rho A) + 1 - 1 / rho
    # (tested equal) cancels badly below rho = 1.
    prob_abandon = float(np.sum(weights * (1.0 - served)))
    # sum_{i=0..j} 1 / (x + i + 1), for every j at once
    harmonic = np.cumsum(1.0 / (x + ahead + 1.0))
    wait_served_part = float(np.sum(weights * served * harmonic)) / theta  # E[W; served]
    wait_mean = prob_abandon / theta
    return ErlangA(
        prob_wait=prob_wait,
        prob_abandon=prob_abandon,
        wait_mean=wait_mean,
        wait_mean_served=wait_served_part / (1.0 - prob_abandon),
        wait_mean_abandoned=((wait_mean - wait_served_part) / prob_abandon if prob_abandon > 0
                             else math.nan),
        queue_mean=arrival_rate * wait_mean,
    )


def erlang_a_closed_form(arrival_rate: float, service_mean: float, servers: int,
                         patience_mean: float) -> tuple[float, float]:
    """P(W > 0) and P(Ab) of Erlang A by the closed forms of [MZ05] (see :func:`erlang_a`),
    with A(x, y) from the regularised lower incomplete gamma. For moderate x and y only (the
    incomplete gamma underflows for long patience): :func:`erlang_a` sums the series instead,
    and a test holds the two equal."""
    x = servers / service_mean * patience_mean
    y = arrival_rate * patience_mean
    big_a = math.exp(math.log(x) + y - x * math.log(y) + math.log(special.gammainc(x, y))
                     + special.gammaln(x))
    blocking = erlang_b(servers, arrival_rate * service_mean)
    prob_wait = big_a * blocking / (1.0 + (big_a - 1.0) * blocking)
    rho = y / x
    return prob_wait, prob_wait * (1.0 / (rho * big_a) + 1.0 - 1.0 / rho)


def erlang_a_wait_tail(arrival_rate: float, service_mean: float, servers: int,
                       patience_mean: float, t: float) -> float:
    """P(W > t) in Erlang A over all arrivals, W = min(V, tau) (see :func:`erlang_a`):
    P(W > t) = e^(-theta t) P(V > t). Given j waiting ahead, V (in units of 1/theta) is the sum
    of Exp(x + i), i = 0..j: the (j+1)-th smallest of x + j unit exponentials (Renyi), so
    P(V > s) = 1 - I_(1 - e^-s)(j + 1, x), a regularised incomplete beta, for real x too."""
    if t < 0:
        raise ValueError("t must be >= 0")
    x, _, _, weights = _erlang_a_scaled(arrival_rate, service_mean, servers, patience_mean)
    scaled = t / patience_mean
    ahead = np.arange(weights.size, dtype=float)
    beyond = 1.0 - special.betainc(ahead + 1.0, x, -math.expm1(-scaled))
    return math.exp(-scaled) * float(np.sum(weights * beyond))


# ----------------------------------------------------------------------------- M/G/1


def mg1(arrival_rate: float, service_mean: float, service_scv: float) -> QueueMetrics:
    """M/G/1 FIFO by Pollaczek–Khinchine: Wq = rho / (1 - rho) * (1 + SCV) / 2 * E[S] [GH §5.1.1].

    ``service_scv`` is the squared coefficient of variation Var[S] / E[S]^2 (1 exponential,
    0 deterministic). P(wait) = rho (PASTA: an arrival waits iff the server is busy).
    """
    if service_scv < 0:
        raise ValueError("service_scv must be >= 0")
    rho = _check_stable(arrival_rate, service_mean, 1)
    wait = rho / (1 - rho) * (1 + service_scv) / 2 * service_mean
    return _metrics(arrival_rate, service_mean, 1, rho, wait)


def md1(arrival_rate: float, service_time: float) -> QueueMetrics:
    """M/D/1: P–K with SCV = 0, Wq = rho E[S] / (2 (1 - rho)), half the M/M/1 wait."""
    return mg1(arrival_rate, service_time, 0.0)


# ----------------------------------------------------------------------------- priority


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


# ----------------------------------------------------------------------------- Jackson networks


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


# ----------------------------------------------------------------------------- breakdowns


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
