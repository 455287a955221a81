"""Transit visa-free (added entrants, a longer check) and port visas (an exceptional step, the
office's hours)."""

from __future__ import annotations

import math
import statistics
import textwrap
from pathlib import Path

import pytest
from policy_helpers import kpis, one_day, shipped, visits

import portsim
from portsim.engine import model as m
from portsim.errors import ScenarioError


def _service_times(model: m.Model, station: str, seed: int = 1) -> dict[str, list[float]]:
    """Each class's service times at ``station`` over one replication, from its trace."""
    started: dict[int, float] = {}
    times: dict[str, list[float]] = {}

    def trace(time: float, ident: int, cls: str, where: str | None, event: str) -> None:
        if where != station:
            return
        if event == "start":
            started[ident] = time
        elif event == "finish" and ident in started:
            times.setdefault(cls, []).append(time - started.pop(ident))

    portsim.run_replication(model, seed=seed, trace=trace)
    return times


def test_transit_visa_free_adds_entrants_who_take_a_longer_check() -> None:
    scenario = shipped("airport/airport.yaml")
    base_model = one_day(portsim.compile_model(scenario))
    free_model = one_day(portsim.compile_model(scenario, "transit_visa_free"))
    base, free = visits(base_model), visits(free_model)
    transit = base["transit", "arrive"]
    assert transit > 400
    # 70% of the transit passengers enter visa-free, and as many again come because of it:
    # the batches bring 0.3 x the transit passengers as before and 1.7 x as entrants. Each
    # flight's count is its own draw (lognormal, CV 0.5), so allow 4 standard deviations of
    # the day's total (157 flights).
    flights = base["flights", "arrive"]
    per_flight_sd = 4 * 0.5
    for name, factor in (("transit", 0.3), ("transit_visa_free", 1.7)):
        spread = 4 * factor * per_flight_sd * math.sqrt(flights) + 0.5 * flights
        assert abs(free[name, "arrive"] - factor * transit) < spread, (name, free, transit)
    # Nobody new is a citizen or another foreigner (common random numbers: the same people).
    for name in ("mainland", "hkmotw", "foreigners"):
        assert free[name, "arrive"] == base[name, "arrive"]
    # The entrants are checked at the foreigner desks, for 4 minutes on average there (75 s
    # for everyone else), and none goes to the port-visa office.
    assert free["transit_visa_free", "port_visa_office"] == 0
    assert free["transit_visa_free", "foreigner_desks"] >= free["transit_visa_free",
                                                               "arrive"] - 20
    times = _service_times(free_model, "foreigner_desks")
    for name, mean, cv in (("transit_visa_free", 4.0, 0.8), ("foreigners", 1.25, 0.6)):
        drawn = times[name]
        assert abs(statistics.fmean(drawn) - mean) < 4 * mean * cv / math.sqrt(len(drawn))
    # Who pays: the desks' extra work lengthens every foreigner's wait there.
    base_k, free_k = kpis(base_model), kpis(free_model)
    assert free_k["classes"]["foreigners"]["wait_mean"] > \
        base_k["classes"]["foreigners"]["wait_mean"]
    assert free_k["stations"]["foreigner_desks"]["utilisation"] > \
        base_k["stations"]["foreigner_desks"]["utilisation"]


def test_transit_visa_free_splits_the_batches_that_bring_transit_passengers() -> None:
    model = portsim.compile_model(shipped("airport/airport.yaml"), "transit_visa_free_240h")
    flights = next(c for c in model.classes if c.name == "flights")
    spawns = {step.class_name: step for step in flights.route if isinstance(step, m.Spawn)}
    before = next(step for step in portsim.compile_model(
        shipped("airport/airport.yaml")).classes[0].route
        if isinstance(step, m.Spawn) and step.class_name == "transit")
    assert spawns["transit"].count.mean == pytest.approx(before.count.mean * (1 - 0.85))
    assert spawns["transit_visa_free"].count.mean == pytest.approx(
        before.count.mean * (0.85 + 2.0))
    assert spawns["transit_visa_free"].count.cv == before.count.cv
    assert (spawns["transit_visa_free"].spread, spawns["transit_visa_free"].wait) == \
        (before.spread, before.wait)
    # The entrants follow the transit route; only their check at the desks differs.
    routes = {c.name: c.route for c in model.classes}
    assert routes["transit_visa_free"] == routes["transit"]
    desks = model.station("foreigner_desks")
    assert desks.service_for("transit_visa_free").mean == pytest.approx(4.0)
    assert desks.service_for("transit") == desks.service


def test_transit_visa_free_refuses_a_class_no_batch_brings(tmp_path: Path) -> None:
    path = tmp_path / "port.yaml"
    path.write_text(textwrap.dedent("""\
        name: port
        time: {horizon: 1d}
        stations:
          desks: {servers: 2, service: {dist: exponential, mean: 1min}}
        classes:
          pax: {arrivals: {kind: poisson, rate: 1/min}, route: [desks]}
        policies:
          transit_visa_free:
            classes: [pax]
            eligible: 0.5
            desks: [desks]
            check: {dist: exponential, mean: 4min}
        """), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"port.yaml:9: .*classes.0: class 'pax' is "
                                            r"brought by no batch"):
        portsim.load_scenario(path)


def test_port_visa_is_an_exceptional_step_for_a_share_of_foreigners() -> None:
    scenario = shipped("airport/airport.yaml")
    model = one_day(portsim.compile_model(scenario))
    route = next(c for c in model.classes if c.name == "foreigners").route
    (step,) = [s for s in route if isinstance(s, m.OptionalStep)
               and s.route == (m.Visit("port_visa_office"),)]
    assert step.probability == pytest.approx(0.017)
    # Transit passengers hold their visas: the office is not on their route.
    transit = next(c for c in model.classes if c.name == "transit").route
    assert "port_visa_office" not in m.stations_visited(transit)
    counted = visits(model)
    foreigners = counted["foreigners", "arrive"]
    spread = 4 * math.sqrt(foreigners * 0.017 * (1 - 0.017))
    assert abs(counted["foreigners", "port_visa_office"] - 0.017 * foreigners) < spread


def test_port_visa_office_comes_before_the_desks_and_keeps_its_hours() -> None:
    scenario = shipped("railway_port/railway_port.yaml")
    model = portsim.compile_model(scenario, "port_visa")
    route = next(c for c in model.classes if c.name == "visa_on_arrival").route
    assert route[1:3] == (m.Visit("port_visa_office"),
                          m.ShortestQueue(("desks_east", "desks_west")))
    office = model.station("port_visa_office")
    assert office.servers.steps == ((0.0, 0), (390.0, 3))   # open 06:30-24:00
    starts: list[float] = []

    def trace(time: float, ident: int, cls: str, station: str | None, event: str) -> None:
        if station == "port_visa_office" and event == "start":
            starts.append(time % 1440)

    portsim.run_replication(model, seed=3, trace=trace)
    assert len(starts) > 300 and min(starts) >= 390.0
    # The visitors the office lets come add to the desks' load.
    base = kpis(portsim.compile_model(scenario), seed=3)
    with_office = kpis(model, seed=3)
    assert with_office["stations"]["desks_east"]["arrivals"] + \
        with_office["stations"]["desks_west"]["arrivals"] > \
        base["stations"]["desks_east"]["arrivals"] + base["stations"]["desks_west"]["arrivals"]
