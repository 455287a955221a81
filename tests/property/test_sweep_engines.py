"""Property: on any small model with stations that serve by priority, customers who may give
up (patience, balking by queue length, a queue limit) and servers that open and close as the
queue's head waits (reactive staffing, within positions that may change), the fast path gives
the event engine's visits customer by customer and every KPI to 1e-9.

Times are whole or quarter minutes, so that services end, customers move and shifts change at
the same instants often: the ties the one rule of simultaneous events settles. Classes share
priorities or not; stations serve by priority or first come first served, with constant
servers or a shift schedule that cuts servers while they are busy; a shortest-queue choice
may join a priority station to another; some classes balk or renege at the stations outside
the choice; any station may react to its queue, checked every whole or half minute (so checks
fall on arrivals, service ends and shift changes) against whole-minute thresholds.
"""

from __future__ import annotations

from typing import Any

from engine_kpis import assert_same_run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portsim.engine.distributions import Deterministic, Uniform
from portsim.engine.fast import why_not_fast
from portsim.engine.model import (
    ClassSpec,
    Delay,
    Impatience,
    Model,
    ReactiveStaffing,
    ShiftSchedule,
    ShortestQueue,
    StationSpec,
    Timetable,
    Visit,
)

HORIZON = 600.0
quarter = st.integers(min_value=1, max_value=16).map(lambda k: k / 4)


@st.composite
def services(draw: st.DrawFn, steps: st.SearchStrategy[float] = quarter) -> Any:
    """A deterministic or uniform time on the grid of ``steps``."""
    if draw(st.booleans()):
        return Deterministic(draw(steps))
    low = draw(steps)
    return Uniform(low, low + draw(steps))


@st.composite
def schedules(draw: st.DrawFn, period: float = 120.0, closes: bool = False) -> ShiftSchedule:
    """Constant servers, or a schedule of whole minutes repeated every ``period`` (that may
    leave the station without servers for good where ``closes``)."""
    if draw(st.booleans()):
        return ShiftSchedule.constant(draw(st.integers(min_value=1, max_value=3)))
    times = sorted(set(draw(st.lists(st.integers(min_value=1, max_value=int(period) - 1),
                                     max_size=4))))
    levels = draw(st.lists(st.integers(min_value=0, max_value=3), min_size=len(times) + 1,
                           max_size=len(times) + 1))
    if levels[-1] == 0 and not closes:
        levels[-1] = 1
    steps = ((0.0, levels[0]), *((float(t), n) for t, n in zip(times, levels[1:],
                                                                 strict=True)))
    return ShiftSchedule(steps, period=period)


@st.composite
def impatience(draw: st.DrawFn) -> Impatience:
    patience = draw(st.one_of(st.none(), st.builds(Deterministic, quarter),
                              st.builds(Uniform, st.just(0.5), quarter.map(lambda q: q + 0.5))))
    balk_at = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=4)))
    chances = tuple(draw(st.lists(st.sampled_from([0.0, 0.3, 1.0]), max_size=3)))
    return Impatience(patience=patience, balk_at=balk_at, balk_probabilities=chances)


@st.composite
def reacting(draw: st.DrawFn, servers: ShiftSchedule,
             ) -> tuple[ReactiveStaffing | None, ShiftSchedule | None]:
    """A rule of reactive staffing or none, and positions (none, constant, or changing every
    cycle of the shifts) never below ``servers``."""
    if draw(st.booleans()):
        return None, None
    close, above = sorted(draw(st.lists(st.integers(min_value=0, max_value=6), min_size=2,
                                        max_size=2)))
    rule = ReactiveStaffing(float(above), float(close), draw(st.integers(1, 3)),
                            check_every=draw(st.sampled_from([1.0, 2.0, 0.5, 3.0])))
    floor = servers.max_servers
    kind = draw(st.sampled_from(["none", "constant", "changing"]))
    if kind == "none":
        return rule, None
    if kind == "constant":
        return rule, ShiftSchedule.constant(floor + draw(st.integers(0, 3)))
    times = sorted(set(draw(st.lists(st.integers(min_value=1, max_value=119), min_size=1,
                                     max_size=3))))
    rooms = draw(st.lists(st.integers(0, 3), min_size=len(times) + 1, max_size=len(times) + 1))
    steps = ((0.0, floor + rooms[0]), *((float(t), floor + room)
                                        for t, room in zip(times, rooms[1:], strict=True)))
    return rule, ShiftSchedule(steps, period=120.0)


@st.composite
def arrivals(draw: st.DrawFn) -> Timetable:
    gap = draw(st.integers(min_value=1, max_value=12))
    times = tuple(float(t) for t in range(draw(st.integers(0, 5)), int(HORIZON), gap))
    batch = draw(st.integers(min_value=1, max_value=3))
    return Timetable(times, (batch,) * len(times), (0.0,) * len(times))


@st.composite
def priority_models(draw: st.DrawFn) -> Model:
    count = draw(st.integers(min_value=1, max_value=3))
    disciplines = ["priority", *draw(st.lists(st.sampled_from(["fifo", "priority"]),
                                              min_size=count - 1, max_size=count - 1))]
    # who may give up where: not at the stations a choice joins (the event engine runs those)
    giving_up = [draw(st.dictionaries(st.sampled_from(["c0", "c1", "c2"]), impatience(),
                                      max_size=2)) if k >= 2 or count == 1 else {}
                 for k in range(count)]
    stations = []
    for k, discipline in enumerate(disciplines):
        servers = draw(schedules())
        rule, positions = draw(reacting(servers))
        stations.append(StationSpec(f"s{k}", servers, draw(services()), discipline=discipline,
                                    impatience_by_class=giving_up[k], reactive=rule,
                                    positions=positions))
    names = [station.name for station in stations]
    classes = []
    for k in range(3):
        route: list[Any] = []
        if draw(st.booleans()):
            route.append(Delay(Deterministic(draw(quarter))))
        if count > 1 and draw(st.booleans()):  # a choice, then maybe the third station
            route.append(ShortestQueue(tuple(names[:2])))
            visited = names[2:3] if draw(st.booleans()) else []
        else:
            visited = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2,
                                    unique=True))
        route.extend(Visit(name) for name in visited)
        classes.append(ClassSpec(f"c{k}", draw(arrivals()), tuple(route),
                                 priority=draw(st.integers(min_value=0, max_value=2))))
    return Model(stations=tuple(stations), classes=tuple(classes), horizon=HORIZON,
                 warmup=draw(st.sampled_from([0.0, 60.0])))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(priority_models())
def test_the_sweeps_on_the_fast_path_are_the_event_engine(model: Model) -> None:
    reason = why_not_fast(model)
    if reason is not None:  # a route that visits a station again: not feed-forward
        assert "feed-forward" in reason
        return
    assert_same_run(model, seed=2)
