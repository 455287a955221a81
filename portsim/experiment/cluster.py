"""Replications on a Dask cluster: checking a scheduler's address before anything is created,
and running tasks there (optional dependency: portsim[dask]).

A replication's random streams depend only on (seed, replication index), so the cluster's
results are those of a local run, in whatever order its workers finish them.
"""

from __future__ import annotations

import contextlib
import re
import socket
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from portsim.engine.result import ReplicationResult
from portsim.errors import PortsimError, ReplicationError
from portsim.experiment.task import Task

#: Finished replications, each with its task, in the order they finish.
Finished = Iterator[tuple[Task, ReplicationResult]]


class SchedulerError(PortsimError):
    """The Dask scheduler cannot be used (not installed, or not reachable)."""


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


def run_on_cluster(tasks: Sequence[Task], scheduler: str,
                   replicate: Callable[..., ReplicationResult],
                   run_here: Callable[[Sequence[Task]], Finished]) -> Finished:
    """``(task, result)`` pairs from the Dask cluster at ``scheduler`` as its workers finish them
    (calling ``replicate``); traced tasks, whose files are written here, go to ``run_here``."""
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
        yield from run_here(local)
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
