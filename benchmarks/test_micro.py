"""Micro benchmarks: drawing a variate from a stream; one station visit (arrive, start, finish);
one hand-off from a completion to the head of the queue."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.summary import fast_mode
from portsim.engine.distributions import Deterministic, Exponential
from portsim.engine.entity import Entity
from portsim.engine.kernel import Environment
from portsim.engine.station import Station
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


def _one_server(kind: _Kind, done: list, bin_width: float, bins: int) -> Station:
    """A one-server FIFO station with deterministic 1-minute services, finishing into ``done``."""
    return Station("s", Environment(), 1, False,
                   {kind: Stream(Deterministic(1.0), generator(1, 0, "s"))},
                   done.append, 30.0, bin_width, bins)


def test_station_visit(measure):
    """One customer's visit to a free server: ``arrive`` + its completion event + ``on_done``.

    One server, deterministic 1-minute services: each loop step arrives a customer and lets
    SimPy fire its completion, so the figure per customer is the station's whole cost of a visit
    including SimPy's heap and ``step``.
    """
    kind = _Kind()

    def visits() -> int:
        done: list[Entity] = []
        station = _one_server(kind, done, 60.0, VISITS // 60 + 2)
        env = station.env
        step = env.step
        arrive = station.arrive
        for ident in range(VISITS):
            arrive(Entity(ident, kind, env.now, 0))
            step()
        return len(done)

    assert measure("micro.station_visit", visits, rounds=5, customers=VISITS) == VISITS


def test_station_handoff(measure):
    """One completion that hands its server to the head of the queue: ``_finish``, the start of
    the next customer's service (wait recorded, queue integrals, draw, completion scheduled) and
    ``on_done``. Every customer joins the queue of one server at time 0, then SimPy fires the
    completions; the series has one bin, so no wait spans bins."""
    kind = _Kind()

    def handoffs() -> int:
        done: list[Entity] = []
        station = _one_server(kind, done, 2.0 * VISITS, 2)
        for ident in range(VISITS):
            station.arrive(Entity(ident, kind, 0.0, 0))
        step = station.env.step
        for _ in range(VISITS):
            step()
        return len(done)

    assert measure("micro.station_handoff", handoffs, rounds=5, customers=VISITS) == VISITS
