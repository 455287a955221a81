"""Breakdowns, outage windows and fallbacks, on hand-computed cases with deterministic times:
every start, interruption, diversion and finish at the minute worked out here."""

from __future__ import annotations

from dataclasses import replace

import pytest
from engine_kpis import assert_same_kpis

from portsim.engine import distributions as d
from portsim.engine import model as m
from portsim.engine import run_replication
from portsim.engine.fast import why_not_fast


def _one_station(service: float, times: tuple[float, ...], *, interrupted: str = "resume",
                 between: float = 6.0, repair: float = 3.0, horizon: float = 40.0) -> m.Model:
    station = m.StationSpec("s", m.ShiftSchedule.constant(1), d.Deterministic(service),
                            breakdowns=m.Breakdowns(d.Deterministic(between),
                                                    d.Deterministic(repair)),
                            interrupted=interrupted)  # type: ignore[arg-type]
    return m.Model(stations=(station,),
                   classes=(m.ClassSpec("x", m.Trace(times), (m.Visit("s"),)),),
                   horizon=horizon)


def _events(model: m.Model, engine: str = "auto") -> tuple[list[tuple], dict]:
    log: list[tuple] = []
    kpis = run_replication(model, seed=1, trace=lambda *event: log.append(event),
                           engine=engine).kpis
    return [(time, ident, event) for time, ident, _kind, _station, event in log], kpis


def test_an_interrupted_service_resumes_after_the_repair() -> None:
    # The server works 0-6, is repaired 6-9, works 9-15 ... Customer 0: served 0-4.
    # Customer 1 arrives at 4: served 4-6 (2 of 4 minutes), interrupted, back at 9 for the
    # remaining 2: leaves at 11, after 7 minutes of which 3 waiting.
    events, kpis = _events(_one_station(4.0, (0.0, 4.0)))
    assert (6.0, 2, "interrupt") in events  # entities are numbered from 1
    assert (9.0, 2, "start") in events and (11.0, 2, "finish") in events
    station, kind = kpis["stations"]["s"], kpis["classes"]["x"]
    assert station["interrupted"] == 1
    assert station["wait_max"] == 0.0  # one wait per customer: the one before its first start
    assert kind["wait_max"] == pytest.approx(3.0)  # the class counts the wait after it
    assert kind["sojourn_max"] == pytest.approx(7.0)
    assert station["broken_mean"] == pytest.approx(12.0 / 40.0)  # down 6-9, 15-18, 24-27, 33-36
    assert station["out_of_order_share"] == pytest.approx(12.0 / 40.0)


def test_restart_starts_the_interrupted_service_again() -> None:
    events, kpis = _events(_one_station(4.0, (0.0, 4.0), interrupted="restart"))
    assert (9.0, 2, "start") in events and (13.0, 2, "finish") in events
    assert kpis["classes"]["x"]["sojourn_max"] == pytest.approx(9.0)


def test_a_service_longer_than_the_time_between_failures_never_ends_when_restarted() -> None:
    # The classic trap of preemptive-repeat: a 7-minute service on a server that works 6
    # minutes at a time is cut every time; with resume it ends (0-6, 9-10).
    _, restarted = _events(_one_station(7.0, (0.0,), interrupted="restart", horizon=100.0))
    assert restarted["classes"]["x"]["completions"] == 0
    assert restarted["stations"]["s"]["interrupted"] == 11  # at 6, 15, 24 ... 96
    _, resumed = _events(_one_station(7.0, (0.0,), horizon=100.0))
    assert resumed["classes"]["x"]["sojourn_max"] == pytest.approx(10.0)


def _gates_and_desks(*, fallback: bool) -> m.Model:
    gates = m.StationSpec("gates", m.ShiftSchedule.constant(1), d.Deterministic(2.0),
                          outages=((10.0, 20.0),))
    desks = m.StationSpec("desks", m.ShiftSchedule.constant(1), d.Deterministic(5.0))
    route = (m.Visit("gates", fallback=(m.Visit("desks"),) if fallback else None),
             m.Milestone("cleared"))
    return m.Model(stations=(gates, desks),
                   classes=(m.ClassSpec("x", m.Trace((0.0, 9.0, 12.0, 15.0)), route),),
                   horizon=30.0)


def test_an_outage_sends_the_queue_and_new_arrivals_to_the_fallback() -> None:
    # 0: gate 0-2. 9: gate 9-10, interrupted by the outage at 10 and sent to the desks at once
    # (10-15). 12 and 15 go straight to the desks: 15-20 and 20-25. After 20 the gates work.
    events, kpis = _events(_gates_and_desks(fallback=True))
    assert [(t, e) for t, i, e in events if i == 2] == [
        (9.0, "arrive"), (9.0, "queue"), (9.0, "start"), (10.0, "interrupt"), (10.0, "divert"),
        (10.0, "queue"), (10.0, "start"), (15.0, "finish"), (15.0, "depart")]
    gates, desks = kpis["stations"]["gates"], kpis["stations"]["desks"]
    assert gates["diverted"] == 3 and gates["interrupted"] == 1
    assert gates["arrivals"] == 4 and gates["completions"] == 1
    assert desks["arrivals"] == 3 and desks["completions"] == 3
    assert desks["wait_max"] == pytest.approx(5.0)  # the one who came at 15 waits until 20
    assert gates["out_of_order_share"] == pytest.approx(10.0 / 30.0)
    assert gates["broken_mean"] == pytest.approx(10.0 / 30.0)
    # They go on with their route after the gates' step: every one reaches the milestone.
    assert kpis["classes"]["x"]["completions"] == 4
    assert kpis["classes"]["x"]["until_cleared_max"] == pytest.approx(10.0)


def test_without_a_fallback_the_queue_waits_out_the_outage() -> None:
    events, kpis = _events(_gates_and_desks(fallback=False))
    # 9: interrupted at 10 with 1 minute left, resumed at 20 (20-21); 12 and 15 then 21-23 and
    # 23-25.
    assert (20.0, 2, "start") in events and (21.0, 2, "finish") in events
    assert (23.0, 3, "finish") in events and (25.0, 4, "finish") in events
    gates = kpis["stations"]["gates"]
    assert gates["diverted"] == 0 and gates["completions"] == 4
    assert gates["wait_max"] == pytest.approx(9.0)  # the one who came at 12 starts at 21


def test_only_customers_with_a_fallback_leave_the_queue() -> None:
    # y (no fallback) at 9.5 queues behind the one in service; the outage at 10 sends x's
    # interrupted customer to the desks and keeps y, who starts when the gates reopen at 20.
    model = _gates_and_desks(fallback=True)
    stay = m.ClassSpec("y", m.Trace((9.5,)), (m.Visit("gates"),))
    events, kpis = _events(replace(model, classes=(*model.classes, stay)))
    assert [(t, e) for t, i, e in events if i == 3] == [  # ids in order of arrival
        (9.5, "arrive"), (9.5, "queue"), (20.0, "start"), (22.0, "finish"), (22.0, "depart")]
    assert kpis["stations"]["gates"]["diverted"] == 3
    assert kpis["stations"]["gates"]["wait_max"] == pytest.approx(10.5)


def test_a_shortest_queue_choice_avoids_a_station_out_of_order() -> None:
    model = _gates_and_desks(fallback=False)
    other = m.StationSpec("gates_b", m.ShiftSchedule.constant(1), d.Deterministic(2.0))
    choose = m.ClassSpec("x", m.Trace((12.0, 12.5)), (m.ShortestQueue(("gates", "gates_b")),))
    kpis = run_replication(replace(model, stations=(*model.stations, other),
                                   classes=(choose,))).kpis
    assert kpis["stations"]["gates"]["arrivals"] == 0
    assert kpis["stations"]["gates_b"]["completions"] == 2


def test_a_closed_station_is_not_out_of_order() -> None:
    # Gates closed (0 servers) 0-10 by their schedule, with a fallback: customers wait.
    gates = m.StationSpec("gates", m.ShiftSchedule(((0.0, 0), (10.0, 1)), 1440.0),
                          d.Deterministic(2.0), outages=((100.0, 110.0),))
    desks = m.StationSpec("desks", m.ShiftSchedule.constant(1), d.Deterministic(5.0))
    route = (m.Visit("gates", fallback=(m.Visit("desks"),)),)
    model = m.Model(stations=(gates, desks), classes=(m.ClassSpec("x", m.Trace((1.0,)), route),),
                    horizon=30.0)
    kpis = run_replication(model).kpis
    assert kpis["stations"]["gates"]["diverted"] == 0
    assert kpis["stations"]["gates"]["wait_max"] == pytest.approx(9.0)


def test_a_broken_server_off_duty_does_not_count() -> None:
    # Two positions; one on duty 0-20, two after. Both fail at 6 (deterministic): before 20 one
    # broken on duty, the other off duty. Repairs take 30: broken on duty 6-20 = 1, 20-36 = 2.
    station = m.StationSpec("s", m.ShiftSchedule(((0.0, 1), (20.0, 2)), 1440.0),
                            d.Deterministic(1.0),
                            breakdowns=m.Breakdowns(d.Deterministic(6.0),
                                                    d.Deterministic(30.0)))
    model = m.Model(stations=(station,),
                    classes=(m.ClassSpec("x", m.Trace(()), (m.Visit("s"),)),), horizon=36.0)
    kpis = run_replication(model).kpis["stations"]["s"]
    assert kpis["broken_mean"] == pytest.approx((14.0 * 1 + 16.0 * 2) / 36.0)
    assert kpis["servers_mean"] == pytest.approx((20.0 * 1 + 16.0 * 2) / 36.0)


@pytest.mark.parametrize("model", [
    _one_station(4.0, (0.0, 4.0)), _one_station(4.0, (0.0, 4.0), interrupted="restart"),
    _one_station(7.0, (0.0,), interrupted="restart", horizon=100.0),
    _gates_and_desks(fallback=True), _gates_and_desks(fallback=False)])
def test_the_fast_path_gives_these_cases_event_by_event(model: m.Model) -> None:
    assert why_not_fast(model) is None
    events, kpis = _events(model, "events")
    fast_events, fast_kpis = _events(model, "fast")
    # the fast path's log is told by time, not in the event engine's order within an instant
    assert sorted(fast_events) == sorted(events)
    assert_same_kpis(kpis, fast_kpis)


def test_the_fast_path_declines_an_unreliable_station_that_serves_by_priority() -> None:
    model = _one_station(4.0, (0.0, 4.0))
    station = replace(model.stations[0], discipline="priority")
    assert "out of order and serves by priority" in str(
        why_not_fast(replace(model, stations=(station,))))


@pytest.mark.parametrize(("change", "message"), [
    ({"outages": ((5.0, 3.0),)}, "outage windows"),
    ({"outages": ((1.0, 5.0), (4.0, 8.0))}, "outage windows"),
    ({"booking_servers": 2}, "not supported"),
])
def test_station_rules(change: dict, message: str) -> None:
    gates = m.StationSpec("gates", m.ShiftSchedule.constant(1), d.Deterministic(2.0),
                          outages=((10.0, 20.0),))
    with pytest.raises(ValueError, match=message):
        replace(gates, **change)


def test_a_fallback_needs_a_station_that_can_be_out_of_order() -> None:
    model = _gates_and_desks(fallback=True)
    with pytest.raises(ValueError, match="needs breakdowns or outages"):
        replace(model, stations=(replace(model.stations[0], outages=()), model.stations[1]))


def test_the_offered_load_counts_only_the_servers_that_can_work() -> None:
    # One server broken 1/7 of the time: 0.9 arrivals a minute of 1-minute services need
    # 0.9 / (6/7) = 1.05 of it; the warning says so before anything runs.
    from portsim.engine.load import offered_load, overload_warnings

    station = m.StationSpec("s", m.ShiftSchedule.constant(1), d.Exponential(1.0),
                            breakdowns=m.Breakdowns(d.Exponential(60.0), d.Exponential(10.0)),
                            outages=((0.0, 100.0),))
    model = m.Model(stations=(station,),
                    classes=(m.ClassSpec("x", m.Poisson(0.9), (m.Visit("s"),)),),
                    horizon=1000.0)
    load = offered_load(model)["s"]
    assert load.mean_servers == pytest.approx(6 / 7 * 0.9)
    assert load.utilisation == pytest.approx(0.9 / (6 / 7 * 0.9))
    assert overload_warnings(model)


def test_a_service_cut_at_its_very_end_resumes_for_no_time_in_the_turn_that_restarts_it() -> None:
    # Failures every minute on the dot, 0.5-minute services: a failure at the instant a
    # service ends comes first (the clock's turn) and leaves it no time to run. Resumed, it
    # ends at once, in the turn of whatever started it again: here the customer of the other
    # class that finished just before, so both move on in that order, and the desk after the
    # station serves them in that order.
    gates = m.StationSpec("gates", m.ShiftSchedule.constant(2), d.Deterministic(0.5),
                          breakdowns=m.Breakdowns(d.Deterministic(1.0), d.Uniform(0.5, 1.0)))
    desk = m.StationSpec("desk", m.ShiftSchedule.constant(1), d.Uniform(0.5, 1.0))
    times = tuple(float(t) for t in range(100))
    arrivals = m.Timetable(times, (1,) * len(times), (0.0,) * len(times))
    route = (m.Visit("gates"), m.Visit("desk"))
    model = m.Model(stations=(gates, desk), classes=(m.ClassSpec("a", arrivals, route),
                                                     m.ClassSpec("b", arrivals, route)),
                    horizon=100.0)
    events, kpis = _events(model, "events")
    fast_events, fast_kpis = _events(model, "fast")
    assert sorted(fast_events) == sorted(events)
    assert_same_kpis(kpis, fast_kpis)
