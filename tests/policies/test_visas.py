"""Transit visa-free and port visas: who takes the visa path, and the office's hours."""

from __future__ import annotations

import math

from policy_helpers import kpis, one_day, shipped, visits

import portsim
from portsim.engine import model as m


def test_transit_visa_free_moves_the_eligible_share_off_the_visa_path() -> None:
    scenario = shipped("airport/airport.yaml")
    base_model = one_day(portsim.compile_model(scenario))
    free_model = one_day(portsim.compile_model(scenario, "transit_visa_free"))
    base, free = visits(base_model), visits(free_model)
    transit = free["transit", "arrive"]
    assert transit == base["transit", "arrive"] > 400      # common random numbers
    # (A few who land at the end of the run are still walking when it stops.)
    last = 20
    # Baseline: every transit passenger gets a port visa and sees a foreigner desk.
    assert transit - last <= base["transit", "port_visa_office"] <= transit
    # Policy: 70% go to the transit desk instead of both, within binomial sampling error.
    eligible = 0.7
    spread = 4 * math.sqrt(transit * eligible * (1 - eligible))
    assert abs(free["transit", "transit_desk"] - eligible * transit) < spread
    assert transit - last <= free["transit", "transit_desk"] + free["transit",
                                                                    "port_visa_office"] <= transit
    assert 0 <= free["transit", "port_visa_office"] - free["transit", "foreigner_desks"] < last
    # The visa-on-arrival passengers still take the visa path.
    assert free["visa_on_arrival", "arrive"] - last <= free["visa_on_arrival",
                                                            "port_visa_office"]
    # Fewer steps and a shorter visa queue: transit passengers are through sooner.
    base_k, free_k = kpis(base_model), kpis(free_model)
    assert free_k["classes"]["transit"]["sojourn_mean"] < \
        base_k["classes"]["transit"]["sojourn_mean"] - 2.0
    assert free_k["stations"]["port_visa_office"]["wait_mean"] < \
        base_k["stations"]["port_visa_office"]["wait_mean"]


def test_transit_route_branches_at_the_first_visa_step() -> None:
    model = portsim.compile_model(shipped("airport/airport.yaml"), "transit_visa_free")
    route = next(c for c in model.classes if c.name == "transit").route
    walk, branch = route
    assert isinstance(walk, m.Delay) and isinstance(branch, m.Branch)
    (p_free, free), (p_visa, visa) = branch.options
    assert (p_free, p_visa) == (0.7, 1 - 0.7)
    assert free[0] == m.Visit("transit_desk")
    assert m.Visit("port_visa_office") not in free and m.Visit("foreigner_desks") not in free
    assert visa[:2] == (m.Visit("port_visa_office"), m.Visit("foreigner_desks"))


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
