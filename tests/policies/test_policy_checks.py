"""Policy blocks: names checked with path and YAML line, the order of applying, switching off."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import portsim
from portsim.errors import ScenarioError
from portsim.policies.registry import ORDER, Policies, applied

BASE = """\
name: checks
time: {horizon: 1d}
stations:
  desks: {servers: 4, service: {dist: exponential, mean: 1min}}
  lane: {servers: 3, service: {dist: exponential, mean: 2min}}
  inspection: {servers: 1, service: {dist: exponential, mean: 10min}}
classes:
  pax: {arrivals: {kind: poisson, rate: 60/h}, route: [desks]}
  truck:
    arrivals: {kind: poisson, rate: 10/h}
    route: [lane, {optional: {p: 0.1, route: [inspection]}}]
    due_after: 1h
policies:
"""


def problems(tmp_path: Path, policies: str) -> list[tuple[int | None, str, str]]:
    path = tmp_path / "s.yaml"
    path.write_text(BASE + textwrap.indent(textwrap.dedent(policies), "  "))
    with pytest.raises(ScenarioError) as caught:
        portsim.load_scenario(path)
    return [(p.line, p.dotted_path, p.message) for p in caught.value.problems]


@pytest.mark.parametrize(("policies", "expected"), [
    ("""\
     staffing:
       deks: {reactive: {open_above: 15min, close_below: 5min, max_extra: 2}}
     """, [(15, "policies.staffing.deks", "no station named 'deks'; did you mean 'desks'?")]),
    ("""\
     egates:
       gates: 4
       service: {dist: exponential, mean: 12s}
       replaces: desk
       eligible: {paxx: 0.5}
     """, [(17, "policies.egates.replaces", "no station named 'desk'"),
           (18, "policies.egates.eligible.paxx", "no class named 'paxx'")]),
    ("""\
     egates:
       gates: 4
       service: {dist: exponential, mean: 12s}
       replaces: desks
       eligible: {truck: 0.5}
     """, [(18, "policies.egates.eligible.truck", "class 'truck' visits none of 'desks'")]),
    ("""\
     port_visa:
       classes: [pax]
       servers: 2
       service: {dist: exponential, mean: 4min}
       station: desks
     """, [(18, "policies.port_visa.station", "station 'desks' already exists")]),
    ("""\
     transit_visa_free:
       classes: [pax, truck]
       eligible: 0.5
       desks: [counters]
       check: {dist: exponential, mean: 4min}
     """, [(17, "policies.transit_visa_free.desks.0", "no station named 'counters'"),
           (15, "policies.transit_visa_free.classes.0", "class 'pax' is brought by no batch"),
           (15, "policies.transit_visa_free.classes.1",
            "class 'truck' is brought by no batch")]),
    ("""\
     green_channel:
       classes: [truck]
       stations: [desks]
       dedicated: {lane: 3}
     """, [(16, "policies.green_channel.stations.0", "class 'truck' does not visit station"),
           (17, "policies.green_channel.dedicated.lane", "would leave none for the other")]),
    ("""\
     fast_lane:
       classes: [pax]
       inspection: {station: inspection, probability: 0.01}
     """, [(16, "policies.fast_lane.inspection.station",
            "class 'pax' has no optional step to station 'inspection'")]),
    ("""\
     zero_wait:
       classes: [truck]
       station: inspection
       declared_ahead: 30min
     """, [(15, "policies.zero_wait.classes.0", "must start its route at station 'inspection'")]),
    ("""\
     one_stop:
       classes: [truck, pax]
       stops: [lane, inspection]
       station: desks
       service: {dist: exponential, mean: 3min}
     """, [(17, "policies.one_stop.station", "station 'desks' already exists"),
           (15, "policies.one_stop.classes.0", "class 'truck' does not visit lane, inspection"),
           (15, "policies.one_stop.classes.1", "class 'pax' does not visit lane, inspection")]),
    ("""\
     zero_wait:
       classes: [truck]
       station: lane
       declared_ahead: 30min
       screening: {flagged: 0.1, alongside: in_port}
     """, [(18, "policies.zero_wait.screening",
            "screening books no team and calls nobody in: give around_the_clock: false"),
           (18, "policies.zero_wait.screening.alongside",
            "class 'truck' has no milestone 'in_port'")]),
    ("""\
     zero_delay_departure:
       classes: [pax]
       station: desks
       declared_ahead: 30min
     """, [(15, "policies.zero_delay_departure.classes.0", "class 'pax' has no due_after")]),
])
def test_names_are_checked_with_line_and_path(tmp_path: Path, policies: str,
                                               expected: list[tuple[int, str, str]]) -> None:
    found = problems(tmp_path, policies)
    assert len(found) == len(expected), found
    for (line, path, fragment), (got_line, got_path, message) in zip(
            sorted(expected), sorted(found), strict=True):
        assert (got_line, got_path) == (line, path)
        assert fragment in message


def test_a_policy_may_name_a_station_an_earlier_one_creates(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(BASE + textwrap.indent(textwrap.dedent("""\
        port_visa: {classes: [pax], servers: 2, service: {dist: exponential, mean: 4min}}
        egates:
          gates: 2
          service: {dist: exponential, mean: 1min}
          replaces: port_visa_office
          eligible: {pax: 0.5}
        """), "  "))
    model = portsim.compile_model(portsim.load_scenario(path))
    assert {s.name for s in model.stations} >= {"port_visa_office", "egates"}


def test_a_broken_policy_does_not_cascade(tmp_path: Path) -> None:
    # The office is not created (unknown class), but the later policy naming it is not blamed.
    found = problems(tmp_path, """\
        port_visa: {classes: [paxx], servers: 2, service: {dist: exponential, mean: 4min}}
        egates:
          gates: 2
          service: {dist: exponential, mean: 1min}
          replaces: port_visa_office
          eligible: {pax: 0.5}
        """)
    assert [path for _, path, _ in found] == ["policies.port_visa.classes.0"]


def test_variant_switches_a_policy_off_with_null() -> None:
    doc = {
        "name": "s", "time": {"horizon": "1d"},
        "stations": {"desks": {"servers": 2, "service": {"dist": "exponential", "mean": 1}}},
        "classes": {"pax": {"arrivals": {"kind": "poisson", "rate": 1}, "route": ["desks"]}},
        "policies": {"staffing": {"desks": {"reactive": {
            "open_above": 10, "close_below": 2, "max_extra": 1}}}},
        "variants": {"off": {"policies": {"staffing": None}}},
    }
    scenario = portsim.load_scenario(doc)
    assert applied(scenario.document()) == ["staffing"]
    assert applied(scenario.document("off")) == []
    assert portsim.compile_model(scenario, "off").station("desks").reactive is None


def test_order_is_the_documented_one() -> None:
    assert ORDER == ("staffing", "port_visa", "transit_visa_free", "egates", "green_channel",
                     "one_stop", "fast_lane", "zero_wait", "zero_delay_departure")
    assert tuple(Policies.model_fields) == ORDER
    doc = (Path(__file__).parents[2] / "docs" / "policies.md").read_text()
    assert ", ".join(f"`{name}`" for name in ORDER) in doc.replace("\n", " ")


def test_any_module_imports_first() -> None:
    # Imports go one way (tests/unit/test_layering.py); any entry point must work at run time.
    modules = ["portsim.policies.egates", "portsim.document.root", "portsim.scenario.compile",
               "portsim.document.policy_blocks", "portsim.policies.registry", "portsim.limits"]
    runs = [subprocess.Popen([sys.executable, "-c", f"import {module}"]) for module in modules]
    assert [run.wait() for run in runs] == [0] * len(modules)


# ----------------------------------------------------------------------------- spawn, due_after


SPAWN = {
    "name": "spawn", "time": {"horizon": "1d"},
    "stations": {"lane": {"servers": 1, "service": {"dist": "exponential", "mean": 1}},
                 "hall": {"servers": 5, "service": {"dist": "exponential", "mean": 1}}},
}


def spawn_problems(classes: dict) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as caught:
        portsim.load_scenario({**SPAWN, "classes": classes})
    return [(p.dotted_path, p.message) for p in caught.value.problems]


def test_spawn_names_a_class() -> None:
    found = spawn_problems({
        "bus": {"arrivals": {"kind": "poisson", "rate": 1},
                "route": ["lane", {"spawn": {"class": "pasengers", "count": 40}}]},
        "passengers": {"route": ["hall"]}})
    assert found[0][0] == "classes.bus.route.1.spawn.class"
    assert "did you mean 'passengers'?" in found[0][1]
    # ... and, as nobody spawns it, the class without arrivals is reported too.
    assert found[1] == ("classes.passengers",
                        "has no arrivals and no route spawns it: give it arrivals or spawn it")


def test_spawn_cycles_are_refused() -> None:
    found = spawn_problems({
        "a": {"arrivals": {"kind": "poisson", "rate": 1},
              "route": ["lane", {"spawn": {"class": "b", "count": 1}}]},
        "b": {"route": ["hall", {"spawn": {"class": "a", "count": 1}}]}})
    assert [path for path, _ in found] == ["classes.a.route", "classes.b.route"]


def test_spawn_and_due_after_compile() -> None:
    from portsim.engine import distributions as d
    from portsim.engine import model as m

    scenario = portsim.load_scenario({**SPAWN, "classes": {
        "bus": {"arrivals": {"kind": "poisson", "rate": 1}, "due_after": "10min",
                "route": ["lane", {"spawn": {"class": "passengers", "spread": "5min",
                                             "count": {"dist": "uniform", "low": 30,
                                                       "high": 50}}}]},
        "passengers": {"route": ["hall"]}}})
    model = portsim.compile_model(scenario)
    bus, passengers = model.classes
    assert bus.route[1] == m.Spawn("passengers", d.Uniform(30.0, 50.0), 5.0)
    assert bus.due_after == 10.0 and passengers.arrivals == m.Trace(())
    # The resolved document writes the step as the user did, and loads again.
    assert scenario.resolved()["classes"]["bus"]["route"][1]["spawn"]["class"] == "passengers"
    assert portsim.compile_model(portsim.load_scenario(scenario.resolved())) == model
