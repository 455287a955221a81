"""Studies (``portsim study``): several ports run together, pooled into national pledge KPIs.

A small study of two copies of the mini port checks the pooling against the per-class counts
(conservation), the bad inputs of a study file (exit 2, one message naming file, field and
line), the outputs, and that a real Dask cluster gives the local run's files byte for byte. The
shipped national study loads, and runs on a short horizon.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from exp_support import MINI, bad_file_refused
from typer.testing import CliRunner

from benchmarks.dask_cluster import dask_cluster
from portsim.cli.main import app
from portsim.errors import ScenarioError
from portsim.experiment.study import KPIS, NATIONAL, StudyResults, run_study
from portsim.report.kpis import IMPRECISE, IMPRECISE_NOTE
from portsim.scenario.study import load_study

NATIONAL_STUDY = Path(__file__).parents[2] / "scenarios" / "national_peak_day.yaml"
STUDY = """\
name: Two mini ports
replications: 3
standard: 10min
ports:
  - name: North
    kind: land
    file: mini_port.yaml
    copies: 2
    travellers: [car]
  - name: South
    kind: land
    file: mini_port.yaml
    variant: extra_car_lane
    seed: 50
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("study")
    shutil.copy(MINI, here / "mini_port.yaml")
    (here / "study.yaml").write_text(STUDY, encoding="utf-8")
    return here


@pytest.fixture(scope="module")
def results(folder: Path) -> StudyResults:
    return run_study(load_study(folder / "study.yaml"))


def counted(result, classes) -> float:  # type: ignore[no-untyped-def]
    return sum(result.kpis["classes"][name]["completions"]
               + result.kpis["classes"][name]["waiting_end"] for name in classes)


def test_the_national_figures_pool_every_port_s_crossings(results: StudyResults) -> None:
    north, south = results.ports
    assert list(north.copies) == ["North #1", "North #2"] and list(south.copies) == ["South"]
    assert [copy.seed for copy in north.copies.values()] == [7, 8]  # the file's seed, + 1
    assert south.port.travellers == ("car", "truck")  # every class by default
    for index in range(results.replications):
        runs = [(copy.replications[index], port.port.travellers)
                for port in results.ports for copy in port.copies.values()]
        crossings = sum(counted(run, classes) for run, classes in runs)
        within = sum(run.kpis["classes"][name]["wait_sla_share"] * counted(run, [name])
                     for run, classes in runs for name in classes)
        left = sum(run.kpis["classes"][name]["completions"] for run, classes in runs
                   for name in classes)
        waits = sum(run.kpis["classes"][name]["wait_mean"]
                    * run.kpis["classes"][name]["completions"]
                    for run, classes in runs for name in classes)
        assert results.national["crossings"][index] == crossings
        assert crossings == sum(port.values["crossings"][index] for port in results.ports)
        assert results.national["within_share"][index] == pytest.approx(within / crossings)
        assert results.national["wait_mean"][index] == pytest.approx(waits / left)
        assert results.national["throughput_per_hour"][index] == pytest.approx(sum(
            port.values["throughput_per_hour"][index] for port in results.ports))


def test_one_class_of_one_copy_gives_the_class_s_own_kpis(folder: Path) -> None:
    text = STUDY.split("  - name: South", maxsplit=1)[0].replace("copies: 2", "copies: 1")
    (folder / "one.yaml").write_text(text, encoding="utf-8")
    single = run_study(load_study(folder / "one.yaml"))
    (port,) = single.ports
    (copy,) = port.copies.values()
    for index, run in enumerate(copy.replications):
        car = run.kpis["classes"]["car"]
        assert port.values["wait_mean"][index] == pytest.approx(car["wait_mean"])
        assert port.values["within_share"][index] == pytest.approx(car["wait_sla_share"])
        if car["waiting_end"] == 0:  # the percentile is read from the same histogram
            assert port.values["wait_p95"][index] == car["wait_p95"]
    assert single.national == port.values


def test_those_still_queueing_rank_above_every_wait_that_ended() -> None:
    from portsim.engine.result import Histogram
    from portsim.experiment.study import Pool
    from portsim.stats.accumulators import bin_edges

    edges = bin_edges()
    ten = int(np.searchsorted(edges, 10.0)) - 1  # the bin holding a 10-minute wait
    waits = Histogram(zeros=90, bins=[ten], counts=[10], max=10.0)
    pool = Pool()
    pool.add_class({"completions": 100, "waiting_end": 0, "wait_sla_share": 1.0,
                    "wait_mean": 1.0, "throughput_per_hour": 4.0}, waits)
    assert pool.p95() == pytest.approx(10.0, rel=0.01)  # 5 of the 10 waits of 10 min lie above
    pool.add_class({"completions": 0, "waiting_end": 20, "wait_sla_share": 0.0,
                    "wait_mean": math.nan, "throughput_per_hour": 0.0},
                   Histogram(zeros=0, bins=[], counts=[], max=0.0))
    # 120 counted: the top 6 are among the 20 still queueing, whose waits are unknown.
    assert pool.p95() == 10.0
    kpis = pool.kpis()
    assert kpis["crossings"] == 120 and kpis["within_share"] == pytest.approx(100 / 120)
    assert kpis["wait_mean"] == 1.0 and kpis["waiting_end"] == 20


def test_outputs_and_a_two_replication_study_warns(folder: Path, tmp_path: Path) -> None:
    """The files a study writes. Issue 22: ``study --replications 2`` printed Pudong 98.9 ±
    13.6 % and a ferry p95 of 35 ± 216 min with no warning; now a warning in the terminal and
    report.md, † on figures too imprecise to read, every interval within its physical range."""
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["study", str(folder / "study.yaml"), "--out", str(out),
                                      "--workers", "1", "--replications", "2"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    few = "only 2 replications: intervals from fewer than 5 rest on too rough a spread to act on"
    assert few in said and "(--replications N)" in said
    assert IMPRECISE in result.output and IMPRECISE_NOTE in said
    assert "national" in result.output and "% ≤ 10 min" in result.output
    document = json.loads((out / "study.json").read_text())
    assert document["format"] == "portsim-study/1" and document["replications"] == 2
    assert set(document["ports"]) == {"North", "South"}
    assert document["ports"]["North"]["seeds"] == [7, 8]
    assert set(document["national"]) == set(KPIS)
    assert len(document["national"]["crossings"]["values"]) == 2
    rows = (out / "study.csv").read_text().splitlines()
    assert rows[0] == "port,kind,kpi,mean,ci_low,ci_high,half_width,n"
    assert len(rows) == 1 + 3 * len(KPIS)
    assert any(row.startswith(f"{NATIONAL},all,within_share,") for row in rows)
    ports = sorted(path.parent.name for path in (out / "ports").glob("*/results.json"))
    assert len(ports) == 3 and ports[0].startswith("North__1")
    report = (out / "report.md").read_text()
    assert "![within_standard.png](within_standard.png)" in report
    assert (out / "within_standard.png").stat().st_size > 0
    assert f"**Warning:** {few}" in report and "physical range" in report
    intervals = [row.split(",") for row in rows[1:]]
    assert all(float(low) >= 0.0 for _, _, _, _, low, *_ in intervals)
    shares = [high for _, _, kpi, _, _, high, *_ in intervals if kpi == "within_share"]
    assert shares and all(float(high) <= 1.0 for high in shares)


@pytest.mark.slow
def test_a_study_of_five_replications_is_not_warned(folder: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["study", str(folder / "study.yaml"), "--out",
                                      str(tmp_path / "out"), "--workers", "1",
                                      "--replications", "5"])
    assert result.exit_code == 0, result.output
    assert "fewer than 5" not in result.output


BAD = [
    ("missing port file", ("file: mini_port.yaml\n    copies: 2",
                           "file: nowhere.yaml\n    copies: 2"),
     7, "ports.0.file", "port file 'nowhere.yaml' not found"),
    ("unknown variant", ("variant: extra_car_lane", "variant: extra_car_lanes"),
     13, "ports.1.variant", "has no variant 'extra_car_lanes'; did you mean 'extra_car_lane'?"),
    ("duplicate port name", ("name: South", "name: North"),
     10, "ports.1.name", "port 'North' is named twice"),
    ("bad field", ("copies: 2", "copies: two"),
     8, "ports.0.copies", "valid integer (got 'two')"),
    ("unknown key", ("    seed: 50", "    sed: 50"),
     14, "ports.1.sed", "unknown key 'sed'; did you mean 'seed'?"),
    ("unknown class", ("travellers: [car]", "travellers: [car, bus]"),
     9, "ports.0.travellers.1", "has no class 'bus'"),
    ("another standard", ("standard: 10min", "standard: 30min"),  # both ports: two lines
     7, "ports.0.file", "measures waits against 10 min (sla), the study against 30 min"),
]


@pytest.mark.parametrize(("change", "line", "field", "message"),
                         [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_a_bad_study_file_is_one_message_and_exit_2(folder: Path, tmp_path: Path,
                                                    change: tuple[str, str], line: int,
                                                    field: str, message: str) -> None:
    shutil.copy(folder / "mini_port.yaml", tmp_path / "mini_port.yaml")
    study = tmp_path / "study.yaml"
    assert change[0] in STUDY
    study.write_text(STUDY.replace(change[0], change[1], 1), encoding="utf-8")
    bad_file_refused("study", study, tmp_path / "out", line=line, field=field,
                     message=message, messages=2 if "standard" in change[0] else 1)


def test_a_bad_port_file_is_named_as_itself(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "mini_port.yaml").write_text(
        MINI.read_text().replace("servers: 2\n", "servers: two\n", 1), encoding="utf-8")
    (tmp_path / "study.yaml").write_text(STUDY, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"mini_port.yaml:\d+: stations.truck_lanes.servers"):
        load_study(tmp_path / "study.yaml")


def test_the_shipped_national_study_loads_and_runs_a_short_day() -> None:
    study = load_study(NATIONAL_STUDY)
    kinds = {port.entry.kind for port in study.ports}
    assert kinds == {"airport", "land", "water", "railway"}
    # Three hours after one of warm-up (the small hours): every port, cheaply.
    short = dataclasses.replace(study, ports=tuple(
        dataclasses.replace(port, model=dataclasses.replace(port.model, horizon=240.0,
                                                            warmup=60.0))
        for port in study.ports))
    results = run_study(short)
    assert results.replications == study.document.replications
    assert all(value > 0 for value in results.national["crossings"])
    assert results.national["crossings"] == list(np.sum(
        [port.values["crossings"] for port in results.ports], axis=0))
    assert all(0.0 <= share <= 1.0 for share in results.national["within_share"])
    assert all(math.isfinite(value) for value in results.national["wait_p95"])


distributed = pytest.importorskip("distributed")


@pytest.mark.slow
def test_a_study_on_a_dask_cluster_writes_the_local_run_s_files(folder: Path,
                                                                 tmp_path: Path) -> None:
    """Two ports × two replications on a cluster of Dask's own ``dask scheduler`` and
    ``dask worker`` processes: study.json and every port's results.json byte-identical."""
    runner = CliRunner()
    with dask_cluster(2, tmp_path / "dask") as address:
        for where, option in (("local", ["--workers", "1"]), ("cluster", ["--scheduler", address])):
            result = runner.invoke(app, ["study", str(folder / "study.yaml"), "--replications",
                                         "2", "--no-plots", "--out", str(tmp_path / where),
                                         *option])
            assert result.exit_code == 0, result.output
    local, cluster = tmp_path / "local", tmp_path / "cluster"
    names = sorted(path.relative_to(local) for path in local.rglob("*.json")
                   if path.name != "timings.json")
    assert len(names) == 1 + 3  # study.json and the three copies' results.json
    assert names == sorted(path.relative_to(cluster) for path in cluster.rglob("*.json")
                           if path.name != "timings.json")
    for name in names:
        assert (cluster / name).read_bytes() == (local / name).read_bytes(), name
