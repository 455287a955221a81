"""The pledge as a file defines it: whose queue counts (``classes``), how each slot is judged
(``measure``: the share within the standard, or the longest wait), worded and drawn with the
file's own slot and share; and ``portsim staff`` judging a 48-slot pledge in 48 slots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.engine import run_replication
from portsim.engine.result import ReplicationResult
from portsim.experiment.pledge import BROKEN, MET, pledge_words, verdict
from portsim.experiment.results import Results
from portsim.report.compare_plots import _pledge_drawing
from portsim.scenario import load_scenario
from portsim.scenario.loader import ScenarioError

TWO_CLASSES = """\
name: Pledge definitions
time: {{horizon: 1d}}
replications: 3
seed: 1
sla: 5min
pledge: {pledge}
stations:
  desk:
    servers: 1
    service: {{dist: deterministic, value: 1min}}
classes:
  citizens:
    arrivals: {{kind: timetable, batches: [{{time: "08:00", count: 10}}]}}
    route: [desk]
  visitors:
    arrivals: {{kind: timetable, batches: [{{time: "10:00", count: 20}}]}}
    route: [desk]
"""


def write(tmp_path: Path, pledge: str) -> Path:
    path = tmp_path / "pledge.yaml"
    path.write_text(TWO_CLASSES.format(pledge=pledge), encoding="utf-8")
    return path


def test_a_pledged_class_that_does_not_exist_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "{classes: [citizens, tourists]}")
    with pytest.raises(ScenarioError, match=r"pledge\.classes\.1: no class named 'tourists'"):
        load_scenario(path)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and ":6: pledge.classes.1" in result.output


@pytest.mark.parametrize("engine", ["fast", "events"])
def test_the_longest_wait_per_slot_is_the_exact_one(tmp_path: Path, engine: str) -> None:
    # Ten at 08:00 on one desk with 1-minute services wait 0, 1, ..., 9 minutes; twenty at
    # 10:00 wait up to 19.
    model = load_scenario(write(tmp_path, "{measure: longest}")).model(None)
    kpis = run_replication(model, seed=1, engine=engine).kpis
    assert kpis["classes"]["citizens"]["wait_h0800_max"] == 9.0
    assert kpis["classes"]["visitors"]["wait_h1000_max"] == 19.0
    assert kpis["stations"]["desk"]["wait_h1000_max"] == 19.0
    assert kpis["classes"]["citizens"]["wait_h0800_p95"] == 9.0  # capped by the longest
    plain = load_scenario(write(tmp_path, "{}")).model(None)
    assert "wait_h0800_max" not in run_replication(plain, seed=1).kpis["classes"]["citizens"]


def _results(values: dict[str, list[float]], **pledge: object) -> Results:
    reps = [ReplicationResult(i, 0, {"classes": {"c": {
        key: v for slot, row in values.items()
        for key, v in ((f"wait_{slot}_count", 50.0), (f"wait_{slot}_max", row[i]),
                       (f"wait_{slot}_beyond_share", 0.0))}},
        "stations": {}, "system": {"all": {}}}) for i in range(3)]
    return Results("m", None, 0, reps, sla=30.0, **pledge)  # type: ignore[arg-type]


def test_a_pledge_on_the_longest_wait_is_judged_on_it() -> None:
    # Nobody beyond the standard in the share sense, but the longest wait breaks 30 minutes
    # at 17:00: the longest-wait pledge is broken there, the share pledge is not.
    values = {"h0800": [12.0, 14.0, 13.0], "h1700": [41.0, 44.0, 39.0]}
    longest = verdict(_results(values, pledge_measure="longest"), "classes", "c")
    assert [(s.clock, s.status) for s in longest.slots] == [("08:00", MET), ("17:00", BROKEN)]
    assert verdict(_results(values), "classes", "c").status == MET
    assert pledge_words(_results(values, pledge_measure="longest")) == (
        "nobody waits longer than 30 min, in any hour of arrival")


def test_a_half_hour_80_20_pledge_is_worded_and_drawn_as_written() -> None:
    results = _results({"h0800": [0.0] * 3}, pledge_share=0.8, pledge_slot=30.0)
    results.sla = 20 / 60
    assert pledge_words(results) == "at least 80% wait ≤ 20 s in every half-hour of arrival"
    drawing = _pledge_drawing(results, results.sla)
    assert drawing.kpi == "beyond_share" and drawing.flip and drawing.reference == 80.0
    assert "20 s" in drawing.ylabel
    ninety_five = _results({"h0800": [0.0] * 3})
    assert _pledge_drawing(ninety_five, 30.0).kpi == "p95"  # the matching quantile
    verdicts = verdict(_results({"h0800": [0.0] * 3, "h0830": [0.0] * 3}, pledge_slot=30.0),
                       "classes", "c")
    assert verdicts.text() == "met in all 2 half-hours"


def test_compare_judges_only_the_pledged_classes(tmp_path: Path) -> None:
    path = write(tmp_path, "{classes: [citizens]}")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("variants:\n  two_desks: {stations: {desk: {servers: 2}}}\n")
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["compare", str(path), "--replications", "3", "--workers",
                                      "1", "--no-plots", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = result.output[result.output.index("The pledge"):]
    table = table[:table.index("└")]  # the pledge table ends at its bottom border
    assert "citizens" in table and "visitors" not in table


def test_staff_judges_a_half_hour_pledge_in_48_slots(tmp_path: Path) -> None:
    path = tmp_path / "hall.yaml"
    path.write_text("""\
name: Half-hour pledge
time: {horizon: 3d, warmup: 1d}
replications: 4
seed: 3
pledge: {slot: 30min}
stations:
  desks:
    servers: 4
    service: {dist: exponential, mean: 2min}
classes:
  traveller:
    arrivals: {kind: poisson, rate: 60/h}
    route: [desks]
""", encoding="utf-8")
    out = tmp_path / "staff"
    result = CliRunner().invoke(app, ["staff", str(path), "--stations", "desks", "--target",
                                      "wait_p95<=10min", "--replications", "4", "--workers",
                                      "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "every half-hour of arrival" in text and "traveller: met in all 48 half-hours" in text
    assert json.loads((out / "staffing.json").read_text())["interval_minutes"] == 60.0
