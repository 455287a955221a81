"""The fast path's loops: the compiled kernels give the Python versions' floats exactly, on any
input; a whole replication is the same with either; bad arrays are refused, not misread.

CI sets PORTSIM_REQUIRE_COMPILED=1, so there a build that silently fell back to Python fails
here instead of only running slower.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from compiled import needs_compiled
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fast_path import (
    giving_up,
    giving_up_ties,
    network,
    priority,
    priority_ties,
    reactive,
    reactive_ties,
    shifts,
    visit_patience,
    waiting_spawn,
)

from portsim.engine import fast_impatience, fast_starts, kernels, kernels_giving, run_replication


def test_the_compiled_kernels_are_built_where_ci_requires_them() -> None:
    if os.environ.get("PORTSIM_REQUIRE_COMPILED") == "1":
        assert kernels.COMPILED, "pip install did not build portsim/_kernels.c"
    if kernels.COMPILED:
        assert kernels.fifo_starts is not kernels.python_fifo_starts
        assert kernels_giving.impatient_starts is not kernels_giving.python_impatient_starts


times = st.floats(min_value=0.0, max_value=50.0, allow_nan=False)
# Coarse values make ties (equal arrivals, equal free times, ends on a change) common.
coarse = st.integers(min_value=0, max_value=20).map(lambda k: k / 4)


@st.composite
def queue_inputs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, float]:
    count = draw(st.integers(min_value=0, max_value=60))
    element = draw(st.sampled_from([times, coarse]))
    gaps = draw(st.lists(element, min_size=count, max_size=count))
    services = draw(st.lists(element, min_size=count, max_size=count))
    horizon = draw(st.sampled_from([np.inf, 10.0, 100.0, 0.0]))
    return (np.cumsum(np.asarray(gaps, dtype=float)), np.asarray(services, dtype=float),
            horizon)


def _both(function: str, *args: object) -> tuple[tuple[int, list[float]], ...]:
    """What the compiled and the Python version write and return on the same inputs."""
    results = []
    for version in (getattr(kernels, function), getattr(kernels, f"python_{function}")):
        out = np.full(len(args[0]), np.nan)  # type: ignore[arg-type]
        count = version(*args, out)
        results.append((count, out[:count].tolist()))
    return tuple(results)


@needs_compiled
@settings(max_examples=300, deadline=None)
@given(queue_inputs(), st.integers(min_value=0, max_value=6))
def test_constant_servers_compiled_equals_python(inputs, servers: int) -> None:
    arrivals, services, horizon = inputs
    compiled, python = _both("fifo_starts", arrivals, services, servers, horizon)
    assert compiled == python


@needs_compiled
@settings(max_examples=300, deadline=None)
@given(queue_inputs(), st.integers(min_value=0, max_value=4),
       st.lists(st.tuples(coarse, st.integers(min_value=0, max_value=5)), max_size=8))
def test_changing_servers_compiled_equals_python(inputs, servers: int, changes) -> None:
    arrivals, services, horizon = inputs
    changes = sorted(changes)
    change_times = np.asarray([when * 4 for when, _ in changes], dtype=float)
    change_servers = np.asarray([level for _, level in changes], dtype=float)
    compiled, python = _both("fifo_starts_shifts", arrivals, services, servers, change_times,
                             change_servers, horizon)
    assert compiled == python


def _both_priority(arrivals: np.ndarray, services: np.ndarray, priorities: np.ndarray,
                   turns: np.ndarray, moves: np.ndarray, servers: int,
                   change_times: np.ndarray, change_servers: np.ndarray,
                   horizon: float) -> tuple[tuple[int, list[float], list[int]], ...]:
    results = []
    for version in (kernels.priority_starts, kernels.python_priority_starts):
        starts = np.full(arrivals.size, np.nan)
        order = np.full(arrivals.size, -1, dtype=np.int64)
        count = version(arrivals, services, priorities, turns, moves, servers, change_times,
                        change_servers, horizon, starts, order)
        results.append((count, starts[:count].tolist(), order[:count].tolist()))
    return tuple(results)


@needs_compiled
@settings(max_examples=300, deadline=None)
@given(queue_inputs(), st.integers(min_value=0, max_value=4),
       st.lists(st.tuples(coarse, st.integers(min_value=0, max_value=5)), max_size=8),
       st.data())
def test_priority_service_compiled_equals_python(inputs, servers: int, changes, data) -> None:
    """Any priorities and turns (ranks that tie or not), any shifts: the same starts, in the
    same order, from both."""
    arrivals, services, horizon = inputs
    count = arrivals.size
    changes = sorted(changes)
    ints = st.lists(st.integers(min_value=-2, max_value=3), min_size=count, max_size=count)
    priorities = np.asarray(data.draw(ints), dtype=np.int64)
    turns = np.asarray(data.draw(st.permutations(range(count))), dtype=np.int64)
    moves = np.asarray(data.draw(ints), dtype=np.int64) + turns // 2
    compiled, python = _both_priority(
        arrivals, services, priorities, turns, moves, servers,
        np.asarray([when * 4 for when, _ in changes], dtype=float),
        np.asarray([level for _, level in changes], dtype=float), horizon)
    assert compiled == python


@pytest.mark.parametrize("version", ["priority_starts", "python_priority_starts"])
def test_priority_service_by_hand(version: str) -> None:
    """One server; a low-priority customer at 0 (3 min), a low one at 1, a high one at 2:
    the high one overtakes (starts at 3, ends at 4). At 4 a second server opens (first at
    that instant: the waiting low one starts on it), then the high one's service ends (its
    turn before the two arriving then), so the first of them starts at once and the second
    waits until 6."""
    arrivals = np.array([0.0, 1.0, 2.0, 4.0, 4.0])
    services = np.array([3.0, 5.0, 1.0, 2.0, 1.0])
    priorities = np.array([1, 1, 0, 0, 1], dtype=np.int64)
    turns = np.arange(5, dtype=np.int64)
    starts = np.empty(5)
    order = np.empty(5, dtype=np.int64)
    count = getattr(kernels, version)(arrivals, services, priorities, turns, turns.copy(), 1,
                                      np.array([4.0]), np.array([2.0]), 100.0, starts, order)
    assert count == 5
    assert order.tolist() == [0, 2, 1, 3, 4]
    assert starts.tolist() == [0.0, 3.0, 4.0, 4.0, 6.0]



def _both_impatient(*args: object, reactive: int | None = None) -> tuple[object, ...]:
    """What the compiled and the Python giving-up sweep write and return on ``args`` (the
    reactive one, with as many clock events as ``reactive``)."""
    results = []
    count = len(args[0])  # type: ignore[arg-type]
    name = "impatient_starts" if reactive is None else "reactive_starts"
    for version in (getattr(kernels_giving, name), getattr(kernels_giving, f"python_{name}")):
        outputs = (np.full(count, -1.0), np.full(count, -1, dtype=np.int64),
                   np.full(count, -1.0), np.full(count, -1, dtype=np.int64),
                   np.full(count, -1.0), np.full(count, -1, dtype=np.int64))
        if reactive is not None:
            changes = (np.full(reactive, -1.0), np.full(reactive, -1, dtype=np.int64))
            started, lost, changed = version(*args, (*outputs, *changes))
            written = [changed, changes[0][:changed].tolist(), changes[1][:changed].tolist()]
        else:
            started, lost = version(*args, outputs)
            written = []
        starts, order, services, gone, left, how = outputs
        results.append((started, lost, starts[:started].tolist(), order[:started].tolist(),
                        np.nan_to_num(services, nan=-7.0).tolist(), gone[:lost].tolist(),
                        left[:lost].tolist(), how[:lost].tolist(), *written))
    return tuple(results)


@st.composite
def giving_up_rules(draw: st.DrawFn, classes: int) -> tuple[np.ndarray, ...]:
    """Per class: a patience or not, a queue limit or not, balking chances (0, 1 and in
    between, so that some tries draw a uniform and some do not)."""
    patient = draw(st.lists(st.booleans(), min_size=classes, max_size=classes))
    limits = draw(st.lists(st.integers(min_value=-1, max_value=3), min_size=classes,
                           max_size=classes))
    chance = st.sampled_from([0.0, 1.0, 0.25, 0.5, 0.9])
    tables = draw(st.lists(st.lists(chance, max_size=4), min_size=classes, max_size=classes))
    offsets = np.concatenate(([0], np.cumsum([len(table) for table in tables])))
    return (np.asarray(patient, dtype=np.int64), np.asarray(limits, dtype=np.int64),
            offsets.astype(np.int64), np.asarray([c for t in tables for c in t], dtype=float))


@needs_compiled
@settings(max_examples=300, deadline=None)
@given(queue_inputs(), st.integers(min_value=0, max_value=4),
       st.lists(st.tuples(coarse, st.integers(min_value=0, max_value=5)), max_size=8),
       st.integers(min_value=1, max_value=3), st.data())
def test_giving_up_compiled_equals_python(inputs, servers: int, changes, classes: int,
                                          data) -> None:
    """Any classes, priorities, turns, patiences (coarse ones tie with services ending and
    with arrivals), deadlines over the visit (passed, tied with other events, or none),
    balking rules and shifts: the same starts, services and departures without service, in
    the same order, from both."""
    arrivals, _, horizon = inputs
    changes = sorted(changes)
    customers, draws = _giving_up_customers(data, arrivals, classes)
    compiled, python = _both_impatient(
        arrivals, *customers, servers,
        np.asarray([when * 4 for when, _ in changes], dtype=float),
        np.asarray([level for _, level in changes], dtype=float), horizon,
        draws, data.draw(giving_up_rules(classes)))
    assert compiled == python


def _giving_up_customers(data: st.DataObject, arrivals: np.ndarray, classes: int,
                         ) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """For customers at ``arrivals``: (priorities, kinds, turns, moves) of any classes,
    priorities and turns (ranks that tie or not), and the draws (offsets, services,
    patiences, uniforms, deadlines), each class's block as long as its customers or longer;
    a deadline over the visit for some customers (coarse, so that many tie with other
    events; some before the customer arrives: passed on the way)."""
    count = arrivals.size
    kinds = np.asarray(data.draw(st.lists(st.integers(0, classes - 1), min_size=count,
                                          max_size=count)), dtype=np.int64)
    ints = st.lists(st.integers(min_value=-2, max_value=3), min_size=count, max_size=count)
    priorities = np.asarray(data.draw(ints), dtype=np.int64)
    turns = np.asarray(data.draw(st.permutations(range(count))), dtype=np.int64)
    moves = np.asarray(data.draw(ints), dtype=np.int64) + turns // 2
    sizes = np.bincount(kinds, minlength=classes)
    spare = data.draw(st.integers(min_value=0, max_value=2))  # blocks may be longer
    offsets = np.concatenate(([0], np.cumsum(sizes + spare))).astype(np.int64)
    total = int(offsets[-1])
    element = st.sampled_from([times, coarse])
    variates = [np.asarray(data.draw(st.lists(data.draw(element), min_size=total,
                                              max_size=total)), dtype=float)
                for _ in range(2)]
    uniforms = np.asarray(data.draw(st.lists(st.floats(0.0, 1.0, exclude_max=True),
                                             min_size=total, max_size=total)), dtype=float)
    after = st.one_of(st.just(math.inf), data.draw(element), coarse.map(lambda q: q - 3.0))
    deadlines = arrivals + np.asarray(data.draw(st.lists(after, min_size=count,
                                                         max_size=count)), dtype=float)
    return (priorities, kinds, turns, moves), (offsets, variates[0], variates[1], uniforms,
                                               deadlines)


@st.composite
def clocks(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    """A reactive station's clock: events at coarse times (ties among themselves and with
    the customers' events), shift steps, checks and position steps in any mix, positions
    unlimited or not."""
    count = draw(st.integers(min_value=0, max_value=40))
    times = sorted(draw(st.lists(coarse.map(lambda q: q * 2), min_size=count, max_size=count)))
    kinds = draw(st.lists(st.sampled_from([kernels_giving.SHIFT, kernels_giving.CHECK,
                                           kernels_giving.CHECK, kernels_giving.HOLD]),
                          min_size=count, max_size=count))
    values = draw(st.lists(st.integers(min_value=0, max_value=4), min_size=count,
                           max_size=count))
    limited = draw(st.booleans())
    places = [draw(st.integers(min_value=0, max_value=6))
              if limited or kind == kernels_giving.HOLD else -1 for kind in kinds]
    return (np.asarray(times, dtype=float), np.asarray(kinds, dtype=np.int64),
            np.asarray(values, dtype=np.int64), np.asarray(places, dtype=np.int64))


@needs_compiled
@settings(max_examples=300, deadline=None)
@given(queue_inputs(), st.integers(min_value=0, max_value=3), clocks(),
       st.integers(min_value=1, max_value=3), st.data())
def test_reactive_staffing_compiled_equals_python(inputs, servers: int, clock, classes: int,
                                                  data) -> None:
    """Any customers as for giving up, any clock and rule (thresholds on the coarse times
    the waits take): the same starts, departures and changes of the servers from both."""
    arrivals, _, horizon = inputs
    customers, draws = _giving_up_customers(data, arrivals, classes)
    close, above = sorted(data.draw(st.lists(coarse, min_size=2, max_size=2)))
    rule = (above, close, data.draw(st.integers(min_value=1, max_value=3)))
    compiled, python = _both_impatient(
        arrivals, *customers, servers, clock, rule, horizon, draws,
        data.draw(giving_up_rules(classes)), reactive=clock[0].size)
    assert compiled == python


@pytest.mark.parametrize("version", ["reactive_starts", "python_reactive_starts"])
def test_reactive_staffing_by_hand(version: str) -> None:
    """One server, 5-minute services, customers at 0, 1 and 2; checks at 3, 4 and 8: at 3
    the head (customer 1) has waited 2, not above 2: nothing opens; at 4 it has waited 3: a
    second server opens and takes it at once (so customer 2 heads the queue); at 5 the first
    service ends, customer 2 starts; at 8 nobody waits: the extra closes, though its service
    (from 4 to 9) goes on."""
    arrivals = np.array([0.0, 1.0, 2.0])
    ranks = np.arange(3, dtype=np.int64)
    clock = (np.array([3.0, 4.0, 8.0]), np.full(3, kernels_giving.CHECK, dtype=np.int64),
             np.zeros(3, dtype=np.int64), np.full(3, -1, dtype=np.int64))
    draws = (np.array([0, 3], dtype=np.int64), np.full(3, 5.0), np.full(3, np.nan),
             np.full(3, np.nan), np.full(3, np.inf))
    rules = (np.zeros(1, dtype=np.int64), np.full(1, -1, dtype=np.int64),
             np.zeros(2, dtype=np.int64), np.empty(0))
    outputs = (np.empty(3), np.empty(3, dtype=np.int64), np.empty(3),
               np.empty(3, dtype=np.int64), np.empty(3), np.empty(3, dtype=np.int64),
               np.empty(3), np.empty(3, dtype=np.int64))
    counts = getattr(kernels_giving, version)(arrivals, np.zeros(3, dtype=np.int64),
                                              np.zeros(3, dtype=np.int64), ranks, ranks, 1,
                                              clock, (2.0, 1.0, 2), 100.0, draws, rules,
                                              outputs)
    assert counts == (3, 0, 2)
    assert outputs[1].tolist() == [0, 1, 2]
    assert outputs[0].tolist() == [0.0, 4.0, 5.0]
    assert outputs[6][:2].tolist() == [4.0, 8.0]
    assert outputs[7][:2].tolist() == [2, 1]


@needs_compiled
def test_reactive_clocks_that_do_not_fit_are_refused() -> None:
    """A clock whose arrays differ in length, or too short an output of server changes,
    would make the compiled sweep read or write past its arrays: refused instead."""
    ranks = np.zeros(1, dtype=np.int64)
    draws = (np.array([0, 1], dtype=np.int64), np.ones(1), np.ones(1), np.ones(1),
             np.full(1, np.inf))
    rules = (np.zeros(1, dtype=np.int64), np.full(1, -1, dtype=np.int64),
             np.zeros(2, dtype=np.int64), np.empty(0))
    customers = (np.empty(1), np.empty(1, dtype=np.int64), np.empty(1),
                 np.empty(1, dtype=np.int64), np.empty(1), np.empty(1, dtype=np.int64))
    two = np.ones(2, dtype=np.int64)
    for clock, changes in (((np.ones(2), two, two, two[:1]), 2), ((np.ones(2), two, two, two), 1)):
        with pytest.raises(ValueError, match="do not fit"):
            kernels_giving.reactive_starts(np.zeros(1), ranks, ranks, ranks, ranks, 1, clock,
                                           (1.0, 0.0, 1), 10.0, draws, rules,
                                           (*customers, np.empty(changes),
                                            np.empty(changes, dtype=np.int64)))


def _one_server(version: str, arrivals: np.ndarray, kinds: np.ndarray, turns: np.ndarray,
                moves: np.ndarray, draws: tuple[np.ndarray, ...], rules: tuple[np.ndarray, ...],
                ) -> tuple[object, tuple[np.ndarray, ...]]:
    """What ``version`` of the giving-up sweep returns and writes for customers of equal
    priority at one server on duty throughout (until 100)."""
    count = arrivals.size
    outputs = (np.empty(count), np.empty(count, dtype=np.int64), np.empty(count),
               np.empty(count, dtype=np.int64), np.empty(count), np.empty(count, dtype=np.int64))
    counts = getattr(kernels_giving, version)(arrivals, np.zeros(count, dtype=np.int64), kinds,
                                              turns, moves, 1, np.empty(0), np.empty(0), 100.0,
                                              draws, rules, outputs)
    return counts, outputs


@pytest.mark.parametrize("version", ["impatient_starts", "python_impatient_starts"])
def test_giving_up_by_hand(version: str) -> None:
    """One server; class 0 waits for good, class 1 has a patience, class 2 refuses any
    queue. Customer 0 (class 0, 10 min) starts at 0. Customer 1 (class 1, patience 3) joins
    at 1 and reneges at 4; customer 2 (class 0) joins at 2; customer 3 (class 2) balks at 3.
    At 10 customer 2 starts on class 0's second service (1 min), ending at 11 in its own
    turn, the turn customer 4 (class 2) moves in at 11: the end goes first, so customer 4
    finds the server free and starts (5 min). Customer 5 (class 1, class 1's second
    patience: 2) joins at 12 and reneges at 14."""
    arrivals = np.array([0.0, 1.0, 2.0, 3.0, 11.0, 12.0])
    kinds = np.array([0, 1, 0, 2, 2, 1], dtype=np.int64)
    turns = np.arange(6, dtype=np.int64)
    moves = np.array([0, 1, 2, 3, 2, 5], dtype=np.int64)
    offsets = np.array([0, 2, 4, 6], dtype=np.int64)
    services = np.array([10.0, 1.0, 9.0, 9.0, 5.0, 9.0])
    patiences = np.array([np.nan, np.nan, 3.0, 2.0, np.nan, np.nan])
    draws = (offsets, services, patiences, np.full(6, 0.5), np.full(6, np.inf))
    rules = (np.array([0, 1, 0], dtype=np.int64), np.array([-1, -1, 0], dtype=np.int64),
             np.zeros(4, dtype=np.int64), np.empty(0))
    counts, (starts, order, served, gone, left, how) = _one_server(
        version, arrivals, kinds, turns, moves, draws, rules)
    assert counts == (3, 3)
    assert order[:3].tolist() == [0, 2, 4]
    assert starts[:3].tolist() == [0.0, 10.0, 11.0]
    assert np.nan_to_num(served, nan=-1.0).tolist() == [10.0, -1.0, 1.0, -1.0, 5.0, -1.0]
    assert gone[:3].tolist() == [3, 1, 5]
    assert left[:3].tolist() == [3.0, 4.0, 14.0]
    assert how[:3].tolist() == [kernels_giving.BALK, kernels_giving.RENEGE,
                                kernels_giving.RENEGE]


@pytest.mark.parametrize("version", ["impatient_starts", "python_impatient_starts"])
def test_deadlines_over_the_visit_by_hand(version: str) -> None:
    """One server, 10-minute services. Customer 0 starts at 0 (its deadline 5 passes in
    service: no matter). Customer 1 joins at 1 with a patience of 6 and a deadline of 4: it
    gives up at 4, the earlier. Customer 2's deadline (1.5) passed before it came at 2: it
    gives up at once, on joining. Customer 3 joins at 3 with a deadline of 12 and no
    patience: it gives up at 12 unless served first; at 10 the server takes it (customer 1
    and 2 gone). Customer 4 joins at 3 with a deadline of 7 and a patience of 2.5: out at
    5.5. Customer 5 (deadline none, patience none) waits until 20."""
    arrivals = np.array([0.0, 1.0, 2.0, 3.0, 3.0, 4.0])
    kinds = np.array([0, 1, 0, 0, 1, 0], dtype=np.int64)
    ranks = np.arange(6, dtype=np.int64)
    draws = (np.array([0, 4, 6], dtype=np.int64), np.full(6, 10.0),
             np.array([np.nan] * 4 + [6.0, 2.5]), np.full(6, 0.5),
             np.array([5.0, 4.0, 1.5, 12.0, 7.0, np.inf]))
    rules = (np.array([0, 1], dtype=np.int64), np.full(2, -1, dtype=np.int64),
             np.zeros(3, dtype=np.int64), np.empty(0))
    counts, (starts, order, _, gone, left, how) = _one_server(
        version, arrivals, kinds, ranks, ranks, draws, rules)
    assert counts == (3, 3)
    assert order[:3].tolist() == [0, 3, 5]
    assert starts[:3].tolist() == [0.0, 10.0, 20.0]
    assert gone[:3].tolist() == [2, 1, 4]
    assert left[:3].tolist() == [2.0, 4.0, 5.5]
    assert how[:3].tolist() == [kernels_giving.RENEGE] * 3


@needs_compiled
def test_giving_up_inputs_that_do_not_fit_are_refused() -> None:
    """A class with fewer pre-drawn variates than customers, or a class index out of range,
    would make the compiled sweep read past its arrays: refused instead."""
    ranks = np.arange(3, dtype=np.int64)
    rules = (np.zeros(1, dtype=np.int64), np.full(1, -1, dtype=np.int64),
             np.zeros(2, dtype=np.int64), np.empty(0))
    outputs = (np.empty(3), np.empty(3, dtype=np.int64), np.empty(3),
               np.empty(3, dtype=np.int64), np.empty(3), np.empty(3, dtype=np.int64))
    short = (np.array([0, 2], dtype=np.int64), np.zeros(2), np.zeros(2), np.zeros(2),
             np.zeros(3))
    for kinds, draws in ((np.zeros(3, dtype=np.int64), short),
                         (np.array([0, 0, 1], dtype=np.int64),
                          (np.array([0, 3], dtype=np.int64), *[np.zeros(3)] * 4)),
                         (np.zeros(3, dtype=np.int64),  # a deadline short
                          (np.array([0, 3], dtype=np.int64), *[np.zeros(3)] * 3,
                           np.zeros(2)))):
        with pytest.raises(ValueError, match="do not fit"):
            kernels_giving.impatient_starts(np.zeros(3), ranks, kinds, ranks, ranks, 1,
                                            np.empty(0), np.empty(0), 10.0, draws, rules,
                                            outputs)
    with pytest.raises(TypeError, match="int64"):
        kernels_giving.impatient_starts(np.zeros(3), np.zeros(3), np.zeros(3, dtype=np.int64),
                                        ranks, ranks, 1, np.empty(0), np.empty(0), 10.0, short,
                                        rules, outputs)

def test_the_recursion_by_hand() -> None:
    """Two servers: the third customer waits for the first to finish; none starts at or after
    the horizon."""
    arrivals = np.array([0.0, 1.0, 2.0, 2.5, 9.0])
    services = np.array([3.0, 5.0, 1.0, 1.0, 1.0])
    out = np.empty(5)
    assert kernels.fifo_starts(arrivals, services, 2, 8.0, out) == 4
    assert out[:4].tolist() == [0.0, 1.0, 3.0, 4.0]
    # more servers than customers (a billion): everyone starts on arrival, in no memory to speak of
    out = np.empty(5)
    assert kernels.fifo_starts(arrivals, services, 10**9, 100.0, out) == 5
    assert out.tolist() == arrivals.tolist()
    assert kernels.python_fifo_starts(arrivals, services, 10**9, 100.0, out) == 5
    # one server until 2, then none until 6, then two: nobody starts in the gap
    out = np.empty(5)
    count = kernels.fifo_starts_shifts(arrivals, services, 1, np.array([2.0, 6.0]),
                                       np.array([0.0, 2.0]), 100.0, out)
    assert count == 5
    assert out.tolist() == [0.0, 6.0, 6.0, 7.0, 9.0]


@needs_compiled
@pytest.mark.parametrize("bad", [np.arange(5), np.zeros(10)[::2], np.zeros(5, dtype=np.float32)])
def test_arrays_that_are_not_contiguous_float64_are_refused(bad: np.ndarray) -> None:
    good = np.zeros(5)
    with pytest.raises((TypeError, BufferError, ValueError)):
        kernels.fifo_starts(bad, good, 2, 10.0, np.empty(5))
    with pytest.raises((TypeError, BufferError, ValueError)):
        kernels.fifo_starts(good, good, 2, 10.0, bad)


@needs_compiled
def test_lengths_that_do_not_match_are_refused() -> None:
    with pytest.raises(ValueError, match="as long as"):
        kernels.fifo_starts(np.zeros(5), np.zeros(4), 2, 10.0, np.empty(5))
    with pytest.raises(ValueError, match="no shorter"):
        kernels.fifo_starts(np.zeros(5), np.zeros(5), 2, 10.0, np.empty(4))
    with pytest.raises(ValueError, match="as long as"):
        kernels.fifo_starts_shifts(np.zeros(5), np.zeros(5), 2, np.zeros(2), np.zeros(1),
                                   10.0, np.empty(5))
    ranks = np.zeros(5, dtype=np.int64)
    with pytest.raises(ValueError, match="as long as"):
        kernels.priority_starts(np.zeros(5), np.zeros(5), ranks, ranks, ranks[:4], 2,
                                np.zeros(1), np.zeros(1), 10.0, np.empty(5), ranks.copy())
    with pytest.raises(ValueError, match="no shorter"):
        kernels.priority_starts(np.zeros(5), np.zeros(5), ranks, ranks, ranks, 2,
                                np.zeros(1), np.zeros(1), 10.0, np.empty(5), ranks[:4].copy())
    with pytest.raises(TypeError, match="int64"):
        kernels.priority_starts(np.zeros(5), np.zeros(5), np.zeros(5), ranks, ranks, 2,
                                np.zeros(1), np.zeros(1), 10.0, np.empty(5), ranks.copy())


@needs_compiled
@pytest.mark.parametrize("build", [shifts, network, waiting_spawn, priority, priority_ties,
                                   giving_up, giving_up_ties, reactive, reactive_ties,
                                   visit_patience])
def test_a_replication_is_the_same_with_either_kernel(build, monkeypatch) -> None:
    compiled = run_replication(build(), seed=3, engine="fast").kpis
    monkeypatch.setattr(fast_starts, "fifo_starts", kernels.python_fifo_starts)
    monkeypatch.setattr(fast_starts, "fifo_starts_shifts", kernels.python_fifo_starts_shifts)
    monkeypatch.setattr(fast_starts, "priority_starts", kernels.python_priority_starts)
    monkeypatch.setattr(fast_impatience.kernels_giving, "impatient_starts",
                        kernels_giving.python_impatient_starts)
    monkeypatch.setattr(fast_impatience.kernels_giving, "reactive_starts",
                        kernels_giving.python_reactive_starts)
    python = run_replication(build(), seed=3, engine="fast").kpis
    assert json.dumps(compiled, sort_keys=True, default=str) == json.dumps(
        python, sort_keys=True, default=str)


def _pad_set(environment: dict[str, str]) -> str:
    code = "from portsim.engine.allocator import retain_freed_memory as r; print(r(), r())"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, **environment}).stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_the_malloc_pad_is_set_once_and_can_be_turned_off() -> None:
    try:
        os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError):
        pytest.skip("the C library is not glibc")
    assert _pad_set({}) == "True True"
    assert _pad_set({"PORTSIM_MALLOC_PAD_MB": "0"}) == "False False"
    assert _pad_set({"PORTSIM_MALLOC_PAD_MB": "many"}) == "True True"


@needs_compiled
@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=40.0, allow_nan=False), max_size=40),
       st.lists(st.floats(min_value=0.0, max_value=40.0, allow_nan=False), max_size=40),
       st.floats(min_value=0.0, max_value=20.0))
def test_the_longest_queue_compiled_equals_python(joins, stays, warmup: float) -> None:
    count = min(len(joins), len(stays))
    joined = np.sort(np.asarray(joins[:count], dtype=float))
    left = np.sort(joined + np.asarray(stays[:count], dtype=float))
    assert kernels.queue_max(joined, left, warmup) == kernels.python_queue_max(
        joined, left, warmup)


def _slot_tallies(horizon: float, standard: float, first_slot: int) -> tuple:
    from portsim.stats.slots import SlotTally

    return tuple(SlotTally(horizon, standard, 60.0, first_slot=first_slot) for _ in range(2))


# waits on the histogram's edges (64 bins an octave), below its first and beyond its last
# edge; times on the slots' edges and past the horizon
edge_waits = st.one_of(st.floats(min_value=0.0, max_value=300.0, allow_nan=False),
                       st.integers(min_value=0, max_value=300).map(lambda k: k * 0.5),
                       st.integers(min_value=-12, max_value=26).map(lambda k: 2.0 ** k),
                       st.sampled_from([0.0, -0.0, 5e-324, 2.0 ** -10 * (1 - 2 ** -53),
                                        1.0 + 1 / 64, 1.0 + 1 / 64 - 2 ** -52, 1e7, 2e7,
                                        2.0 ** 24, 1e300]))
edge_times = st.one_of(st.floats(min_value=0.0, max_value=5000.0, allow_nan=False),
                       st.integers(min_value=0, max_value=80).map(lambda k: k * 60.0))


@needs_compiled
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(edge_waits, edge_times), max_size=60),
       st.sampled_from([30.0, 12.5, math.inf]), st.sampled_from([1440.0, 2880.0]),
       st.integers(min_value=0, max_value=30))
def test_filing_waits_by_slot_compiled_equals_numpy(pairs, standard: float, horizon: float,
                                                    first_slot: int) -> None:
    compiled, python = _slot_tallies(horizon, standard, first_slot)
    waits = np.asarray([wait for wait, _ in pairs], dtype=float)
    times = np.asarray([time for _, time in pairs], dtype=float)
    for _ in range(2):  # twice: sums and counts grow from what is there
        compiled._fold(waits, times)
        python._fold_arrays(waits, times)
    for name in ("counts", "sums", "beyond", "zeros", "maxima", "histograms"):
        assert getattr(compiled, name).tolist() == getattr(python, name).tolist(), name


@needs_compiled
def test_a_chunk_with_a_wait_that_is_not_finite_is_filed_by_numpy() -> None:
    compiled, python = _slot_tallies(1440.0, 30.0, 0)
    waits, times = np.array([1.0, math.inf, 50.0]), np.array([10.0, 70.0, 130.0])
    compiled._fold(waits, times)
    python._fold_arrays(waits, times)
    assert compiled.histograms.tolist() == python.histograms.tolist()
    assert compiled.counts.tolist()[:3] == [1, 1, 1]
