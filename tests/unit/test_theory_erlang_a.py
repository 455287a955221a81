"""Erlang A and M/M/c/K formulas against independent numbers: the birth-death chain of the
number in system solved as a linear system (numpy), truncated far beyond any mass, and the
tagged customer's absorbing chain (recursion for the mean wait of those served, a matrix
exponential for the tail)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from portsim.theory.erlang import erlang_b, mmc, mmck
from portsim.theory.erlang_a import erlang_a, erlang_a_closed_form, erlang_a_wait_tail

CASES = [  # (lambda, E[S], c, E[patience])
    (2.0, 4.0, 8, 5.0),     # overloaded: rho = 1
    (1.0, 1.0, 1, 2.0),
    (9.0, 1.0, 10, 0.5),    # impatient
    (30.0, 1.0, 20, 3.0),   # rho = 1.5
    (45.0, 2.0, 100, 10.0),
]


def _chain(lam: float, service: float, c: int, rate_out: float, size: int) -> np.ndarray:
    """Stationary law of the birth-death chain on 0..size-1: deaths min(n, c) mu + rate_out
    * max(n - c, 0)."""
    mu = 1.0 / service
    q = np.zeros((size, size))
    for n in range(size - 1):
        q[n, n + 1] = lam
        q[n + 1, n] = min(n + 1, c) * mu + rate_out * max(n + 1 - c, 0)
    np.fill_diagonal(q, -q.sum(axis=1))
    a = np.vstack([q.T, np.ones(size)])
    b = np.zeros(size + 1)
    b[-1] = 1.0
    return np.linalg.lstsq(a, b, rcond=None)[0]


@pytest.mark.parametrize(("lam", "service", "c", "patience"), CASES)
def test_erlang_a_matches_the_birth_death_chain(lam, service, c, patience):
    theta, mu = 1.0 / patience, 1.0 / service
    size = c + 400
    p = _chain(lam, service, c, theta, size)
    waiting = np.maximum(np.arange(size) - c, 0)
    queue = float(waiting @ p)
    got = erlang_a(lam, service, c, patience)
    assert got.prob_wait == pytest.approx(p[c:].sum(), rel=1e-9)
    assert got.queue_mean == pytest.approx(queue, rel=1e-8)
    assert got.prob_abandon == pytest.approx(theta * queue / lam, rel=1e-8)
    assert got.wait_mean == pytest.approx(queue / lam, rel=1e-8)
    # The tagged customer who finds j waiting: served with s_j, E[W; served] m_j, by recursion
    # over the customers ahead (each step at rate c mu + j theta, its own patience theta).
    s = np.zeros(size - c)
    m = np.zeros(size - c)
    for j in range(size - c):
        move = c * mu + j * theta
        total = move + theta
        s_prev, m_prev = (1.0, 0.0) if j == 0 else (s[j - 1], m[j - 1])
        s[j] = move / total * s_prev
        m[j] = move / total * (s_prev / total + m_prev)
    arrival = p[c:]
    served = 1.0 - arrival @ (1.0 - s)
    assert 1.0 - got.prob_abandon == pytest.approx(served, rel=1e-9)
    assert got.wait_mean_served == pytest.approx(float(arrival @ m) / served, rel=1e-8)
    assert got.wait_mean_abandoned == pytest.approx(
        (queue / lam - float(arrival @ m)) / (1.0 - served), rel=1e-8)


@pytest.mark.parametrize(("lam", "service", "c", "patience"), CASES[:4])
@pytest.mark.parametrize("t", [0.0, 0.3, 1.0, 4.0])
def test_erlang_a_wait_tail_matches_a_matrix_exponential(lam, service, c, patience, t):
    theta, mu = 1.0 / patience, 1.0 / service
    size = c + 150
    p = _chain(lam, service, c, theta, size)
    ahead = size - c
    # Transient states: j customers ahead; leaving every state at c mu + (j + 1) theta.
    generator = np.zeros((ahead, ahead))
    for j in range(ahead):
        generator[j, j] = -(c * mu + (j + 1) * theta)
        if j:
            generator[j, j - 1] = c * mu + j * theta
    still = expm(generator * t) @ np.ones(ahead)
    expected = float(p[c:] @ still)
    assert erlang_a_wait_tail(lam, service, c, patience, t) == pytest.approx(
        expected, rel=1e-7, abs=1e-13)


def test_erlang_a_tends_to_erlang_c_when_patience_is_long():
    got = erlang_a(8.0, 1.0, 10, 1e4)
    exact = mmc(8.0, 1.0, 10)
    assert got.prob_wait == pytest.approx(exact.prob_wait, rel=1e-3)
    assert got.wait_mean_served == pytest.approx(exact.wait_mean, rel=1e-3)
    assert got.prob_abandon < 1e-4


@pytest.mark.parametrize(("lam", "service", "c", "capacity"),
                         [(0.9, 1.0, 1, 5), (8.0, 1.0, 10, 10), (12.0, 1.0, 10, 14)])
def test_mmck_matches_the_birth_death_chain(lam, service, c, capacity):
    p = _chain(lam, service, c, 0.0, capacity + 1)
    got = mmck(lam, service, c, capacity)
    assert got.blocking == pytest.approx(p[-1], rel=1e-9)
    queue = float(np.maximum(np.arange(capacity + 1) - c, 0) @ p)
    assert got.queue_mean == pytest.approx(queue, rel=1e-9, abs=1e-15)
    assert got.wait_mean == pytest.approx(queue / (lam * (1 - p[-1])), rel=1e-9, abs=1e-15)
    if capacity == c:
        assert got.blocking == pytest.approx(erlang_b(c, lam * service), rel=1e-12)


@pytest.mark.parametrize(("lam", "service", "c", "patience"), CASES)
def test_erlang_a_closed_forms_equal_the_series(lam, service, c, patience):
    prob_wait, prob_abandon = erlang_a_closed_form(lam, service, c, patience)
    got = erlang_a(lam, service, c, patience)
    assert got.prob_wait == pytest.approx(prob_wait, rel=1e-9)
    assert got.prob_abandon == pytest.approx(prob_abandon, rel=1e-8)
