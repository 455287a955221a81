"""Customers who give up and come back: the M/M/1 retrial queue (classical policy) against its
known mean orbit size, flow conservation with retrials, and retry share 0 as no retrials.

The M/G/1 retrial queue in which every customer who finds the server busy leaves for an
orbit and retries after an exponential time of rate theta (each independently) has the mean
orbit size E[N] = lambda^2 E[S^2] / (2 (1 - rho)) + lambda rho / (theta (1 - rho)) (Falin &
Templeton, Retrial Queues, 1997, §1.3; Artalejo & Falin 2002): for M/M/1, rho^2 / (1 - rho)
+ lambda rho / (theta (1 - rho)). In portsim that queue is a station with ``balk_at: 0`` (never
queue) and ``retry`` share 1: the time in system is the time in orbit plus the service, so by
Little's law the mean number in system is E[N] + rho.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from validation_targets import SHARP_HALF_WIDTH, TOLERANCE

from portsim.engine import distributions as d
from portsim.engine import model as m
from portsim.engine import run_replication
from portsim.stats.summary import t_interval

REPLICATIONS = 10


def retrial_queue(lam: float, service: float, theta: float, *, share: float = 1.0,
                  horizon: float = 60_000.0) -> m.Model:
    impatience = m.Impatience(balk_at=0, retry=share, retry_after=d.Exponential(1.0 / theta))
    station = m.StationSpec("s", m.ShiftSchedule.constant(1), d.Exponential(service),
                            impatience=impatience)
    return m.Model(stations=(station,),
                   classes=(m.ClassSpec("x", m.Poisson(lam), (m.Visit("s"),)),),
                   horizon=horizon, warmup=2_000.0, name="retrials")


def orbit_mean(lam: float, service: float, theta: float) -> float:
    rho = lam * service
    return rho * rho / (1 - rho) + lam * rho / (theta * (1 - rho))


@pytest.mark.parametrize(("lam", "service", "theta"), [
    (0.5, 1.0, 0.2),    # rho 0.5, retry every 5 min: E[N] = 3.0
    (0.7, 1.0, 1.0),    # rho 0.7, impatient redialling: E[N] = 3.27
    (0.3, 2.0, 0.1),    # rho 0.6, long absences: E[N] = 4.9
])
@pytest.mark.slow
def test_mm1_retrial_queue_orbit_size(lam: float, service: float, theta: float) -> None:
    model = retrial_queue(lam, service, theta)
    runs = [run_replication(model, seed=31, replication=r).kpis for r in range(REPLICATIONS)]
    rho = lam * service
    in_system = t_interval([run["system"]["all"]["in_system_mean"] for run in runs])
    expected = orbit_mean(lam, service, theta) + rho
    assert in_system.contains(expected, TOLERANCE), (in_system, expected)
    assert in_system.half_width < 3 * SHARP_HALF_WIDTH * expected
    sojourn = t_interval([run["classes"]["x"]["sojourn_mean"] for run in runs])
    assert sojourn.contains(expected / lam, TOLERANCE), (sojourn, expected / lam)
    # Every customer is served in the end: nobody leaves for good, and the server is busy
    # rho of the time.
    assert all(run["classes"]["x"]["balked"] == 0 for run in runs)
    busy = t_interval([run["stations"]["s"]["utilisation"] for run in runs])
    assert busy.contains(rho, TOLERANCE)


def test_retrials_conserve_flow() -> None:
    """Each attempt is an arrival at the station; each customer leaves once, served or gone."""
    model = retrial_queue(0.9, 1.0, 0.5, share=0.6, horizon=20_000.0)
    model = replace(model, warmup=0.0)
    log: list[tuple] = []
    result = run_replication(model, seed=5, trace=lambda *event: log.append(event)).kpis
    station, kind = result["stations"]["s"], result["classes"]["x"]
    events = [event for *_, event in log]
    assert station["retried"] == events.count("retry") > 0
    assert station["arrivals"] == kind["arrivals"] + station["retried"]
    assert station["balked"] == events.count("balk")
    # A balk either leaves the port (the class's balks) or goes away to come back: those
    # came back (retried) or are still away at the end (in the system, not in a queue).
    away = station["balked"] - kind["balked"] - station["retried"]
    assert 0 <= away <= result["system"]["all"]["in_system_end"]
    left = kind["completions"] + kind["balked"]
    assert left + result["system"]["all"]["in_system_end"] == kind["arrivals"]
    share = (station["balked"] - kind["balked"]) / station["balked"]
    assert abs(share - 0.6) < 4 * np.sqrt(0.6 * 0.4 / station["balked"])


def test_a_retry_share_of_zero_is_no_retrial() -> None:
    with_zero = retrial_queue(0.8, 1.0, 0.5, share=0.0, horizon=5_000.0)
    without = replace(with_zero, stations=(replace(
        with_zero.stations[0], impatience=m.Impatience(balk_at=0)),))
    a, b = (run_replication(model, seed=2).kpis for model in (with_zero, without))
    assert a == b and a["stations"]["s"]["retried"] == 0
