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
import re
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from portsim import limits
from portsim.engine.fast import Engine
from portsim.engine.model import Model
from portsim.engine.result import ReplicationResult
from portsim.engine.simulation import EntityLimitExceeded, run_replication
from portsim.errors import PortsimError, ReplicationError
from portsim.experiment.trace import TraceWriter


@dataclass(frozen=True)
class Task:
    """One replication to run: which model (labelled for messages), seed and index."""

    label: str
    model: Model
    seed: int
    replication: int
    trace: str | None = None  # write this replication's event log to this file
    engine: Engine = "auto"  # which engine runs it (see portsim.engine.fast.choose_engine)

    def describe(self) -> str:
        return f"replication {self.replication} of {self.label} (seed {self.seed})"


class SchedulerError(PortsimError):
    """The Dask scheduler cannot be used (not installed, or not reachable)."""


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
        yield from _dask(tasks, scheduler)
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

#: Schemes of Dask addresses a scheduler in another process can be reached by.
SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
_ADDRESS = re.compile(r"^(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?"
                      r"(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):(?P<port>[0-9]{1,5})/?$")
#: Seconds to wait for a scheduler to answer, first on a plain socket, then as Dask.
_CONNECT_TIMEOUT = 10
#: Seconds to wait for a Dask scheduler's handshake once connected (it sends it at once).
_HANDSHAKE_TIMEOUT = 5
#: Largest handshake a Dask scheduler sends (a few hundred bytes of msgpack).
_LARGEST_HANDSHAKE = 1 << 20
#: Seconds to wait for the cluster while letting go of it (it may be gone).
_CLOSE_TIMEOUT = 5
EXAMPLE = "tcp://host:8786"


def check_scheduler(address: str) -> None:
    """Refuse at once a scheduler address that cannot work, and one nobody answers at; cheap,
    so a command checks it before it creates anything (such as ``DIR/.partial``).

    Raises :class:`SchedulerError`.
    """
    text = address.strip()
    if not text:
        raise SchedulerError(f"--scheduler is empty; give the scheduler's address, e.g. {EXAMPLE}")
    match = _ADDRESS.match(text)
    scheme = (match["scheme"] if match else text.partition("://")[0] if "://" in text
              else None) or "tcp"
    if scheme.lower() == "inproc":
        raise SchedulerError(
            f"cannot use the Dask scheduler at {address!r}: inproc:// addresses reach a "
            f"scheduler inside the same Python process; give a network address, e.g. {EXAMPLE}")
    if scheme.lower() not in SCHEMES:
        raise SchedulerError(f"cannot use the Dask scheduler at {address!r}: unknown scheme "
                             f"{scheme!r} (use one of {', '.join(SCHEMES)})")
    if match is None or not 0 < int(match["port"]) < 65536:
        raise SchedulerError(f"cannot use the Dask scheduler at {address!r}: not an address "
                             f"of the form [scheme://]host:port, e.g. {EXAMPLE}")
    if scheme.lower() in ("tls", "wss"):
        from distributed.security import Security

        if Security().get_connection_args("client").get("ssl_context") is None:
            raise SchedulerError(
                f"cannot use the Dask scheduler at {address}: {scheme}:// needs TLS "
                "certificates in Dask's configuration (distributed.comm.tls.ca-file, "
                ".client.cert and .client.key), and none are set")
    host = match["host"].strip("[]")
    fault = _host_fault(host)
    if fault:
        raise SchedulerError(f"cannot use the Dask scheduler at {address!r}: {fault}")
    if scheme.lower() != "ucx":
        _probe(address, host, int(match["port"]), plain=scheme.lower() == "tcp")


def _host_fault(host: str) -> str:
    """What makes ``host`` no host name or IP address ("" if nothing): the resolver refuses a
    label over 63 characters or a name over 253 with a UnicodeError, not an OSError."""
    if ":" in host:  # an IPv6 address, checked by the resolver
        return ""
    if len(host) > 253:
        return f"the host name has {len(host)} characters (at most 253)"
    longest = max(host.split("."), key=len)
    if len(longest) > 63:
        return (f"a part of the host name has {len(longest)} characters (at most 63 between "
                "dots)")
    return ""


def _probe(address: str, host: str, port: int, *, plain: bool) -> None:
    """Connect to the scheduler's port; on plain TCP, read the length of the handshake a Dask
    scheduler sends first: a server of another kind sends nothing (Dask would wait for it) or
    bytes that Dask would read as a message of exabytes."""
    try:
        with socket.create_connection((host, port), timeout=_CONNECT_TIMEOUT) as connection:
            if not plain:
                return
            connection.settimeout(_HANDSHAKE_TIMEOUT)
            head = b""
            while len(head) < 8:
                chunk = connection.recv(8 - len(head))
                if not chunk:
                    break
                head += chunk
    except TimeoutError:
        raise SchedulerError(
            f"cannot use the Dask scheduler at {address}: something listens there but sent "
            f"no Dask handshake within {_HANDSHAKE_TIMEOUT} s; is it a Dask scheduler?") from None
    except (OSError, UnicodeError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise SchedulerError(f"cannot reach the Dask scheduler at {address}: {reason}") \
            from None
    size = int.from_bytes(head, "little") if len(head) == 8 else 0
    if not 0 < size <= _LARGEST_HANDSHAKE:
        raise SchedulerError(
            f"cannot use the Dask scheduler at {address}: the server there does not answer as "
            "a Dask scheduler (its first bytes are no Dask handshake); check the address and "
            "port")


def _lost(task: Task, future: Any) -> PortsimError:
    """The error of a Dask task that did not finish: its own exception, or the cluster's."""
    try:
        failure = future.exception()
    except Exception as error:  # the scheduler is gone: even asking fails
        failure = None
        status = f"{type(error).__name__}: {error}".rstrip(": ")
    else:
        status = str(getattr(future, "status", "unknown"))
    if isinstance(failure, PortsimError):
        return failure
    if failure is not None:  # a worker machine's OSError too: the replication failed there
        found = ReplicationError(f"{task.describe()} failed: {type(failure).__name__}: "
                                 f"{failure}")
        found.__cause__ = failure
        return found
    return ReplicationError(
        f"{task.describe()} was lost: the Dask scheduler or its workers went away "
        f"(task {status})")


def _dask(tasks: Sequence[Task], scheduler: str) -> Iterator[tuple[Task, ReplicationResult]]:
    try:  # optional dependency: portsim[dask]
        from distributed import Client, as_completed
    except ImportError:
        raise SchedulerError("--scheduler needs Dask: pip install 'portsim[dask]'") from None
    check_scheduler(scheduler)
    try:
        client = Client(scheduler, timeout=f"{_CONNECT_TIMEOUT}s", set_as_default=False)
    except Exception as error:  # Dask raises what it likes (OSError, ValueError, Assertion...)
        reason = str(error) or type(error).__name__
        raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler}: {reason}") \
            from None
    run = uuid.uuid4().hex[:8]
    futures: dict[Any, Task] = {}
    task: Task | None = None
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
                                   task.replication, None, task.engine, key=key, pure=False)
            futures[future] = task
        task = None
        # A traced replication writes its file here, on this machine, while the cluster works.
        yield from _serial(local)
        for future in as_completed(list(futures), loop=client.loop):
            task = futures[future]
            if future.status != "finished":
                raise _lost(task, future)
            yield task, future.result()
    except (OSError, TimeoutError) as error:  # the connection to the cluster broke
        where = f" while running {task.describe()}" if task is not None else ""
        raise ReplicationError(f"the Dask scheduler at {scheduler} went away{where}: "
                               f"{error or type(error).__name__}") from error
    finally:
        # Nothing left running on the cluster for us; a cluster that is gone has nothing left.
        with contextlib.suppress(Exception):
            client.cancel(list(futures))
        client.close(timeout=_CLOSE_TIMEOUT)
