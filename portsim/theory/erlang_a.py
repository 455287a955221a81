"""Erlang A (M/M/c+M): c exponential servers, FIFO, and exponential patience while waiting.

The probability of waiting and of abandoning, the mean waits (of all, of those served, of those
who gave up) and the waiting-time tail, from the state an arrival finds (PASTA), summed as a
series that stays exact for long patience and hundreds of servers; the closed forms of [MZ05]
are kept for a test that holds the two equal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from portsim.theory.erlang import erlang_b


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
