"""The event loop of a loop of stations: the compiled ``loop_events`` gives its Python twin's
numbers exactly, on any input (ties of moves, of services ending with moves and shift changes,
turns of spawned members and of the model's clock, branches whose uniform hits a weight, batch
sizes rounded half to even, streams that run short, the entity limit); bad arrays are refused;
whole replications of the models it serves are the same with either.

The twin against the event engine: tests/property/test_loop_engines.py, tests/unit/
test_loop_ties.py and tests/scenarios/test_engines.py.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

import numpy as np
import pytest
from compiled import needs_compiled
from hypothesis import given, settings
from hypothesis import strategies as st

from portsim.engine import kernels, kernels_loop, loop_sweep, run_replication
from portsim.engine.kernels_loop import (
    BRANCH,
    DELAY,
    LEAVE,
    MILESTONE,
    OUTPUTS,
    SPAWN,
    VISIT,
    python_loop_events,
)
from portsim.scenario import load_scenario
from portsim.scenario.loader import compile_model

WATER_PORT = os.path.join(os.path.dirname(__file__), "..", "..", "scenarios", "water_port",
                          "water_port.yaml")


def test_the_loop_is_compiled_where_the_extension_was_built() -> None:
    if os.environ.get("PORTSIM_REQUIRE_COMPILED") == "1":
        assert kernels.COMPILED, "pip install did not build portsim/_kernels.c"
    if kernels.COMPILED:
        assert kernels_loop.loop_events is not python_loop_events


# Times on a quarter-minute grid and uniforms on a quarter grid make ties common: moves at one
# instant, services ending as others arrive or a shift changes, a uniform equal to a weight.
grid = st.integers(min_value=0, max_value=24).map(lambda k: k / 4)
quarter = st.sampled_from([0.0, 0.25, 0.5, 0.75])


@st.composite
def rows(draw: Any, count: int, streams: int, places: int, branch: list[Any]) -> list[list[int]]:
    """``count`` steps, the last one leaving; steps of no time lead only to later ones (a
    delay or a station may lead back), so the loop ends once a stream runs out."""
    made = []
    for index in range(count - 1):
        later = st.integers(min_value=index + 1, max_value=count - 1)
        anywhere = st.integers(min_value=0, max_value=count - 1)
        what = draw(st.sampled_from([VISIT, BRANCH, SPAWN] if index == 0 else
                                    [BRANCH, MILESTONE, DELAY, SPAWN, SPAWN, VISIT, VISIT,
                                     VISIT, LEAVE]))
        stream = draw(st.integers(min_value=0, max_value=streams - 1))
        if what == BRANCH:
            targets = draw(st.lists(later, min_size=1, max_size=3))
            weights = sorted(draw(st.lists(quarter, min_size=len(targets) - 1,
                                           max_size=len(targets) - 1)))
            made.append([BRANCH, -1, stream, len(branch), len(targets), -1])
            branch.extend(zip([*weights, np.inf], targets, strict=True))
        elif what == MILESTONE:
            made.append([MILESTONE, draw(later), draw(st.integers(0, 2)), -1, -1, -1])
        elif what == DELAY:
            made.append([DELAY, draw(anywhere), stream, -1, -1, -1])
        elif what == SPAWN:
            spread = draw(st.integers(min_value=-1, max_value=streams - 1))
            made.append([SPAWN, draw(later), stream, spread, draw(anywhere),
                         draw(st.integers(0, 2))])
        elif what == VISIT:
            made.append([VISIT, draw(anywhere), draw(st.integers(0, places - 1)), stream,
                         draw(st.integers(0, 2)), -1])
        else:
            made.append([LEAVE, -1, -1, -1, -1, -1])
    return [*made, [LEAVE, -1, -1, -1, -1, -1]]


@st.composite
def loops(draw: Any) -> dict[str, Any]:
    """A loop's arrays as loop_sweep prepares them, with room for ties everywhere."""
    streams = draw(st.integers(min_value=1, max_value=4))
    places = draw(st.integers(min_value=1, max_value=2))
    branch: list[Any] = []
    steps = draw(rows(draw(st.integers(min_value=2, max_value=6)), streams, places, branch))
    drawn = [draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.0, 2.0, 2.5, 3.0]),
                           min_size=20, max_size=60)) for _ in range(streams)]
    entities = draw(st.integers(min_value=5, max_value=20))
    entered = [draw(grid) for _ in range(entities)]
    spawned = draw(st.booleans())
    by = [draw(st.integers(min_value=-1, max_value=k - 1)) if spawned else -1
          for k in range(entities)]
    changes = draw(st.lists(st.tuples(st.integers(0, places - 1), grid, st.integers(0, 3)),
                            max_size=4))
    changes.sort(key=lambda change: change[1])
    moved = draw(st.lists(st.integers(0, entities - 1), unique=True, min_size=5))
    keys = [draw(st.sampled_from([entity, -1, draw(st.integers(0, entities - 1)),
                                  draw(st.integers(0, entities - 1))])) for entity in moved]
    return {
        "steps": np.array(steps, dtype=np.int64),
        "branches": (np.array([weight for weight, _ in branch], dtype=float),
                     np.array([target for _, target in branch], dtype=np.int64)),
        "streams": (np.array([value for values in drawn for value in values], dtype=float),
                    np.cumsum([0] + [len(values) for values in drawn], dtype=np.int64)),
        "turns": (np.array(entered), np.array(by if spawned else [], dtype=np.int64),
                  np.array([draw(grid) for _ in by] if spawned else [], dtype=float),
                  np.array([draw(st.integers(0, 2)) for _ in entered], dtype=np.int64),
                  np.array([when - draw(grid) for when in entered])),
        "places": (np.array([draw(st.sampled_from([0, 1, 1, 2])) for _ in range(places)],
                            dtype=np.int64),
                   *(np.array(part, dtype=dtype) for part, dtype in zip(
                       zip(*changes, strict=True) if changes else ([], [], []),
                       (np.int64, float, np.int64), strict=True))),
        "moves": (np.array(moved, dtype=np.int64),
                  np.array([draw(st.sampled_from([0.0, 1.0, 2.0, 3.0, 0.25])) for _ in moved]),
                  np.array(keys, dtype=np.int64),
                  np.array([draw(st.integers(0, min(1, len(steps) - 1))) for _ in moved],
                           dtype=np.int64)),
        "horizon": draw(st.sampled_from([4.0, 100.0, 100.0])),
        "warmup": draw(st.sampled_from([0.0, 2.0])),
        "limit": draw(st.sampled_from([-1, entities + 4, entities + 40])),
    }


def call(loop: Any, arrays: dict[str, Any]) -> tuple[Any, ...]:
    """``loop`` on ``arrays`` (its arguments by name)."""
    return loop(*(arrays[name] for name in ("steps", "branches", "streams", "turns", "places",
                                            "moves", "horizon", "warmup", "limit")))


def outcome(loop: Any, arrays: dict[str, Any]) -> tuple[Any, ...]:
    """What ``loop`` returns on ``arrays``, each output as a list (NaN as None, -0.0 apart)."""
    status, detail, extra, out = call(loop, arrays)
    if out is None:
        return status, detail, extra, None
    lists = []
    for (_, code), data in zip(OUTPUTS, out, strict=True):
        values = np.frombuffer(data, dtype=np.int64 if code == "q" else float)
        lists.append([None if math.isnan(value) else (value, str(value))
                      for value in values.tolist()])
    return status, detail, extra, lists


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(loops())
def test_compiled_equals_python(arrays: dict[str, Any]) -> None:
    assert outcome(kernels_loop.loop_events, arrays) == outcome(python_loop_events, arrays)


def two_stations() -> dict[str, Any]:
    """Entity 0 visits station 0 (one server) at 0 and 1, entity 1 at 1: whose service ends
    at 1 first decides who is served next; then each leaves."""
    return {
        "steps": np.array([[VISIT, 1, 0, 0, 0, -1], [LEAVE, -1, -1, -1, -1, -1]],
                          dtype=np.int64),
        "branches": (np.empty(0), np.empty(0, dtype=np.int64)),
        "streams": (np.array([1.0, 2.0, 3.0]), np.array([0, 3], dtype=np.int64)),
        "turns": (np.array([0.0, 0.0, 0.5]), np.empty(0, dtype=np.int64), np.empty(0),
                  np.array([0, 1, 0], dtype=np.int64), np.array([0.0, 0.0, 0.5])),
        "places": (np.array([1], dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0),
                   np.empty(0, dtype=np.int64)),
        "moves": (np.array([0, 2, 1], dtype=np.int64), np.array([0.0, 1.0, 1.0]),
                  np.array([0, 2, 1], dtype=np.int64), np.zeros(3, dtype=np.int64)),
        "horizon": 100.0, "warmup": 0.0, "limit": -1,
    }


@pytest.mark.parametrize("version", ["loop_events", "python_loop_events"])
def test_a_service_ending_in_an_earlier_turn_frees_its_server_before_a_move(version: str):
    loop = getattr(kernels_loop, version)
    _, _, _, out = outcome(loop, two_stations())
    entities, starts = out[0], out[6]
    # entity 0's service ends at 1 in its own turn, before entity 1 (entered at 0, class 1)
    # and entity 2 (entered at 0.5) move: entity 1 joins first and is served first
    assert [value for value, _ in entities] == [0, 1, 2]
    assert [value for value, _ in starts] == [0.0, 1.0, 3.0]


@pytest.mark.parametrize("version", ["loop_events", "python_loop_events"])
def test_a_service_ending_in_a_turn_comes_before_a_move_made_in_that_turn(version: str):
    arrays = two_stations()
    # entity 0 is served from 0 to 1; entity 2 (priority 1) waits from 0.5; entity 1
    # (priority 0) moves at 1 in entity 0's turn: the server freed at 1 is entity 2's
    arrays["steps"] = np.array([[VISIT, 2, 0, 0, 1, -1], [VISIT, 2, 0, 0, 0, -1],
                                [LEAVE, -1, -1, -1, -1, -1]], dtype=np.int64)
    arrays["moves"] = (np.array([0, 2, 1], dtype=np.int64), np.array([0.0, 0.5, 1.0]),
                       np.array([0, 2, 0], dtype=np.int64), np.array([0, 0, 1], dtype=np.int64))
    arrays["streams"] = (np.array([1.0, 1.0, 1.0]), np.array([0, 3], dtype=np.int64))
    _, _, _, out = outcome(getattr(kernels_loop, version), arrays)
    assert [value for value, _ in out[5]] == [0, 1, 2]
    assert [value for value, _ in out[6]] == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("version", ["loop_events", "python_loop_events"])
def test_a_stream_that_runs_short_is_named(version: str):
    arrays = two_stations()
    arrays["streams"] = (np.array([1.0, 2.0]), np.array([0, 2], dtype=np.int64))
    assert call(getattr(kernels_loop, version), arrays) == (1, 0, 0, None)


@needs_compiled
@pytest.mark.parametrize("field, value", [
    ("steps", np.array([[VISIT, 5, 0, 0, 0, -1], [LEAVE, -1, -1, -1, -1, -1]])),
    ("steps", np.array([[VISIT, 1, 3, 0, 0, -1], [LEAVE, -1, -1, -1, -1, -1]])),
    ("steps", np.array([[9, 1, 0, 0, 0, -1], [LEAVE, -1, -1, -1, -1, -1]])),
    ("streams", (np.array([1.0]), np.array([0, 3], dtype=np.int64))),
    ("moves", (np.array([7], dtype=np.int64), np.array([0.0]), np.array([0]),
               np.array([0]))),
    ("turns", (np.zeros(3), np.array([0, 0, 0]), np.zeros(3), np.zeros(3, dtype=np.int64),
               np.zeros(3))),
])
def test_arrays_that_do_not_fit_are_refused(field: str, value: Any) -> None:
    arrays = two_stations()
    arrays[field] = value
    with pytest.raises(ValueError, match="do not fit"):
        call(kernels_loop.loop_events, arrays)


@needs_compiled
@pytest.mark.parametrize("variant", ["zero_wait", "both"])
def test_a_replication_is_the_same_with_either_loop(variant: str, monkeypatch) -> None:
    model = compile_model(load_scenario(WATER_PORT), variant)
    for replication in range(3):
        compiled = run_replication(model, seed=5, replication=replication, engine="fast").kpis
        with monkeypatch.context() as patch:
            patch.setattr(loop_sweep, "loop_events", python_loop_events)
            python = run_replication(model, seed=5, replication=replication,
                                     engine="fast").kpis
        assert json.dumps(compiled, sort_keys=True, default=str) == json.dumps(
            python, sort_keys=True, default=str)


def test_streams_drawn_short_at_first_give_the_same_replication(monkeypatch) -> None:
    model = compile_model(load_scenario(WATER_PORT), "zero_wait")
    generous = run_replication(model, seed=5, engine="fast").kpis
    monkeypatch.setattr(loop_sweep, "_first_draws", lambda entering: 1)
    short = run_replication(model, seed=5, engine="fast").kpis
    assert json.dumps(generous, sort_keys=True, default=str) == json.dumps(
        short, sort_keys=True, default=str)


@pytest.mark.parametrize("version", ["loop_events", "python_loop_events"])
def test_a_batch_spawned_in_the_loop_past_the_entity_limit_is_refused(version: str,
                                                                      monkeypatch) -> None:
    from portsim.engine import EntityLimitExceeded

    monkeypatch.setattr(loop_sweep, "loop_events", getattr(kernels_loop, version))
    model = compile_model(load_scenario(WATER_PORT), "zero_wait")
    # ~400 ships arrive in three days; the in-port inspections spawned in the loop pass 450
    with pytest.raises(EntityLimitExceeded, match=r"more than 450 entities would arrive in one "
                       r"replication \(a batch of 1 arriving_ships\.alongside\)"):
        run_replication(model, seed=1, engine="fast", max_entities=450)
