"""``portsim compare`` and ``portsim sweep`` end to end on a small scenario file."""

from __future__ import annotations

import csv
import gc
import json
import multiprocessing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.experiment import executors

MINI = Path(__file__).parents[1] / "experiment" / "data" / "mini_port.yaml"
QUICK = ["--replications", "3"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def compare(runner: CliRunner, out: Path, *extra: str):
    return runner.invoke(app, ["compare", str(MINI), "--out", str(out), *QUICK, *extra])


@pytest.mark.slow
def test_compare_writes_everything(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    trace = tmp_path / "trace.csv"
    result = compare(runner, out, "--workers", "2", "--trace", str(trace))
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert names == {"results.json", "comparison.csv", "timings.json", "report.html",
                     "forest.png", "pledge.png", "kpis.png", "waiting_ecdf.png",
                     "throughput.png", "queues.png", "utilisation.png"}
    # The headline: every variant, its KPIs against the baseline, the verdict; no full table.
    for text in ("baseline", "extra_car_lane", "truck_fast_lane", "Δ (95% CI)", "verdict",
                 "mean wait (min)", "report.html", "--detail"):
        assert text in result.output
    assert "by station" not in result.output
    detailed = compare(runner, tmp_path / "detail", "--no-plots", "--detail")
    for text in ("Δ vs baseline", "by station", "verdict"):
        assert text in detailed.output
    assert "━━" in result.output and "elapsed" not in result.output  # no progress bar in pipes
    data = json.loads((out / "results.json").read_text())
    assert data["labels"] == ["baseline", "extra_car_lane", "truck_fast_lane"]
    assert set(data["variants"]) == set(data["labels"])
    with (out / "comparison.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0].keys() >= {"scope", "name", "kpi", "variant", "mean", "diff_mean"}
    assert trace.read_text().splitlines()[0] == "time,entity,class,station,event"


def test_results_json_is_byte_identical_for_any_worker_count(runner, tmp_path) -> None:
    for workers in ("1", "2"):
        result = compare(runner, tmp_path / workers, "--workers", workers, "--no-plots")
        assert result.exit_code == 0, result.output
        assert gc.get_freeze_count() == 0  # the results frozen for the outputs are let go
    assert (tmp_path / "1" / "results.json").read_bytes() == (
        tmp_path / "2" / "results.json").read_bytes()
    assert (tmp_path / "1" / "comparison.csv").read_bytes() == (
        tmp_path / "2" / "comparison.csv").read_bytes()


def test_chosen_variants_and_unknown_ones(runner: CliRunner, tmp_path: Path) -> None:
    result = compare(runner, tmp_path / "one", "--variants", "truck_fast_lane", "--no-plots")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "one" / "results.json").read_text())
    assert data["labels"] == ["baseline", "truck_fast_lane"]
    result = compare(runner, tmp_path / "bad", "--variants", "truck_fast", "--no-plots")
    assert result.exit_code == 2
    assert "no variant 'truck_fast'" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "bad").exists()


def test_existing_output_needs_force(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    assert compare(runner, out, "--no-plots", "--workers", "1").exit_code == 0
    before = (out / "results.json").read_bytes()
    result = compare(runner, out, "--no-plots", "--seed", "3")
    assert result.exit_code == 2 and "--force" in result.output
    assert (out / "results.json").read_bytes() == before
    result = compare(runner, out, "--no-plots", "--seed", "3", "--force", "--workers", "1")
    assert result.exit_code == 0 and (out / "results.json").read_bytes() != before


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="the patched replication reaches workers only when forked")
def test_failed_replication_then_resume(runner, tmp_path, monkeypatch) -> None:
    reference = tmp_path / "reference"
    assert compare(runner, reference, "--no-plots", "--workers", "1").exit_code == 0
    original = executors.replicate

    def fail(model, seed, replication, trace=None, engine="auto"):
        if "extra_car_lane" in model.name and replication == 1:
            raise MemoryError("simulated")
        return original(model, seed, replication, trace, engine)

    monkeypatch.setattr(executors, "replicate", fail)
    out = tmp_path / "cmp"
    result = compare(runner, out, "--no-plots", "--workers", "2")
    assert result.exit_code == 3, result.output
    assert "replication 1 of extra_car_lane (seed 7) failed: MemoryError" in result.output
    assert "--resume" in result.output and "Traceback" not in result.output
    assert [p.name for p in out.iterdir()] == [".partial"]
    again = compare(runner, out, "--no-plots")
    assert again.exit_code == 2 and "--resume to finish it" in again.output
    monkeypatch.setattr(executors, "replicate", original)
    result = compare(runner, out, "--no-plots", "--resume", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert not (out / ".partial").exists()
    assert (out / "results.json").read_bytes() == (reference / "results.json").read_bytes()


def test_sweep_end_to_end(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    result = runner.invoke(app, [
        "sweep", str(MINI), "--set", "stations.truck_lanes.servers=1:3:1",
        "--set", "classes.truck.arrivals.rate=0.2,0.3", "--kpi", "classes.truck.wait_p95",
        "--kpi", "stations.truck_lanes.utilisation", "--replications", "2", "--out", str(out),
        "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "sweep.json", "sweep.csv", "timings.json", "sweep-classes-truck-wait_p95.png",
        "sweep-stations-truck_lanes-utilisation.png"}
    with (out / "sweep.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 * 2 * 2
    assert rows[0]["stations.truck_lanes.servers"] == "1"
    assert rows[0]["classes.truck.arrivals.rate"] == "0.2"


def test_sweep_bad_inputs_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    cases = [
        (["--set", "stations.truck_lane.servers=1:2:1"], "did you mean 'truck_lanes'"),
        (["--set", "stations.truck_lanes.servers=0"], "greater than or equal to 1"),
        (["--set", "stations.truck_lanes.servers"], "expected PATH=VALUES"),
        (["--set", "stations.truck_lanes.servers=1", "--kpi", "classes.truck.p95"],
         "no KPI 'p95'"),
    ]
    for arguments, message in cases:
        result = runner.invoke(app, ["sweep", str(MINI), *arguments, "--out",
                                     str(tmp_path / "x"), "--replications", "1"])
        assert result.exit_code == 2, result.output
        assert message in result.output and "Traceback" not in result.output
        assert not (tmp_path / "x").exists()


MOHAN = Path(__file__).parents[2] / "scenarios" / "railway_port" / "mohan_onboard.yaml"
POLICY_PORT = Path(__file__).parents[1] / "experiment" / "data" / "policy_port.yaml"


@pytest.mark.slow
def test_a_variant_that_drops_a_class_is_compared(runner: CliRunner, tmp_path: Path) -> None:
    # The onboard variant drops hall_passengers and adds onboard_passengers and their officers.
    out = tmp_path / "mohan"
    result = runner.invoke(app, ["compare", str(MOHAN), "--out", str(out), "--variants",
                                 "onboard", "--replications", "2", "--workers", "1",
                                 "--detail"])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    with (out / "comparison.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    for name in ("hall_passengers", "onboard_passengers", "onboard_officers"):
        assert name in result.output and f"<h3>{name}</h3>" in html
        assert {row["variant"] for row in rows if row["name"] == name} == {"baseline",
                                                                           "onboard"}
    gone = next(row for row in rows if row["name"] == "hall_passengers"
                and row["variant"] == "onboard")
    assert gone["mean"] == "" and gone["diff_mean"] == ""


@pytest.mark.slow
def test_a_policy_set_to_null_then_resume(runner: CliRunner, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # no_egates: {policies: {egates: null}}, the documented way to switch a policy off.
    from portsim.experiment.comparison import compare as run_comparison
    from portsim.report.outputs import prepare_output

    reference = tmp_path / "reference"
    arguments = ["compare", str(POLICY_PORT), "--replications", "3", "--workers", "1"]
    result = runner.invoke(app, [*arguments, "--out", str(reference)])
    assert result.exit_code == 0, result.output
    assert "not in no_egates" in (reference / "report.html").read_text(encoding="utf-8")
    # A run whose replications are all kept but whose outputs were never written (as when
    # compare used to crash on a station the variant lacks): --resume finishes it.
    out = tmp_path / "cmp"
    run_comparison(POLICY_PORT, replications=3,
                   store=prepare_output(out, force=False, resume=False))
    assert [p.name for p in out.iterdir()] == [".partial"]

    def replicate(*_: object) -> None:
        raise AssertionError("--resume reruns a kept replication")

    monkeypatch.setattr(executors, "replicate", replicate)
    result = runner.invoke(app, [*arguments, "--out", str(out), "--resume", "--no-plots"])
    assert result.exit_code == 0, result.output
    assert "egates" in result.output and not (out / ".partial").exists()
    for name in ("results.json", "comparison.csv"):
        assert (out / name).read_bytes() == (reference / name).read_bytes()


def test_compare_without_variants_points_to_run_and_study(runner: CliRunner,
                                                          tmp_path: Path) -> None:
    alone = tmp_path / "alone.yaml"
    text = MINI.read_text()
    alone.write_text(text[:text.index("variants:")])
    result = runner.invoke(app, ["compare", str(alone), "--out", str(tmp_path / "c"), *QUICK])
    assert result.exit_code == 2
    assert "no variants to compare" in result.output
    assert "portsim run" in result.output and "portsim study" in result.output
    assert not (tmp_path / "c").exists()


@pytest.mark.slow
def test_report_of_chosen_variants_names_only_them(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = compare(runner, out, "--variants", "truck_fast_lane")
    assert result.exit_code == 0, result.output
    report = (out / "report.html").read_text()
    assert "truck_fast_lane" in report and "extra_car_lane" not in report
    assert "extra_car_lane" not in (out / "comparison.csv").read_text()
