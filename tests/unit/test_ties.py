"""Simultaneous events: one rule, kept by both engines (docs/design.md, "Simultaneous events").

At one instant the model's clock goes first (shift changes), then the customers already in the
system in the order they entered it, then the arrivals of each class in file order (a batch's
members in turn), then members spawned at that instant in the order they were spawned. Each
case below is small enough to work out by hand: one server, deterministic services, batches
that tie, and the waits the rule gives; both engines must give them, and the same KPIs.
"""

from __future__ import annotations

from typing import Any

import pytest
from engine_kpis import assert_same_kpis

from portsim.engine import run_replication
from portsim.engine.distributions import Deterministic, Exponential
from portsim.engine.fast import why_not_fast
from portsim.engine.model import (
    ClassSpec,
    Delay,
    Model,
    Poisson,
    ShiftSchedule,
    ShortestQueue,
    Spawn,
    StationSpec,
    Timetable,
    Visit,
)

SIX = 360.0  # 06:00
MINUTE = Deterministic(1.0)
NOBODY = Poisson(0.0)  # a class whose members only come spawned


def batch(at: float, count: int = 1, *more: tuple[float, int]) -> Timetable:
    rows = [(at, count), *more]
    return Timetable(tuple(t for t, _ in rows), tuple(c for _, c in rows), (0.0,) * len(rows))


def desk(name: str = "desk", service: Any = MINUTE, servers: int = 1) -> StationSpec:
    return StationSpec(name, ShiftSchedule.constant(servers), service)


def model(stations: tuple[StationSpec, ...], *classes: ClassSpec, **settings: Any) -> Model:
    return Model(stations=stations, classes=classes, horizon=1440.0, **settings)


def both(model: Model) -> dict[str, Any]:
    """The KPIs of one replication on each engine, asserted equal, KPI by KPI; the fast
    path's."""
    assert why_not_fast(model) is None
    events = run_replication(model, seed=1, engine="events").kpis
    fast = run_replication(model, seed=1, engine="fast").kpis
    assert_same_kpis(events, fast)
    return fast


def waits(kpis: dict[str, Any]) -> dict[str, float]:
    return {name: row["wait_mean"] for name, row in kpis["classes"].items()}


def test_classes_arriving_at_one_instant_go_in_file_order() -> None:
    """Issue 23's case: ten blue and ten red at 06:00 on one desk of 1-min services. All of
    blue first (waits 0..9), then red (10..19), on both engines; listed the other way round,
    red first."""
    blue = ClassSpec("blue", batch(SIX, 10), (Visit("desk"),))
    red = ClassSpec("red", batch(SIX, 10), (Visit("desk"),))
    assert waits(both(model((desk(),), blue, red))) == {"blue": 4.5, "red": 14.5}
    assert waits(both(model((desk(),), red, blue))) == {"red": 4.5, "blue": 14.5}


def test_batches_of_one_class_at_one_instant_go_in_turn_after_earlier_classes() -> None:
    """Two batches of one class at 06:00 (3 and 2) after a class listed before it (2): the
    first class waits 0 and 1, then the five in turn 2..6; customer by customer, each
    engine's event log numbers them alike and starts the n-th at 06:00 + n - 1."""
    early = ClassSpec("early", batch(SIX, 2), (Visit("desk"),))
    late = ClassSpec("late", batch(SIX, 3, (SIX, 2)), (Visit("desk"),))
    built = model((desk(),), early, late)
    assert waits(both(built)) == {"early": 0.5, "late": 4.0}
    for engine in ("events", "fast"):
        starts: dict[int, tuple[str, float]] = {}

        def trace(time: float, entity: int, kind: str, station: str | None, event: str,
                  starts: dict[int, tuple[str, float]] = starts) -> None:
            if event == "start":
                starts[entity] = (kind, time)

        run_replication(built, seed=1, engine=engine, trace=trace)
        assert starts == {n: ("early" if n <= 2 else "late", SIX + n - 1) for n in range(1, 8)}


@pytest.mark.parametrize("flight_route", [
    (Spawn("pax", Deterministic(4.0)),),
    (Delay(Deterministic(10.0)), Spawn("pax", Deterministic(4.0))),
], ids=["spawns on arrival", "spawns after a delay"])
def test_spawned_members_come_after_the_arrivals_of_their_instant(
        flight_route: tuple[Any, ...]) -> None:
    """A flight's four passengers spawned at 06:00 (the flight landing then, or at 05:50 and
    taxiing ten minutes) and three walk-ins arriving at 06:00: the class's own arrivals
    first, although the passengers' class is listed before the walk-ins (waits 0..2), then
    the passengers (3..6)."""
    flight = ClassSpec("flight", batch(SIX - 10.0 * (len(flight_route) - 1)), flight_route)
    pax = ClassSpec("pax", NOBODY, (Visit("desk"),))
    walkin = ClassSpec("walkin", batch(SIX, 3), (Visit("desk"),))
    got = waits(both(model((desk(),), flight, pax, walkin)))
    assert (got["walkin"], got["pax"]) == (1.0, 4.5)


def test_batches_spawned_at_one_instant_go_in_the_order_they_were_spawned() -> None:
    """Two aircraft land at 06:00, a prop (listed first) and a jet, each spawning two
    passengers of its own class: the prop's passengers first, whatever the order of the
    passenger classes in the file."""
    jet_pax = ClassSpec("jet_pax", NOBODY, (Visit("desk"),))
    prop_pax = ClassSpec("prop_pax", NOBODY, (Visit("desk"),))
    prop = ClassSpec("prop", batch(SIX), (Spawn("prop_pax", Deterministic(2.0)),))
    jet = ClassSpec("jet", batch(SIX), (Spawn("jet_pax", Deterministic(2.0)),))
    got = waits(both(model((desk(),), jet_pax, prop_pax, prop, jet)))
    assert (got["prop_pax"], got["jet_pax"]) == (0.5, 2.5)


def test_customers_already_inside_go_before_those_entering_at_that_instant() -> None:
    """Reaching the desk at 06:10 from different steps: who entered at 06:00 and walked ten
    minutes goes before who entered at 06:05 and spent five minutes at a kiosk, and both
    before a batch arriving at 06:10, whatever the order of the classes in the file."""
    kiosk = desk("kiosk", Deterministic(5.0))
    newcomer = ClassSpec("newcomer", batch(SIX + 10.0, 2), (Visit("desk"),))
    kiosked = ClassSpec("kiosked", batch(SIX + 5.0), (Visit("kiosk"), Visit("desk")))
    walker = ClassSpec("walker", batch(SIX), (Delay(Deterministic(10.0)), Visit("desk")))
    got = waits(both(model((desk(), kiosk), newcomer, kiosked, walker)))
    assert got == {"newcomer": 2.5, "kiosked": 1.0, "walker": 0.0}


def test_a_service_ending_as_others_arrive_frees_its_server_for_the_queue() -> None:
    """Two at 06:00 (the second waits 1 min), three at 06:01: at 06:01 the first leaves and
    the second starts; the three wait 1, 2, 3. The longest queue is the queue once an instant
    is over: 3 (not 4: the second was leaving as they joined). One arriving at 07:00, as the
    one before it is served, starts at once: no queue at all."""
    pair = ClassSpec("pair", batch(SIX, 2), (Visit("desk"),))
    trio = ClassSpec("trio", batch(SIX + 1.0, 3), (Visit("desk"),))
    got = both(model((desk(),), pair, trio))
    assert waits(got) == {"pair": 0.5, "trio": 2.0}
    assert got["stations"]["desk"]["queue_max"] == 3
    first = ClassSpec("first", batch(SIX + 60.0), (Visit("desk"),))
    second = ClassSpec("second", batch(SIX + 61.0), (Visit("desk"),))
    got = both(model((desk(),), second, first))
    assert waits(got) == {"second": 0.0, "first": 0.0}
    assert got["stations"]["desk"]["queue_max"] == 0


@pytest.mark.parametrize(("steps", "opens", "wait"), [
    (((0.0, 1), (SIX, 0), (SIX + 60.0, 1)), False, 60.0),
    (((0.0, 0), (SIX, 1)), True, 0.0),
], ids=["closes as they come", "opens as they come"])
def test_a_shift_change_goes_before_the_arrivals_of_its_instant(
        steps: tuple[tuple[float, int], ...], opens: bool, wait: float) -> None:
    """A desk that closes at 06:00 does not take the customer arriving at 06:00 (who waits
    until it opens again at 07:00); one that opens at 06:00 serves at once."""
    station = StationSpec("desk", ShiftSchedule(steps), MINUTE)
    customer = ClassSpec("customer", batch(SIX), (Visit("desk"),))
    assert waits(both(model((station,), customer)))["customer"] == wait


@pytest.mark.parametrize(("entered", "row", "wait"), [
    (SIX - 5.0, "a", 0.0), (SIX + 5.0, "b", 5.0),
], ids=["the leaver entered first", "the chooser entered first"])
def test_a_choice_sees_a_service_ending_at_its_instant_as_over_if_its_turn_came_first(
        entered: float, row: str, wait: float) -> None:
    """At 06:10 a chooser (entered 06:00, ten minutes' walk) picks the shorter of rows b and a
    (one desk each, both busy, b listed first); a's customer leaves at 06:10. If that customer
    entered before the chooser (at 05:55, a 15-minute service), its service is over when the
    chooser looks: a is empty, the chooser goes there and waits 0. If it entered after (06:05,
    five minutes' service), a still looks busy: a tie, to b, where the chooser waits 5 min."""
    a_service = Deterministic(SIX + 10.0 - entered)
    stations = (desk("a", a_service), desk("b", Deterministic(10.0)))
    leaver = ClassSpec("leaver", batch(entered), (Visit("a"),))
    other = ClassSpec("other", batch(SIX + 5.0), (Visit("b"),))
    chooser = ClassSpec("chooser", batch(SIX), (Delay(Deterministic(10.0)),
                                                ShortestQueue(("b", "a"))))
    got = both(model(stations, leaver, other, chooser))
    assert got["classes"]["chooser"]["wait_mean"] == wait
    assert got["stations"][row]["arrivals"] == 2


@pytest.mark.parametrize("after", [(Visit("gate"),), (Delay(Deterministic(0.0)), Visit("gate"))],
                         ids=["straight on", "after a step of no time"])
def test_a_spawner_waiting_for_its_batch_goes_on_in_its_last_members_turn(
        after: tuple[Any, ...]) -> None:
    """A flight in at 05:58 taxis two minutes and spawns two passengers at 06:00, then waits
    for them to clear the desk (06:01, 06:02) before it goes to the gate; a car in at 05:59
    reaches the gate at 06:02 too. The flight goes on in its last passenger's turn (who
    entered at 06:00, after the car), so the car is served first, although the flight entered
    first and is listed first."""
    flight = ClassSpec("flight", batch(SIX - 2.0), (Delay(Deterministic(2.0)),
                                                    Spawn("pax", Deterministic(2.0), wait=True),
                                                    *after))
    pax = ClassSpec("pax", NOBODY, (Visit("desk"),))
    car = ClassSpec("car", batch(SIX - 1.0), (Delay(Deterministic(3.0)), Visit("gate")))
    got = waits(both(model((desk(), desk("gate")), flight, pax, car)))
    assert (got["car"], got["flight"], got["pax"]) == (0.0, 1.0, 0.5)


def test_a_service_that_can_take_no_time_needs_the_event_engine() -> None:
    """A zero service ends in the instant it starts, in the turn of whatever started it (a
    completion, an arrival): that order is the event engine's to keep."""
    stations = (StationSpec("desk", ShiftSchedule.constant(1), Exponential(1.0),
                            service_by_class={"express": Deterministic(0.0)}),)
    built = model(stations, ClassSpec("express", Poisson(0.5), (Visit("desk"),)))
    assert why_not_fast(built) == "station 'desk' may serve class 'express' in no time"
    assert run_replication(built, seed=1).engine == "events"


def priority_desk(schedule: ShiftSchedule | None = None) -> StationSpec:
    return StationSpec("desk", schedule or ShiftSchedule.constant(1), MINUTE,
                       discipline="priority")


def test_at_a_priority_desk_a_service_ending_as_a_vip_arrives_goes_first() -> None:
    """Two regulars at 06:00 on one desk that serves by priority (1-min services); a vip
    arriving at 06:01 comes in its class's turn, after the first regular's service ends then:
    the second regular has already taken the desk (waits 1) and the vip waits 1."""
    regular = ClassSpec("regular", batch(SIX, 2), (Visit("desk"),), priority=1)
    vip = ClassSpec("vip", batch(SIX + 1.0), (Visit("desk"),), priority=0)
    assert waits(both(model((priority_desk(),), regular, vip))) == {"regular": 0.5,
                                                                    "vip": 1.0}


def test_at_a_priority_desk_a_vip_inside_already_moves_before_a_later_entrant_ends() -> None:
    """The vip entered at 05:50 and walked eleven minutes: reaching the desk at 06:01 in its
    own turn, before that of the regular who entered at 06:00 and ends then, it is queueing
    when the desk frees and overtakes the second regular (vip waits 0, regulars 0 and 2)."""
    regular = ClassSpec("regular", batch(SIX, 2), (Visit("desk"),), priority=1)
    vip = ClassSpec("vip", batch(SIX - 10.0), (Delay(Deterministic(11.0)), Visit("desk")),
                    priority=0)
    assert waits(both(model((priority_desk(),), regular, vip))) == {"regular": 1.0,
                                                                    "vip": 0.0}


def test_at_a_priority_desk_a_server_opening_goes_before_the_arrivals_of_its_instant() -> None:
    """The desk opens at 06:01 with two regulars waiting since 06:00; a vip arriving at 06:01
    finds the server already taken by the first regular (the shift change goes first: waits
    1) and waits 1, ahead of the second regular (waits 3). Were the vip first, it would wait
    0 and the regulars 2 and 3."""
    regular = ClassSpec("regular", batch(SIX, 2), (Visit("desk"),), priority=1)
    vip = ClassSpec("vip", batch(SIX + 1.0), (Visit("desk"),), priority=0)
    closed = ShiftSchedule(((0.0, 0), (SIX + 1.0, 1)))
    assert waits(both(model((priority_desk(closed),), regular, vip))) == {"regular": 2.0,
                                                                          "vip": 1.0}
