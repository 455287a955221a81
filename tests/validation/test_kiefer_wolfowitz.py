"""The engine's FIFO c-server station against the Kiefer–Wolfowitz recursion, exactly.

Recorded arrival times (a ``Trace``) and recorded service times (a ``Sequence``) leave nothing
random, so every customer's wait is determined: with the servers' next-free times in a heap,
customer n waits w_n = max(0, earliest free - a_n) and that server is next free at
a_n + w_n + s_n (Kiefer & Wolfowitz 1955). The engine's per-customer waits, read from its event
trace, must match to 1e-9 minutes.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

import numpy as np
import pytest

from portsim.engine import (
    ClassSpec,
    Model,
    ShiftSchedule,
    StationSpec,
    Trace,
    Visit,
    run_replication,
)
from portsim.engine.distributions import Sequence


def kiefer_wolfowitz(arrivals: np.ndarray, services: np.ndarray, servers: int) -> np.ndarray:
    """FIFO waits of customers arriving at sorted ``arrivals`` with ``services``, c servers."""
    free = [0.0] * servers
    waits = np.empty(len(arrivals))
    for n, (a, s) in enumerate(zip(arrivals, services, strict=True)):
        start = max(free[0], a)
        waits[n] = start - a
        heapq.heapreplace(free, start + s)
    return waits


def engine_waits(
    arrivals: np.ndarray, services: np.ndarray, servers: int, engine: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per-customer (wait, service) at the station, in arrival order, from the event trace."""
    station = StationSpec(
        name="desk",
        servers=ShiftSchedule.constant(servers),
        service=Sequence(tuple(services.tolist())),
    )
    cls = ClassSpec("customer", Trace(tuple(arrivals.tolist())), (Visit("desk"),))
    horizon = float(arrivals[-1] + services.sum() + 1.0)  # everyone is served before it ends
    model = Model(stations=(station,), classes=(cls,), horizon=horizon)
    events: dict[int, dict[str, float]] = defaultdict(dict)

    def trace(time: float, entity: int, _cls: str, where: str | None, event: str) -> None:
        if where == "desk":
            assert event not in events[entity], f"entity {entity} has two {event!r} events"
            events[entity][event] = time

    assert run_replication(model, seed=0, trace=trace, engine=engine).engine == engine
    assert len(events) == len(arrivals)
    order = sorted(events, key=lambda e: (events[e]["queue"], e))
    waits = np.array([events[e]["start"] - events[e]["queue"] for e in order])
    served = np.array([events[e]["finish"] - events[e]["start"] for e in order])
    queued = np.array([events[e]["queue"] for e in order])
    np.testing.assert_allclose(queued, arrivals, rtol=0, atol=1e-9)
    return waits, served


def _busy_stream(rng: np.random.Generator, n: int, servers: int) -> tuple[np.ndarray, np.ndarray]:
    """Arrivals at utilisation ~0.95 with lognormal services: long queues and idle spells."""
    services = rng.lognormal(0.0, 0.8, n)
    gaps = rng.exponential(services.mean() / (0.95 * servers), n)
    return np.cumsum(gaps), services


@pytest.mark.parametrize("engine", ["events", "fast"])
@pytest.mark.parametrize("servers", [1, 3])
def test_fifo_waits_equal_the_recursion(servers: int, engine: str) -> None:
    rng = np.random.default_rng(20 + servers)
    arrivals, services = _busy_stream(rng, 5000, servers)
    expected = kiefer_wolfowitz(arrivals, services, servers)
    waits, served = engine_waits(arrivals, services, servers, engine)
    assert (expected > 0).mean() > 0.5, "the stream should make most customers wait"
    np.testing.assert_allclose(served, services, rtol=0, atol=1e-9)
    np.testing.assert_allclose(waits, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("engine", ["events", "fast"])
@pytest.mark.parametrize("servers", [1, 3])
def test_fifo_waits_with_ties(servers: int, engine: str) -> None:
    """Arrivals on a half-minute grid and whole-minute services: simultaneous arrivals, and
    arrivals at the very instant a server frees, must still be served first come first served."""
    rng = np.random.default_rng(40 + servers)
    services = rng.integers(1, 4, 2000).astype(float)  # mean 2 min
    span = services.sum() / (0.9 * servers)  # utilisation 0.9
    arrivals = np.sort(rng.integers(0, int(2 * span), 2000) / 2.0)
    expected = kiefer_wolfowitz(arrivals, services, servers)
    waits, served = engine_waits(arrivals, services, servers, engine)
    assert len(np.unique(arrivals)) < 0.9 * len(arrivals), "the grid should produce ties"
    assert 0.2 < (expected > 0).mean() < 0.95, "some wait, some find a free server"
    np.testing.assert_allclose(served, services, rtol=0, atol=1e-9)
    np.testing.assert_allclose(waits, expected, rtol=0, atol=1e-9)
