"""Property: on any small model where customers choose a station by expected wait plus travel
(``quickest``), the fast path gives the event engine's visits customer by customer and every
KPI to 1e-9.

Times are whole or quarter minutes (arrivals, services, travel, shift changes), so that
services end, travellers arrive and customers choose at the same instants often: the ties the
one rule of simultaneous events settles. Stations serve first come first served with
constant servers or a shift schedule that cuts servers while they are busy (or closes a
station for a while: an infinite expected wait); a choice may travel (none, the same time to
each station, or different ones), may name a milestone, and may share its stations with a
shortest-queue choice or a plain visit of another class; a delay may come first and a
station outside the choices after.
"""

from __future__ import annotations

from typing import Any

from engine_kpis import assert_same_run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sweep_engines import HORIZON, arrivals, quarter, schedules, services

from portsim.engine.distributions import Deterministic
from portsim.engine.fast import why_not_fast
from portsim.engine.model import ClassSpec, Delay, Model, ShortestQueue, StationSpec, Visit

#: Travel on the grid of quarter minutes, none included.
travels = st.integers(min_value=0, max_value=12).map(lambda k: k / 4)


@st.composite
def quickest_choices(draw: st.DrawFn, names: list[str], milestone: str) -> ShortestQueue:
    order = draw(st.permutations(names))
    chosen = tuple(order[:draw(st.integers(min_value=2, max_value=len(order)))])
    how = draw(st.sampled_from(["none", "same", "each"]))
    travel: tuple[float, ...] = ()
    if how == "same":
        travel = (draw(travels),) * len(chosen)
    elif how == "each":
        travel = tuple(draw(st.lists(travels, min_size=len(chosen), max_size=len(chosen))))
    return ShortestQueue(chosen, travel=travel, by_expected_wait=True,
                         milestone=milestone if draw(st.booleans()) else None)


@st.composite
def quickest_models(draw: st.DrawFn) -> Model:
    count = draw(st.integers(min_value=2, max_value=3))
    stations = tuple(StationSpec(f"s{k}", draw(schedules(closes=True)), draw(services()))
                     for k in range(count))
    names = [station.name for station in stations]
    # a station no choice joins, that some go on to: the group feeds it
    stations = (*stations, StationSpec("exit", draw(schedules()), draw(services())))
    classes = []
    for k in range(3):
        route: list[Any] = []
        if draw(st.booleans()):
            route.append(Delay(Deterministic(draw(quarter))))
        how = "quickest" if k == 0 else draw(st.sampled_from(["quickest", "shortest", "visit"]))
        if how == "quickest":
            route.append(draw(quickest_choices(names, f"there_{k}")))
        elif how == "shortest":
            route.append(ShortestQueue(tuple(names[:2])))
        else:
            route.append(Visit(draw(st.sampled_from(names))))
        if draw(st.booleans()):
            route.append(Visit("exit"))
        classes.append(ClassSpec(f"c{k}", draw(arrivals()), tuple(route)))
    return Model(stations=stations, classes=tuple(classes), horizon=HORIZON,
                 warmup=draw(st.sampled_from([0.0, 60.0])))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(quickest_models())
def test_choices_by_expected_wait_on_the_fast_path_are_the_event_engine(model: Model) -> None:
    assert why_not_fast(model) is None
    assert_same_run(model, seed=2)
