"""The loop of a station that takes bookings: the compiled kernel gives its Python twin's
arrays exactly, on any input (bookings, landings, walk-ins, shift changes and services on
quarter minutes, so that they tie); a whole replication is the same with either; inputs that
do not fit are refused.

CI sets PORTSIM_REQUIRE_COMPILED=1, so there a build that silently fell back to Python fails
here instead of only running slower.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np
import pytest
from compiled import needs_compiled
from hypothesis import given, settings
from hypothesis import strategies as st

from portsim.engine import booking_sweep, run_replication
from portsim.engine.booking_sweep import BOOK, CHANGE, COME
from portsim.scenario import load_scenario
from portsim.scenario.loader import compile_model

quarter = st.integers(min_value=0, max_value=40).map(lambda k: k / 4)
CLOCK = -(1 << 62)


def test_the_compiled_loop_is_built_where_ci_requires_it() -> None:
    if os.environ.get("PORTSIM_REQUIRE_COMPILED") == "1":
        assert booking_sweep.booking_starts is not booking_sweep.python_booking_starts


@st.composite
def sweep_inputs(draw: st.DrawFn) -> tuple[Any, ...]:
    """A station's events as the fast path lists them: each customer a walk-in or booked
    (its booking at or before it comes, in its own turn), bookings whose customer never
    comes, shift changes; distinct own turns, sorted by time, turn and kind."""
    count = draw(st.integers(min_value=0, max_value=30))
    classes = draw(st.integers(min_value=1, max_value=3))
    kinds = np.asarray(draw(st.lists(st.integers(0, classes - 1), min_size=count,
                                     max_size=count)), dtype=np.int64)
    comes = np.asarray(draw(st.lists(quarter, min_size=count, max_size=count)))
    booked = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    absent = draw(st.integers(min_value=0, max_value=4))
    own = np.asarray(draw(st.permutations(range(count + absent))), dtype=np.int64)
    booker = [i for i in range(count) if booked[i]] + [-1] * absent
    book_at = [comes[i] - draw(quarter) if i >= 0 else draw(quarter) for i in booker]
    present = len(booker) - absent
    book_rank = [own[i] if i >= 0 else own[count + k - present] for k, i in enumerate(booker)]
    changes = sorted(set(draw(st.lists(quarter, max_size=4))))
    levels = draw(st.lists(st.integers(0, 3), min_size=len(changes), max_size=len(changes)))
    # a walk-in may move in another customer's turn (a spawner's, say): its service may end
    # then, in that very turn
    moves = [own[i] if booked[i] or not draw(st.booleans())
             else draw(st.sampled_from(own[:count].tolist())) for i in range(count)]
    times = np.concatenate((changes, book_at, comes))
    ranks = np.concatenate(([CLOCK] * len(changes), book_rank, moves)).astype(np.int64)
    what = np.repeat(np.array([CHANGE, BOOK, COME], dtype=np.int64),
                     [len(changes), len(booker), count])
    which = np.concatenate((levels, np.arange(len(booker)), np.arange(count))).astype(np.int64)
    order = np.lexsort((what, ranks, times))
    counts = np.bincount(kinds, minlength=classes)
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    services = np.asarray(draw(st.lists(quarter.map(lambda q: q + 0.25), min_size=count,
                                        max_size=count)))
    return (times[order], ranks[order], what[order], which[order], kinds, own[:count].copy(),
            np.asarray(booker, dtype=np.int64), services, offsets,
            draw(st.integers(0, 3)), draw(st.integers(0, 4)),
            draw(st.sampled_from([np.inf, 5.0, 9.75])))


def run(version: Any, inputs: tuple[Any, ...]) -> list[np.ndarray]:
    count, bookings = inputs[4].size, inputs[6].size
    outputs = [np.full(count, -7, dtype=np.int64), np.full(count, -7.0), np.empty(count),
               np.empty(count, dtype=np.int64), np.empty(count),
               np.empty(bookings, dtype=np.int64), np.empty(bookings)]
    started = version(*inputs, *outputs)
    return [np.asarray([started]), *outputs]


@needs_compiled
@settings(max_examples=300, deadline=None)
@given(sweep_inputs())
def test_the_compiled_sweep_equals_python(inputs: tuple[Any, ...]) -> None:
    compiled = run(booking_sweep.booking_starts, inputs)
    python = run(booking_sweep.python_booking_starts, inputs)
    for mine, theirs in zip(compiled, python, strict=True):
        assert np.array_equal(mine, theirs, equal_nan=True)


@needs_compiled
def test_inputs_that_do_not_fit_are_refused() -> None:
    empty_ids, empty = np.zeros(0, dtype=np.int64), np.zeros(0)
    one = np.zeros(1, dtype=np.int64)
    come = (np.zeros(1), one, np.full(1, COME, dtype=np.int64))
    with pytest.raises(ValueError, match="do not fit"):  # a customer who is not there
        booking_sweep.booking_starts(*come, np.full(1, 3, dtype=np.int64), one, one, empty_ids,
                                     np.ones(1), one, 1, 0, 10.0, one.copy(), np.empty(1),
                                     np.empty(1), one.copy(), np.empty(1), empty_ids.copy(),
                                     empty.copy())
    with pytest.raises(ValueError, match="too few services"):
        booking_sweep.booking_starts(*come, one, one, one, empty_ids, empty, one, 1, 0, 10.0,
                                     one.copy(), np.empty(1), np.empty(1), one.copy(),
                                     np.empty(1), empty_ids.copy(), empty.copy())
    with pytest.raises(TypeError, match="int64"):
        booking_sweep.booking_starts(np.zeros(1), np.zeros(1), *come[2:], one, one, one,
                                     empty_ids, np.ones(1), one, 1, 0, 10.0, one.copy(),
                                     np.empty(1), np.empty(1), one.copy(), np.empty(1),
                                     empty_ids.copy(), empty.copy())


@needs_compiled
@pytest.mark.parametrize("variant", ["zero_wait_call_in", "zero_wait_eta_error",
                                     "zero_delay_departure"])
def test_a_replication_is_the_same_with_either_kernel(variant: str, monkeypatch) -> None:
    scenario = load_scenario(os.path.join(os.path.dirname(__file__), "..", "..", "scenarios",
                                          "water_port", "water_port.yaml"))
    model = compile_model(scenario, variant)
    compiled = run_replication(model, seed=3, engine="fast").kpis
    monkeypatch.setattr(booking_sweep, "booking_starts", booking_sweep.python_booking_starts)
    python = run_replication(model, seed=3, engine="fast").kpis
    assert json.dumps(compiled, sort_keys=True, default=str) == json.dumps(
        python, sort_keys=True, default=str)
