"""Property: on any small model where classes book a station ahead of arrival (on time or off
it, early or late), with or without servers on call for bookings while fewer are on duty (at
night: shifts that drop to none), beside customers who come unbooked straight away or from an
upstream station, the fast path gives the event engine's visits customer by customer and
every KPI to 1e-9.

Times are whole or quarter minutes (arrivals, leads, errors, services, shift changes), so that
bookings, landings, services ending and shifts changing fall on the same instants often: the
ties the one rule of simultaneous events settles (docs/design.md, "Simultaneous events").
"""

from __future__ import annotations

from typing import Any

from engine_kpis import assert_same_run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sweep_engines import HORIZON, arrivals, quarter, schedules, services

from portsim.engine.distributions import Deterministic, Uniform
from portsim.engine.fast import why_not_fast
from portsim.engine.model import (
    ArrivalError,
    ClassSpec,
    Delay,
    Model,
    StationSpec,
    Visit,
)


@st.composite
def off_time(draw: st.DrawFn) -> ArrivalError | None:
    """No error, or one of quarter minutes (fixed or spread), early in some share."""
    if draw(st.booleans()):
        return None
    size = (Deterministic(draw(quarter)) if draw(st.booleans())
            else Uniform(0.0, draw(quarter) * 4))
    return ArrivalError(size, early_share=draw(st.sampled_from([0.0, 0.5, 1.0])))


@st.composite
def booking_models(draw: st.DrawFn) -> Model:
    booked = StationSpec("desk", draw(schedules(period=120.0, closes=True)), draw(services()),
                         booking_servers=draw(st.integers(min_value=0, max_value=3)))
    upstream = StationSpec("gate", draw(schedules()), draw(services()))
    classes = []
    for k in range(draw(st.integers(min_value=1, max_value=2))):
        lead = draw(st.sampled_from([0.25, 1.0, 2.5, 10.0, 30.0]))
        classes.append(ClassSpec(f"ship{k}", draw(arrivals()),
                                 (Visit("desk", reserve_ahead=lead,
                                        reserve_error=draw(off_time())),)))
    route: list[Any] = []
    if draw(st.booleans()):
        route.append(Delay(Deterministic(draw(quarter))))
    if draw(st.booleans()):
        route.append(Visit("gate"))
    route.append(Visit("desk"))
    classes.insert(draw(st.integers(0, len(classes))),
                   ClassSpec("walk_in", draw(arrivals()), tuple(route)))
    return Model(stations=(booked, upstream), classes=tuple(classes), horizon=HORIZON,
                 warmup=draw(st.sampled_from([0.0, 60.0])))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(booking_models())
def test_bookings_on_the_fast_path_are_the_event_engine(model: Model) -> None:
    assert why_not_fast(model) is None
    assert_same_run(model, seed=2)
