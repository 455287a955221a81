"""``portsim compare FILE --attribute-delay`` end to end: the table, the files it writes, and a
file that names no inspection (exit code 2, one message, nothing written)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.cli.main import app

DATA = Path(__file__).parents[1] / "experiment" / "data"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def compare(runner: CliRunner, file: Path, out: Path, *extra: str):
    return runner.invoke(app, ["compare", str(file), "--out", str(out), "--replications", "3",
                               "--workers", "1", "--attribute-delay", *extra])


def test_writes_the_delay_due_to_inspection(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "attributed"
    result = compare(runner, DATA / "inspected_port.yaml", out)
    assert result.exit_code == 0, result.output
    assert "Delay due to border inspection: ships (time until cleared)" in result.output
    assert "crew_visitors (" not in result.output  # not a vehicle class of the block
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["labels"] == ["baseline", "two_teams"]  # the counterfactuals are not variants
    part = data["inspection_delay"]
    assert [item["variant"] for item in part["attributed"]] == ["baseline", "two_teams"]
    ships = data["variants"]["baseline"]["kpis"]["classes"]["ships"]
    assert ships["inspection_delay_mean"]["mean"] == pytest.approx(
        part["attributed"][0]["delay"]["mean"])
    with (out / "comparison.csv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["kpi"] == "inspection_delay_mean"]
    assert [row["variant"] for row in rows] == ["baseline", "two_teams"]
    assert rows[0]["diff_mean"] == "" and float(rows[1]["diff_mean"]) < 0
    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.index('id="inspection-delay"') < report.index('id="headline"')


@pytest.mark.parametrize(("file", "extra", "message"), [
    ("lever_port.yaml", [], "add an `inspection:` block"),
    ("inspected_port.yaml", ["--engine", "fast"], "leave out --engine fast"),
])
def test_refusals(runner: CliRunner, tmp_path: Path, file: str, extra: list[str],
                  message: str) -> None:
    out = tmp_path / "refused"
    result = compare(runner, DATA / file, out, *extra)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.output.count("error:") == 1 and "Traceback" not in result.output
    assert not out.exists()
