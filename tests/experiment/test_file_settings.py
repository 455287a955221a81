"""Settings a scenario file gives for how it is run: ``time.warmup: auto`` (MSER-5 on a pilot
round) and ``precision:`` (replications that size themselves)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.experiment.autowarmup import PILOT, PILOT_BIN, queue_series
from portsim.experiment.precision import Precision
from portsim.experiment.runner import Job, run_jobs, simulate
from portsim.scenario import load_scenario
from portsim.stats.warmup import mser

MM1 = """\
name: M/M/1 started empty
time: {{horizon: {horizon}, warmup: {warmup}}}
replications: 6
seed: {seed}
stations:
  server:
    servers: 1
    service: {{dist: exponential, mean: 1min}}
classes:
  customer:
    arrivals: {{kind: {arrivals}}}
    route: [server]
{extra}"""
POISSON = "poisson, rate: 0.9/min"
DAILY = "profile, rates: [" + ", ".join(["20/h"] * 8 + ["50/h"] * 16) + "]"


def write(tmp_path: Path, *, horizon: str = "1d", warmup: str = "auto",
          arrivals: str = POISSON, extra: str = "", seed: int = 4) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(MM1.format(horizon=horizon, warmup=warmup, arrivals=arrivals, extra=extra,
                               seed=seed))
    return path


def test_auto_warmup_is_mser_of_the_pilot_and_runs_as_if_given(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path))
    assert scenario.warmup_auto and scenario.model(None).warmup == 0
    results = simulate(scenario, workers=1, replications=PILOT)
    choice = results.warmup_choice
    assert choice is not None and choice["method"] == "MSER-5"
    assert choice["pilot_replications"] == PILOT and not choice["rounded_to_days"]
    # The recorded choice is MSER-5 of the pilot's queue series, recomputed independently.
    model = replace(scenario.model(None), series_bin=PILOT_BIN)
    pilot = run_jobs([Job("p", model, 4, PILOT)])["p"]
    values, bin_minutes = queue_series(pilot, model.horizon)
    assert bin_minutes == PILOT_BIN and len(values) == 144
    assert choice["values"]["baseline"] == pytest.approx(values.tolist(), abs=1e-6)
    assert choice["minutes"] == mser(values).observations * bin_minutes > 0
    # KPIs exactly as if the chosen warm-up had been written in the file.
    given = simulate(load_scenario(write(tmp_path, warmup=f"{choice['minutes']:g}min")),
                     workers=1, replications=PILOT)
    assert results.to_dict()["kpis"] == given.to_dict()["kpis"]
    assert results.to_dict()["warmup_choice"] == choice


def test_auto_warmup_removes_the_empty_start_bias(tmp_path: Path) -> None:
    """M/M/1 at rho = 0.9 from empty: with the chosen warm-up the mean queue agrees with
    Lq = rho^2 / (1 - rho) = 8.1; without one, the first hours pull it down."""
    path = write(tmp_path)
    auto = simulate(load_scenario(path), workers=2, replications=40)
    cold = simulate(load_scenario(write(tmp_path, warmup="0")), workers=2, replications=40)
    assert auto.warmup_choice is not None and auto.warmup_choice["minutes"] > 0
    queue = auto.summary("stations", "server", "queue_mean")
    assert queue.contains(8.1)
    assert cold.summary("stations", "server", "queue_mean").mean < queue.mean


def test_daily_scenarios_round_the_warmup_to_whole_days(tmp_path: Path) -> None:
    results = simulate(load_scenario(write(tmp_path, horizon="5d", arrivals=DAILY)), workers=1)
    choice = results.warmup_choice
    assert choice is not None and choice["rounded_to_days"]
    assert choice["minutes"] % 1440 == 0


def test_a_warmup_the_horizon_cannot_hold_is_one_clear_error(tmp_path: Path) -> None:
    # A daily scenario whose queue grows all day: MSER cuts into day 1 and rounding to a
    # whole day reaches the one-day horizon.
    rates = "profile, rates: [" + ", ".join(["57/h"] * 24) + "]"
    path = write(tmp_path, arrivals=rates)
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "o"),
                                      "--workers", "1"])
    assert result.exit_code == 2, result.output
    assert "warmup: auto chose" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_precision_in_the_file_is_the_same_as_on_the_command_line(tmp_path: Path) -> None:
    watch = "kpis: [stations.server.wait_mean], max_replications: 60"
    in_file = simulate(load_scenario(write(tmp_path, warmup="2h",
                                           extra=f"precision: {{target: 15%, {watch}}}\n")),
                       workers=2)
    asked = simulate(load_scenario(write(tmp_path, warmup="2h")), workers=2,
                     precision=Precision(0.15, (("stations", "server", "wait_mean"),), 60))
    assert in_file.precision == asked.precision
    assert len(in_file.replications) == in_file.precision["replications"] > 6
    assert in_file.to_dict()["kpis"] == asked.to_dict()["kpis"]


def test_precision_shorthand_and_the_command_line_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, warmup="2h", extra="precision: 40%\n")
    assert load_scenario(path).precision.target == pytest.approx(0.4)
    out = tmp_path / "o"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out), "--workers", "1",
                                      "--precision", "30%"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "results.json").read_text())["precision"]["target"] == 0.3


@pytest.mark.parametrize(("extra", "where", "message"), [
    ("precision: 150%\n", ":13: precision", "strictly between 0 and 100%"),
    ("precision: {target: 5%, kpis: [wait_mean]}\n", ":13: precision.kpis.0", "pattern"),
    ("variants:\n  v:\n    precision: 5%\n", ":15: variants.v.precision",
     "a variant cannot change 'precision'"),
])
def test_bad_precision_blocks_name_the_field_and_line(tmp_path: Path, extra: str, where: str,
                                                      message: str) -> None:
    path = write(tmp_path, warmup="2h", extra=extra)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert f"scenario.yaml{where}" in output and message in output, output


def test_results_of_files_without_the_new_settings_keep_their_bytes(tmp_path: Path) -> None:
    results = simulate(load_scenario(write(tmp_path, warmup="2h")), workers=1, replications=2)
    document = results.to_dict()
    assert "warmup_choice" not in document and "precision" not in document
    assert "precision" not in document["scenario"]["resolved"]
    assert np.isfinite(results.summary("stations", "server", "wait_mean").mean)
