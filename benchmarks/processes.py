"""Timing a child process as a user meets it: wall seconds, and CPU seconds from ``wait4``."""

from __future__ import annotations

import os
import resource
import subprocess
from collections.abc import Sequence
from pathlib import Path
from time import perf_counter

from benchmarks.summary import HERE

ROOT = HERE.parent
"""The repository's root: the commands run there, with it on ``PYTHONPATH``."""


def run_process(command: Sequence[str], root: Path = ROOT,
                accept: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """(wall, CPU) seconds of one child process run to its end in ``root`` (user + system time
    of the child); fails if it exits with a code not in ``accept``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = perf_counter()
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(root)})
    wall = perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode in accept, (f"{' '.join(command)} exited {done.returncode}:\n"
                                       f"{done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
