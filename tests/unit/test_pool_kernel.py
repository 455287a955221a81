"""The compiled sweep of skilled pools and retrials gives its Python twin's numbers exactly, on
any input and on whole replications; inputs that do not fit are refused, not misread."""

from __future__ import annotations

import json

import numpy as np
import pytest
from compiled import needs_compiled
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pool_ties import CALLBACK, _skilled

from portsim.engine import fast_pools, kernels_pools, run_replication

coarse = st.integers(min_value=0, max_value=20).map(lambda k: k / 4)
ints = np.int64


def _flat(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.concatenate(([0], np.cumsum([len(part) for part in lists]))).astype(ints)
    return offsets, np.asarray([item for part in lists for item in part], dtype=ints)


@st.composite
def pooled_inputs(draw: st.DrawFn) -> tuple[object, ...]:
    """Customers of up to 3 classes needing one of 2 skills, at coarse times with turns that
    tie or not; 1-3 pools of one skill or both with shift changes at coarse times; blocks of
    draws and of outputs that may run out (the sweep then says so)."""
    count = draw(st.integers(min_value=0, max_value=40))
    classes = draw(st.integers(min_value=1, max_value=3))
    arrivals = np.cumsum(np.asarray(draw(st.lists(coarse, min_size=count, max_size=count)),
                                    dtype=float))
    kinds = np.asarray(draw(st.lists(st.integers(0, classes - 1), min_size=count,
                                     max_size=count)), dtype=ints)
    turns = np.asarray(draw(st.permutations(range(count))), dtype=ints)
    moves = turns + np.asarray(draw(st.lists(st.integers(-1, 2), min_size=count,
                                             max_size=count)), dtype=ints)
    skills = draw(st.lists(st.sampled_from([[0], [1], [0, 1]]), min_size=1, max_size=3))
    preferred = [sorted((p for p, mine in enumerate(skills) if skill in mine),
                        key=lambda p: len(skills[p])) for skill in range(2)]
    served = [skill for skill in range(2) if preferred[skill]]
    layout = (*_flat(skills), np.asarray(draw(st.lists(st.integers(0, 2), min_size=len(skills),
                                                        max_size=len(skills))), dtype=ints),
              *_flat(preferred),
              np.asarray(draw(st.lists(st.sampled_from(served), min_size=classes,
                                       max_size=classes)), dtype=ints))
    changes = draw(st.integers(min_value=0, max_value=8))
    clock = (np.sort(np.asarray(draw(st.lists(coarse.map(lambda q: q * 3), min_size=changes,
                                              max_size=changes)), dtype=float)),
             np.asarray(draw(st.lists(st.integers(0, len(skills) - 1), min_size=changes,
                                      max_size=changes)), dtype=ints),
             np.asarray(draw(st.lists(st.integers(0, 3), min_size=changes, max_size=changes)),
                        dtype=ints))
    sizes = np.bincount(kinds, minlength=classes)
    per_try = sizes * draw(st.integers(min_value=1, max_value=3))
    service_offsets, try_offsets = (np.concatenate(([0], np.cumsum(part))).astype(ints)
                                    for part in (sizes, per_try))

    def block(size: int, values: st.SearchStrategy[float]) -> np.ndarray:
        return np.asarray(draw(st.lists(values, min_size=size, max_size=size)), dtype=float)

    tries = int(try_offsets[-1])
    draws = (service_offsets, block(int(service_offsets[-1]), coarse.map(lambda q: q + 0.25)),
             try_offsets, block(tries, coarse), block(tries, st.floats(0.0, 0.99)),
             block(tries, st.floats(0.0, 0.99)), block(tries, coarse.map(lambda q: q + 0.5)))
    tables = draw(st.lists(st.lists(st.sampled_from([0.0, 0.5, 1.0]), max_size=3),
                           min_size=classes, max_size=classes))
    rules = (np.asarray(draw(st.lists(st.integers(0, 1), min_size=classes, max_size=classes)),
                        dtype=ints),
             np.asarray(draw(st.lists(st.integers(-1, 2), min_size=classes, max_size=classes)),
                        dtype=ints),
             _flat([[0] * len(table) for table in tables])[0],
             np.asarray([chance for table in tables for chance in table], dtype=float),
             np.asarray(draw(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=classes,
                                      max_size=classes)), dtype=float))
    room = count * draw(st.integers(min_value=1, max_value=4)) + draw(st.integers(0, 2))
    horizon = draw(st.sampled_from([np.inf, 20.0, 60.0]))
    return (arrivals, kinds, turns, moves, layout, clock, horizon, draws, rules, room,
            2 * changes + count + 1)


def _outputs(count: int, room: int, levels: int) -> tuple[np.ndarray, ...]:
    def floats(size: int) -> np.ndarray:
        return np.full(size, -7.0)

    def whole(size: int) -> np.ndarray:
        return np.full(size, -7, dtype=ints)

    return (floats(count), whole(count), floats(count), floats(count), whole(count),
            whole(room), floats(room), floats(room), whole(room), whole(room), floats(room),
            floats(room), floats(levels), whole(levels), whole(levels))


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(pooled_inputs())
def test_pools_and_retrials_compiled_equals_python(inputs) -> None:
    *arguments, room, levels = inputs
    results = []
    for version in (kernels_pools.pooled_starts, kernels_pools.python_pooled_starts):
        outputs = _outputs(arguments[0].size, room, levels)
        counts = version(*arguments, outputs)
        results.append((counts, outputs))
    (compiled, compiled_out), (python, python_out) = results
    assert compiled == python
    if compiled[0] >= 0:
        for mine, theirs in zip(compiled_out, python_out, strict=True):
            np.testing.assert_array_equal(mine, theirs)


@needs_compiled
def test_the_compiled_sweep_is_the_one_in_use() -> None:
    assert kernels_pools.pooled_starts is not kernels_pools.python_pooled_starts
    assert fast_pools.pooled_starts is kernels_pools.pooled_starts


@needs_compiled
def test_inputs_that_do_not_fit_are_refused() -> None:
    """A class, skill or pool index out of range, or arrays of lengths that differ, would make
    the compiled sweep read past its arrays: refused instead."""
    one = np.zeros(1, dtype=ints)
    layout = (np.array([0, 1], dtype=ints), one, np.ones(1, dtype=ints),
              np.array([0, 1], dtype=ints), one, one)
    draws = (np.array([0, 1], dtype=ints), np.ones(1), np.array([0, 1], dtype=ints),
             *[np.ones(1)] * 4)
    rules = (one, np.full(1, -1, dtype=ints), np.zeros(2, dtype=ints), np.empty(0), np.zeros(1))
    clock = (np.empty(0), np.empty(0, dtype=ints), np.empty(0, dtype=ints))
    fine = (np.zeros(1), one, one, one, layout, clock, 10.0, draws, rules, _outputs(1, 2, 2))
    assert kernels_pools.pooled_starts(*fine) == (1, 0, 0, 1, 0)
    wrong_class = (np.zeros(1), np.ones(1, dtype=ints), *fine[2:])
    wrong_pool = (*fine[:5], (np.zeros(1), np.ones(1, dtype=ints), one), *fine[6:])
    longer = (np.zeros(2), *fine[1:])
    for arguments in (wrong_class, wrong_pool, longer):
        with pytest.raises(ValueError, match="do not fit"):
            kernels_pools.pooled_starts(*arguments)
    with pytest.raises(TypeError, match="int64"):
        kernels_pools.pooled_starts(np.zeros(1), np.zeros(1), *fine[2:])


@needs_compiled
@pytest.mark.parametrize("build", [lambda: CALLBACK, _skilled])
def test_a_replication_is_the_same_with_either_sweep(build, monkeypatch) -> None:
    compiled = run_replication(build(), seed=3, engine="fast").kpis
    monkeypatch.setattr(fast_pools, "pooled_starts", kernels_pools.python_pooled_starts)
    python = run_replication(build(), seed=3, engine="fast").kpis
    assert json.dumps(compiled, sort_keys=True, default=str) == json.dumps(
        python, sort_keys=True, default=str)
