"""Which queues the pledge counts (``pledge.stations``): a class's slot KPIs file its members'
waits at those stations alone, the same in both engines; names that are no station, and a
shortest-queue choice between counted and uncounted stations, are refused; the shipped ports
count border inspection's queues only."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.engine import model as m
from portsim.engine import run_replication
from portsim.scenario import load_scenario
from portsim.scenario.loader import ScenarioError

ROOT = Path(__file__).resolve().parents[2]

SERIES = """\
name: Counted stations
time: {{horizon: 1d}}
replications: 3
seed: 1
sla: 5min
pledge: {{stations: {stations}, measure: longest}}
stations:
  desk:
    servers: 1
    service: {{dist: deterministic, value: 1min}}
  customs:
    servers: 1
    service: {{dist: deterministic, value: 2min}}
classes:
  citizens:
    arrivals: {{kind: timetable, batches: [{{time: "08:00", count: 10}}]}}
    route: [desk, customs]
  visitors:
    arrivals: {{kind: timetable, batches: [{{time: "10:00", count: 20}}]}}
    route: [customs]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pledge.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["fast", "events"])
def test_only_the_counted_stations_waits_are_filed_by_slot(tmp_path: Path,
                                                           engine: str) -> None:
    # Citizens wait 0..9 min at the desk, then 0..18 at customs: their whole longest wait is
    # 18, at the counted desk 9. Visitors never queue at the desk: no slot files them.
    model = load_scenario(_write(tmp_path, SERIES.format(stations="[desk]"))).model(None)
    citizens = run_replication(model, seed=1, engine=engine).kpis["classes"]["citizens"]
    assert citizens["wait_max"] == 18.0 and citizens["wait_h0800_max"] == 9.0
    assert citizens["wait_h0800_mean"] == 4.5
    visitors = run_replication(model, seed=1, engine=engine).kpis["classes"]["visitors"]
    assert visitors["wait_h1000_count"] == 0.0 and visitors["wait_max"] == 38.0
    whole = load_scenario(_write(tmp_path, SERIES.format(stations="null"))).model(None)
    assert run_replication(whole, seed=1, engine=engine).kpis["classes"]["citizens"][
        "wait_h0800_max"] == 18.0
    # A class the pledge does not count keeps its whole waits by slot.
    only = SERIES.format(stations="[desk]").replace("pledge: {", "pledge: {classes: [citizens], ")
    model = load_scenario(_write(tmp_path, only)).model(None)
    rows = run_replication(model, seed=1, engine=engine).kpis["classes"]
    assert rows["citizens"]["wait_h0800_max"] == 9.0
    assert rows["visitors"]["wait_h1000_count"] == 20.0
    assert rows["visitors"]["wait_h1000_max"] == 38.0


NETWORK = """\
name: Counted stations, random
time: {horizon: 2d, warmup: 6h}
replications: 2
seed: 4
sla: 10min
pledge: {stations: [desk_a, desk_b, gates], slot: 30min}
stations:
  desk_a: {servers: 2, service: {dist: exponential, mean: 4.4min}}
  desk_b: {servers: 2, service: {dist: lognormal, mean: 4.4min, cv: 0.5}}
  gates: {servers: 3, service: {dist: uniform, low: 1min, high: 3min}}
  secondary: {servers: 1, service: {dist: exponential, mean: 8min}}
  customs: {servers: [{start: "00:00", end: "12:00", servers: 1},
                      {start: "12:00", end: "24:00", servers: 2}],
            service: {dist: exponential, mean: 2min}}
classes:
  citizens:
    arrivals: {kind: poisson, rate: 95/h}
    route:
      - branch:
          - {p: 0.4, route: [gates]}
          - {p: 0.6, route: [{shortest_queue: [desk_a, desk_b]}]}
      - {optional: {p: 0.1, route: [secondary]}}
      - customs
  crew:
    arrivals: {kind: poisson, rate: 20/h}
    route: [{delay: {dist: uniform, low: 1min, high: 4min}}, secondary, customs]
"""


def test_both_engines_file_the_same_counted_waits_on_a_random_network(tmp_path: Path) -> None:
    # Overloaded customs leaves customers queueing at the horizon, some at counted stations
    # (their wait so far counts), some at uncounted ones (their counted waits only).
    model = load_scenario(_write(tmp_path, NETWORK)).model(None)
    assert model.slot_stations == ("desk_a", "desk_b", "gates")
    events = run_replication(model, seed=7, engine="events")
    fast = run_replication(model, seed=7, engine="fast")
    assert fast.engine == "fast"
    assert events.kpis["classes"]["crew"]["wait_h0800_count"] == 0.0
    rows = events.kpis["classes"]
    at_end = {name: row["waiting_end"] for name, row in events.kpis["stations"].items()}
    assert at_end["desk_a"] > 0 and at_end["customs"] > 0  # counted and uncounted queues
    for name, row in rows.items():
        for key, value in row.items():
            other = fast.kpis["classes"][name][key]
            assert (math.isnan(other) if math.isnan(value)
                    else other == pytest.approx(value, rel=1e-9, abs=1e-9)), (name, key)
    whole = load_scenario(_write(tmp_path, NETWORK.replace(
        "stations: [desk_a, desk_b, gates], ", ""))).model(None)
    uncounted = run_replication(whole, seed=7, engine="events").kpis["classes"]["citizens"]
    assert rows["citizens"]["wait_h2330_mean"] < uncounted["wait_h2330_mean"]
    assert rows["citizens"]["wait_h2330_count"] == uncounted["wait_h2330_count"]


def test_a_station_that_is_no_station_is_refused_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, SERIES.format(stations="[desk, passport_control]"))
    with pytest.raises(ScenarioError, match=r"pledge\.stations\.1: no station named "
                                            r"'passport_control'"):
        load_scenario(path)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and ":6: pledge.stations.1" in result.output


def test_a_choice_between_counted_and_uncounted_queues_is_refused(tmp_path: Path) -> None:
    text = SERIES.format(stations="[desk]").replace(
        "route: [desk, customs]", "route: [{shortest_queue: [desk, customs]}]")
    result = CliRunner().invoke(app, ["validate", str(_write(tmp_path, text))])
    assert result.exit_code == 2, result.output
    assert "pledge.stations" in result.output and "name all of them or none" in result.output


PORTS = sorted(path for path in (ROOT / "scenarios").rglob("*.yaml")
               if path.parent.name in {"airport", "land_port", "railway_port", "national"}
               and re.search(r"^pledge:\n  classes: \[\w", path.read_text(encoding="utf-8"),
                             re.MULTILINE))


@pytest.mark.parametrize("path", PORTS, ids=lambda path: path.stem)
def test_shipped_ports_count_border_inspection_queues_only(path: Path) -> None:
    scenario = load_scenario(path)
    for variant in [None, *scenario.variant_names]:
        model = scenario.model(variant)
        assert model.slot_stations is not None, variant
        pledged = model.sla_classes or ()
        for spec in model.classes:
            if spec.name not in pledged:
                continue
            counted = set(m.stations_visited(spec.route)) & set(model.slot_stations)
            assert counted, (variant, spec.name)  # every pledged class queues somewhere counted
            assert not counted & {"customs_red", "secondary_inspection", "port_visa"}
