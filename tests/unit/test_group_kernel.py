"""The shortest-queue group loop of FIFO stations, stations that serve by priority and
stations with queue-reactive staffing: the compiled ``group_starts`` gives its Python twin's
numbers exactly, on any input (ties of arrivals, of services ending with choices, with shift
changes and with the reactive stations' checks, turns that settle them either way, several
priority levels, shifts, schedules that repeat); bad arrays are refused.

Whole replications of the shipped cargo flights' green channels are the same with the compiled
loops and their twins. Whole replications through the group loop against the event engine:
tests/unit/test_fast_path.py (``shortest_queue``, ``shortest_queue_batches``),
tests/property/test_sweep_engines.py and tests/scenarios/test_engines.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from compiled import needs_compiled
from engine_kpis import station_events
from hypothesis import given, settings
from hypothesis import strategies as st

from portsim.engine import fast_groups, fast_starts, kernels, run_replication
from portsim.scenario import load_scenario
from portsim.scenario.loader import compile_model

VERSIONS = ("group_starts", "python_group_starts")


def test_the_group_loop_is_compiled_where_the_extension_was_built() -> None:
    if os.environ.get("PORTSIM_REQUIRE_COMPILED") == "1":
        assert kernels.COMPILED, "pip install did not build portsim/_kernels.c"
    if kernels.COMPILED:
        assert fast_groups.group_starts is not fast_groups.python_group_starts

# Coarse values make ties (equal arrivals, services ending at a choice, ends on a change)
# common.
coarse = st.integers(min_value=0, max_value=12).map(lambda k: k / 2)


def station(steps: list[tuple[float, int]], period: float, changes: list[tuple[float, int]],
            services: list[list[float]], count: int) -> tuple[Any, ...]:
    """A station's tuple: its schedule, its changes, class k's services ``services[k]``,
    outputs with room for ``count`` customers."""
    return (np.asarray([when for when, _ in changes], dtype=float),
            np.asarray([level for _, level in changes], dtype=float),
            np.asarray([offset for offset, _ in steps], dtype=float),
            np.asarray([level for _, level in steps], dtype=np.int64), period,
            np.cumsum([0] + [len(block) for block in services], dtype=np.int64),
            np.asarray([value for block in services for value in block], dtype=float),
            np.full(count, -1, dtype=np.int64), np.full(count, -1.0), np.full(count, -1.0))


def by_priority(steps: list[tuple[float, int]], period: float,
                changes: list[tuple[float, int]], services: list[list[float]],
                priorities: list[int]) -> tuple[Any, ...]:
    """The tuple of a station that serves by priority: a FIFO station's (its outputs: who
    joined, services by position, starts) and the group's ``priorities``."""
    return (*station(steps, period, changes, services, len(priorities)),
            np.asarray(priorities, dtype=np.int64))


def reactive(clock: list[tuple[float, int, int, int]], rule: tuple[float, float, int],
             servers: int, priorities: list[int], services: list[list[float]],
             count: int) -> tuple[Any, ...]:
    """A reactive station's tuple: its clock (time, kind, value, positions), rule, servers at
    0, the group's priorities, class k's services ``services[k]``, outputs for ``count``."""
    times, kinds, values, places = (list(part) for part in zip(*clock, strict=True)) if clock \
        else ([], [], [], [])
    return (np.asarray(times, dtype=float), np.asarray(kinds, dtype=np.int64),
            np.asarray(values, dtype=np.int64), np.asarray(places, dtype=np.int64), *rule,
            servers, np.asarray(priorities, dtype=np.int64),
            np.cumsum([0] + [len(block) for block in services], dtype=np.int64),
            np.asarray([value for block in services for value in block], dtype=float),
            np.full(count, -1, dtype=np.int64), np.full(count, -1.0), np.full(count, -1.0),
            np.full(len(clock), -1.0), np.full(len(clock), -1, dtype=np.int64))


def run(version: str, group: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What ``version`` returns and writes on ``group`` (its stations' outputs copied)."""
    stations = [tuple(part.copy() if isinstance(part, np.ndarray) else part for part in one)
                for one in group["stations"]]
    counts = getattr(fast_groups, version)(
        group["arrivals"], group["kinds"], group["source"], group["option_offsets"],
        group["option_stations"], group["own"], group["moves"], group["horizon"], stations)
    return [(written, one[11][:written[0]].tolist(), one[12][:written[1]].tolist(),
             np.nan_to_num(one[13], nan=-7.0).tolist(), one[14][:written[2]].tolist(),
             one[15][:written[2]].tolist()) if len(one) == 16
            else (written, one[7][:written[0]].tolist(),
                  np.nan_to_num(one[8], nan=-7.0).tolist(), one[9][:written[1]].tolist())
            if len(one) == 11
            else (written, one[7][:written[0]].tolist(), one[8][:written[0]].tolist(),
                  one[9][:written[1]].tolist())
            for written, one in zip(counts, stations, strict=True)]


@st.composite
def groups(draw: st.DrawFn, kinds: tuple[str, ...] = ("fifo", "priority", "reactive"),
           ) -> dict[str, Any]:
    """A group's arrays and stations, each of one of ``kinds``."""
    count = draw(st.integers(min_value=0, max_value=50))
    size = draw(st.integers(min_value=1, max_value=3))
    classes = draw(st.integers(min_value=1, max_value=3))
    arrivals = np.cumsum(draw(st.lists(coarse, min_size=count, max_size=count))) / 4
    nodes = draw(st.lists(st.lists(st.integers(min_value=0, max_value=size - 1), min_size=1,
                                   max_size=3, unique=True), min_size=1, max_size=3))
    own = np.asarray(draw(st.permutations(range(count))), dtype=np.int64)
    jitter = draw(st.lists(st.integers(min_value=-2, max_value=2), min_size=count,
                           max_size=count))
    stations = []
    for _ in range(size):
        services = [draw(st.lists(coarse, min_size=count, max_size=count))
                    for _ in range(classes)]
        kind = draw(st.sampled_from(kinds))
        if kind == "reactive":
            clock = sorted(draw(st.lists(st.tuples(
                coarse, st.integers(min_value=0, max_value=2),
                st.integers(min_value=0, max_value=4), st.integers(min_value=-1, max_value=5)),
                max_size=12)), key=lambda event: event[0])
            rule = (draw(coarse) / 2, draw(coarse) / 4, draw(st.integers(0, 3)))
            priorities = draw(st.lists(st.integers(min_value=0, max_value=2), min_size=count,
                                       max_size=count))
            stations.append(reactive(clock, rule, draw(st.integers(0, 3)), priorities,
                                     services, count))
            continue
        later = draw(st.lists(st.tuples(coarse.map(lambda t: t + 0.5),
                                        st.integers(min_value=0, max_value=3)), max_size=3,
                              unique_by=lambda step: step[0]))
        steps = [(0.0, draw(st.integers(min_value=0, max_value=3))), *sorted(later)]
        period = draw(st.sampled_from([0.0, 7.0, 12.0]))
        changes = sorted(draw(st.lists(st.tuples(coarse, st.integers(min_value=0, max_value=4)),
                                       max_size=6)))
        if kind == "priority":
            priorities = draw(st.lists(st.integers(min_value=0, max_value=3), min_size=count,
                                       max_size=count))
            stations.append(by_priority(steps, period, changes, services, priorities))
            continue
        stations.append(station(steps, period, changes, services, count))
    return {
        "arrivals": arrivals,
        "kinds": np.asarray(draw(st.lists(st.integers(min_value=0, max_value=classes - 1),
                                          min_size=count, max_size=count)), dtype=np.int64),
        "source": np.asarray(draw(st.lists(st.integers(min_value=0, max_value=len(nodes) - 1),
                                           min_size=count, max_size=count)), dtype=np.int64),
        "option_offsets": np.cumsum([0] + [len(node) for node in nodes], dtype=np.int64),
        "option_stations": np.asarray([index for node in nodes for index in node],
                                      dtype=np.int64),
        "own": own, "moves": own + np.asarray(jitter, dtype=np.int64),
        "horizon": draw(st.sampled_from([np.inf, 6.0, 20.0, 0.0])),
        "stations": stations,
    }


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(groups())
def test_compiled_equals_python(group: dict[str, Any]) -> None:
    compiled, python = (run(version, group) for version in VERSIONS)
    assert compiled == python


def two_desks(own: list[int], moves: list[int]) -> dict[str, Any]:
    """Two desks of one server each, one choice between them. Customer 0 comes at 0 (1 min)
    and takes desk 0 (both empty: the first listed); customers 1 and 2 come at 1, the
    instant customer 0's service ends. Each desk's services: 1, 4, 5 min in turn."""
    services = [[1.0, 4.0, 5.0]]
    desks = [station([(0.0, 1)], 0.0, [], services, 3) for _ in range(2)]
    return {"arrivals": np.array([0.0, 1.0, 1.0]), "kinds": np.zeros(3, dtype=np.int64),
            "source": np.zeros(3, dtype=np.int64), "option_offsets": np.array([0, 2]),
            "option_stations": np.array([0, 1]), "own": np.asarray(own, dtype=np.int64),
            "moves": np.asarray(moves, dtype=np.int64), "horizon": np.inf, "stations": desks}


@pytest.mark.parametrize("version", VERSIONS)
def test_a_service_ending_at_a_choice_is_over_only_if_its_turn_came_first(version: str):
    if version == "group_starts" and not kernels.COMPILED:
        pytest.skip("the C extension was not built")
    # customer 0's turn before customer 1's move: desk 0 is free again, so 1 takes it (the
    # first listed), and 2 then finds desk 0 busy and desk 1 free (each desk draws its own)
    over = run(version, two_desks([0, 1, 2], [0, 1, 2]))
    assert over == [((2, 2, 0), [0, 1], [1.0, 4.0], [0.0, 1.0]), ((1, 1, 0), [2], [1.0], [1.0])]
    # its turn after 1's move but before 2's: 1 finds desk 0 busy and goes to desk 1; 2
    # finds desk 0 free again
    later = run(version, two_desks([2, 0, 3], [0, 1, 3]))
    assert later == [((2, 2, 0), [0, 2], [1.0, 4.0], [0.0, 1.0]), ((1, 1, 0), [1], [1.0], [1.0])]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_class_without_draws_left_is_refused(version: str):
    if version == "group_starts" and not kernels.COMPILED:
        pytest.skip("the C extension was not built")
    group = two_desks([0, 1, 2], [0, 1, 2])
    group["stations"] = [station([(0.0, 1)], 0.0, [], [[1.0]], 3) for _ in range(2)]
    group["option_stations"] = np.array([0, 0])
    with pytest.raises(ValueError, match="ran out of service draws"):
        run(version, group)


@needs_compiled
@pytest.mark.parametrize("field, value", [
    ("option_stations", np.array([0, 2])),            # a station outside the group
    ("source", np.array([0, 1, 0])),                   # a node that does not exist
    ("moves", np.array([0, 1])),                       # shorter than the arrivals
    ("kinds", np.zeros(3)),                            # floats where int64 are due
])
def test_arrays_that_do_not_fit_are_refused(field: str, value: np.ndarray):
    group = two_desks([0, 1, 2], [0, 1, 2])
    group[field] = value
    with pytest.raises((ValueError, TypeError)):
        run("group_starts", group)


def one_priority_desk(priorities: list[int]) -> dict[str, Any]:
    """One desk of one server that serves by priority. Customer 0 comes at 0 and is served
    for 2 min; customers 1 and 2 come at 1 and queue; customer 3 comes at 9, after everyone
    left. Services in the order they join: 2, 3, 1, 1 min."""
    desk = by_priority([(0.0, 1)], 0.0, [], [[2.0, 3.0, 1.0, 1.0]], priorities)
    return {"arrivals": np.array([0.0, 1.0, 1.0, 9.0]), "kinds": np.zeros(4, dtype=np.int64),
            "source": np.zeros(4, dtype=np.int64), "option_offsets": np.array([0, 1]),
            "option_stations": np.array([0]), "own": np.arange(4, dtype=np.int64),
            "moves": np.arange(4, dtype=np.int64), "horizon": 5.5, "stations": [desk]}


@pytest.mark.parametrize("version", VERSIONS)
def test_a_desk_that_serves_by_priority_takes_the_lowest_number_first(version: str):
    if version == "group_starts" and not kernels.COMPILED:
        pytest.skip("the C extension was not built")
    # customer 2 (priority 0) starts at 2, when 0 leaves, before customer 1 (priority 1);
    # customer 1 starts at 3 and customer 3 comes at 9, after the horizon of 5.5: listed
    # after those who started, with its service; the services by position
    assert run(version, one_priority_desk([1, 1, 0, 1])) == [
        ((4, 3, 0), [0, 2, 1, 3], [2.0, 3.0, 1.0, 1.0], [0.0, 2.0, 3.0])]
    # alike priorities: in the order they came
    assert run(version, one_priority_desk([0, 0, 0, 0])) == [
        ((4, 3, 0), [0, 1, 2, 3], [2.0, 3.0, 1.0, 1.0], [0.0, 2.0, 5.0])]


@needs_compiled
def test_priorities_not_one_a_customer_are_refused():
    group = one_priority_desk([1, 1, 0, 1])
    group["stations"] = [(*group["stations"][0][:10], np.zeros(3, dtype=np.int64))]
    with pytest.raises(ValueError, match="priorities"):
        run("group_starts", group)


CARGO = Path(__file__).resolve().parents[2] / "scenarios" / "airport" / "cargo_flights.yaml"


@needs_compiled
@pytest.mark.parametrize("variant", ["green_channel", "green_channel_own_team"])
def test_the_green_channels_are_the_same_with_either_loop(variant: str, monkeypatch) -> None:
    """Key flights served first at border inspection: alone at its desks (``priority_starts``)
    or, with a team of its own, in a shortest-queue group with the shared teams (the group
    loop, which must see a station that serves by priority there)."""
    model = compile_model(load_scenario(CARGO), variant)
    kinds: list[int] = []

    def counted(*arguments: Any) -> Any:
        kinds.extend(len(one) for one in arguments[-1])
        return kernels.compiled_or("group_starts", fast_groups.python_group_starts)(*arguments)

    monkeypatch.setattr(fast_groups, "group_starts", counted)
    compiled = (station_events(model, "fast", 3), run_replication(model, seed=3, engine="fast"))
    assert (fast_groups.PRIORITY_FIELDS in kinds) == (variant == "green_channel_own_team")
    monkeypatch.setattr(fast_groups, "group_starts", fast_groups.python_group_starts)
    monkeypatch.setattr(fast_starts, "priority_starts", kernels.python_priority_starts)
    python = (station_events(model, "fast", 3), run_replication(model, seed=3, engine="fast"))
    assert compiled[0] == python[0]
    assert json.dumps(compiled[1].kpis, sort_keys=True, default=str) == json.dumps(
        python[1].kpis, sort_keys=True, default=str)
