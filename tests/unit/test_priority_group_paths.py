"""The shortest-queue groups with a station that serves by priority: the one group loop
(``run_group``, compiled or its twin) gives the former Python loop's numbers (``start_group``
over ``PriorityQueue``), customer by customer, on generated models: several priority levels,
shifts that change the servers, times on a quarter-minute grid (ties of arrivals, services
ending and shift changes)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from engine_kpis import station_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portsim.engine import fast, fast_groups, run_replication
from portsim.engine.distributions import Deterministic, Uniform
from portsim.engine.fast import why_not_fast
from portsim.engine.fast_choices import start_group
from portsim.engine.model import (
    ClassSpec,
    Model,
    ShiftSchedule,
    ShortestQueue,
    StationSpec,
    Timetable,
    Visit,
)
from portsim.engine.routes import ChoiceNode

HORIZON = 480.0
quarter = st.integers(min_value=1, max_value=24).map(lambda k: k / 4)


def one_loop(stations: list[Any], nodes: list[Any], arrivals: np.ndarray, source: np.ndarray,
             kinds: np.ndarray, horizon: float, turns: Any, priorities: np.ndarray,
             ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    where = {station.name: index for index, station in enumerate(stations)}
    options = [[where[choice.name] for choice in node.stations] if type(node) is ChoiceNode
               else [where[node.station.name]] for node in nodes]
    return fast_groups.run_group(stations, options, arrivals, source, kinds, horizon, turns,
                                 priorities)


@st.composite
def schedules(draw: st.DrawFn) -> ShiftSchedule:
    if draw(st.booleans()):
        return ShiftSchedule.constant(draw(st.integers(min_value=1, max_value=3)))
    times = sorted(set(draw(st.lists(st.integers(min_value=1, max_value=119), max_size=4))))
    levels = draw(st.lists(st.integers(min_value=0, max_value=3), min_size=len(times) + 1,
                           max_size=len(times) + 1))
    levels[-1] = max(levels[-1], 1)
    return ShiftSchedule(((0.0, levels[0]), *((float(t), n) for t, n in zip(
        times, levels[1:], strict=True))), period=120.0)


@st.composite
def models(draw: st.DrawFn) -> Model:
    count = draw(st.integers(min_value=2, max_value=3))
    disciplines = ["priority", *draw(st.lists(st.sampled_from(["fifo", "priority"]),
                                              min_size=count - 1, max_size=count - 1))]
    stations = []
    for k, discipline in enumerate(draw(st.permutations(disciplines))):
        low = draw(quarter)
        service = Deterministic(low) if draw(st.booleans()) else Uniform(low, low + draw(quarter))
        stations.append(StationSpec(f"s{k}", draw(schedules()), service, discipline=discipline))
    names = [station.name for station in stations]
    classes = []
    for k in range(draw(st.integers(min_value=1, max_value=4))):
        gap = draw(st.integers(min_value=1, max_value=8)) / 4
        times = tuple(float(t) for t in np.arange(draw(quarter), HORIZON, gap))
        batch = draw(st.integers(min_value=1, max_value=3))
        choice = draw(st.lists(st.sampled_from(names), min_size=1, max_size=count, unique=True))
        route = (ShortestQueue(tuple(choice)),) if len(choice) > 1 else (Visit(choice[0]),)
        classes.append(ClassSpec(f"c{k}", Timetable(times, (batch,) * len(times),
                                                    (0.0,) * len(times)), route,
                                 priority=draw(st.integers(min_value=0, max_value=3))))
    return Model(stations=tuple(stations), classes=tuple(classes), horizon=HORIZON)


def visits_and_kpis(model: Model, seed: int) -> tuple[Any, Any]:
    return (station_events(model, "fast", seed),
            run_replication(model, seed=seed, engine="fast").kpis)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(models(), st.sampled_from([False, True]))
def test_the_one_loop_gives_the_former_loops_numbers(model: Model, twin: bool) -> None:
    assert why_not_fast(model) is None
    former = visits_and_kpis(model, seed=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fast, "start_group", one_loop)
        if twin:
            patch.setattr(fast_groups, "group_starts", fast_groups.python_group_starts)
        assert visits_and_kpis(model, seed=3) == former
    assert fast.start_group is start_group
