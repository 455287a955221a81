"""``portsim run --from-state / --horizon / --snapshot-at``: files, messages, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from portsim.cli.main import app

MINI = Path(__file__).parents[1] / "experiment" / "data" / "mini_port.yaml"


def run(runner: CliRunner, out: Path, *extra: str):
    """``portsim run`` of the mini port, three replications in this process."""
    return runner.invoke(app, ["run", str(MINI), "--workers", "1", "--replications", "3",
                               "--out", str(out), *extra])


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_an_empty_state_at_midnight_gives_the_cold_run_byte_for_byte(
        runner: CliRunner, tmp_path: Path) -> None:
    state = tmp_path / "empty.yaml"
    state.write_text('clock: "00:00"\n')
    # A warm start runs on the event engine; so must the cold run it is compared with (the
    # fast path agrees with it only to rounding, 1e-12).
    assert run(runner, tmp_path / "cold", "--engine", "events").exit_code == 0
    warm = run(runner, tmp_path / "warm", "--from-state", str(state))
    assert warm.exit_code == 0, warm.output
    assert "forecast from day 1 00:00 for 24 h: 0 customers" in warm.output
    for name in ("summary.csv",):
        assert (tmp_path / "warm" / name).read_bytes() == (tmp_path / "cold" / name).read_bytes()
    cold_kpis = json.loads((tmp_path / "cold" / "results.json").read_text())["kpis"]
    assert json.loads((tmp_path / "warm" / "results.json").read_text())["kpis"] == cold_kpis


def test_snapshots_are_state_files_a_forecast_starts_from(runner: CliRunner,
                                                          tmp_path: Path) -> None:
    snap = run(runner, tmp_path / "day", "--snapshot-at", "08:30")
    assert snap.exit_code == 0, snap.output
    states = sorted((tmp_path / "day" / "states").iterdir())
    assert [p.name for p in states] == [f"replication-{i}.yaml" for i in range(3)]
    written = yaml.safe_load(states[0].read_text())
    assert written["clock"] == 510.0 and written["day"] == 1
    assert written["stations"]  # the morning peak: somebody is queueing or being served
    forecast = run(runner, tmp_path / "next", "--from-state", str(states[0]),
                   "--horizon", "3h")
    assert forecast.exit_code == 0, forecast.output
    results = json.loads((tmp_path / "next" / "results.json").read_text())
    recorded = results["forecast"]
    assert recorded["clock_minutes"] == 510.0 and recorded["horizon_minutes"] == 180.0
    customers = sum(len(v) for station in written["stations"].values()
                    for part in station.values() for v in part.values())
    assert recorded["customers_at_start"] == customers
    assert results["kpis"]["system"]["all"]["in_system_start"]["mean"] == customers


@pytest.mark.parametrize(("text", "expected"), [
    ('clock: "14:00"\nstations:\n  gate9: {}\n', ":3: stations.gate9: unknown station"),
    ('clock: "14:00"\nstations:\n  truck_lanes:\n    waiting: {car: 3}\n',
     ":4: stations.truck_lanes.waiting.car: class 'car' does not visit station"),
    ('clock: "14:00"\nstations:\n  car_lanes:\n    waiting: {car: [2min, soon]}\n',
     ":4: stations.car_lanes.waiting.car.1.waited: invalid duration 'soon'"),
    ('clock: "14:00"\nannounced:\n  - {class: car, after: 5min}\n',
     ":3: announced.0.count: required key is missing"),
    ("clock: 14:00:00\n", ":1: clock:"),
    ("- a list\n", ":1: a state file must be a mapping"),
])
def test_a_bad_state_file_names_file_field_and_line(runner: CliRunner, tmp_path: Path,
                                                   text: str, expected: str) -> None:
    state = tmp_path / "now.yaml"
    state.write_text(text)
    result = run(runner, tmp_path / "out", "--from-state", str(state))
    assert result.exit_code == 2, result.output
    assert f"{state}{expected}" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


@pytest.mark.parametrize(("extra", "expected"), [
    (["--horizon", "3h"], "--horizon needs --from-state"),
    (["--snapshot-at", "2d"], "--snapshot-at 2d: outside the run"),
    (["--snapshot-at", "noon"], "--snapshot-at: invalid duration 'noon'"),
])
def test_bad_forecast_options_exit_2(runner: CliRunner, tmp_path: Path, extra: list[str],
                                     expected: str) -> None:
    result = run(runner, tmp_path / "out", *extra)
    assert result.exit_code == 2 and expected in result.output, result.output


def compare(runner: CliRunner, out: Path, *extra: str, file: Path = MINI):
    """``portsim compare`` of the mini port (both variants), three replications, no plots."""
    return runner.invoke(app, ["compare", str(file), "--workers", "1", "--replications", "3",
                               "--no-plots", "--out", str(out), *extra])


def test_compare_from_an_empty_state_is_the_cold_comparison(runner: CliRunner,
                                                            tmp_path: Path) -> None:
    state = tmp_path / "empty.yaml"
    state.write_text('clock: "00:00"\n')
    cold = compare(runner, tmp_path / "cold", "--engine", "events")
    warm = compare(runner, tmp_path / "warm", "--from-state", str(state))
    assert cold.exit_code == 0 and warm.exit_code == 0, (cold.output, warm.output)
    assert "forecast from day 1 00:00 for 24 h: 0 customers" in warm.output
    assert (tmp_path / "warm" / "comparison.csv").read_bytes() == (
        tmp_path / "cold" / "comparison.csv").read_bytes()


def test_every_variant_of_a_comparison_starts_from_the_same_state(runner: CliRunner,
                                                                  tmp_path: Path) -> None:
    snap = run(runner, tmp_path / "day", "--snapshot-at", "08:30")
    assert snap.exit_code == 0, snap.output
    state = tmp_path / "day" / "states" / "replication-0.yaml"
    result = compare(runner, tmp_path / "next", "--from-state", str(state), "--horizon", "2h")
    assert result.exit_code == 0, result.output
    written = yaml.safe_load(state.read_text())
    customers = sum(len(v) for station in written["stations"].values()
                    for part in station.values() for v in part.values())
    assert customers > 0
    saved = json.loads((tmp_path / "next" / "results.json").read_text())
    runs = list(saved["variants"].values())  # the baseline's results among them
    assert len(runs) == 3
    digests = {run_["forecast"]["state_sha256"] for run_ in runs}
    assert len(digests) == 1
    for run_ in runs:
        assert run_["forecast"]["clock_minutes"] == 510.0
        assert run_["kpis"]["system"]["all"]["in_system_start"]["mean"] == customers


def test_a_state_a_variant_cannot_hold_is_refused_naming_the_variant(
        runner: CliRunner, tmp_path: Path) -> None:
    scenario = yaml.safe_load(MINI.read_text())
    scenario["variants"]["no_inspection"] = {"classes": {"truck": {"route": ["truck_lanes"]}}}
    file = tmp_path / "port.yaml"
    file.write_text(yaml.safe_dump(scenario))
    state = tmp_path / "now.yaml"
    state.write_text('clock: "08:00"\nstations:\n  inspection:\n    waiting: {truck: 2}\n')
    result = compare(runner, tmp_path / "out", "--from-state", str(state), file=file)
    assert result.exit_code == 2, result.output
    assert (f"{state}:4: stations.inspection.waiting.truck: variant 'no_inspection': class "
            "'truck' does not visit station 'inspection'") in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_a_state_with_entities_waiting_for_their_batch_is_refused(runner: CliRunner,
                                                                  tmp_path: Path) -> None:
    state = tmp_path / "now.yaml"
    state.write_text('clock: "08:00"\nnot_recorded:\n  awaiting_batch: 2\n')
    result = run(runner, tmp_path / "out", "--from-state", str(state))
    assert result.exit_code == 2, result.output
    assert f"{state}:3: not_recorded.awaiting_batch: 2 entities were waiting for" in (
        " ".join(result.output.split()))
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_sweep_from_an_empty_state_is_the_cold_sweep(runner: CliRunner, tmp_path: Path) -> None:
    state = tmp_path / "empty.yaml"
    state.write_text('clock: "00:00"\n')

    def sweep(out: Path, *extra: str):
        return runner.invoke(app, ["sweep", str(MINI), "--set",
                                   "stations.truck_lanes.servers=2,3", "--workers", "1",
                                   "--replications", "2", "--out", str(out), *extra])

    cold = sweep(tmp_path / "cold", "--engine", "events")
    warm = sweep(tmp_path / "warm", "--from-state", str(state))
    assert cold.exit_code == 0 and warm.exit_code == 0, (cold.output, warm.output)
    assert (tmp_path / "warm" / "sweep.csv").read_bytes() == (
        tmp_path / "cold" / "sweep.csv").read_bytes()
    short = sweep(tmp_path / "short", "--from-state", str(state), "--horizon", "2h")
    assert short.exit_code == 0, short.output
    points = json.loads((tmp_path / "short" / "sweep.json").read_text())["points"]
    assert [p["results"]["forecast"]["horizon_minutes"] for p in points] == [120.0, 120.0]


def test_a_forecast_of_a_station_that_can_break_down_is_refused_cleanly(
        runner: CliRunner, tmp_path: Path) -> None:
    """Warm starts do not restore broken servers yet: one message naming the station, exit 2,
    nothing written; for compare, the variant that has them is named."""
    airport = Path(__file__).parents[2] / "scenarios" / "airport" / "airport_peak.yaml"
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(airport), "--variant", "egates_outage",
                                 "--snapshot-at", "14:00", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "breakdowns or outages yet ('egates')" in result.output
    assert "Traceback" not in result.output and not out.exists()
    state = tmp_path / "now.yaml"
    state.write_text("clock: \"14:00\"\nstations: {}\n", encoding="utf-8")
    result = runner.invoke(app, ["compare", str(airport), "--variants", "egates_outage",
                                 "--from-state", str(state), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "variant 'egates_outage'" in result.output and not out.exists()
