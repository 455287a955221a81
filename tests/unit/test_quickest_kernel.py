"""The loop of a group of FIFO stations joined by choices by expected wait plus travel: the
compiled ``quickest_starts`` gives its Python twin's numbers exactly, on any input (ties of
arrivals, of travellers' arrivals with moves, of services ending at a choice, of expected waits;
turns that settle them either way; shifts that close a station) and on whole replications;
bad arrays are refused.

Both against the event engine, customer by customer: tests/property/test_quickest_engines.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from compiled import needs_compiled
from hypothesis import given, settings
from hypothesis import strategies as st
from test_group_kernel import by_priority, groups, reactive, station

from portsim.engine import fast_quickest, kernels, run_replication
from portsim.scenario import load_scenario
from portsim.scenario.loader import compile_model

VERSIONS = ("quickest_starts", "python_quickest_starts")
OFFICES = Path(__file__).resolve().parents[2] / "benchmarks" / "quickest_offices.yaml"

eighths = st.integers(min_value=0, max_value=24).map(lambda k: k / 8)
TRAVEL = (0.0, 0.0, 0.125, 0.25, 0.5, 1.0, 2.0)


def test_the_quickest_loop_is_compiled_where_the_extension_was_built() -> None:
    if os.environ.get("PORTSIM_REQUIRE_COMPILED") == "1":
        assert kernels.COMPILED, "pip install did not build portsim/_kernels.c"
    if kernels.COMPILED:
        assert fast_quickest.quickest_starts is not fast_quickest.python_quickest_starts


def run(version: str, group: dict[str, Any]) -> tuple[Any, ...]:
    """What ``version`` returns and writes on ``group``: per station who joined, their
    services, the starts; and when each customer reached its station."""
    stations = [tuple(part.copy() if isinstance(part, np.ndarray) else part for part in one)
                for one in group["stations"]]
    reached = group["arrivals"].copy()
    counts = getattr(fast_quickest, version)(
        group["arrivals"], group["kinds"], group["source"], group["option_offsets"],
        group["option_stations"], group["by_wait"], group["means"], group["travel"],
        group["own"], group["moves"], group["horizon"], reached, stations)
    return ([(written, one[7][:written[0]].tolist(), one[8][:written[0]].tolist(),
              one[9][:written[1]].tolist()) for written, one in zip(counts, stations,
                                                                    strict=True)],
            reached.tolist())


@st.composite
def quickest_groups(draw: st.DrawFn) -> dict[str, Any]:
    """A FIFO group as the shortest-queue loop's tests draw it (arrivals, services and shift
    changes on a grid of eighths of a minute), each node a choice by expected wait or not,
    with service means and travel on that grid (a traveller often arrives as someone moves)."""
    group = draw(groups(kinds=("fifo",)))
    nodes, offered = group["option_offsets"].size - 1, group["option_stations"].size
    group["by_wait"] = np.asarray(draw(st.lists(st.integers(0, 1), min_size=nodes,
                                                max_size=nodes)), dtype=np.int64)
    group["means"] = np.asarray(draw(st.lists(eighths, min_size=offered, max_size=offered)))
    group["travel"] = np.asarray(draw(st.lists(st.sampled_from(TRAVEL), min_size=offered,
                                               max_size=offered)))
    return group


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(quickest_groups())
def test_compiled_equals_python(group: dict[str, Any]) -> None:
    compiled, python = (run(version, group) for version in VERSIONS)
    assert compiled == python


def two_desks(own: list[int], moves: list[int]) -> dict[str, Any]:
    """Desks A and B of one server each. Customer 0 comes to A at 0 (a visit; 5 min).
    Customer 1 chooses at 0 by expected wait (8 min a service at either): A shows 8 min
    (one ahead, one server), B nothing but 1 min away, so it travels to B, arriving at 1.
    Customer 2 comes at 1 to the shorter queue of A and B (A listed first)."""
    desks = [station([(0.0, 1)], 0.0, [], [[5.0, 2.0]], 3),
             station([(0.0, 1)], 0.0, [], [[3.0, 3.0]], 3)]
    return {"arrivals": np.array([0.0, 0.0, 1.0]), "kinds": np.zeros(3, dtype=np.int64),
            "source": np.array([0, 1, 2]), "option_offsets": np.array([0, 1, 3, 5]),
            "option_stations": np.array([0, 0, 1, 0, 1]), "by_wait": np.array([0, 1, 0]),
            "means": np.array([0.0, 8.0, 8.0, 0.0, 0.0]),
            "travel": np.array([0.0, 0.0, 1.0, 0.0, 0.0]),
            "own": np.asarray(own, dtype=np.int64), "moves": np.asarray(moves, dtype=np.int64),
            "horizon": np.inf, "stations": desks}


@pytest.mark.parametrize("version", VERSIONS)
def test_a_traveller_arriving_at_a_choice_counts_only_if_its_turn_came_first(version: str):
    if version == "quickest_starts" and not kernels.COMPILED:
        pytest.skip("the C extension was not built")
    # customer 1's arrival before customer 2's move: B holds one, as A does; 2 takes A (the
    # first listed) and starts when 0 leaves, at 5
    arrived = run(version, two_desks([0, 1, 2], [0, 1, 3]))
    assert arrived == ([((2, 2, 0), [0, 2], [5.0, 2.0], [0.0, 5.0]),
                        ((1, 1, 0), [1], [3.0], [1.0])], [0.0, 1.0, 1.0])
    # its arrival after 2's move: B is empty, so 2 takes it first and 1 waits until 4
    later = run(version, two_desks([0, 4, 2], [0, 1, 3]))
    assert later == ([((1, 1, 0), [0], [5.0], [0.0]),
                      ((2, 2, 0), [2, 1], [3.0, 3.0], [1.0, 4.0])], [0.0, 1.0, 1.0])


@pytest.mark.parametrize("version", VERSIONS)
def test_a_tie_of_expected_waits_goes_by_load_then_to_the_first_listed(version: str):
    if version == "quickest_starts" and not kernels.COMPILED:
        pytest.skip("the C extension was not built")
    group = two_desks([0, 1, 2], [0, 1, 3])
    # A shows one ahead at 8 min and no travel; B nothing but 8 min away: a tie of 8 min,
    # B has fewer customers per server, so customer 1 travels to B and arrives at 8; a journey
    # that ends at the horizon or later joins no station
    group["travel"] = np.array([0.0, 0.0, 8.0, 0.0, 0.0])
    assert run(version, group)[1] == [0.0, 8.0, 1.0]
    group["horizon"] = 8.0
    stations, reached = run(version, group)
    assert reached == [0.0, 8.0, 1.0] and 1 not in stations[0][1] + stations[1][1]
    # equal keys both ways (empty desks, no travel): the first listed
    group["arrivals"] = np.array([0.0, 0.0, 1.0])
    group["source"] = np.array([1, 1, 1])
    group["travel"] = np.zeros(5)
    group["horizon"] = np.inf
    stations, _ = run(version, group)
    assert stations[0][1] == [0, 2] and stations[1][1] == [1]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_class_without_draws_left_is_refused(version: str):
    if version == "quickest_starts" and not kernels.COMPILED:
        pytest.skip("the C extension was not built")
    group = two_desks([0, 1, 2], [0, 1, 3])
    group["stations"] = [station([(0.0, 1)], 0.0, [], [[1.0]], 3) for _ in range(2)]
    with pytest.raises(ValueError, match="ran out of service draws"):
        run(version, group)


@needs_compiled
@pytest.mark.parametrize("field, value", [
    ("option_stations", np.array([0, 0, 2, 0, 1])),   # a station outside the group
    ("source", np.array([0, 1, 3])),                   # a node that does not exist
    ("moves", np.array([0, 1])),                       # shorter than the arrivals
    ("by_wait", np.array([0, 1])),                     # not one per node
    ("travel", np.zeros(4)),                           # not one per station offered
    ("means", np.zeros(5, dtype=np.int64)),            # int64 where floats are due
    ("kinds", np.zeros(3)),                            # floats where int64 are due
])
def test_arrays_that_do_not_fit_are_refused(field: str, value: np.ndarray):
    group = two_desks([0, 1, 2], [0, 1, 3])
    group[field] = value
    with pytest.raises((ValueError, TypeError)):
        run("quickest_starts", group)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("other", ["reactive", "by_priority"])
def test_a_station_that_is_not_first_come_first_served_is_refused(version: str, other: str):
    if version == "quickest_starts" and not kernels.COMPILED:
        pytest.skip("the C extension was not built")
    group = two_desks([0, 1, 2], [0, 1, 3])
    group["stations"][1] = (
        reactive([], (1.0, 0.0, 1), 1, [0, 0, 0], [[3.0, 3.0]], 3) if other == "reactive"
        else by_priority([(0.0, 1)], 0.0, [], [[3.0, 3.0]], [0, 0, 0]))
    with pytest.raises(ValueError, match="must be a FIFO one"):
        run(version, group)


@needs_compiled
@pytest.mark.parametrize("variant", [None, "partly"])
def test_a_replication_is_the_same_with_either_loop(variant: str | None, monkeypatch) -> None:
    """Three offices chosen by expected wait plus travel (benchmarks/quickest_offices.yaml):
    the shifts close them every night (an infinite expected wait), the centre is busier than
    its counters at its peaks."""
    model = compile_model(load_scenario(OFFICES), variant)
    compiled = run_replication(model, seed=3, engine="fast").kpis
    monkeypatch.setattr(fast_quickest, "quickest_starts", fast_quickest.python_quickest_starts)
    python = run_replication(model, seed=3, engine="fast").kpis
    assert json.dumps(compiled, sort_keys=True, default=str) == json.dumps(
        python, sort_keys=True, default=str)
