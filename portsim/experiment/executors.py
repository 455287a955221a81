"""Where replications run: in this process, in a local process pool, or on a Dask cluster.

All three run the same function, :func:`replicate`, on the same tasks, and a replication's random
streams depend only on (seed, replication index), so the results never depend on where or in what
order tasks ran. :func:`execute` yields each result as soon as it is finished, which lets the
caller store it at once (so an interrupted run keeps its finished replications).
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from portsim import limits
from portsim.engine.model import Model
from portsim.engine.simulation import EntityLimitExceeded, ReplicationResult, run_replication
from portsim.errors import PortsimError
from portsim.experiment.trace import TraceWriter


@dataclass(frozen=True)
class Task:
    """One replication to run: which model (labelled for messages), seed and index."""

    label: str
    model: Model
    seed: int
    replication: int
    trace: str | None = None  # write this replication's event log to this file

    def describe(self) -> str:
        return f"replication {self.replication} of {self.label} (seed {self.seed})"


class ReplicationError(PortsimError):
    """A replication failed (an error in the model run, or its worker process died)."""


class SchedulerError(PortsimError):
    """The Dask scheduler cannot be used (not installed, or not reachable)."""


def default_workers() -> int:
    """The cores this process may use (honours CPU affinity, e.g. in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def replicate(model: Model, seed: int, replication: int,
              trace: str | None = None) -> ReplicationResult:
    """Run one replication, optionally streaming its event log to ``trace``.

    The entity limit in force (``PORTSIM_MAX_ENTITIES``) stops a run that would outgrow the
    machine; the estimate made when the scenario loaded uses mean rates and cannot catch all.
    """
    max_entities = limits.current().max_entities
    try:
        if trace is None:
            return run_replication(model, seed=seed, replication=replication,
                                   max_entities=max_entities)
        with TraceWriter(trace) as writer:
            return run_replication(model, seed=seed, replication=replication, trace=writer,
                                   max_entities=max_entities)
    except EntityLimitExceeded as error:
        raise EntityLimitExceeded(
            f"replication {replication} (seed {seed}): {error}; the limit is set by "
            f"{limits.ENVIRONMENT['max_entities']} (raise it to run this scenario)") from None


def execute(tasks: Sequence[Task], *, workers: int = 1,
            scheduler: str | None = None) -> Iterator[tuple[Task, ReplicationResult]]:
    """Run ``tasks`` and yield ``(task, result)`` pairs as they finish (in no fixed order).

    ``scheduler`` (a Dask scheduler address) takes precedence over ``workers``. A failed task
    raises :class:`ReplicationError` naming its replication and seed, after yielding whatever
    else had already finished.
    """
    if not tasks:
        return
    if scheduler is not None:
        yield from _dask(tasks, scheduler)
    elif workers <= 1 or len(tasks) == 1:
        yield from _serial(tasks)
    else:
        yield from _pool(tasks, min(workers, len(tasks)))


def _failure(task: Task, error: BaseException) -> PortsimError:
    if isinstance(error, PortsimError):
        return error  # already the user's own clear message (e.g. a limit); not a crash
    return ReplicationError(f"{task.describe()} failed: {type(error).__name__}: {error}")


def _serial(tasks: Sequence[Task]) -> Iterator[tuple[Task, ReplicationResult]]:
    for task in tasks:
        try:
            result = replicate(task.model, task.seed, task.replication, task.trace)
        except PortsimError:
            raise
        except Exception as error:
            raise _failure(task, error) from error
        yield task, result


# ----------------------------------------------------------------------------- process pool
# When a worker process dies (killed, out of memory) the pool fails every unfinished task at
# once. To name the replication that was running, each worker announces the tasks it starts
# on a queue; the started-but-unfinished ones are what the dead worker (or its peers) ran.

_started: Any = None


def _init_worker(started: Any) -> None:
    global _started
    _started = started


def _pool_replicate(number: int, model: Model, seed: int, replication: int,
                    trace: str | None) -> ReplicationResult:
    if _started is not None:
        _started.put(number)
    return replicate(model, seed, replication, trace)


def _pool(tasks: Sequence[Task], workers: int) -> Iterator[tuple[Task, ReplicationResult]]:
    # A SimpleQueue writes synchronously (no feeder thread), so an announcement is not lost
    # when the worker dies right after making it.
    started = multiprocessing.get_context().SimpleQueue()
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                               initargs=(started,))
    futures: dict[Future[ReplicationResult], int] = {}
    completed = False
    try:
        for number, task in enumerate(tasks):
            future = pool.submit(_pool_replicate, number, task.model, task.seed,
                                 task.replication, task.trace)
            futures[future] = number
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            failed = [f for f in done if f.exception() is not None]
            for future in done:
                if future.exception() is None:
                    yield tasks[futures[future]], future.result()
            if failed:
                # Let the tasks already running finish (they are kept on disk), start no more.
                for future in pending:
                    future.cancel()
                finished, _ = wait(pending)
                for future in finished:
                    if not future.cancelled() and future.exception() is None:
                        yield tasks[futures[future]], future.result()
                raise _pool_failure(tasks, futures, failed, started)
        completed = True
    finally:
        if completed:
            pool.shutdown(wait=True)
        else:
            _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop at once (Ctrl-C, a failure, the caller gave up): without this, interpreter exit
    waits for the workers to finish every task already handed to them."""
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
        return
    # NOTE: private attribute, the only handle on the workers before Python 3.14.
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _pool_failure(tasks: Sequence[Task], futures: dict[Future[ReplicationResult], int],
                  failed: list[Future[ReplicationResult]], started: Any) -> PortsimError:
    ordered = sorted(failed, key=futures.__getitem__)
    first = ordered[0].exception()
    assert first is not None
    if not isinstance(first, BrokenProcessPool):
        error = _failure(tasks[futures[ordered[0]]], first)
        error.__cause__ = first
        return error
    announced = set()
    try:
        while not started.empty():
            announced.add(started.get())
    except (OSError, EOFError):  # pragma: no cover - a pipe broken by the dying worker
        pass
    succeeded = {number for future, number in futures.items()
                 if future.done() and not future.cancelled() and future.exception() is None}
    running = sorted(announced - succeeded) or sorted(futures[f] for f in failed)
    names = "; ".join(tasks[number].describe() for number in running)
    which = "it was running" if len(running) == 1 else "one of them was running"
    return ReplicationError(
        f"a worker process died (killed, or out of memory?); {which}: {names}")


# ----------------------------------------------------------------------------- dask


def _dask(tasks: Sequence[Task], scheduler: str) -> Iterator[tuple[Task, ReplicationResult]]:
    try:  # optional dependency: portsim[dask]
        from distributed import Client, as_completed
    except ImportError:
        raise SchedulerError("--scheduler needs Dask: pip install 'portsim[dask]'") from None
    try:
        client = Client(scheduler, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    run = uuid.uuid4().hex[:8]
    futures: dict[Any, Task] = {}
    try:
        # Ship each model to the cluster once, not once per task.
        shipped: dict[int, Any] = {}
        local = [task for task in tasks if task.trace is not None]
        for task in tasks:
            if task.trace is not None:
                continue
            if id(task.model) not in shipped:
                shipped[id(task.model)] = client.scatter(task.model, hash=False)
            key = f"portsim-{run}-{len(futures)}-rep{task.replication}"
            future = client.submit(replicate, shipped[id(task.model)], task.seed,
                                   task.replication, None, key=key, pure=False)
            futures[future] = task
        # A traced replication writes its file here, on this machine, while the cluster works.
        yield from _serial(local)
        for future in as_completed(list(futures), loop=client.loop):
            task = futures[future]
            if future.status != "finished":
                failure = future.exception()
                raise _failure(task, failure) from failure
            yield task, future.result()
    finally:
        client.cancel(list(futures))  # nothing left running on the cluster for us
        client.close()
