"""The Dask path runs the same replications as the local pool and gives the same numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from exp_support import canonical

from portsim.experiment.comparison import Comparison, compare
from portsim.experiment.executors import SchedulerError, Task, execute
from portsim.experiment.store import PartialStore

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None, silence_logs=40) as cluster:
        yield cluster.scheduler_address


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


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(distributed, "Client", refuse)
    with pytest.raises(SchedulerError, match="cannot reach the Dask scheduler at tcp://x:1"):
        list(execute([Task("b", None, 0, 0)], scheduler="tcp://x:1"))  # type: ignore[arg-type]
