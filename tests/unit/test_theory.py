"""portsim.theory against hand-computed textbook numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from portsim.theory.erlang import erlang_b, erlang_c, mm1, mmc, mmc_wait_quantile, mmc_wait_tail
from portsim.theory.jackson import jackson_network, traffic_equations
from portsim.theory.mg1 import (
    PriorityClass,
    conservation_value,
    md1,
    mg1,
    priority_waits,
    residual_work,
)


def _erlang_c_direct(c: int, a: float) -> float:
    """The textbook closed form, fine for small c: (a^c/c! * c/(c-a)) / (sum_k<c a^k/k! + same)."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def test_mm1_at_rho_08_waits_four_service_times() -> None:
    m = mm1(arrival_rate=0.8, service_mean=1.0)
    assert m.utilisation == pytest.approx(0.8)
    assert m.prob_wait == pytest.approx(0.8)
    assert m.wait_mean == pytest.approx(4.0)
    assert m.queue_mean == pytest.approx(3.2)
    assert m.sojourn_mean == pytest.approx(5.0)
    assert m.in_system_mean == pytest.approx(4.0)


def test_mm1_scales_with_the_time_unit() -> None:
    # Same rho in seconds instead of minutes: every time is 60x, every count unchanged.
    m = mm1(arrival_rate=0.8 / 60, service_mean=60.0)
    assert m.wait_mean == pytest.approx(240.0)
    assert m.queue_mean == pytest.approx(3.2)


@pytest.mark.parametrize(
    ("servers", "load", "expected"),
    [
        (1, 0.5, 0.5),  # M/M/1: C = rho
        (2, 1.0, 1 / 3),  # 2 rho^2 / (1 + rho) at rho = 0.5
        (5, 4.0, 0.55411),  # Erlang C table
        (10, 9.0, 0.66873),  # Erlang C table, the mmc.yaml validation case
        (10, 8.0, 0.40918),
    ],
)
def test_erlang_c_table(servers: int, load: float, expected: float) -> None:
    assert erlang_c(servers, load) == pytest.approx(expected, abs=5e-5)
    assert erlang_c(servers, load) == pytest.approx(_erlang_c_direct(servers, load))


def test_erlang_b_small_cases() -> None:
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)  # (1/2) / (1 + 1 + 1/2)


def test_erlang_stable_for_hundreds_of_servers() -> None:
    # a^c / c! overflows a float at c = 500; the recursion must not. Reference: Poisson pmf/cdf.
    c, a = 500, 480.0
    b_ref = stats.poisson.pmf(c, a) / stats.poisson.cdf(c, a)
    assert erlang_b(c, a) == pytest.approx(b_ref, rel=1e-9)
    prob = erlang_c(c, a)
    assert 0 < prob < 1 and math.isfinite(prob)
    assert prob == pytest.approx(b_ref / (1 - a / c * (1 - b_ref)), rel=1e-9)


def test_mmc_mean_wait_and_littles_law() -> None:
    m = mmc(arrival_rate=1.0, service_mean=1.0, servers=2)
    assert m.prob_wait == pytest.approx(1 / 3)
    assert m.wait_mean == pytest.approx(1 / 3)  # C / (c mu - lambda) = (1/3) / 1
    assert m.queue_mean == pytest.approx(1 / 3)
    assert m.in_system_mean == pytest.approx(1 / 3 + 1.0)


def test_mmc_with_one_server_is_mm1() -> None:
    a, b = mmc(0.6, 1.5, 1), mm1(0.6, 1.5)
    assert a == b
    assert a.wait_mean == pytest.approx(0.9 * 1.5 / 0.1)


def test_unstable_queues_are_refused() -> None:
    with pytest.raises(ValueError, match="unstable"):
        mm1(1.0, 1.0)
    with pytest.raises(ValueError, match="unstable"):
        erlang_c(3, 3.5)
    with pytest.raises(ValueError, match="unstable"):
        mg1(2.0, 0.5, 0.0)


def test_wait_tail_and_quantile() -> None:
    lam, s, c = 9.0, 1.0, 10
    prob = erlang_c(c, 9.0)
    assert mmc_wait_tail(lam, s, c, 0.0) == pytest.approx(prob)
    assert mmc_wait_tail(lam, s, c, 2.0) == pytest.approx(prob * math.exp(-2.0))
    # The median wait is 0 when fewer than half wait; the 95% quantile inverts the tail.
    assert mmc_wait_quantile(0.5, 1.0, 1, 0.5) == 0.0
    t95 = mmc_wait_quantile(lam, s, c, 0.95)
    assert mmc_wait_tail(lam, s, c, t95) == pytest.approx(0.05)
    # M/M/1 at rho = 0.8: P(Wq > t) = 0.8 exp(-0.2 t), so p90 = 5 ln 8.
    assert mmc_wait_quantile(0.8, 1.0, 1, 0.9) == pytest.approx(5 * math.log(8))


def test_mean_of_the_tail_is_the_mean_wait() -> None:
    # E[Wq] = integral of P(Wq > t) dt: checks the tail and the mean against each other.
    lam, s, c = 7.0, 1.0, 10
    ts = np.linspace(0.0, 60.0, 60_001)
    tail = np.array([mmc_wait_tail(lam, s, c, t) for t in ts])
    integral = float(np.sum((tail[1:] + tail[:-1]) / 2 * np.diff(ts)))
    assert integral == pytest.approx(mmc(lam, s, c).wait_mean, rel=1e-6)


def test_pollaczek_khinchine() -> None:
    # SCV 1 is M/M/1; SCV 0 (M/D/1) halves the wait; SCV 2.25 multiplies it by 1.625.
    assert mg1(0.8, 1.0, 1.0).wait_mean == pytest.approx(4.0)
    assert md1(0.8, 1.0).wait_mean == pytest.approx(2.0)
    assert mg1(0.8, 1.0, 2.25).wait_mean == pytest.approx(6.5)
    m = mg1(0.5, 1.2, 0.25)
    assert m.prob_wait == pytest.approx(0.6)
    assert m.wait_mean == pytest.approx(0.6 / 0.4 * 1.25 / 2 * 1.2)
    assert m.sojourn_mean == pytest.approx(m.wait_mean + 1.2)


def test_cobham_two_classes_hand_computed() -> None:
    # urgent: lambda 0.2, deterministic 1.5 (E[S^2] 2.25); regular: lambda 0.5, exponential 1
    # (E[S^2] 2). W0 = (0.45 + 1) / 2 = 0.725; sigma = 0.3, 0.8.
    urgent = PriorityClass.from_scv(0.2, 1.5, 0.0)
    regular = PriorityClass.from_scv(0.5, 1.0, 1.0)
    assert urgent.service_second_moment == pytest.approx(2.25)
    assert residual_work([urgent, regular]) == pytest.approx(0.725)
    w_urgent, w_regular = priority_waits([urgent, regular])
    assert w_urgent == pytest.approx(0.725 / 0.7)
    assert w_regular == pytest.approx(0.725 / (0.7 * 0.2))


def test_cobham_one_class_is_pollaczek_khinchine() -> None:
    (w,) = priority_waits([PriorityClass.from_scv(0.7, 1.0, 0.5)])
    assert w == pytest.approx(mg1(0.7, 1.0, 0.5).wait_mean)


def test_conservation_law_holds_for_cobham_and_fifo() -> None:
    classes = [
        PriorityClass.from_scv(0.1, 2.0, 0.0),
        PriorityClass.from_scv(0.3, 1.0, 1.0),
        PriorityClass.from_scv(0.2, 0.5, 3.0),
    ]
    waits = priority_waits(classes)
    weighted = sum(k.utilisation * w for k, w in zip(classes, waits, strict=True))
    value = conservation_value(classes)
    assert weighted == pytest.approx(value)
    # FIFO: every class waits W0 / (1 - rho).
    rho = sum(k.utilisation for k in classes)
    assert value == pytest.approx(rho * residual_work(classes) / (1 - rho))
    # Reversing the order changes each wait but not the conserved sum.
    rev = priority_waits(classes[::-1])
    assert sum(k.utilisation * w for k, w in zip(classes[::-1], rev, strict=True)) == (
        pytest.approx(value)
    )


def test_two_class_exponential_conserves_the_mm1_value() -> None:
    classes = [
        PriorityClass.from_scv(0.3, 1.0, 1.0),
        PriorityClass.from_scv(0.5, 1.0, 1.0),
    ]
    assert conservation_value(classes) == pytest.approx(0.8 * 4.0)


def test_traffic_equations() -> None:
    # Tandem: everything entering 0 goes on to 1.
    assert traffic_equations([1.0, 0.0], [[0, 1], [0, 0]]) == pytest.approx([1.0, 1.0])
    # Feedback: one station revisited with probability 0.25 -> lambda = gamma / 0.75.
    assert traffic_equations([0.6], [[0.25]]) == pytest.approx([0.8])
    # A router splits 0.3 / 0.7.
    rates = traffic_equations([1.0, 0, 0], [[0, 0.3, 0.7], [0, 0, 0], [0, 0, 0]])
    assert rates == pytest.approx([1.0, 0.3, 0.7])
    with pytest.raises(ValueError):
        traffic_equations([1.0], [[0.5, 0.6]])


def test_jackson_tandem_of_two_mm1() -> None:
    net = jackson_network([0.5, 0.0], [[0, 1], [0, 0]], [1.0, 1.0], [1, 1])
    assert [m.sojourn_mean for m in net.stations] == pytest.approx([2.0, 2.0])
    assert net.sojourn_mean == pytest.approx(4.0)
    assert net.wait_mean == pytest.approx(2.0)
    assert net.in_system_mean == pytest.approx(2.0)


def test_jackson_split_weights_waits_by_visit_probability() -> None:
    net = jackson_network([0.3, 0.7], [[0, 0], [0, 0]], [2.0, 2.0], [1, 2])
    a, b = net.stations
    assert net.wait_mean == pytest.approx(0.3 * a.wait_mean + 0.7 * b.wait_mean)
    assert net.sojourn_mean == pytest.approx(0.3 * a.sojourn_mean + 0.7 * b.sojourn_mean)
