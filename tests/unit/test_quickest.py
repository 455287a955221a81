"""Choice among stations by expected wait plus travel (the ``quickest`` step)."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_kpis import assert_same_kpis
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.engine import (
    ClassSpec,
    Model,
    Poisson,
    ShiftSchedule,
    ShortestQueue,
    StationSpec,
    Trace,
    run_replication,
)
from portsim.engine.distributions import Deterministic, Exponential, Lognormal
from portsim.scenario import load_scenario


def offices(choice: ShortestQueue, services=(6.0, 6.0), servers=(3, 3), rate=0.8,
            horizon=3000.0) -> Model:
    stations = tuple(StationSpec(name, ShiftSchedule.constant(c), Exponential(mean))
                     for name, mean, c in zip(("a", "b"), services, servers, strict=True))
    return Model(stations=stations, classes=(ClassSpec("c", Poisson(rate), (choice,)),),
                 horizon=horizon, warmup=200.0)


def test_without_travel_it_is_join_the_shortest_queue() -> None:
    """Equal servers and service times: least expected wait (ties by load) picks the same
    station as least load every time, so the two runs are the same run (on one engine: the
    two engines agree to 1e-9, not bit for bit)."""
    for seed in range(3):
        plain = run_replication(offices(ShortestQueue(("a", "b"))), seed=seed,
                                engine="events")
        quick = run_replication(offices(ShortestQueue(("a", "b"), by_expected_wait=True)),
                                seed=seed, engine="events")
        assert quick.kpis == plain.kpis


def test_expected_wait_weighs_service_times_where_the_queue_length_does_not() -> None:
    """a serves in 1 min, b in 10: with one server each and three customers ahead at a and
    one at b, a is quicker (3 min expected) though its queue is longer."""
    stations = (StationSpec("a", ShiftSchedule.constant(1), Deterministic(1.0)),
                StationSpec("b", ShiftSchedule.constant(1), Deterministic(10.0)))
    feeders = (ClassSpec("to_a", Trace((0.0, 0.0, 0.0)), (ShortestQueue(("a",)),)),
               ClassSpec("to_b", Trace((0.0,)), (ShortestQueue(("b",)),)),
               ClassSpec("chooser", Trace((0.1,)),
                         (ShortestQueue(("b", "a"), by_expected_wait=True),)))
    log = []
    run_replication(Model(stations=stations, classes=feeders, horizon=50.0),
                    trace=lambda *event: log.append(event))
    chooser = [where for _, _, kind, where, event in log if kind == "chooser" and event == "queue"]
    assert chooser == ["a"]
    plain_log = []
    feeders = (*feeders[:2], ClassSpec("chooser", Trace((0.1,)), (ShortestQueue(("b", "a")),)))
    run_replication(Model(stations=stations, classes=feeders, horizon=50.0),
                    trace=lambda *event: plain_log.append(event))
    assert [w for _, _, k, w, e in plain_log if k == "chooser" and e == "queue"] == ["b"]


def test_travel_is_time_in_system_not_wait_and_the_milestone_measures_it() -> None:
    choice = ShortestQueue(("a",), travel=(12.5,), by_expected_wait=True, milestone="there")
    model = Model(stations=(StationSpec("a", ShiftSchedule.constant(5), Lognormal(6.0, 0.5)),),
                  classes=(ClassSpec("c", Poisson(0.1), (choice,)),), horizon=3000.0,
                  warmup=200.0)
    result = run_replication(model, seed=2)
    row = result.kpis["classes"]["c"]
    assert row["until_there_mean"] == pytest.approx(12.5)
    assert row["until_there_max"] == pytest.approx(12.5)
    station = result.kpis["stations"]["a"]
    assert row["sojourn_mean"] == pytest.approx(12.5 + row["wait_mean"] + 6.0, rel=0.1)
    assert row["wait_mean"] == pytest.approx(station["wait_mean"], rel=1e-9)


def test_far_offices_are_chosen_only_when_the_near_one_is_worth_the_trip() -> None:
    near_only = run_replication(offices(ShortestQueue(("a", "b"), travel=(0.0, 1e6),
                                                      by_expected_wait=True)), seed=1)
    assert near_only.kpis["stations"]["b"]["arrivals"] == 0
    # A short trip: b takes some of a's load when a's queue grows (0.8/min into 3 servers of
    # 6 min is overload at a alone), and both waits stay far below a's alone.
    shared = run_replication(offices(ShortestQueue(("a", "b"), travel=(0.0, 15.0),
                                                   by_expected_wait=True)), seed=1)
    alone = run_replication(offices(ShortestQueue(("a",)), rate=0.8), seed=1)
    assert shared.kpis["stations"]["b"]["arrivals"] > 0
    assert shared.kpis["classes"]["c"]["wait_mean"] < alone.kpis["classes"]["c"]["wait_mean"]


SCENARIO = """\
name: Offices
time: {horizon: 2d, warmup: 1d}
stations:
  office_a: {servers: 3, service: {dist: exponential, mean: 10min}}
  office_b: {servers: 3, service: {dist: exponential, mean: 10min}}
classes:
  applicants:
    arrivals: {kind: poisson, rate: 16/h}
    route:
      - quickest: {stations: [office_a, office_b], travel: %s, milestone: at_office}
"""


def test_the_scenario_step_compiles_to_the_choice(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO % "{office_b: 20min}")
    step = load_scenario(path).model(None).classes[0].route[0]
    assert step == ShortestQueue(("office_a", "office_b"), travel=(0.0, 20.0),
                                 by_expected_wait=True, milestone="at_office")


def test_travel_to_a_station_not_listed_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO % "{office_c: 20min}")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "s.yaml:10: classes.applicants.route.0.quickest.travel.office_c" in text
    assert "'office_c' is not one of the stations to choose from" in text


@pytest.mark.parametrize("engine", ["events", "fast"])
def test_a_traveller_counts_from_the_instant_it_arrives_in_its_own_turn(engine: str) -> None:
    """Worked by hand. a and b: one server each, 4 min a customer. The walker (entered first)
    picks a at 0 (2 min away, b 3 min: keys (2, 0) and (3, 0)) and reaches it at 2. A chooser
    at 1 sees both empty, the walker still on its way: a tie at (0, 0), to b, listed first;
    served 1-5. A chooser at 2 comes in after the walker's arrival there (the walker entered
    first): a and b each hold one customer, a tie at (4, 1), to b again, where it queues until
    5. (Had the walker not been counted, the second chooser would have taken an idle a.)"""
    stations = tuple(StationSpec(name, ShiftSchedule.constant(1), Deterministic(4.0))
                     for name in ("a", "b"))
    classes = (ClassSpec("walker", Trace((0.0,)), (ShortestQueue(
                   ("a", "b"), travel=(2.0, 3.0), by_expected_wait=True),)),
               ClassSpec("chooser", Trace((1.0, 2.0)), (ShortestQueue(
                   ("b", "a"), by_expected_wait=True),)))
    log = []
    result = run_replication(Model(stations=stations, classes=classes, horizon=50.0),
                             engine=engine, trace=lambda *event: log.append(event))
    assert result.engine == engine
    starts = [(time, entity, where) for time, entity, _, where, event in log
              if event == "start"]
    assert sorted(starts) == [(1.0, 2, "b"), (2.0, 1, "a"), (5.0, 3, "b")]


@pytest.mark.parametrize("travel", ["{}", "{office_b: 20min}", "{office_a: 5min, office_b: 5min}"])
def test_the_offices_on_both_engines(tmp_path: Path, travel: str) -> None:
    """Two days of applicants choosing an office, with and without travel: the fast path runs
    it and gives the event engine's KPIs (the milestone's among them)."""
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO % travel)
    model = load_scenario(path).model(None)
    fast = run_replication(model, seed=3, engine="fast")
    events = run_replication(model, seed=3, engine="events")
    assert fast.engine == "fast"
    until = fast.kpis["classes"]["applicants"]["until_at_office_mean"]
    assert (until > 0) == (travel != "{}")
    assert_same_kpis(events.kpis, fast.kpis)
