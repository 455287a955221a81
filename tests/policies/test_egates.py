"""E-gates: the eligible share bypasses the desks; rejected gate users come back as desk load."""

from __future__ import annotations

import math
from typing import Any

from policy_helpers import kpis, one_day, shipped, visits

import portsim
from portsim.engine import model as m


def hall(**egates: Any) -> dict[str, Any]:
    return {
        "name": "hall", "time": {"horizon": "1d"},
        "stations": {
            "desks": {"servers": 12, "service": {"dist": "lognormal", "mean": "45s", "cv": 0.5}},
            "foreigner_desks": {"servers": 4,
                                "service": {"dist": "lognormal", "mean": "75s", "cv": 0.6}}},
        "classes": {
            "citizens": {"arrivals": {"kind": "poisson", "rate": "900/h"},
                         "route": [{"shortest_queue": ["desks", "foreigner_desks"]}]},
            "foreigners": {"arrivals": {"kind": "poisson", "rate": "120/h"},
                           "route": ["foreigner_desks"]}},
        "variants": {"gates": {"policies": {"egates": {
            "gates": 10, "service": {"dist": "lognormal", "mean": "12s", "cv": 0.3},
            "replaces": "desks", **egates}}}},
    }


def test_rejections_reappear_as_desk_load() -> None:
    eligible, rejection = 0.6, 0.1
    scenario = portsim.load_scenario(hall(eligible={"citizens": eligible}, rejection=rejection))
    counts = visits(portsim.compile_model(scenario, "gates"))
    citizens = counts["citizens", "arrive"]
    at_desks = counts["citizens", "desks"] + counts["citizens", "foreigner_desks"]
    at_gates = counts["citizens", "egates"]
    # Desk arrivals = non-eligible + eligible x rejection, within binomial sampling error.
    share = 1 - eligible + eligible * rejection
    assert abs(at_desks - citizens * share) < 4 * math.sqrt(citizens * share * (1 - share))
    assert abs(at_gates - citizens * eligible) < 4 * math.sqrt(
        citizens * eligible * (1 - eligible))
    # Every rejected gate user queues at a desk after the gate: none is lost.
    rejected = at_desks - (citizens - at_gates)
    assert abs(rejected - at_gates * rejection) < 4 * math.sqrt(
        at_gates * rejection * (1 - rejection))
    # Foreigners are not listed: their route is untouched.
    assert counts["foreigners", "egates"] == 0


def test_gates_take_load_off_the_desks() -> None:
    scenario = portsim.load_scenario(hall(eligible={"citizens": 0.6}, rejection=0.05))
    base = kpis(portsim.compile_model(scenario))
    gates = kpis(portsim.compile_model(scenario, "gates"))
    for station in ("desks", "foreigner_desks"):
        assert gates["stations"][station]["arrivals"] < base["stations"][station]["arrivals"]
    assert gates["classes"]["citizens"]["wait_mean"] < 0.5 * base["classes"]["citizens"][
        "wait_mean"]
    # The same passengers arrive (common random numbers): only their routes changed.
    assert gates["classes"]["citizens"]["arrivals"] == base["classes"]["citizens"]["arrivals"]


def test_compiled_branch_keeps_the_choice_of_desks() -> None:
    scenario = portsim.load_scenario(hall(eligible={"citizens": 0.6}, rejection=0.05))
    model = portsim.compile_model(scenario, "gates")
    choice = m.ShortestQueue(("desks", "foreigner_desks"))
    citizens = next(c for c in model.classes if c.name == "citizens")
    assert citizens.route == (m.Branch((
        (0.6, (m.Visit("egates"), m.OptionalStep(0.05, (choice,)))),
        (0.4, (choice,)))),)


def test_shipped_railway_desk_load_matches_the_shares() -> None:
    # Shipped railway port: 70% of citizens eligible, 3% rejected; foreigners always at desks.
    counts = visits(one_day(portsim.compile_model(shipped("railway_port/railway_port.yaml"))))
    for name in ("mainland", "hkmotw"):
        arrived = counts[name, "arrive"]
        at_desks = counts[name, "desks_east"] + counts[name, "desks_west"]
        share = 1 - 0.7 + 0.7 * 0.03
        assert abs(at_desks - arrived * share) < 4 * math.sqrt(arrived * share * (1 - share))
    assert counts["foreigners", "desks_east"] + counts["foreigners", "desks_west"] == \
        counts["foreigners", "arrive"]


def test_shipped_more_egates_shortens_the_citizen_queues() -> None:
    scenario = shipped("airport/airport.yaml")
    base = kpis(one_day(portsim.compile_model(scenario)))
    more = kpis(one_day(portsim.compile_model(scenario, "more_egates")))
    for station in ("desks_north", "desks_south"):
        assert more["stations"][station]["arrivals"] < 0.7 * base["stations"][station]["arrivals"]
        assert more["stations"][station]["wait_mean"] < 0.5 * base["stations"][station][
            "wait_mean"]
    assert more["stations"]["egates"]["arrivals"] > base["stations"]["egates"]["arrivals"]
