"""The Dask path runs the same replications as the local pool and gives the same numbers.

On two clusters: Dask's in-process ``LocalCluster``, and a real one started with Dask's own
``dask scheduler`` and ``dask worker`` commands on 127.0.0.1 (benchmarks/dask_cluster.py):
separate processes that import portsim themselves, as on a real cluster.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from exp_support import MINI, canonical
from typer.testing import CliRunner

from benchmarks.dask_cluster import dask_cluster
from portsim.cli.main import app
from portsim.experiment.cluster import SchedulerError
from portsim.experiment.comparison import Comparison, compare
from portsim.experiment.executors import Task, execute
from portsim.experiment.store import PartialStore

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module", params=["LocalCluster", "dask-commands"])
def scheduler(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    if request.param == "LocalCluster":
        with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                      dashboard_address=None, silence_logs=40) as cluster:
            yield cluster.scheduler_address
    else:
        with dask_cluster(2, tmp_path_factory.mktemp("dask-cluster")) as address:
            yield address


def test_results_json_on_the_cluster_is_byte_identical_to_a_local_run(scheduler,
                                                                      tmp_path: Path) -> None:
    runner = CliRunner()
    files = {}
    for where, option in (("local", ["--workers", "1"]), ("cluster", ["--scheduler", scheduler])):
        out = tmp_path / where
        result = runner.invoke(app, ["run", str(MINI), "--replications", "4", "--out", str(out),
                                     *option])
        assert result.exit_code == 0, result.output
        files[where] = (out / "results.json").read_bytes()
    assert files["cluster"] == files["local"]


def test_a_holiday_on_the_cluster_is_byte_identical_to_a_local_run(
        scheduler, tmp_path: Path) -> None:
    from test_holiday import CALENDAR, HALL

    (tmp_path / "hall.yaml").write_text(HALL, encoding="utf-8")
    (tmp_path / "calendar.yaml").write_text(CALENDAR, encoding="utf-8")
    files = {}
    for where, option in (("local", ["--workers", "1"]), ("cluster", ["--scheduler", scheduler])):
        out = tmp_path / where
        result = CliRunner().invoke(app, ["holiday", str(tmp_path / "calendar.yaml"),
                                          "--replications", "2", "--no-plots", "--out",
                                          str(out), *option])
        assert result.exit_code == 0, result.output
        files[where] = [(out / name).read_bytes() for name in ("results.json", "pledge.csv",
                                                               "daily.csv")]
    assert files["cluster"] == files["local"]


def test_dask_gives_the_local_pool_results(mini, comparison: Comparison, scheduler,
                                           tmp_path: Path) -> None:
    trace = tmp_path / "trace.csv"
    store = PartialStore(tmp_path / ".partial")
    on_cluster = compare(mini, replications=4, scheduler=scheduler, store=store,
                         trace=str(trace))
    assert canonical(on_cluster.to_dict()) == canonical(comparison.to_dict())
    assert len(list(store.folder.rglob("rep-*.json"))) == 12  # stored as they came back
    assert trace.read_text().startswith("time,entity,class,station,event\n")


def test_a_failing_task_on_dask_names_the_replication(mini, scheduler) -> None:
    from portsim.experiment.executors import ReplicationError
    from portsim.scenario import compile_model

    model = compile_model(mini)
    # A negative replication index is refused by numpy's SeedSequence inside the worker.
    with pytest.raises(ReplicationError, match=r"replication -1 of baseline \(seed 7\)"):
        list(execute([Task("baseline", model, 7, 0), Task("baseline", model, 7, -1)],
                     scheduler=scheduler))


@pytest.mark.slow
def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(distributed, "Client", refuse)
    with pytest.raises(SchedulerError, match="cannot reach the Dask scheduler at tcp://x:1"):
        list(execute([Task("b", None, 0, 0)], scheduler="tcp://x:1"))  # type: ignore[arg-type]
