"""``portsim compare FILE --decompose VARIANT`` end to end: the files it writes, and the requests
it refuses (exit code 2, one message, nothing written)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.cli.main import app

LEVERS = Path(__file__).parents[1] / "experiment" / "data" / "lever_port.yaml"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def decompose(runner: CliRunner, out: Path, *extra: str):
    return runner.invoke(app, ["compare", str(LEVERS), "--out", str(out), "--replications", "3",
                               "--workers", "1", *extra])


def test_writes_the_decomposition(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "dec"
    result = decompose(runner, out, "--decompose", "two_levers")
    assert result.exit_code == 0, result.output
    assert {"results.json", "comparison.csv", "decomposition.csv", "report.html",
            "forest.png"} <= {path.name for path in out.iterdir()}
    for words in ("2 separate changes", "car_lanes.servers × inspection.servers",
                  "two_levers (whole)", "decomposition.csv"):
        assert words in result.output, words
    with (out / "decomposition.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["variant", "effect", "kind", "changes", "paths", "scope", "name",
                             "kpi", "mean", "ci_low", "ci_high", "half_width", "n"]
    effects = [row["effect"] for row in rows if row["kpi"] == "wait_mean"
               and row["name"] == "car_lanes"]
    assert effects == ["car_lanes.servers", "inspection.servers",
                       "car_lanes.servers × inspection.servers", "two_levers"]
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["format"] == "portsim-comparison/1"  # the comparison of the runs, as always
    assert data["labels"] == ["baseline", "car_lanes.servers", "inspection.servers",
                              "two_levers"]
    part = data["decomposition"]
    assert part["design"] == "full factorial" and part["variant"] == "two_levers"
    assert [change["path"] for change in part["changes"]] == [
        "stations.car_lanes.servers", "stations.inspection.servers"]
    # The whole variant's effect is the comparison's own paired difference.
    whole = part["effects"][-1]
    assert whole["kind"] == "whole"
    assert whole["effects"]["stations"]["car_lanes"]["wait_mean"] == (
        data["differences"]["two_levers"]["stations"]["car_lanes"]["wait_mean"])
    with (out / "comparison.csv").open(encoding="utf-8") as handle:
        assert next(csv.reader(handle))[:4] == ["variant", "scope", "name", "kpi"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert '<section id="decomposition">' in report
    assert report.index('id="decomposition"') < report.index('id="headline"')


@pytest.mark.parametrize(("extra", "message"), [
    (["--decompose", "two_lever"], "no variant 'two_lever'"),
    (["--decompose", "renamed_only"], "changes nothing of the baseline"),
    (["--decompose", "needs_each_other"], "cannot be decomposed"),
    (["--decompose", "two_levers", "--variants", "two_levers"], "leave out --variants"),
])
def test_refusals(runner: CliRunner, tmp_path: Path, extra: list[str], message: str) -> None:
    out = tmp_path / "refused"
    result = decompose(runner, out, *extra)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.output.count("error:") == 1 and "Traceback" not in result.output
    assert not out.exists()
