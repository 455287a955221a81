"""``portsim run`` with the experiment options: workers, trace, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.experiment.runner import simulate
from portsim.experiment.store import PartialStore

MINI = Path(__file__).parents[1] / "experiment" / "data" / "mini_port.yaml"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, out: Path, *extra: str):
    return runner.invoke(app, ["run", str(MINI), "--out", str(out), "--replications", "3",
                               *extra])


def test_run_writes_results_and_trace(runner: CliRunner, tmp_path: Path) -> None:
    trace = tmp_path / "events.csv"
    result = run(runner, tmp_path / "out", "--variant", "truck_fast_lane", "--trace",
                 str(trace))
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "results.json", "summary.csv", "timings.json"}
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["variant"] == "truck_fast_lane" and data["replications"] == 3
    lines = trace.read_text().splitlines()
    assert lines[0] == "time,entity,class,station,event" and len(lines) > 1000


def test_run_is_independent_of_workers(runner: CliRunner, tmp_path: Path) -> None:
    for workers in ("1", "2"):
        assert run(runner, tmp_path / workers, "--workers", workers).exit_code == 0
    assert (tmp_path / "1" / "results.json").read_bytes() == (
        tmp_path / "2" / "results.json").read_bytes()


def test_run_resumes_from_kept_replications(runner: CliRunner, tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    assert run(runner, reference).exit_code == 0
    out = tmp_path / "out"
    # What an interrupted run leaves behind: a .partial folder with some replications.
    simulate(MINI, replications=2, store=PartialStore(out / ".partial"))
    assert sorted(p.name for p in (out / ".partial" / "baseline").iterdir()) == [
        "inputs.json", "rep-00000.json", "rep-00001.json"]
    result = run(runner, out, "--resume")
    assert result.exit_code == 0, result.output
    assert (out / "results.json").read_bytes() == (reference / "results.json").read_bytes()
    assert not (out / ".partial").exists()


def test_bad_trace_name_fails_before_running(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, tmp_path / "out", "--trace", str(tmp_path / "t.txt"))
    assert result.exit_code == 2 and ".csv or .parquet" in result.output
    assert not (tmp_path / "out").exists()


def test_version_is_printed() -> None:
    from typer.testing import CliRunner

    import portsim
    from portsim.cli.main import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"portsim {portsim.__version__}"
