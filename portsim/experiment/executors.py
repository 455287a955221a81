"""Where replications run: in this process, in a local process pool, or on a Dask cluster.

All three run the same function, :func:`replicate`, on the same tasks, and a replication's random
streams depend only on (seed, replication index), so the results never depend on where or in what
order tasks ran. :func:`execute` yields each result as soon as it is finished, which lets the
caller store it at once (so an interrupted run keeps its finished replications).
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from portsim import limits
from portsim.engine.fast import Engine
from portsim.engine.model import Model
from portsim.engine.result import ReplicationResult
from portsim.engine.simulation import EntityLimitExceeded, run_replication
from portsim.errors import PortsimError, ReplicationError
from portsim.experiment.cluster import run_on_cluster
from portsim.experiment.task import Task
from portsim.experiment.trace import TraceWriter


def default_workers() -> int:
    """The cores this process may use (honours CPU affinity, e.g. in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def replicate(model: Model, seed: int, replication: int,
              trace: str | None = None, engine: Engine = "auto") -> ReplicationResult:
    """Run one replication, optionally streaming its event log to ``trace``.

    The entity limit in force (``PORTSIM_MAX_ENTITIES``) stops a run that would outgrow the
    machine; the estimate made when the scenario loaded uses mean rates and cannot catch all.
    """
    max_entities = limits.current().max_entities
    try:
        if trace is None:
            return run_replication(model, seed=seed, replication=replication,
                                   max_entities=max_entities, engine=engine)
        with TraceWriter(trace) as writer:
            return run_replication(model, seed=seed, replication=replication, trace=writer,
                                   max_entities=max_entities, engine=engine)
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
        yield from run_on_cluster(tasks, scheduler, replicate, _serial)
    elif workers <= 1 or len(tasks) == 1:
        yield from _serial(tasks)
    else:
        yield from _pool(tasks, workers)


def _failure(task: Task, error: BaseException) -> Exception:
    if isinstance(error, PortsimError):
        return error  # already the user's own clear message (e.g. a limit); not a crash
    if isinstance(error, OSError):
        return error  # the machine refused (a full disk under --trace): not the replication's
    return ReplicationError(f"{task.describe()} failed: {type(error).__name__}: {error}")


def _serial(tasks: Sequence[Task]) -> Iterator[tuple[Task, ReplicationResult]]:
    for task in tasks:
        try:
            result = replicate(task.model, task.seed, task.replication, task.trace,
                               task.engine)
        except (PortsimError, OSError):  # the user's input, or the machine refused
            raise
        except Exception as error:
            raise _failure(task, error) from error
        yield task, result


# ----------------------------------------------------------------------------- process pool
# When a worker process dies (killed, out of memory) the pool fails every unfinished task at
# once. To name the replication that was running, each worker announces the tasks it starts
# on a queue; the started-but-unfinished ones are what the dead worker (or its peers) ran.

_started: Any = None
#: prctl(2) option: the signal a process receives when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1
#: How often a worker without prctl checks that its parent is alive, in seconds.
_PARENT_POLL = 1.0
#: Longest wait, in seconds, for the pool's manager thread once its workers are stopped.
_STOP_WAIT = 10.0
#: How often (seconds) the pool's loop looks for a Ctrl-C while it waits for results.
_POLL = 0.1


def _die_with_parent(parent: int | None) -> None:
    """Make this worker end when the process that started it ends, even by SIGKILL (which
    gives the parent no chance to stop its workers): otherwise a worker blocked on the task
    pipe lives for ever, holding its memory.

    ``parent`` is the pid that forked or spawned the worker, or None when a fork server did
    (which itself ends with the main process).
    """
    parent = os.getppid() if parent is None else parent
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before prctl took effect
                    os._exit(1)
                return
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            pass

    def watch() -> None:  # pragma: no cover - elsewhere than Linux
        while os.getppid() == parent:
            time.sleep(_PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="portsim-parent-watch", daemon=True).start()


def _init_worker(started: Any, parent: int | None) -> None:
    # A pool initializer can only leave its result in the worker's module state.
    global _started  # noqa: PLW0603
    _started = started
    # Ctrl-C reaches the whole process group: the parent handles it and stops the workers;
    # a worker interrupted on its own would print a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)


def _pool_replicate(number: int, model: Model, seed: int, replication: int,
                    trace: str | None, engine: Engine) -> ReplicationResult:
    if _started is not None:
        _started.put(number)
    return replicate(model, seed, replication, trace, engine)


class _KeptPool:
    """The process pool that :func:`one_pool` keeps open between batches of tasks."""

    def __init__(self) -> None:
        self.pool: ProcessPoolExecutor | None = None
        self.started: Any = None
        self.opened = 0
        """How many pools were started in the block (1 unless one broke)."""

    def open(self, workers: int) -> tuple[ProcessPoolExecutor, Any]:
        if self.pool is None:
            self.pool, self.started = _new_pool(workers)
            self.opened += 1
        return self.pool, self.started

    def stop(self) -> None:
        """After a failure or a Ctrl-C: the pool is stopped and the next batch opens another."""
        if self.pool is not None:
            _stop(self.pool)
        self.pool = self.started = None


_KEPT: contextvars.ContextVar[_KeptPool | None] = contextvars.ContextVar("portsim_kept_pool",
                                                                        default=None)


@contextlib.contextmanager
def one_pool(workers: int, scheduler: str | None = None) -> Iterator[_KeptPool | None]:
    """Within the block, every batch run on local workers shares one process pool, started at
    the first batch (of ``workers`` processes) and shut down when the block ends: a procedure
    that runs many small batches (a stage of KN++ or OCBA) pays for starting workers once.
    A block inside another uses the outer block's pool. Nothing changes on one worker or on
    Dask; the results never depend on it (a replication's
    streams depend only on its seed and index)."""
    outer = _KEPT.get()
    if workers <= 1 or scheduler is not None or outer is not None:
        yield outer if workers > 1 and scheduler is None else None
        return
    kept = _KeptPool()
    token = _KEPT.set(kept)
    try:
        yield kept
    finally:
        _KEPT.reset(token)
        if kept.pool is not None:
            kept.pool.shutdown(wait=True)
            kept.pool = kept.started = None


def _new_pool(workers: int) -> tuple[ProcessPoolExecutor, Any]:
    # A SimpleQueue writes synchronously (no feeder thread), so an announcement is not lost
    # when the worker dies right after making it.
    context = multiprocessing.get_context()
    started = context.SimpleQueue()
    parent = os.getpid() if context.get_start_method() in ("fork", "spawn") else None
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_init_worker, initargs=(started, parent))
    return pool, started


def _pool(tasks: Sequence[Task], workers: int) -> Iterator[tuple[Task, ReplicationResult]]:
    kept = _KEPT.get()
    if kept is not None:
        pool, started = kept.open(workers)
        _announced(started)  # an earlier batch's, all made before its tasks finished
    else:
        pool, started = _new_pool(min(workers, len(tasks)))
    futures: dict[Future[ReplicationResult], int] = {}
    completed = False
    try:
        with _interrupts_at_safe_points() as check:
            for number, task in enumerate(tasks):
                check()
                try:
                    future = pool.submit(_pool_replicate, number, task.model, task.seed,
                                         task.replication, task.trace, task.engine)
                except BrokenProcessPool:
                    # A worker died while tasks were still being handed out (a long batch on
                    # a busy machine): the tasks handed out fail with it, and _collect names
                    # what was running.
                    break
                futures[future] = number
            yield from _collect(tasks, futures, started, check)
            if len(futures) < len(tasks):
                raise ReplicationError("a worker process died (killed, or out of memory?) "
                                       "before every replication was handed out")
        completed = True
    finally:
        if kept is not None:
            if not completed:
                kept.stop()
        elif completed:
            pool.shutdown(wait=True)
        else:
            _stop(pool)


def _announced(started: Any) -> set[int]:
    """The task numbers workers have announced since the last call. Read as the pool works:
    a pipe holds some 64 KiB, and workers whose announcements nobody reads block on the
    next one (a batch of ~4,000 tasks on a fresh pool hung so)."""
    found = set()
    try:
        while not started.empty():
            found.add(started.get())
    except (OSError, EOFError):  # pragma: no cover - a pipe broken by a dying worker
        pass
    return found


@contextlib.contextmanager
def _interrupts_at_safe_points() -> Iterator[Callable[[], None]]:
    """Ctrl-C raised only where the pool's loop checks for it. Raised anywhere, it can land
    inside ``concurrent.futures.wait`` while that holds futures' locks: the locks stay held,
    and the pool's manager thread, cancelling those futures as the interpreter exits, waits
    for them for ever (a hang after "interrupted"). Only the main thread owns signals, and a
    handler other than Python's default (the caller's own) is left as it is."""
    main = threading.current_thread() is threading.main_thread()
    if not main or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield lambda: None
        return
    interrupted = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: interrupted.set())

    def check() -> None:
        if interrupted.is_set():
            raise KeyboardInterrupt

    try:
        yield check
    finally:
        signal.signal(signal.SIGINT, previous)


def _collect(tasks: Sequence[Task], futures: dict[Future[ReplicationResult], int],
             started: Any, check: Callable[[], None],
             ) -> Iterator[tuple[Task, ReplicationResult]]:
    """The pool's results as they finish; on a failure, those already running, then the
    failure. ``check`` raises a Ctrl-C received since its last call."""
    pending = set(futures)
    announced: set[int] = set()
    while pending:
        check()
        done, pending = wait(pending, timeout=_POLL, return_when=FIRST_COMPLETED)
        announced |= _announced(started)
        failed = [f for f in done if f.exception() is not None]
        for future in done:
            if future.exception() is None:
                yield tasks[futures[future]], future.result()
        if failed:
            if any(isinstance(f.exception(), BrokenProcessPool) for f in failed):
                # A worker died: every other task fails with the pool, and its manager thread
                # is marking them so. Cancelling them meanwhile races it: CPython 3.11's
                # terminate_broken then raises InvalidStateError on a cancelled future and
                # dies, leaving the rest unmarked, and wait() below hung for ever. Let it end.
                wait(pending, timeout=_STOP_WAIT)
                raise _pool_failure(tasks, futures, failed, announced | _announced(started))
            # Let the tasks already running finish (they are kept on disk), start no more.
            for future in pending:
                future.cancel()
            finished, _ = wait(pending)
            for future in finished:
                if not future.cancelled() and future.exception() is None:
                    yield tasks[futures[future]], future.result()
            raise _pool_failure(tasks, futures, failed, announced | _announced(started))


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop at once (Ctrl-C, a failure, the caller gave up): without this, interpreter exit
    waits for the workers to finish every task already handed to them."""
    # NOTE: private attributes: the pool's manager thread and result pipe, the only handles on
    # what interpreter exit would otherwise wait for.
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)
    processes = list((getattr(pool, "_processes", None) or {}).values())
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
    else:
        for process in processes:
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=_STOP_WAIT)
    # A worker stopped while sending a result leaves half a message in the result pipe, and
    # the manager thread waits for the rest for ever (interpreter exit then hangs joining it).
    # With the workers gone, closing this process's end of the pipe makes that read end.
    writer = getattr(results, "_writer", None)
    if writer is not None:
        writer.close()
    # Let the manager thread see the workers gone and close its pipes now: left running, it
    # races the interpreter's exit hook, which then writes to a closed pipe and prints
    # "Exception ignored in: <module 'threading'> ... OSError: [Errno 9] Bad file descriptor".
    if manager is not None and manager is not threading.current_thread():
        manager.join(timeout=_STOP_WAIT)


def _pool_failure(tasks: Sequence[Task], futures: dict[Future[ReplicationResult], int],
                  failed: list[Future[ReplicationResult]], announced: set[int]) -> Exception:
    ordered = sorted(failed, key=futures.__getitem__)
    first = ordered[0].exception()
    assert first is not None
    if not isinstance(first, BrokenProcessPool):
        error = _failure(tasks[futures[ordered[0]]], first)
        if error is not first:
            error.__cause__ = first
        return error
    succeeded = {number for future, number in futures.items()
                 if future.done() and not future.cancelled() and future.exception() is None}
    running = sorted(announced - succeeded) or sorted(futures[f] for f in failed)
    names = "; ".join(tasks[number].describe() for number in running)
    which = "it was running" if len(running) == 1 else "one of them was running"
    return ReplicationError(
        f"a worker process died (killed, or out of memory?); {which}: {names}")


# ----------------------------------------------------------------------------- dask
