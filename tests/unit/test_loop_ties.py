"""A loop of stations swept as one unit on the fast path (engine/loop_sweep.py): ties worked out
by hand, the loops it declines and why.

Ships are boarded (one team, 2 minutes each), then piloted (one pilot, 1 minute), and a ship
piloted in spawns its inspection alongside, which goes back to the boarding team: the team's
arrivals depend on the pilot's queue, which the team's own outputs feed.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from engine_kpis import assert_same_kpis

from portsim.engine import run_replication
from portsim.engine.distributions import Deterministic, Exponential
from portsim.engine.fast import why_not_fast
from portsim.engine.fast_plan import Plan
from portsim.engine.model import (
    ClassSpec,
    Delay,
    Impatience,
    Model,
    Poisson,
    ShiftSchedule,
    ShortestQueue,
    Spawn,
    StationSpec,
    Timetable,
    Trace,
    Visit,
)


def boarding_loop() -> Model:
    """Ships A at 0, B at 3, C at 4. A is boarded 0-2 and piloted 2-3, and spawns its
    inspection M at 3, which reaches the team as B does. The one rule: the new arrival B enters
    before the member spawned at that instant, so B is boarded at once (3-5) and M waits for
    it (5-7); C, who came at 4, after M (7-9). B is piloted 5-6 and spawns M2 at 6, who waits
    for C (9-11). C is piloted 9-10 and spawns M3 at 10, who waits for M2 (11-13)."""
    ships = Timetable((0.0, 3.0, 4.0), (1, 1, 1), (0.0, 0.0, 0.0))
    return Model(
        stations=(StationSpec("team", ShiftSchedule.constant(1), Deterministic(2.0)),
                  StationSpec("pilot", ShiftSchedule.constant(1), Deterministic(1.0))),
        classes=(ClassSpec("ship", ships, (Visit("team"), Visit("pilot"),
                                           Spawn("alongside", Deterministic(1.0)))),
                 ClassSpec("alongside", Trace(times=()), (Visit("team"),))),
        horizon=60.0)


def _waits(model: Model, engine: str) -> dict[tuple[int, str], tuple[float, float]]:
    """(entity, station) -> (joined, started), entities numbered in the order they entered."""
    joined: dict[tuple[int, str], float] = {}
    started: dict[tuple[int, str], float] = {}

    def trace(time: float, entity: int, kind: str, station: str | None, event: str) -> None:
        if event == "queue" and station is not None:
            joined[(entity, station)] = time
        elif event == "start" and station is not None:
            started[(entity, station)] = time

    run_replication(model, seed=0, engine=engine, trace=trace)
    return {visit: (at, started[visit]) for visit, at in joined.items()}


@pytest.mark.parametrize("engine", ["events", "fast"])
def test_a_new_arrival_goes_before_a_member_spawned_at_its_instant(engine: str) -> None:
    model = boarding_loop()
    assert why_not_fast(model) is None
    assert any(kind == "loop" for kind, _ in Plan(model, 0, 0).order)
    # entered: A 1, B 2, M 3 (spawned at 3, after B), C 4, M2 5, M3 6
    assert _waits(model, engine) == {
        (1, "team"): (0.0, 0.0), (1, "pilot"): (2.0, 2.0),
        (2, "team"): (3.0, 3.0), (2, "pilot"): (5.0, 5.0),
        (3, "team"): (3.0, 5.0),
        (4, "team"): (4.0, 7.0), (4, "pilot"): (9.0, 9.0),
        (5, "team"): (6.0, 9.0),
        (6, "team"): (10.0, 11.0)}


def test_the_loop_gives_the_event_engines_kpis() -> None:
    model = boarding_loop()
    assert_same_kpis(run_replication(model, seed=0, engine="events").kpis,
                     run_replication(model, seed=0, engine="fast").kpis)


def test_a_shift_change_goes_first_at_its_instant() -> None:
    """The team works 0-3 and from 5 on, with a second team from 5: at 5 both teams start
    at once on those waiting (B and M), before anyone moving then."""
    model = boarding_loop()
    shifts = ShiftSchedule(((0.0, 1), (3.0, 0), (5.0, 2)), period=None)
    model = replace(model, stations=(replace(model.stations[0], servers=shifts),
                                     model.stations[1]))
    waits = _waits(model, "fast")
    assert waits == _waits(model, "events")
    assert waits[(2, "team")] == (3.0, 5.0) and waits[(3, "team")] == (3.0, 5.0)


def _two_ways(**team: object) -> Model:
    """Cars to the team then the pilot, trucks the other way round: a loop of two stations."""
    return Model(
        stations=(StationSpec("team", ShiftSchedule.constant(1), Exponential(1.0), **team),
                  StationSpec("pilot", ShiftSchedule.constant(1), Exponential(1.0))),
        classes=(ClassSpec("car", Poisson(0.4), (Visit("team"), Visit("pilot"))),
                 ClassSpec("truck", Poisson(0.4), (Visit("pilot"), Delay(Exponential(1.0)),
                                                   Visit("team")))),
        horizon=500.0)


def test_two_classes_the_other_way_round_run_on_the_fast_path() -> None:
    model = _two_ways(discipline="priority")
    assert why_not_fast(model) is None
    assert _waits(model, "fast") == _waits(model, "events")
    assert_same_kpis(run_replication(model, seed=0, engine="events").kpis,
                     run_replication(model, seed=0, engine="fast").kpis)


@pytest.mark.parametrize(("model", "reason"), [
    (_two_ways(impatience=Impatience(patience=Exponential(5.0))),
     "the loop's sweep does not cover station 'team', which has customers who may give up"),
    (replace(_two_ways(), monitor_every=30.0),
     "the loop's sweep does not cover station 'team', which a monitor reads"),
    (Model(stations=(StationSpec("team", ShiftSchedule.constant(1), Exponential(1.0)),
                     StationSpec("pilot", ShiftSchedule.constant(1), Exponential(1.0))),
           classes=(ClassSpec("ship", Poisson(0.4), (Visit("team"), Visit("pilot"),
                                                     Visit("team"))),),
           horizon=100.0),
     "class 'ship' may visit station 'team' twice, which the loop's sweep does not cover"),
    (Model(stations=(StationSpec("a", ShiftSchedule.constant(1), Exponential(1.0)),
                     StationSpec("b", ShiftSchedule.constant(1), Exponential(1.0)),
                     StationSpec("pilot", ShiftSchedule.constant(1), Exponential(1.0))),
           classes=(ClassSpec("car", Poisson(0.4), (ShortestQueue(("a", "b")), Visit("pilot"))),
                    ClassSpec("truck", Poisson(0.4), (Visit("pilot"), Visit("a")))),
           horizon=100.0),
     "the loop's sweep does not cover the shortest-queue choice among 'a'/'b'"),
])
def test_loops_the_sweep_does_not_cover_need_the_event_engine(model: Model,
                                                              reason: str) -> None:
    why = why_not_fast(model)
    assert why is not None and why.startswith("the routes are not feed-forward: ")
    assert reason in why
    assert run_replication(model, seed=0).engine == "events"
