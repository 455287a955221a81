"""Engine mechanisms on small deterministic models (arrivals and services fed in)."""

import math

import numpy as np
import pytest

from portsim.engine import (
    Branch,
    ClassSpec,
    Delay,
    Model,
    OptionalStep,
    Poisson,
    RateProfile,
    ShiftSchedule,
    ShortestQueue,
    StationSpec,
    Timetable,
    Trace,
    Visit,
    run_replication,
)
from portsim.engine.distributions import Deterministic, Exponential


def events_of(model, seed=0):
    log = []
    result = run_replication(model, seed=seed, trace=lambda *e: log.append(e))
    return result, log


def starts(log, station=None):
    return [(t, ident) for t, ident, _, where, event in log
            if event == "start" and (station is None or where == station)]


def one_station(servers, service, arrivals, horizon=100.0, discipline="fifo", classes=None):
    station = StationSpec("s", servers if isinstance(servers, ShiftSchedule)
                          else ShiftSchedule.constant(servers), service, discipline=discipline)
    classes = classes or (ClassSpec("c", arrivals, (Visit("s"),)),)
    return Model(stations=(station,), classes=classes, horizon=horizon)


def test_fifo_single_server_hand_computed():
    model = one_station(1, Deterministic(2.0), Trace((0.0, 1.0, 1.5, 10.0)))
    result, log = events_of(model)
    assert starts(log) == [(0.0, 1), (2.0, 2), (4.0, 3), (10.0, 4)]
    k = result.kpis["stations"]["s"]
    assert k["wait_mean"] == pytest.approx((0 + 1 + 2.5 + 0) / 4)
    assert k["wait_max"] == pytest.approx(2.5)
    assert k["prob_wait"] == pytest.approx(0.5)
    assert k["utilisation"] == pytest.approx(8.0 / 100.0)
    # queue: 1 waiting over [1,2), [1.5,2) two? no: at 1.5 entity 3 joins while 2 waits
    assert k["queue_mean"] == pytest.approx((0.5 * 1 + 0.5 * 2 + 2 * 1) / 100.0)
    assert k["queue_max"] == 2


def test_priority_queue_serves_lower_number_first_without_preemption():
    urgent = ClassSpec("urgent", Trace((0.5, 0.6)), (Visit("s"),), priority=0)
    normal = ClassSpec("normal", Trace((0.0, 0.1, 0.2)), (Visit("s"),), priority=1)
    model = one_station(1, Deterministic(1.0), None, discipline="priority",
                        classes=(urgent, normal))
    _, log = events_of(model)
    order = [(round(t, 6), cls) for t, _, cls, where, event in log if event == "start"]
    # normal #1 starts at 0 and is not preempted; then both urgent ones, then the normals.
    assert order == [(0.0, "normal"), (1.0, "urgent"), (2.0, "urgent"), (3.0, "normal"),
                     (4.0, "normal")]


def test_fifo_ignores_priority():
    urgent = ClassSpec("urgent", Trace((0.5,)), (Visit("s"),), priority=0)
    normal = ClassSpec("normal", Trace((0.0, 0.1)), (Visit("s"),), priority=1)
    model = one_station(1, Deterministic(1.0), None, classes=(urgent, normal))
    _, log = events_of(model)
    assert [c for _, _, c, _, e in log if e == "start"] == ["normal", "normal", "urgent"]


def test_shift_change_adds_and_removes_servers_without_preemption():
    # 1 server on [0, 5), 3 servers on [5, 10), 0 on [10, 20), repeating every 20.
    schedule = ShiftSchedule(steps=((0.0, 1), (5.0, 3), (10.0, 0)), period=20.0)
    arrivals = Trace(tuple([0.0] * 6 + [9.5, 11.0]))
    model = one_station(schedule, Deterministic(4.0), arrivals, horizon=40.0)
    result, log = events_of(model)
    times = [t for t, _ in starts(log)]
    # t=0: one starts; t=4: next; t=5: two more servers -> two start; t=8 two free... etc.
    assert times[:4] == [0.0, 4.0, 5.0, 5.0]
    assert times[4:6] == [8.0, 9.0]
    # 9.5: a third server is free; 11: no servers on [10, 20), so it waits for the next shift
    assert times[6:] == [9.5, 20.0]
    # a service started at 9 finishes at 13 although servers dropped to 0 at 10
    finishes = [t for t, _, _, _, e in log if e == "finish"]
    assert 13.0 in finishes
    assert result.kpis["stations"]["s"]["servers_mean"] == pytest.approx(
        (5 * 1 + 5 * 3 + 10 * 0) * 2 / 40.0)


def test_shortest_queue_picks_least_loaded_and_breaks_ties_in_listed_order():
    stations = tuple(StationSpec(n, ShiftSchedule.constant(1), Deterministic(10.0))
                     for n in ("a", "b", "c"))
    model = Model(stations=stations, classes=(ClassSpec(
        "c", Trace((0.0, 0.1, 0.2, 0.3)), (ShortestQueue(("a", "b", "c")),)),), horizon=100.0)
    _, log = events_of(model)
    chosen = [where for _, _, _, where, e in log if e == "queue"]
    assert chosen == ["a", "b", "c", "a"]


def test_branch_and_optional_follow_their_probabilities():
    stations = tuple(StationSpec(n, ShiftSchedule.constant(1000), Deterministic(0.001))
                     for n in ("x", "y", "z"))
    route = (Branch(((0.3, (Visit("x"),)), (0.7, (Visit("y"),)))),
             OptionalStep(0.1, (Visit("z"),)))
    model = Model(stations=stations, classes=(ClassSpec("c", Poisson(10.0), route),),
                  horizon=10_000.0)
    k = run_replication(model, seed=5).kpis["stations"]
    total = k["x"]["arrivals"] + k["y"]["arrivals"]
    assert k["x"]["arrivals"] / total == pytest.approx(0.3, abs=0.005)
    assert k["z"]["arrivals"] / total == pytest.approx(0.1, abs=0.005)


def test_delay_adds_to_time_in_system_not_to_wait():
    model = Model(
        stations=(StationSpec("s", ShiftSchedule.constant(1), Deterministic(1.0)),),
        classes=(ClassSpec("c", Trace((0.0,)), (Delay(Deterministic(7.0)), Visit("s"))),),
        horizon=50.0)
    k = run_replication(model).kpis["classes"]["c"]
    assert k["sojourn_mean"] == pytest.approx(8.0)
    assert k["wait_mean"] == 0.0


def test_timetable_batches_spread_and_repeat():
    table = Timetable(times=(60.0,), counts=(100,), spreads=(10.0,), repeat_every=1440.0)
    model = one_station(1000, Deterministic(0.5), table, horizon=3 * 1440.0)
    _, log = events_of(model)
    arrivals = np.array([t for t, _, _, w, e in log if e == "arrive"])
    assert arrivals.size == 300
    for day in range(3):
        batch = arrivals[(arrivals >= day * 1440) & (arrivals < (day + 1) * 1440)]
        assert batch.size == 100
        assert batch.min() >= day * 1440 + 60 and batch.max() <= day * 1440 + 70


def test_rate_profile_rates_by_hour():
    rates = tuple([0.0] * 12 + [2.0] * 12)  # nothing in the morning, 120/h after noon
    model = one_station(1000, Deterministic(0.01), RateProfile(rates), horizon=30 * 1440.0)
    result = run_replication(model, seed=2)
    series = np.array(result.series.arrivals["c"][:-1]).reshape(30, 24)
    assert series[:, :12].sum() == 0
    assert series[:, 12:].mean() == pytest.approx(120, rel=0.02)


def test_same_seed_same_numbers_other_seed_other_numbers():
    model = one_station(2, Exponential(1.8), Poisson(1.0), horizon=5000.0)
    a = run_replication(model, seed=9, replication=3).kpis
    b = run_replication(model, seed=9, replication=3).kpis
    c = run_replication(model, seed=9, replication=4).kpis
    assert a == b
    assert a != c


def test_flow_is_conserved_across_warmup():
    model = Model(
        stations=(StationSpec("s", ShiftSchedule.constant(2), Exponential(1.9)),),
        classes=(ClassSpec("c", Poisson(1.0), (Visit("s"),)),), horizon=3000.0, warmup=500.0)
    system = run_replication(model, seed=1).kpis["system"]["all"]
    assert system["arrivals"] + system["in_system_start"] == (
        system["completions"] + system["in_system_end"])
    assert system["in_system_start"] > 0 or system["in_system_end"] > 0


def test_zero_servers_forever_means_everyone_waits_and_nobody_is_lost():
    model = one_station(ShiftSchedule(steps=((0.0, 0),), period=None), Deterministic(1.0),
                        Poisson(0.5), horizon=100.0)
    result = run_replication(model, seed=0)
    k = result.kpis["stations"]["s"]
    assert k["completions"] == 0
    assert result.kpis["system"]["all"]["in_system_end"] == result.kpis["system"]["all"][
        "arrivals"]
    assert math.isnan(k["utilisation"])


def test_utilisation_never_exceeds_one_when_a_shift_cuts_busy_servers():
    # 3 servers busy for 10 min each; at t=1 the shift drops to 1 server. The two cut servers
    # finish their customers (available until then), so utilisation is 1, not 2.5 or more.
    schedule = ShiftSchedule(steps=((0.0, 3), (1.0, 1)), period=None)
    model = one_station(schedule, Deterministic(10.0), Trace((0.0, 0.0, 0.0)), horizon=10.0)
    k = run_replication(model).kpis["stations"]["s"]
    assert k["utilisation"] == pytest.approx(1.0)
    assert k["servers_mean"] == pytest.approx((3 * 1 + 1 * 9) / 10)
