"""Reservations, spawned batches, queue-reactive staffing and lateness."""

import pytest

from portsim.engine import (
    ClassSpec,
    Delay,
    Model,
    ShiftSchedule,
    StationSpec,
    Trace,
    Visit,
    run_replication,
)
from portsim.engine.distributions import Deterministic
from portsim.engine.model import ReactiveStaffing, Spawn


def log_of(model, seed=0):
    log = []
    result = run_replication(model, seed=seed, trace=lambda *e: log.append(e))
    return result, log


def test_booked_entity_starts_on_arrival_even_when_others_queue():
    # One team busy with walk-ins; a booked ship announces 35 min ahead and must start at once.
    team = StationSpec("team", ShiftSchedule.constant(1), Deterministic(20.0))
    walkins = ClassSpec("walkin", Trace((0.0, 1.0, 2.0)), (Visit("team"),))
    booked = ClassSpec("ship", Trace((50.0,)), (Visit("team", reserve_ahead=35.0),))
    model = Model(stations=(team,), classes=(walkins, booked), horizon=200.0)
    result, log = log_of(model)
    starts = {cls: t for t, _, cls, _, e in log if e == "start" and cls == "ship"}
    assert starts["ship"] == 50.0
    assert result.kpis["classes"]["ship"]["wait_mean"] == 0.0
    walkin_starts = [t for t, _, cls, _, e in log if e == "start" and cls == "walkin"]
    # the booking (made at 15, while the team serves) takes the team freed at 20 ahead of the
    # queue and holds it until the ship comes at 50; the queued walk-ins follow after the ship
    assert walkin_starts == [0.0, 70.0, 90.0]


def test_booking_taken_late_when_all_servers_stay_busy():
    team = StationSpec("team", ShiftSchedule.constant(1), Deterministic(100.0))
    walkins = ClassSpec("walkin", Trace((0.0,)), (Visit("team"),))
    booked = ClassSpec("ship", Trace((10.0,)), (Visit("team", reserve_ahead=5.0),))
    model = Model(stations=(team,), classes=(walkins, booked), horizon=500.0)
    result, log = log_of(model)
    assert [t for t, _, c, _, e in log if e == "start" and c == "ship"] == [100.0]
    assert result.kpis["classes"]["ship"]["wait_mean"] == pytest.approx(90.0)


def test_reserve_ahead_only_on_first_step():
    team = StationSpec("team", ShiftSchedule.constant(1), Deterministic(1.0))
    with pytest.raises(ValueError, match="first step"):
        Model(stations=(team,), classes=(ClassSpec(
            "c", Trace((0.0,)), (Visit("team"), Visit("team", reserve_ahead=5.0))),),
            horizon=10.0)


def test_spawned_batch_enters_its_own_route():
    lane = StationSpec("lane", ShiftSchedule.constant(1), Deterministic(2.0))
    hall = StationSpec("hall", ShiftSchedule.constant(100), Deterministic(1.0))
    bus = ClassSpec("bus", Trace((0.0, 10.0)),
                    (Visit("lane"), Spawn("bus_passenger", Deterministic(40.0), spread=3.0)))
    passenger = ClassSpec("bus_passenger", Trace(()), (Visit("hall"),))
    model = Model(stations=(lane, hall), classes=(bus, passenger), horizon=100.0)
    result, log = log_of(model)
    arrivals = [t for t, _, c, _, e in log if e == "arrive" and c == "bus_passenger"]
    assert len(arrivals) == 80
    assert min(arrivals) >= 2.0 and max(arrivals) <= 15.0
    assert result.kpis["stations"]["hall"]["completions"] == 80


def test_reactive_staffing_opens_desks_at_the_line_and_closes_them_after():
    desk = StationSpec("desk", ShiftSchedule.constant(1), Deterministic(1.0),
                       reactive=ReactiveStaffing(open_above=5.0, close_below=1.0, max_extra=3,
                                                 check_every=1.0))
    crowd = ClassSpec("pax", Trace(tuple([0.0] * 60)), (Visit("desk"),))
    model = Model(stations=(desk,), classes=(crowd,), horizon=300.0)
    result, log = log_of(model)
    k = result.kpis["stations"]["desk"]
    last_start = max(t for t, *_, e in log if e == "start")
    # with one desk the 60th passenger would start at 59; extra desks clear the crowd sooner
    assert last_start < 30.0
    # never more than 1 + 3 desks, and back to 1 desk after the crowd
    assert k["servers_mean"] < 1.5
    assert k["completions"] == 60


def test_lateness_against_due_time():
    team = StationSpec("team", ShiftSchedule.constant(1), Deterministic(10.0))
    ships = ClassSpec("departing", Trace((0.0, 0.0, 0.0)), (Visit("team"),), due_after=15.0)
    result = run_replication(Model(stations=(team,), classes=(ships,), horizon=100.0))
    k = result.kpis["classes"]["departing"]
    # sojourns 10, 20, 30 against a due time of 15: two late, by 5 and 15
    assert k["late_share"] == pytest.approx(2 / 3)
    assert k["lateness_mean"] == pytest.approx(20 / 3)
    assert k["lateness_max"] == pytest.approx(15.0)


def test_milestone_records_time_since_arrival_at_that_point_of_the_route():
    from portsim.engine.model import Milestone

    team = StationSpec("team", ShiftSchedule.constant(1), Deterministic(10.0))
    berth = StationSpec("berth", ShiftSchedule.constant(10), Deterministic(100.0))
    ships = ClassSpec("ship", Trace((0.0, 0.0)),
                      (Visit("team"), Milestone("cleared"), Visit("berth")))
    k = run_replication(Model(stations=(team, berth), classes=(ships,), horizon=500.0)).kpis
    row = k["classes"]["ship"]
    # cleared after 10 and 20 minutes; the berth stay does not count
    assert row["until_cleared_mean"] == pytest.approx(15.0)
    assert row["until_cleared_max"] == pytest.approx(20.0)
    assert row["sojourn_mean"] == pytest.approx(115.0)


def test_waiting_spawn_holds_the_spawner_until_its_batch_has_left():
    # A train's 3 passengers take 10, 20, 30 min at one desk; the train waits for all of them,
    # then stands 5 min. A parallel "journey" member of 25 min joins the same wait.
    desk = StationSpec("desk", ShiftSchedule.constant(1), Deterministic(10.0))
    train = ClassSpec("train", Trace((0.0,)), (
        Spawn("journey", Deterministic(1.0), wait=True),
        Spawn("pax", Deterministic(3.0), wait=True),
        Delay(Deterministic(5.0))))
    journey = ClassSpec("journey", Trace(()), (Delay(Deterministic(25.0)),))
    pax = ClassSpec("pax", Trace(()), (Visit("desk"),))
    k = run_replication(Model(stations=(desk,), classes=(train, journey, pax),
                              horizon=100.0)).kpis["classes"]
    assert k["train"]["sojourn_mean"] == pytest.approx(30.0 + 5.0)
    assert k["pax"]["completions"] == 3


def test_waiting_spawn_of_nobody_does_not_hold():
    train = ClassSpec("train", Trace((0.0,)),
                      (Spawn("pax", Deterministic(0.0), wait=True), Delay(Deterministic(5.0))))
    pax = ClassSpec("pax", Trace(()), (Delay(Deterministic(1.0)),))
    k = run_replication(Model(stations=(), classes=(train, pax), horizon=100.0)).kpis
    assert k["classes"]["train"]["sojourn_mean"] == pytest.approx(5.0)


def test_without_wait_the_spawner_goes_on_at_once():
    desk = StationSpec("desk", ShiftSchedule.constant(1), Deterministic(10.0))
    train = ClassSpec("train", Trace((0.0,)), (Spawn("pax", Deterministic(3.0)),))
    pax = ClassSpec("pax", Trace(()), (Visit("desk"),))
    k = run_replication(Model(stations=(desk,), classes=(train, pax), horizon=100.0)).kpis
    assert k["classes"]["train"]["sojourn_mean"] == 0.0


def test_a_huge_spawned_batch_is_refused_before_it_is_drawn():
    from portsim.engine import EntityLimitExceeded

    bus = ClassSpec("bus", Trace((0.0,)),
                    (Spawn("pax", Deterministic(1e12), spread=5.0),))
    pax = ClassSpec("pax", Trace(()), (Delay(Deterministic(1.0)),))
    model = Model(stations=(), classes=(bus, pax), horizon=10.0)
    with pytest.raises(EntityLimitExceeded, match="a batch of"):
        run_replication(model, max_entities=1000)


def test_off_duty_servers_are_called_in_for_bookings_only():
    # Teams on duty 08:00-20:00 only; two may work on bookings at any hour.
    day = ShiftSchedule(steps=((0.0, 0), (480.0, 2), (1200.0, 0)), period=1440.0)
    team = StationSpec("team", day, Deterministic(45.0), booking_servers=2)
    walkin = ClassSpec("walkin", Trace((60.0,)), (Visit("team"),))
    declared = ClassSpec("declared", Trace((60.0, 70.0, 80.0)),
                         (Visit("team", reserve_ahead=30.0),))
    model = Model(stations=(team,), classes=(walkin, declared), horizon=1440.0)
    result, log = log_of(model)
    starts = sorted((t, c) for t, _, c, _, e in log if e == "start")
    # two declared ships start on arrival at night on the two on-call teams; the third waits
    # for one of them (60 + 45 = 105); the walk-in waits for the day shift at 08:00
    assert starts == [(60.0, "declared"), (70.0, "declared"), (105.0, "declared"),
                      (480.0, "walkin")]
    k = result.kpis["stations"]["team"]
    assert k["completions"] == 4
    assert k["utilisation"] == pytest.approx(45.0 / (2 * 720.0))  # on-call work not counted


def test_without_booking_servers_bookings_wait_for_the_shift():
    day = ShiftSchedule(steps=((0.0, 0), (480.0, 2), (1200.0, 0)), period=1440.0)
    team = StationSpec("team", day, Deterministic(45.0))
    declared = ClassSpec("declared", Trace((60.0,)), (Visit("team", reserve_ahead=30.0),))
    _, log = log_of(Model(stations=(team,), classes=(declared,), horizon=1440.0))
    assert [t for t, *_, e in log if e == "start"] == [480.0]


def test_a_shift_change_is_not_skipped_when_reactive_extras_match_its_size():
    """1 scheduled server, then 4 from 08:00; a queue at 05:00 opens 3 reactive extras (4 in
    all). At 08:00 the schedule must still go to 4 scheduled servers, so that 7 can work."""
    from portsim.engine import (
        ClassSpec,
        Model,
        ReactiveStaffing,
        ShiftSchedule,
        StationSpec,
        Trace,
        Visit,
        run_replication,
    )
    from portsim.engine.distributions import Deterministic

    station = StationSpec("s", ShiftSchedule(((0.0, 1), (480.0, 4)), 1440.0),
                          Deterministic(120.0),
                          reactive=ReactiveStaffing(open_above=1.0, close_below=0.5,
                                                    max_extra=3))
    model = Model(stations=(station,), horizon=1000.0,
                  classes=(ClassSpec("c", Trace(tuple(300.0 + i for i in range(20))),
                                     (Visit("s"),)),))
    log = []
    run_replication(model, trace=lambda *event: log.append(event))
    busy = 0
    most = 0
    for _, _, _, _, event in sorted(log, key=lambda e: (e[0], e[4] != "finish")):
        busy += {"start": 1, "finish": -1}.get(event, 0)
        most = max(most, busy)
    assert most == 7


def test_called_in_servers_are_measured_from_the_hold_to_the_end_of_service():
    """No server on duty, one on call for bookings: a ship booked 30 min ahead holds the
    called-in server from 70 (its booking) through its arrival at 100 to the end of its
    20-min service at 120: 50 minutes of call-out in a 200-minute run."""
    from portsim.engine import ClassSpec, Model, ShiftSchedule, StationSpec, Trace, Visit
    from portsim.engine.distributions import Deterministic

    station = StationSpec("team", ShiftSchedule.constant(0), Deterministic(20.0),
                          booking_servers=1)
    model = Model(stations=(station,), horizon=200.0,
                  classes=(ClassSpec("ship", Trace((100.0,)),
                                     (Visit("team", reserve_ahead=30.0),)),))
    row = run_replication(model, seed=0).kpis["stations"]["team"]
    assert row["on_call_mean"] == pytest.approx(50.0 / 200.0)
    assert row["completions"] == 1 and row["wait_mean"] == 0.0
    # Stations without servers on call do not report it.
    plain = Model(stations=(StationSpec("team", ShiftSchedule.constant(1),
                                        Deterministic(20.0)),),
                  classes=(ClassSpec("ship", Trace((100.0,)), (Visit("team"),)),),
                  horizon=200.0)
    assert "on_call_mean" not in run_replication(plain, seed=0).kpis["stations"]["team"]
