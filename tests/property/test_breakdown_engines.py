"""Property: on any small model whose stations can be out of order (servers that fail and are
repaired, outage windows; interrupted services that resume or restart; a fallback route taken
while a station is down), the fast path gives the event engine's visits customer by customer
and every KPI to 1e-9.

Times are whole or half minutes -- arrivals, services, failures, repairs, outage edges, shift
changes and the end of the warm-up -- so that they fall on the same instants often: a failure
as a service ends, a repair as a customer arrives, an outage as a shift changes. Those are the
ties the one rule of simultaneous events settles, and among the model's own clock events at one
instant, the order the event engine scheduled them in.
"""

from __future__ import annotations

from typing import Any

from engine_kpis import assert_same_run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sweep_engines import arrivals, schedules, services

from portsim.engine.distributions import Deterministic
from portsim.engine.fast import why_not_fast
from portsim.engine.model import (
    Breakdowns,
    ClassSpec,
    Delay,
    Model,
    ShiftSchedule,
    StationSpec,
    Visit,
)

HORIZON = 400.0
half = st.integers(min_value=1, max_value=12).map(lambda k: k / 2)
whole = st.integers(min_value=1, max_value=40).map(float)


@st.composite
def outages(draw: st.DrawFn) -> tuple[tuple[float, float], ...]:
    edges = sorted(set(draw(st.lists(st.integers(min_value=0, max_value=int(HORIZON) + 20),
                                     max_size=4))))
    return tuple((float(a), float(b)) for a, b in zip(edges[::2], edges[1::2], strict=False))


@st.composite
def unreliable(draw: st.DrawFn, name: str) -> StationSpec:
    breakdowns = (Breakdowns(draw(services(whole)), draw(services(half))) if draw(st.booleans())
                  else None)
    windows = draw(outages())
    if breakdowns is None and not windows:
        windows = ((50.0, 80.0),)
    # a schedule that may close the station for good: out of order is not closed
    return StationSpec(name, draw(schedules(100.0, closes=True)), draw(services(half)),
                       breakdowns=breakdowns, outages=windows,
                       interrupted=draw(st.sampled_from(["resume", "restart"])))


@st.composite
def breakdown_models(draw: st.DrawFn) -> Model:
    down = draw(unreliable("down"))
    backup = StationSpec("backup", draw(schedules(100.0, closes=True)), draw(services(half)))
    after = StationSpec("after", ShiftSchedule.constant(draw(st.integers(1, 2))),
                        draw(services(half)))
    # a fallback only where an outage, not a failure, takes the station down (the fast path
    # declines the rest: fast_breakdowns._fallback_unsupported)
    fallback = down.breakdowns is None and draw(st.booleans())
    classes = []
    for k in range(draw(st.integers(min_value=1, max_value=3))):
        route: list[Any] = []
        if draw(st.booleans()):
            route.append(Delay(Deterministic(draw(half))))
        takes_fallback = fallback and draw(st.booleans())
        route.append(Visit("down", fallback=(Visit("backup"),) if takes_fallback else None))
        if draw(st.booleans()):
            route.append(Visit("after"))
        classes.append(ClassSpec(f"c{k}", draw(arrivals()), tuple(route)))
    return Model(stations=(down, backup, after), classes=tuple(classes), horizon=HORIZON,
                 warmup=draw(st.sampled_from([0.0, 60.0])))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(breakdown_models())
def test_unreliable_stations_on_the_fast_path_are_the_event_engine(model: Model) -> None:
    reason = why_not_fast(model)
    if reason is not None:  # a fallback whose outage meets a shift change or the warm-up
        assert "fallback route as an outage starts or ends" in reason, reason
        return
    assert_same_run(model, seed=2)
