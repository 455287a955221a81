"""``--engine``: the fast path where the model qualifies, said in the terminal and in
results.json; the event engine when forced or needed; a clear refusal of ``--engine fast``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.cli.main import app

MINI = Path(__file__).parents[1] / "experiment" / "data" / "mini_port.yaml"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _run(runner: CliRunner, path: Path, out: Path, *extra: str):
    return runner.invoke(app, ["run", str(path), "--out", str(out), "--replications", "2",
                               "--workers", "1", *extra])


def _values(out: Path) -> dict:
    return json.loads((out / "results.json").read_text())["kpis"]


def test_a_qualifying_model_runs_on_the_fast_path_unless_forced_off(runner: CliRunner,
                                                                     tmp_path: Path) -> None:
    fast = _run(runner, MINI, tmp_path / "fast")
    assert fast.exit_code == 0, fast.output
    assert "engine: fast" in fast.output
    assert json.loads((tmp_path / "fast" / "results.json").read_text())["engine"] == "fast"
    events = _run(runner, MINI, tmp_path / "events", "--engine", "events")
    assert events.exit_code == 0, events.output
    assert "engine: events" in events.output
    assert "engine" not in json.loads((tmp_path / "events" / "results.json").read_text())
    # the same draws per entity: the same KPIs, to the last digits of their sums
    for scope, rows in _values(tmp_path / "events").items():
        for name, row in rows.items():
            for kpi, entry in row.items():
                other = _values(tmp_path / "fast")[scope][name][kpi]
                assert other["values"] == pytest.approx(entry["values"], rel=1e-9, abs=1e-9,
                                                        nan_ok=True), (scope, name, kpi)


LOOP_PORT = """\
name: Loop port
description: Cars inspected before the lanes, trucks after them; inspection has patience.
time: {horizon: 1d, warmup: 0}
replications: 2
seed: 7
sla: 10min
stations:
  lanes:
    servers: 2
    service: {dist: exponential, mean: 2min}
  inspection:
    servers: 1
    service: {dist: exponential, mean: 3min}
    patience: {dist: exponential, mean: 30min}
classes:
  car:
    arrivals: {kind: poisson, rate: 10/h}
    route: [inspection, lanes]
  truck:
    arrivals: {kind: poisson, rate: 5/h}
    route: [lanes, inspection]
"""


def test_engine_fast_refuses_a_model_that_needs_events(runner: CliRunner,
                                                      tmp_path: Path) -> None:
    path = tmp_path / "loop_port.yaml"
    path.write_text(LOOP_PORT)
    result = _run(runner, path, tmp_path / "out", "--engine", "fast")
    assert result.exit_code == 2, result.output
    # cars go from inspection to the lanes, trucks from the lanes to inspection: a loop the
    # fast path sweeps as one unit, but not with customers who may give up in it
    assert ("fast engine cannot run this model: the routes are not feed-forward: station "
            "'lanes' feeds station 'inspection' (class 'truck'), and station 'inspection' "
            "feeds station 'lanes' (class 'car')") in " ".join(result.output.split())
    assert ("the loop's sweep does not cover station 'inspection', which has customers who "
            "may give up") in " ".join(result.output.split())
    assert not (tmp_path / "out" / "results.json").exists()


def test_compare_runs_every_variant_on_one_engine(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(MINI), "--out", str(tmp_path / "cmp"),
                                 "--replications", "2", "--workers", "1", "--no-plots"])
    assert result.exit_code == 0, result.output
    assert "engine: fast (baseline, extra_car_lane, truck_fast_lane)" in result.output
    document = json.loads((tmp_path / "cmp" / "results.json").read_text())
    assert {v["engine"] for v in document["variants"].values()} == {"fast"}


def test_an_unknown_engine_is_bad_input(runner: CliRunner, tmp_path: Path) -> None:
    result = _run(runner, MINI, tmp_path / "out", "--engine", "quick")
    assert result.exit_code == 2
    assert "quick" in result.output


TIES = Path(__file__).parents[1] / "experiment" / "data" / "ties_compare.yaml"


def test_a_variant_that_only_moves_the_run_to_the_event_engine_changes_nothing(
        runner: CliRunner, tmp_path: Path) -> None:
    """Issue 23 A: batches of two classes and of one class at 06:00, spawned passengers at that
    instant, shared desks. The baseline runs on the fast path, the variant on the event
    engine (blue's patience over its whole visit and everyone's at the desk are 100 days, and
    those who give up at the desk call again: nobody gives up, but visit patience at a station
    with retrials needs the event engine); both settle ties by the one rule, so every KPI both
    report is the same (time averages to the last digits of their sums) and every paired
    difference exactly 0 (on main the batches interleaved on the event engine: blue's mean
    wait differed by 11.6 min)."""
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", str(TIES), "--out", str(out), "--replications", "3",
                                 "--workers", "1", "--no-plots"])
    assert result.exit_code == 0, result.output
    assert "engine: fast (baseline); events (events_only)" in result.output
    with (out / "comparison.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    baseline = {(r["scope"], r["name"], r["kpi"]): r["mean"] for r in rows
                if r["variant"] == "baseline" and r["n"]}  # (not the variant's own KPIs)
    compared = [r for r in rows if r["variant"] == "events_only"
                and (r["scope"], r["name"], r["kpi"]) in baseline]
    assert len(compared) == len(baseline) > 300
    for row in compared:
        key = (row["scope"], row["name"], row["kpi"])
        # the same values, summed in another order for levels averaged over time
        assert float(row["mean"] or "nan") == pytest.approx(float(baseline[key] or "nan"),
                                                            rel=1e-12, nan_ok=True), key
        if row["n"] != "0" and row["mean"] != "nan":  # (n 0: a slot with nobody in it)
            assert float(row["diff_mean"]) == 0.0, key
    waits = {r["name"]: float(r["mean"]) for r in compared
             if (r["scope"], r["kpi"]) == ("classes", "wait_mean")}
    assert waits["blue"] < waits["red"]  # blue is listed first: its batches are served first
