"""Breakdowns, outages and fallbacks in scenario files: what compiles to what, and every rule
that rejects with the field's path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from portsim.engine import distributions as d
from portsim.engine import model as m
from portsim.engine import run_replication
from portsim.errors import ScenarioError
from portsim.scenario import load_scenario

EXPONENTIAL = {"dist": "exponential", "mean": "1min"}


def document(**gates: Any) -> dict[str, Any]:
    return {
        "name": "hall",
        "time": {"horizon": "2d"},
        "stations": {"gates": {"servers": 4, "service": EXPONENTIAL, **gates},
                     "desks": {"servers": 2, "service": EXPONENTIAL}},
        "classes": {"pax": {"arrivals": {"kind": "poisson", "rate": "60/h"},
                            "route": ["gates", {"branch": [
                                {"p": 0.5, "route": ["gates"]}, {"p": 0.5, "route": ["desks"]}]}]},
                    "crew": {"arrivals": {"kind": "poisson", "rate": "6/h"},
                             "route": [{"shortest_queue": ["gates", "desks"]}]}},
    }


def only_problem(doc: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(doc)
    found = [(p.dotted_path, p.message) for p in caught.value.problems]
    assert len(found) == 1, found
    return found[0]


def test_a_station_compiles_to_breakdowns_outages_and_fallback_visits() -> None:
    model = load_scenario(document(
        breakdowns={"between": {"dist": "exponential", "mean": "8h"},
                    "repair": {"dist": "deterministic", "value": "20min"}},
        outages=[{"start": "08:00", "end": "09:30", "day": 2}, {"start": "23:00", "end": "24:00"}],
        interrupted="restart", fallback="desks")).model()
    gates = model.station("gates")
    assert gates.breakdowns == m.Breakdowns(d.Exponential(480.0), d.Deterministic(20.0))
    assert gates.outages == ((1380.0, 1440.0), (1920.0, 2010.0), (2820.0, 2880.0))
    assert gates.interrupted == "restart"
    fallback = (m.Visit("desks"),)
    route = model.classes[0].route
    assert route[0] == m.Visit("gates", fallback=fallback)
    assert route[1].options[0][1] == (m.Visit("gates", fallback=fallback),)  # inside branches
    # A shortest-queue choice has no fallback: it avoids a station out of order by itself.
    assert model.classes[1].route == (m.ShortestQueue(("gates", "desks")),)


def test_documents_without_failures_keep_their_resolved_form() -> None:
    resolved = load_scenario(document()).resolved()
    for field in ("breakdowns", "outages", "interrupted", "fallback"):
        assert field not in resolved["stations"]["gates"]


@pytest.mark.parametrize(("gates", "path", "fragment"), [
    ({"fallback": "desks"}, "stations.gates", "need breakdowns or outages"),
    ({"outages": [{"start": "08:00", "end": "09:00"}], "fallback": "nowhere"},
     "stations.gates.fallback", "nowhere"),
    ({"outages": [{"start": "08:00", "end": "09:00"}], "fallback": "gates"},
     "stations.gates.fallback", "its own fallback"),
    ({"outages": [{"start": "09:00", "end": "08:00"}]}, "stations.gates.outages.0",
     "must end after it starts"),
    ({"outages": [{"start": "08:00", "end": "10:00"}, {"start": "09:00", "end": "11:00",
                                                        "day": 1}]},
     "stations.gates.outages", "overlap"),
    ({"outages": [{"start": "08:00", "end": "09:00", "day": 0}]},
     "stations.gates.outages.0.day", "greater than or equal to 1"),
    ({"breakdowns": {"between": EXPONENTIAL}}, "stations.gates.breakdowns.repair", "required"),
    ({"outages": [{"start": "08:00", "end": "09:00"}], "patience": EXPONENTIAL},
     "stations.gates", "not supported"),
    ({"interrupted": "later", "outages": [{"start": "08:00", "end": "09:00"}]},
     "stations.gates.interrupted", "resume"),
])
def test_bad_reliability_fields(gates: dict[str, Any], path: str, fragment: str) -> None:
    where, message = only_problem(document(**gates))
    assert where == path and fragment in message, (where, message)


def test_egates_policy_gates_fall_back_to_the_step_they_replace() -> None:
    doc = document()
    doc["stations"].pop("gates")
    doc["classes"] = {"pax": {"arrivals": {"kind": "poisson", "rate": "60/h"},
                              "route": [{"shortest_queue": ["desks", "desks_b"]}]}}
    doc["stations"]["desks_b"] = copy.deepcopy(doc["stations"]["desks"])
    doc["policies"] = {"egates": {"gates": 10, "service": EXPONENTIAL, "replaces": "desks",
                                  "eligible": {"pax": 1.0},
                                  "outages": [{"start": "08:00", "end": "09:30"}]}}
    model = load_scenario(doc).model()
    assert model.station("egates").outages == ((480.0, 570.0), (1920.0, 2010.0))
    manual = m.ShortestQueue(("desks", "desks_b"))
    assert model.classes[0].route == (m.Visit("egates", fallback=(manual,)),)
    doc["policies"]["egates"]["outages"] = []
    assert load_scenario(doc).model().classes[0].route == (m.Visit("egates"),)


def test_outages_after_the_horizon_leave_a_reliable_station() -> None:
    # A day-2 outage in a one-day run (as a shortened run of a shipped file would be).
    doc = document(outages=[{"start": "08:00", "end": "09:00", "day": 2}], fallback="desks")
    doc["time"]["horizon"] = "1d"
    model = load_scenario(doc).model()
    assert not model.station("gates").unreliable
    assert model.classes[0].route[0] == m.Visit("gates")


def test_visit_patience_is_refused_on_a_route_with_an_unreliable_station() -> None:
    doc = document(outages=[{"start": "08:00", "end": "09:00"}])
    doc["classes"]["pax"]["visit_patience"] = EXPONENTIAL
    where, message = only_problem(doc)
    assert where == "classes.pax.visit_patience" and "not supported" in message


def test_the_run_tables_show_the_stations_that_can_be_out_of_order() -> None:
    """`portsim run` prints a table of its own for them (servers out of order, share of time,
    interrupted services, sent to the fallback); a run without them prints no such table."""
    from rich.console import Console

    import portsim
    from portsim.report.table import print_results

    def printed(doc: dict[str, Any]) -> str:
        results = portsim.simulate(load_scenario(doc), replications=2, seed=1)
        console = Console(record=True, width=160)
        print_results(results, console)
        return console.export_text()

    text = printed(document(outages=[{"start": "08:00", "end": "10:00"}],
                            fallback="desks"))
    assert "stations that can be out of order" in text
    reliability = text[text.index("stations that can be out of order"):]
    row = next(line for line in reliability.splitlines() if line.startswith("│ gates"))
    assert "8.3" in row  # two hours of 24: 8.3 % of the time out of order
    assert "stations that can be out of order" not in printed(document())


@pytest.mark.parametrize("engine", ["events", "fast"])
def test_gate_users_sent_to_the_desks_by_an_outage_visit_them_once(engine: str) -> None:
    # Gates down all day, half of their users rejected: everyone reaches the desks exactly once.
    # (Were the rejection drawn after the gates, a rejected user sent on by the outage would
    # take the desks a second time: about 1.5 desk visits a traveller.)
    doc = {"name": "hall", "time": {"horizon": "1d"},
           "stations": {"desks": {"servers": 3, "service": EXPONENTIAL}},
           "classes": {"pax": {"arrivals": {"kind": "poisson", "rate": "60/h"},
                               "route": ["desks"]}},
           "policies": {"egates": {"gates": 10, "service": EXPONENTIAL, "replaces": "desks",
                                   "eligible": {"pax": 1.0}, "rejection": 0.5,
                                   "outages": [{"start": "00:00", "end": "24:00"}]}}}
    kpis = run_replication(load_scenario(doc).model(), seed=1, engine=engine).kpis
    assert kpis["classes"]["pax"]["arrivals"] > 1000
    assert kpis["stations"]["desks"]["arrivals"] == kpis["classes"]["pax"]["arrivals"]
    assert kpis["stations"]["egates"]["arrivals"] == kpis["classes"]["pax"]["arrivals"]
