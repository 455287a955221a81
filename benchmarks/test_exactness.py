"""portsim's waits equal the references' customer by customer, on identical inputs.

This check survives every optimisation of the hot path: a FIFO c-server station fed the same
arrival and service times must give each customer exactly the wait of the minimal SimPy model and
of the Kiefer-Wolfowitz recursion (to 1e-9 minutes; the same floating-point operations are done in
the same order, so in practice the waits are bitwise equal). Both engines are held to it: the
event engine and the FIFO fast path (``engine="fast"``). Waits are read from portsim's trace
hook: the ``queue`` and ``start`` events of each entity at each station. Likewise the time
averages (queue length, utilisation, number in system) equal integrals of the event log.
"""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks.references import (
    draw_inputs,
    kiefer_wolfowitz_waits,
    minimal_simpy,
    portsim_model,
)
from portsim.engine import run_replication

pytestmark = pytest.mark.benchmark_suite

TOLERANCE = 1e-9


ENGINES = ["events", "fast"]


def portsim_waits(inputs, engine: str = "events") -> dict[str, dict[int, float]]:
    """Waits per station, keyed by customer index (entity ids count arrivals from 1)."""
    queued: dict[tuple[str, int], float] = {}
    waits: dict[str, dict[int, float]] = {}

    def trace(time: float, entity: int, class_name: str, station: str | None,
              event: str) -> None:
        if event == "queue":
            queued[station, entity] = time
        elif event == "start":
            waits.setdefault(station, {})[entity - 1] = time - queued.pop((station, entity))

    result = run_replication(portsim_model(inputs), seed=0, trace=trace, engine=engine)
    assert result.engine == engine
    return waits


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("servers, utilisation", [(1, 0.8), (3, 0.95), (10, 0.9)])
def test_single_station_waits_equal_simpy_and_the_recursion(servers, utilisation, engine):
    inputs = draw_inputs(customers=20_000, servers=servers, utilisation=utilisation, seed=servers)
    ours = portsim_waits(inputs, engine)["s1"]
    simpy_waits: list[dict[int, float]] = [{}]
    minimal_simpy(inputs, simpy_waits)
    recursion = kiefer_wolfowitz_waits(inputs.arrivals, inputs.services[0], servers)
    assert len(ours) == len(simpy_waits[0]) == len(recursion) == inputs.customers
    assert max(abs(ours[i] - recursion[i]) for i in range(inputs.customers)) <= TOLERANCE
    assert max(abs(ours[i] - simpy_waits[0][i]) for i in range(inputs.customers)) <= TOLERANCE
    assert sum(w > 0 for w in recursion) > inputs.customers // 10  # queues did form


@pytest.mark.parametrize("engine", ENGINES)
def test_tandem_waits_equal_simpy_at_both_stations(engine):
    inputs = draw_inputs(customers=20_000, servers=4, stations=2, utilisation=0.9, seed=7)
    ours = portsim_waits(inputs, engine)
    simpy_waits: list[dict[int, float]] = [{}, {}]
    minimal_simpy(inputs, simpy_waits)
    for k, station in enumerate(("s1", "s2")):
        assert ours[station].keys() == simpy_waits[k].keys()
        assert max(abs(ours[station][i] - simpy_waits[k][i]) for i in ours[station]) <= TOLERANCE


def _integral(deltas: list[tuple[float, int]], start: float, end: float) -> float:
    """Integral over [start, end] of a count that steps by ``delta`` at each ``time``."""
    return sum(delta * (end - max(time, start)) for time, delta in deltas if time <= end)


@pytest.mark.parametrize("discipline, engine",
                         [("fifo", "events"), ("fifo", "fast"), ("priority", "events")])
def test_time_averages_equal_the_event_log(discipline, engine):
    """Queue length, busy servers and number in system, integrated from the trace by hand.

    Warm-up and horizon both fall while queues are long, so the statistics' corrections for
    customers waiting or in service at those moments are exercised.
    """
    inputs = draw_inputs(customers=20_000, servers=3, stations=2, utilisation=0.97, seed=11)
    warmup, horizon = inputs.arrivals[2_000], inputs.arrivals[15_000]
    base = portsim_model(inputs)
    stations = tuple(dataclasses.replace(s, discipline=discipline) for s in base.stations)
    model = dataclasses.replace(base, stations=stations, warmup=warmup, horizon=horizon)
    queue = {s.name: [] for s in stations}
    busy = {s.name: [] for s in stations}
    system: list[tuple[float, int]] = []

    def trace(time: float, entity: int, class_name: str, station: str | None,
              event: str) -> None:
        if event == "arrive":
            system.append((time, 1))
        elif event == "depart":
            system.append((time, -1))
        elif event == "queue":
            queue[station].append((time, 1))
        elif event == "start":
            queue[station].append((time, -1))
            busy[station].append((time, 1))
        elif event == "finish":
            busy[station].append((time, -1))

    kpis = run_replication(model, seed=0, trace=trace, engine=engine).kpis
    span = horizon - warmup
    for name, changes in queue.items():
        row = kpis["stations"][name]
        assert row["queue_mean"] == pytest.approx(
            _integral(changes, warmup, horizon) / span, rel=1e-9)
        assert row["utilisation"] == pytest.approx(
            _integral(busy[name], warmup, horizon) / (inputs.servers * span), rel=1e-9)
        assert row["queue_mean"] > 5  # long queues, as intended
    assert kpis["system"]["all"]["in_system_mean"] == pytest.approx(
        _integral(system, warmup, horizon) / span, rel=1e-9)
