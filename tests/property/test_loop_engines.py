"""Property: on any small model whose routes make a loop of stations (a class that visits them
in one order and another in the other, a branch back to the first station, or a spawn whose
members go back to it), the fast path sweeps the loop as one unit and gives the event engine's
visits customer by customer and every KPI to 1e-9.

Times are whole or quarter minutes, so that services end, customers move, members are spawned
and shifts change at the same instants often: the ties the one rule of simultaneous events
settles. Stations serve first come first served or by priority, with constant servers or a
shift schedule that cuts servers while they are busy; delays may take no time at all.
"""

from __future__ import annotations

from typing import Any

from engine_kpis import assert_same_run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sweep_engines import schedules

from portsim.engine.distributions import Deterministic, Uniform
from portsim.engine.fast import why_not_fast
from portsim.engine.fast_plan import Plan
from portsim.engine.model import (
    Branch,
    ClassSpec,
    Delay,
    Milestone,
    Model,
    Spawn,
    StationSpec,
    Timetable,
    Trace,
    Visit,
)

HORIZON = 300.0
quarter = st.integers(min_value=1, max_value=12).map(lambda k: k / 4)


@st.composite
def times(draw: st.DrawFn, zero: bool = False) -> Any:
    """A deterministic or uniform time of whole or quarter minutes (0 allowed where
    ``zero``): whole ones often, so that spawned members meet arrivals on the minute."""
    low = draw(st.integers(min_value=0 if zero else 1, max_value=12)) / draw(
        st.sampled_from([4, 4, 1]))
    if draw(st.booleans()):
        return Deterministic(low)
    return Uniform(low, low + draw(quarter))


@st.composite
def arrivals(draw: st.DrawFn) -> Timetable:
    gap = draw(st.integers(min_value=2, max_value=10))
    at = tuple(float(t) for t in range(draw(st.integers(0, 4)), int(HORIZON), gap))
    batch = draw(st.integers(min_value=1, max_value=2))
    return Timetable(at, (batch,) * len(at), (0.0,) * len(at))


@st.composite
def steps(draw: st.DrawFn) -> list[Any]:
    """Nothing, a milestone or a delay (maybe of no time) between two visits."""
    kind = draw(st.sampled_from(["none", "milestone", "delay"]))
    if kind == "milestone":
        return [Milestone("m")]
    if kind == "delay":
        return [Delay(draw(times(zero=True)))]
    return []


@st.composite
def loop_models(draw: st.DrawFn) -> Model:
    count = draw(st.integers(min_value=2, max_value=3))
    stations = tuple(StationSpec(f"s{k}", draw(schedules(period=60.0)), draw(times()),
                                 discipline=draw(st.sampled_from(["fifo", "priority"])))
                     for k in range(count))
    middle = [Visit("s2")] if count == 3 and draw(st.booleans()) else []
    forward = (Visit("s0"), *draw(steps()), *middle, *draw(steps()), Visit("s1"))
    back = draw(st.sampled_from(["order", "branch", "spawn"]))
    # often straight back to the first station, to meet its arrivals on the minute
    member = (*(draw(steps()) if draw(st.booleans()) else []), Visit("s0"))
    if back == "order":  # the other class the other way round
        other: tuple[Any, ...] = (Visit("s1"), *draw(steps()), Visit("s0"))
    elif back == "branch":
        other = (Visit("s1"), Branch(((0.5, (Milestone("b"), Visit("s0"))), (0.5, ()))))
    else:
        other = (Visit("s1"),)
        forward = (*forward, *draw(steps()),
                   Spawn("member", Deterministic(draw(st.sampled_from([0, 1, 2]))),
                         draw(st.sampled_from([0.0, 0.0, 1.5]))))
    classes = [ClassSpec("c0", draw(arrivals()), forward, priority=draw(st.integers(0, 1))),
               ClassSpec("c1", draw(arrivals()), other, priority=draw(st.integers(0, 1))),
               ClassSpec("member", Trace(times=()), member, priority=draw(st.integers(0, 1)))]
    return Model(stations=stations, classes=tuple(classes), horizon=HORIZON,
                 warmup=draw(st.sampled_from([0.0, 30.0])))


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(loop_models())
def test_a_loop_swept_on_the_fast_path_is_the_event_engine(model: Model) -> None:
    assert why_not_fast(model) is None
    # not vacuous: the stations form a loop, evaluated as one unit
    assert any(kind == "loop" for kind, _ in Plan(model, 0, 0).order)
    assert_same_run(model, seed=2)
