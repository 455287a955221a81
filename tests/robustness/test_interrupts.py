"""Interrupts and dying processes: the right message and exit code, no traceback, and no worker
process left behind.

Ctrl-C reaches the whole process group (the command and its pool workers); it must end in exit
code 130 and "interrupted", never followed by a worker's KeyboardInterrupt traceback or the
interpreter's "Exception ignored in: <module 'threading'> ... Bad file descriptor". A killed
worker ends the run with exit code 3. SIGKILL of the command itself gives it no chance to stop
its workers: they must end by themselves rather than wait on a pipe for ever.

The races are intermittent, so the signal is sent at a random moment of the run, several times;
set PORTSIM_STRESS=N to repeat each case N times (the default run keeps to a few).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from robustness_helpers import SMALL

from portsim.engine.model import Model
from portsim.experiment import executors
from portsim.scenario import compile_model, load_scenario

psutil = pytest.importorskip("psutil")
pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")

REPEAT = int(os.environ.get("PORTSIM_STRESS", "2"))
#: Replications of about 0.1 s each, far more than run before the signal even on an idle
#: machine (the signal ends the run, so the test does not wait for them): a run that is still
#: going when it is interrupted however fast or busy the machine is.
LONG = (SMALL.replace("horizon: 12h", "horizon: 5d")
        .replace("replications: 3", "replications: 5000").replace("servers: 2", "servers: 3")
        .replace("rate: 1/min", "rate: 2/min"))
#: A baseline of several seconds and a variant of a few milliseconds, one replication each: the
#: variant's worker is idle, blocked on the task pipe, while the baseline runs.
UNEVEN = (SMALL.replace("horizon: 12h", "horizon: 60d").replace("replications: 3",
                                                                 "replications: 1")
          .replace("servers: 2", "servers: 25").replace("rate: 1/min", "rate: 20/min")
          + "variants:\n  quiet:\n    classes: {pax: {arrivals: {kind: poisson, rate: 1/h}}}\n")
#: "Process ForkProcess-2:" heads a worker's traceback, even one cut short by its end.
BAD_SIGNS = ("Traceback", "Exception ignored", "Error:", "KeyboardInterrupt", "Process ")


def start(tmp_path: Path, name: str, command: str = "run", text: str = LONG,
          ) -> tuple[subprocess.Popen[str], list[object]]:
    """Start ``portsim COMMAND`` with two workers in its own process group; return it and its
    workers once both run."""
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(text, encoding="utf-8")
    extra = ["--no-plots"] if command == "compare" else []
    # The event engine: the runs' lengths above are its (the fast path would finish them
    # before the signal is sent).
    extra += ["--engine", "events"]
    # A suite started in the background by a shell without job control (`bash .ci/run &`)
    # inherits Ctrl-C ignored, and so would the command: Python then installs no handler of its
    # own and the command could not be interrupted. A handler of the test process's own
    # (Python's default) is reset to the system's default in the command, as from a terminal.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "portsim", command, str(scenario), "--out",
             str(tmp_path / name), "--workers", "2", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    deadline = time.monotonic() + 60
    children: list[object] = []
    while time.monotonic() < deadline and process.poll() is None:
        children = psutil.Process(process.pid).children(recursive=True)
        if len(children) >= 2:
            break
        time.sleep(0.05)
    if len(children) < 2:
        finish(process)
        pytest.fail("the pool never started")
    return process, children


def finish(process: subprocess.Popen[str], timeout: float = 60) -> str:
    """The command's stderr once it ends; a command still running after ``timeout`` seconds is
    killed with its whole process group, so that a hang fails this test and not the run."""
    try:
        return process.communicate(timeout=timeout)[1]
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"the command was still running {timeout:g} s later")


def survivors(children: list[object]) -> list[object]:
    """The children still running (zombies waiting for a reaper have ended)."""
    _, alive = psutil.wait_procs(children, timeout=10)
    left = []
    for child in alive:
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                left.append(child)
        except psutil.NoSuchProcess:
            continue
    for child in left:  # do not leak them into the rest of the test run
        child.kill()
    return left


@pytest.mark.parametrize("attempt", range(REPEAT))
def test_ctrl_c_to_the_process_group_ends_cleanly(tmp_path: Path, attempt: int) -> None:
    process, children = start(tmp_path, "out")
    time.sleep(random.Random(attempt).uniform(0.0, 1.5))  # at a random moment of the run
    os.killpg(process.pid, signal.SIGINT)
    stderr = finish(process)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    assert not any(sign in stderr for sign in BAD_SIGNS), stderr
    assert survivors(children) == []


@pytest.mark.parametrize("attempt", range(REPEAT))
def test_ctrl_c_reaching_an_idle_worker_ends_cleanly(tmp_path: Path, attempt: int) -> None:
    process, children = start(tmp_path, "out", "compare", UNEVEN)
    time.sleep(1.0)  # the quiet variant is done; its worker waits for a task
    os.killpg(process.pid, signal.SIGINT)
    stderr = finish(process)
    assert process.returncode == 130, stderr
    assert not any(sign in stderr for sign in BAD_SIGNS), stderr
    assert survivors(children) == []


def test_a_killed_worker_ends_the_run_cleanly(tmp_path: Path) -> None:
    for attempt in range(max(1, REPEAT // 2)):
        process, children = start(tmp_path, f"out{attempt}")
        time.sleep(random.Random(attempt).uniform(0.0, 1.0))
        children[0].kill()
        stderr = finish(process)
        assert process.returncode == 3, stderr
        assert "a worker process died" in stderr
        assert not any(sign in stderr for sign in BAD_SIGNS), stderr
        assert survivors(children) == []


def test_workers_die_with_a_killed_command(tmp_path: Path) -> None:
    process, children = start(tmp_path, "out")
    process.kill()  # SIGKILL: the command cannot stop its workers itself
    process.wait(timeout=10)
    assert survivors(children) == []
    finish(process, 10)  # the workers no longer hold its pipes open


def test_stopping_a_pool_waits_for_its_manager_thread() -> None:
    """The in-process half of the race: once a pool is stopped (Ctrl-C, a failure), no thread
    of it may be left to race the interpreter's exit."""
    model: Model = compile_model(load_scenario(
        __import__("yaml").safe_load(LONG.replace("5d", "2h"))))
    tasks = [executors.Task("long", model, 1, index) for index in range(8)]
    before = set(threading.enumerate())
    run = executors.execute(tasks, workers=2)
    next(run)
    run.close()  # what an exception in the consumer (KeyboardInterrupt) does
    left = [thread for thread in threading.enumerate() if thread not in before]
    assert [thread for thread in left if thread.is_alive()] == []
