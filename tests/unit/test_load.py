"""Offered load and overload warnings, on hand-built models."""

from __future__ import annotations

import math

import pytest

from portsim.engine.distributions import Deterministic, Exponential
from portsim.engine.load import (
    StationLoad,
    arrival_rate,
    class_rates,
    offered_load,
    overload_warnings,
    visit_counts,
)
from portsim.engine.model import (
    Branch,
    ClassSpec,
    Delay,
    Model,
    OptionalStep,
    Poisson,
    RateProfile,
    ReactiveStaffing,
    ShiftSchedule,
    ShortestQueue,
    Spawn,
    StationSpec,
    Timetable,
    Trace,
    Visit,
)


def _station(name: str, servers: int | ShiftSchedule = 1, mean: float = 1.0, **kw) -> StationSpec:
    schedule = ShiftSchedule.constant(servers) if isinstance(servers, int) else servers
    return StationSpec(name=name, servers=schedule, service=Exponential(mean), **kw)


def test_mm1_load() -> None:
    model = Model(
        stations=(_station("s"),),
        classes=(ClassSpec("c", Poisson(0.8), (Visit("s"),)),),
        horizon=1000.0,
    )
    assert offered_load(model) == {"s": StationLoad(0.8, 1.0, 1.0, pytest.approx(0.8))}
    assert overload_warnings(model) == []


def test_arrival_rates_of_every_kind() -> None:
    assert arrival_rate(Poisson(2.0), 100.0) == 2.0
    assert arrival_rate(RateProfile((1.0, 3.0, 2.0, 2.0)), 100.0) == pytest.approx(2.0)
    repeating = Timetable(
        times=(10.0, 400.0), counts=(180, 300), spreads=(5.0, 0.0), repeat_every=1440.0
    )
    assert arrival_rate(repeating, 100.0) == pytest.approx(480 / 1440)
    once = Timetable(times=(10.0, 400.0), counts=(180, 300), spreads=(0.0, 0.0))
    assert arrival_rate(once, 1000.0) == pytest.approx(480 / 1000)
    assert arrival_rate(once, 200.0) == pytest.approx(180 / 200)  # the 400-min batch never comes
    assert arrival_rate(Trace((0.5, 1.2, 3.0, 7.5)), 10.0) == pytest.approx(0.4)
    assert arrival_rate(Trace((0.5, 1.2, 3.0, 7.5)), 5.0) == pytest.approx(0.6)


def test_visits_through_branches_options_and_shortest_queue() -> None:
    model = Model(
        stations=(
            _station("a", 2),
            _station("b", 6),
            _station("c", 1),
            _station("d", 1),
        ),
        classes=(),
        horizon=10.0,
    )
    route = (
        Delay(Deterministic(3.0)),
        Branch(((0.25, (Visit("a"),)), (0.75, (ShortestQueue(("a", "b")),)))),
        OptionalStep(0.1, (Visit("c"), Visit("c"))),
        Visit("d"),
    )
    visits = visit_counts(route, model)
    # a: 0.25 direct + 0.75 * 2/8 by servers; b: 0.75 * 6/8; c twice with probability 0.1.
    assert visits == pytest.approx({"a": 0.4375, "b": 0.5625, "c": 0.2, "d": 1.0})


def test_shortest_queue_with_no_servers_splits_equally() -> None:
    model = Model(stations=(_station("a", 0), _station("b", 0)), classes=(), horizon=10.0)
    assert visit_counts((ShortestQueue(("a", "b")),), model) == pytest.approx({"a": 0.5, "b": 0.5})


def test_service_weighted_by_class_and_shift_mean_servers() -> None:
    shifts = ShiftSchedule(steps=((0.0, 4), (360.0, 12), (1320.0, 4)))  # mean (6*4+16*12+2*4)/24
    counters = StationSpec(
        name="counters",
        servers=shifts,
        service=Exponential(0.75),
        service_by_class={"foreigners": Exponential(1.25)},
    )
    model = Model(
        stations=(counters,),
        classes=(
            ClassSpec("citizens", Poisson(6.0), (Visit("counters"),)),
            ClassSpec("foreigners", Poisson(2.0), (Visit("counters"),)),
        ),
        horizon=1440.0,
    )
    load = offered_load(model)["counters"]
    assert load.arrival_rate == pytest.approx(8.0)
    assert load.mean_service == pytest.approx((6 * 0.75 + 2 * 1.25) / 8)
    assert load.mean_servers == pytest.approx(224 / 24)
    assert load.utilisation == pytest.approx(8.0 * 0.875 / (224 / 24))


def test_overload_warning_sentence() -> None:
    model = Model(
        stations=(_station("x", 1, 0.5), _station("y", 3, 1.0), _station("idle", 0)),
        classes=(
            ClassSpec("c", Poisson(2.5), (Visit("x"),)),
            ClassSpec("d", Poisson(3.0), (Visit("y"),)),
        ),
        horizon=100.0,
    )
    assert overload_warnings(model) == [
        "station 'x': offered load 1.25 of capacity (arrivals 2.5/min × service 0.5 min over "
        "1 server); queues will grow without bound",
        "station 'y': offered load 1 of capacity (arrivals 3/min × service 1 min over "
        "3 servers); queues will grow without bound",
    ]
    # A station nobody visits is idle, not overloaded, even with no servers.
    assert offered_load(model)["idle"].utilisation == 0.0


def test_station_without_servers_is_infinitely_loaded() -> None:
    model = Model(
        stations=(_station("closed", 0),),
        classes=(ClassSpec("c", Poisson(1.0), (Visit("closed"),)),),
        horizon=100.0,
    )
    assert math.isinf(offered_load(model)["closed"].utilisation)
    assert overload_warnings(model) == [
        "station 'closed': receives arrivals at 1/min but has no servers; queues will grow "
        "without bound"
    ]


def test_spawned_entities_add_to_their_class_rate() -> None:
    # 0.1 buses/min, each bringing 40 passengers on average (half of them via an optional step).
    model = Model(
        stations=(_station("bay", 2, 5.0), _station("desks", 30, 0.5)),
        classes=(
            ClassSpec(
                "bus",
                Poisson(0.1),
                (
                    Visit("bay"),
                    Spawn("passenger", Deterministic(20.0)),
                    OptionalStep(0.5, (Spawn("passenger", Deterministic(40.0)),)),
                ),
            ),
            ClassSpec("passenger", Poisson(1.0), (Visit("desks"),)),
        ),
        horizon=1000.0,
    )
    assert class_rates(model) == pytest.approx({"bus": 0.1, "passenger": 1.0 + 0.1 * 40})
    load = offered_load(model)
    assert load["desks"].arrival_rate == pytest.approx(5.0)
    assert load["desks"].utilisation == pytest.approx(5.0 * 0.5 / 30)


def test_self_feeding_spawns_are_infinite_not_an_error() -> None:
    model = Model(
        stations=(_station("s"),),
        classes=(
            ClassSpec("cell", Poisson(0.01), (Visit("s"), Spawn("cell", Deterministic(2.0)))),
        ),
        horizon=1000.0,
    )
    assert math.isinf(class_rates(model)["cell"])
    assert math.isinf(offered_load(model)["s"].utilisation)
    assert len(overload_warnings(model)) == 1


def test_reactive_staffing_that_covers_the_load_is_named_but_not_unbounded() -> None:
    reactive = ReactiveStaffing(open_above=15.0, close_below=5.0, max_extra=3)
    covered = StationSpec("gates", ShiftSchedule.constant(2), Exponential(1.0), reactive=reactive)
    model = Model(
        stations=(covered,),
        classes=(ClassSpec("c", Poisson(3.0), (Visit("gates"),)),),
        horizon=100.0,
    )
    assert overload_warnings(model) == [
        "station 'gates': offered load 1.5 of scheduled capacity (arrivals 3/min × service "
        "1 min over 2 servers); only reactive staffing (up to 3 extra) keeps the queue bounded"
    ]
    swamped = Model(
        stations=(covered,),
        classes=(ClassSpec("c", Poisson(6.0), (Visit("gates"),)),),
        horizon=100.0,
    )
    assert overload_warnings(swamped)[0].endswith("queues will grow without bound")


def _impatient_model(rate: float, **rule: object) -> Model:
    from portsim.engine.model import Impatience

    station = _station("road", impatience=Impatience(**rule))  # type: ignore[arg-type]
    return Model(stations=(station,), classes=(ClassSpec("c", Poisson(rate), (Visit("road"),)),),
                 horizon=100.0)


@pytest.mark.parametrize(("rate", "rule"), [
    (2.0, {"balk_probabilities": (0.0, 0.5, 1.0)}),  # nobody joins behind two
    (50.0, {"balk_probabilities": (1.0, 0.0)}),  # nobody queues at all
    (2.0, {"balk_at": 3}),
    (2.0, {"patience": Exponential(5.0)}),
    (1.5, {"balk_probabilities": (0.0, 0.5)}),  # 1.5 × half join: 0.75 of capacity stays
    (3.0, {"balk_probabilities": (0.0, 0.9), "retry": 0.5,
           "retry_after": Deterministic(5.0)}),  # 3 × 0.1 / 0.55 = 0.55 of capacity
], ids=["balking certain at 2", "balking certain at 0", "queue limit", "patience",
        "balking keeps the joiners under capacity", "balking with retries"])
def test_a_queue_that_giving_up_bounds_is_not_said_to_grow_without_bound(
        rate: float, rule: dict[str, object]) -> None:
    """Issue 23 C: balking probabilities that reach 1 bound the queue (nobody joins a queue
    that long), and those below 1 keep it bounded where the customers who still join a long
    queue bring less work than the station can do."""
    (warning,) = overload_warnings(_impatient_model(rate, **rule))
    assert "grow without bound" not in warning
    assert warning.endswith(
        "only customers giving up (patience, a queue limit, balking) keep the queue bounded")


@pytest.mark.parametrize(("rate", "rule"), [
    (3.0, {"balk_probabilities": (0.0, 0.5)}),  # 3 × half join: 1.5 of capacity
    (1.5, {"balk_probabilities": (0.0, 0.5), "retry": 1.0, "retry_after": Deterministic(5.0)}),
], ids=["too many still join", "every balker comes back"])
def test_balking_that_leaves_the_station_overloaded_still_warns_of_growth(
        rate: float, rule: dict[str, object]) -> None:
    (warning,) = overload_warnings(_impatient_model(rate, **rule))
    assert warning.endswith("queues will grow without bound")


def test_a_class_without_patience_that_alone_overloads_the_station_still_warns() -> None:
    from portsim.engine.model import Impatience

    station = _station("road", impatience_by_class={"calm": Impatience(balk_at=2)})
    classes = (ClassSpec("calm", Poisson(5.0), (Visit("road"),)),
               ClassSpec("keen", Poisson(0.5), (Visit("road"),)))
    model = Model(stations=(station,), classes=classes, horizon=100.0)
    assert overload_warnings(model)[0].endswith("only customers giving up (patience, a queue "
                                                "limit, balking) keep the queue bounded")
    keen = (classes[0], ClassSpec("keen", Poisson(1.0), (Visit("road"),)))
    model = Model(stations=(station,), classes=keen, horizon=100.0)
    assert overload_warnings(model)[0].endswith("queues will grow without bound")
