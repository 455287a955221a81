"""Micro benchmarks: drawing a variate from a stream; one station visit (arrive, start, finish)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.summary import fast_mode
from portsim.engine.distributions import Deterministic, Exponential
from portsim.engine.kernel import Environment
from portsim.engine.station import Entity, Station
from portsim.engine.streams import Stream, Uniforms, generator

pytestmark = [pytest.mark.benchmark_suite, pytest.mark.benchmark(group="micro")]

DRAWS = 100_000 if fast_mode() else 1_000_000
VISITS = 50_000 if fast_mode() else 200_000


def test_stream_draw(measure):
    def draw_all() -> float:
        draw = Stream(Exponential(1.0), generator(1, 0, "bench")).draw
        total = 0.0
        for _ in range(DRAWS):
            total += draw()
        return total

    total = measure("micro.stream_draw", draw_all, rounds=5, customers=DRAWS)
    assert total == pytest.approx(DRAWS, rel=0.01)


def test_uniforms_draw(measure):
    def draw_all() -> float:
        draw = Uniforms(generator(1, 0, "bench")).draw
        total = 0.0
        for _ in range(DRAWS):
            total += draw()
        return total

    total = measure("micro.uniforms_draw", draw_all, rounds=5, customers=DRAWS)
    assert total == pytest.approx(DRAWS / 2, rel=0.01)


def test_numpy_scalar_draw_for_contrast(measure):
    """What streams avoid: one numpy call per variate."""
    def draw_all() -> float:
        rng = np.random.default_rng(1)
        total = 0.0
        for _ in range(DRAWS // 10):
            total += rng.exponential(1.0)
        return total

    measure("micro.numpy_scalar_draw", draw_all, rounds=3, customers=DRAWS // 10)


class _Kind:
    name = "c"


def test_station_visit(measure):
    """One customer's visit to a free server: ``arrive`` + its completion event + ``on_done``.

    One server, deterministic 1-minute services: each loop step arrives a customer and lets
    SimPy fire its completion, so the figure per customer is the station's whole cost of a visit
    including SimPy's heap and ``step``.
    """
    kind = _Kind()

    def visits() -> int:
        env = Environment()
        done = []
        station = Station("s", env, 1, False,
                          {kind: Stream(Deterministic(1.0), generator(1, 0, "s"))},
                          done.append, 30.0, 60.0, VISITS // 60 + 2)
        step = env.step
        arrive = station.arrive
        for ident in range(VISITS):
            arrive(Entity(ident, kind, env.now, 0))
            step()
        return len(done)

    assert measure("micro.station_visit", visits, rounds=5, customers=VISITS) == VISITS
