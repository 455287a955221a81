"""The loop of a station that can be out of order: the compiled kernel gives its Python twin's
rows exactly, on any input (clock events and arrivals on coarse times, so that they tie); a
whole replication is the same with either; inputs that do not fit are refused.

CI sets PORTSIM_REQUIRE_COMPILED=1, so there a build that silently fell back to Python fails
here instead of only running slower.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from compiled import needs_compiled
from hypothesis import given, settings
from hypothesis import strategies as st

from portsim.engine import breakdown_sweep, run_replication
from portsim.engine import distributions as d
from portsim.engine import model as m

coarse = st.integers(min_value=0, max_value=12).map(lambda k: k / 2)


def test_the_compiled_loop_is_built_where_ci_requires_it() -> None:
    if os.environ.get("PORTSIM_REQUIRE_COMPILED") == "1":
        assert breakdown_sweep.COMPILED, "pip install did not build portsim/_kernels.c"


@st.composite
def sweep_inputs(draw: st.DrawFn) -> tuple[tuple[object, ...], int]:
    count = draw(st.integers(min_value=0, max_value=40))
    arrivals = np.cumsum(np.asarray(draw(st.lists(coarse, min_size=count, max_size=count)),
                                    dtype=float))
    classes = draw(st.integers(min_value=1, max_value=3))
    kinds = np.asarray(draw(st.lists(st.integers(0, classes - 1), min_size=count,
                                     max_size=count)), dtype=np.int64)
    turns = np.asarray(draw(st.permutations(range(count))), dtype=np.int64)
    moves = np.asarray([draw(st.integers(min_value=-1, max_value=turn)) for turn in turns],
                       dtype=np.int64)
    fallback = np.asarray(draw(st.lists(st.integers(0, 1), min_size=count, max_size=count)),
                          dtype=np.int64)
    positions = draw(st.integers(min_value=0, max_value=3))
    servers = draw(st.integers(min_value=0, max_value=3))
    events = draw(st.lists(st.tuples(coarse.map(lambda t: 4 * t),
                                     st.integers(min_value=0, max_value=5),
                                     st.integers(min_value=0, max_value=3)), max_size=30))
    events = [(t, code, value) for t, code, value in sorted(events, key=lambda e: e[0])
              if code > 1 or value < positions]
    clock = (np.asarray([e[0] for e in events], dtype=float),
             np.asarray([e[1] for e in events], dtype=np.int64),
             np.asarray([e[2] for e in events], dtype=np.int64))
    sizes = np.bincount(kinds, minlength=classes) + draw(st.integers(min_value=0, max_value=4))
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    services = np.asarray(draw(st.lists(coarse, min_size=int(offsets[-1]),
                                        max_size=int(offsets[-1]))), dtype=float)
    choices = np.asarray(draw(st.lists(st.floats(0.0, 0.999), max_size=2 * len(events))),
                         dtype=float)
    horizon = draw(st.sampled_from([30.0, 60.0, np.inf]))
    warmup = draw(st.sampled_from([0.0, 4.0, 10.0]))
    arguments = (arrivals, kinds, turns, moves, fallback, servers, positions,
                 draw(st.booleans()), horizon, warmup, clock, (offsets, services, choices))
    return arguments, count + len(events) * 4 + 1


def _outputs(rows: int) -> tuple[np.ndarray, ...]:
    return (np.zeros((rows, 8)), np.zeros((rows, 4)), np.zeros((rows, 4)),
            np.zeros((8 * rows, 3)))


@needs_compiled
@settings(max_examples=300, deadline=None)
@given(sweep_inputs())
def test_the_compiled_loop_equals_python(inputs: tuple[tuple[object, ...], int]) -> None:
    arguments, rows = inputs
    written = []
    for version in (breakdown_sweep._sweep, breakdown_sweep.python_unreliable_starts):
        outputs = _outputs(rows)
        counts = version(*arguments, outputs)  # type: ignore[operator]
        written.append((counts, [out.tolist() for out in outputs] if counts else None))
    assert written[0] == written[1]


@needs_compiled
def test_inputs_that_do_not_fit_are_refused() -> None:
    clock = (np.zeros(1), np.zeros(1, dtype=np.int64), np.full(1, 5, dtype=np.int64))
    draws = (np.asarray([0, 1], dtype=np.int64), np.ones(1), np.zeros(2))
    ints = np.zeros(1, dtype=np.int64)
    with pytest.raises(ValueError, match="do not fit"):  # a failure of a position not there
        breakdown_sweep._sweep(np.zeros(1), ints, ints, ints, ints, 1, 2, True, 10.0, 0.0,
                               clock, draws, _outputs(8))
    with pytest.raises(TypeError, match="float64"):
        breakdown_sweep._sweep(np.zeros(1, dtype=np.int64), ints, ints, ints, ints, 1, 2,
                               True, 10.0, 0.0, clock, draws, _outputs(8))


def _model(fallback: bool) -> m.Model:
    gates = m.StationSpec("gates", m.ShiftSchedule(((0.0, 2), (90.0, 3)), period=240.0),
                          d.Exponential(1.5),
                          breakdowns=None if fallback else m.Breakdowns(d.Exponential(30.0),
                                                                        d.Exponential(5.0)),
                          outages=((100.0, 130.0), (300.0, 320.0)), interrupted="restart")
    desks = m.StationSpec("desks", m.ShiftSchedule.constant(2), d.Exponential(2.0))
    route = (m.Visit("gates", fallback=(m.Visit("desks"),) if fallback else None),)
    return m.Model(stations=(gates, desks),
                   classes=(m.ClassSpec("x", m.Poisson(1.2), route),), horizon=1_000.0,
                   warmup=50.0)


@needs_compiled
@pytest.mark.parametrize("fallback", [False, True])
def test_a_replication_is_the_same_with_either_loop(fallback: bool,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    model = _model(fallback)
    compiled = run_replication(model, seed=4, engine="fast").kpis
    monkeypatch.setattr(breakdown_sweep, "_sweep", breakdown_sweep.python_unreliable_starts)
    python = run_replication(model, seed=4, engine="fast").kpis
    assert python == compiled
    assert compiled["stations"]["gates"]["interrupted"] > 0
