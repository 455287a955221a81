"""A real Dask cluster on the loopback interface, started with Dask's own commands.

``dask scheduler`` and ``dask worker`` run as separate processes, as on a real cluster: the
workers import portsim themselves (``PYTHONPATH`` names this checkout), models and results
cross the network as pickles. Used by the Dask tests (tests/experiment/test_dask.py) and the
cluster benchmark (benchmarks/test_cluster.py).

The scheduler binds a free port of its own choosing (``--port 0``) and writes its address to a
scheduler file, so two clusters never race for a port. Tear-down is reliable: each process runs
in its own session and its whole process group (the worker's nanny and the worker) is stopped,
killed if it does not end in time; and should this process itself be killed, the workers end
with their scheduler (``--death-timeout``) and the scheduler ends when idle (``--idle-timeout``).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Seconds to wait for the scheduler file and the workers to connect.
START_TIMEOUT = 60.0
#: Seconds a process has to end after SIGTERM before it is killed.
STOP_TIMEOUT = 10.0


def _start(arguments: list[str], log: Path) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with log.open("wb") as stream:
        return subprocess.Popen([sys.executable, "-m", "dask", *arguments], cwd=ROOT,
                                env=environment, stdout=stream, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every process group, then SIGKILL what is still there after STOP_TIMEOUT."""
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        # Killed even when the leader has ended: a nanny's worker may outlive it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _tail(log: Path) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-20:])
    except OSError:
        return ""


@contextlib.contextmanager
def dask_cluster(workers: int, folder: Path, threads: int = 1) -> Iterator[str]:
    """Start a scheduler and ``workers`` single-process workers of ``threads`` threads each on
    127.0.0.1; yield the scheduler's address once every worker has joined; stop them all."""
    from distributed import Client

    folder.mkdir(parents=True, exist_ok=True)
    address_file = folder / "scheduler.json"
    processes = [_start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                         "--scheduler-file", str(address_file), "--idle-timeout", "600s"],
                        folder / "scheduler.log")]
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not address_file.is_file() or not address_file.read_text().strip():
            if processes[0].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dask scheduler did not start:\n"
                                   f"{_tail(folder / 'scheduler.log')}")
            time.sleep(0.1)
        address = json.loads(address_file.read_text())["address"]
        for number in range(workers):
            processes.append(_start(
                ["worker", address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads",
                 str(threads), "--no-dashboard", "--death-timeout", "60s",
                 "--local-directory", str(folder / f"worker-{number}"),
                 "--name", f"worker-{number}"], folder / f"worker-{number}.log"))
        with Client(address, timeout=f"{START_TIMEOUT}s", set_as_default=False) as client:
            try:
                client.wait_for_workers(workers, timeout=START_TIMEOUT)
            except TimeoutError:
                logs = "\n".join(_tail(folder / f"worker-{n}.log") for n in range(workers))
                raise RuntimeError(f"dask workers did not join:\n{logs}") from None
        yield address
    finally:
        _stop(processes)
