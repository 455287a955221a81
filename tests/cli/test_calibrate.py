"""``portsim calibrate`` through the command line: the headline, the files, the calibrated
variants written into the scenario (or refused, leaving it as it was)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.scenario import load_scenario

DATA = Path(__file__).parent / "data"


@pytest.fixture
def copied(tmp_path: Path) -> tuple[Path, Path]:
    scenario = tmp_path / "desk.yaml"
    targets = tmp_path / "targets.yaml"
    shutil.copy(DATA / "calibrate_desk.yaml", scenario)
    shutil.copy(DATA / "calibrate_targets.yaml", targets)
    return scenario, targets


def test_calibrate_prints_writes_and_adds_the_variants(copied: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    scenario, targets = copied
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["calibrate", str(scenario), "--targets", str(targets),
                                      "--out", str(out), "--write-variant", "fitted"],
                                env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"two desks: calibrated to {targets}"
    assert lines[1].startswith("  desk_time = ")
    assert lines[2].startswith("fit: 1 of 1 within their uncertainty")
    assert lines[3].startswith("held out: ")
    assert lines[4].startswith("  waiting_with_three: model ")
    assert all(len(line) <= 80 for line in lines[1:6])  # the first holds the user's path
    data = json.loads((out / "calibration.json").read_text(encoding="utf-8"))
    [parameter] = data["parameters"]
    # Erlang C's figures were made at 75 s: the fit lands near it, inside its interval.
    assert parameter["ci_low"] <= 1.25 <= parameter["ci_high"]
    assert 1.0 < parameter["fitted"] < 1.5
    assert data["distance"] <= data["distance_as_written"]
    with (out / "targets.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["target"], row["use"], row["variant"]) for row in rows] == [
        ("waiting", "fit", "baseline"), ("waiting_with_three", "hold-out", "three")]
    assert "fitted_three:" in (out / "variant.yaml").read_text(encoding="utf-8")
    loaded = load_scenario(scenario)
    assert set(loaded.variant_names) == {"three", "fitted", "fitted_three"}
    fitted = loaded.resolved("fitted_three")["stations"]["desks"]
    assert fitted["servers"] == 3
    assert fitted["service"]["mean"] == pytest.approx(parameter["fitted"], rel=1e-5)
    assert loaded.resolved("fitted")["stations"]["desks"]["servers"] == 2


def test_a_variant_name_taken_is_refused_before_the_search(copied: tuple[Path, Path],
                                                            tmp_path: Path) -> None:
    scenario, targets = copied
    before = scenario.read_bytes()
    result = CliRunner().invoke(app, ["calibrate", str(scenario), "--targets", str(targets),
                                      "--out", str(tmp_path / "out"), "--write-variant",
                                      "three"])
    assert result.exit_code == 2, result.output
    assert "already has a variant named 'three'" in result.stderr
    assert scenario.read_bytes() == before
    assert not (tmp_path / "out").exists()


def test_the_same_seeds_give_the_same_calibration(copied: tuple[Path, Path],
                                                  tmp_path: Path) -> None:
    scenario, targets = copied
    texts = []
    for name in ("a", "b"):
        result = CliRunner().invoke(app, ["calibrate", str(scenario), "--targets",
                                          str(targets), "--out", str(tmp_path / name),
                                          "--replications", "2"])
        assert result.exit_code == 0, result.output
        texts.append((tmp_path / name / "calibration.json").read_text(encoding="utf-8"))
    assert texts[0] == texts[1]
