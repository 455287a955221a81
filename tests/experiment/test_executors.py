"""Where replications run must not change what they give; failures name the replication."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest
from exp_support import canonical

from portsim.experiment import executors
from portsim.experiment.comparison import Comparison, compare
from portsim.experiment.executors import ReplicationError, Task, execute
from portsim.experiment.options import RunOptions
from portsim.experiment.runner import Job, run_jobs, simulate
from portsim.scenario import compile_model

fork_only = pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="patching the replication function reaches pool workers only when they are forked")


def test_worker_count_does_not_change_results(mini, comparison: Comparison) -> None:
    pooled = compare(mini, replications=4, workers=2)
    assert canonical(pooled.to_dict()) == canonical(comparison.to_dict())
    # Series and histograms (what the plots read) are identical too.
    for a, b in zip(pooled.all, comparison.all, strict=True):
        for x, y in zip(a.replications, b.replications, strict=True):
            assert (x.series, x.histograms, x.kpis.keys()) == (y.series, y.histograms,
                                                               y.kpis.keys())


def test_run_jobs_and_simulate_share_one_options_object(mini) -> None:
    model = compile_model(mini)
    job = Job("m", model, 7, 3)
    serial = run_jobs([job])["m"]
    pooled = run_jobs([job], RunOptions(workers=2))["m"]
    assert [r.replication for r in pooled] == [0, 1, 2]
    assert [r.kpis for r in pooled] == [r.kpis for r in serial]
    seen: list = []
    results = simulate(mini, replications=2, workers=1, progress=seen.append)
    assert len(seen) == 2 and results.horizon == 1440.0 and results.sla == 10.0
    # Keywords and an options object are the same thing; keywords win over the object's.
    again = simulate(mini, RunOptions(replications=5, workers=2), replications=2)
    assert [r.kpis for r in again.replications] == [r.kpis for r in results.replications]


@pytest.mark.parametrize("settings", [
    {"seed": -1}, {"seed": "x"}, {"seed": 1.5}, {"workers": 0}, {"workers": -3},
    {"replications": True}, {"replications": 0}])
def test_bad_run_options_are_refused_before_anything_runs(mini, settings) -> None:
    with pytest.raises(ValueError, match=next(iter(settings))):
        simulate(mini, **settings)


def test_unknown_run_option_is_a_type_error(mini) -> None:
    with pytest.raises(TypeError, match="warp"):
        simulate(mini, warp=9)  # type: ignore[call-arg]


def test_execute_yields_nothing_for_no_tasks() -> None:
    assert list(execute([], workers=4)) == []


def _failing_at(index: int, how: str):
    original = executors.replicate

    def replicate(model, seed, replication, trace=None, engine="auto"):
        if replication == index:
            if how == "exit":
                os._exit(17)  # a worker killed outright: no exception, no result
            raise RuntimeError("boom")
        return original(model, seed, replication, trace, engine)

    return replicate


def _tasks(mini, count):
    model = compile_model(mini)
    return [Task("baseline", model, 7, i) for i in range(count)]


def test_an_error_in_a_replication_names_it_and_its_seed(mini, monkeypatch) -> None:
    monkeypatch.setattr(executors, "replicate", _failing_at(1, "raise"))
    done = []
    with pytest.raises(ReplicationError,
                       match=r"replication 1 of baseline \(seed 7\) failed: RuntimeError: boom"):
        for task, _ in execute(_tasks(mini, 3), workers=1):
            done.append(task.replication)
    assert done == [0]  # what finished before the failure was handed out


@fork_only
def test_an_error_in_a_pool_worker_names_it(mini, monkeypatch) -> None:
    monkeypatch.setattr(executors, "replicate", _failing_at(2, "raise"))
    done = []
    with pytest.raises(ReplicationError, match=r"replication 2 of baseline \(seed 7\)"):
        for task, _ in execute(_tasks(mini, 4), workers=2):
            done.append(task.replication)
    assert 2 not in done


@fork_only
def test_a_killed_worker_is_reported_with_its_replication(mini, monkeypatch) -> None:
    monkeypatch.setattr(executors, "replicate", _failing_at(1, "exit"))
    with pytest.raises(ReplicationError) as caught:
        list(execute(_tasks(mini, 4), workers=2))
    message = str(caught.value)
    assert "worker process died" in message
    assert "replication 1 of baseline (seed 7)" in message


def test_one_pool_serves_every_batch_with_the_same_results(mini) -> None:
    def kpis(pairs: list) -> list[str]:  # NaN compares equal as text
        return [json.dumps(r.kpis, sort_keys=True)
                for _, r in sorted(pairs, key=lambda pair: pair[0].replication)]

    serial = kpis(list(execute(_tasks(mini, 4), workers=1)))
    with executors.one_pool(2) as kept:
        assert kept is not None
        first = list(execute(_tasks(mini, 4)[:2], workers=2))
        second = list(execute(_tasks(mini, 4)[2:], workers=2))
        with executors.one_pool(2) as inner:  # a block inside another uses the outer pool
            assert inner is kept
        assert kept.opened == 1
    assert kept.pool is None  # shut down with the block
    assert kpis([*first, *second]) == serial
    with executors.one_pool(1) as none, executors.one_pool(4, "tcp://host:8786") as dask:
        assert none is None and dask is None  # one worker or Dask: nothing to keep


@fork_only
def test_a_kept_pool_that_failed_is_replaced_at_the_next_batch(mini, monkeypatch) -> None:
    monkeypatch.setattr(executors, "replicate", _failing_at(1, "exit"))
    with executors.one_pool(2) as kept:
        assert kept is not None
        with pytest.raises(ReplicationError, match="worker process died"):
            list(execute(_tasks(mini, 3), workers=2))
        assert kept.pool is None
        monkeypatch.setattr(executors, "replicate", _failing_at(-1, "exit"))
        tasks = _tasks(mini, 3)
        done = sorted(task.replication for task, _ in execute([tasks[0], tasks[2]], workers=2))
        assert done == [0, 2]
        assert kept.opened == 2


MANY = """
import sys
sys.path.insert(0, {here!r})
from exp_support import MINI
from portsim.experiment import executors
from portsim.scenario import compile_model, load_scenario
executors.replicate = lambda model, seed, replication, trace=None, engine="auto": replication
model = compile_model(load_scenario(MINI))
tasks = [executors.Task("b", model, 7, i) for i in range(9000)]
print(sum(1 for _ in executors.execute(tasks, workers=2)))
"""


@fork_only
def test_a_batch_of_thousands_of_tasks_does_not_hang_on_the_workers_announcements() -> None:
    """Each worker announces the task it starts on a pipe of some 64 KiB; unread until a
    failure, it filled after ~3,600 tasks and every worker blocked (9,000 hung for ever)."""
    import subprocess
    import sys
    from pathlib import Path

    code = MANY.format(here=str(Path(__file__).parent))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "9000"


@fork_only
def test_a_worker_dying_while_tasks_are_handed_out_is_reported(mini, monkeypatch) -> None:
    """Killed while the main process still submits (a long batch on a busy machine), the pool
    refuses the next task: that is the worker's death, not a crash of the command."""
    from concurrent.futures.process import BrokenProcessPool

    monkeypatch.setattr(executors, "replicate", _failing_at(0, "exit"))
    new_pool = executors._new_pool

    def breaking(workers: int):  # type: ignore[no-untyped-def]
        pool, started = new_pool(workers)
        submit, handed = pool.submit, []

        def submitting(*arguments):  # type: ignore[no-untyped-def]
            handed.append(arguments)
            if len(handed) > 2:
                raise BrokenProcessPool("A child process terminated abruptly")
            return submit(*arguments)

        pool.submit = submitting  # type: ignore[method-assign]
        return pool, started

    monkeypatch.setattr(executors, "_new_pool", breaking)
    with pytest.raises(ReplicationError, match="worker process died"):
        list(execute(_tasks(mini, 6), workers=2))


def test_a_broken_pool_leaves_its_futures_to_the_pool(mini, monkeypatch) -> None:
    """When a worker dies, the pool's manager thread marks every unfinished task failed; a
    future cancelled meanwhile made CPython 3.11's manager thread die of InvalidStateError,
    and the run hung waiting for the rest (PORTSIM_STRESS=4: 1 run in 4)."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    class Quiet:
        def empty(self) -> bool:
            return True

    monkeypatch.setattr(executors, "_STOP_WAIT", 0.1)
    dead, unfinished = Future(), Future()
    dead.set_exception(BrokenProcessPool("A child process terminated abruptly"))
    tasks = _tasks(mini, 2)
    with pytest.raises(ReplicationError, match="worker process died"):
        list(executors._collect(tasks, {dead: 0, unfinished: 1}, Quiet(), lambda: None))
    assert not unfinished.cancelled()
