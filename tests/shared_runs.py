"""Expensive results computed once per test run and shared by every test that reads them.

``once(key, compute)`` returns ``compute()``, computed the first time any test asks for ``key``
and kept for the rest of the run. Under pytest-xdist the workers share it too: the first worker
to ask computes it while holding a lock, writes it (pickled) to a folder all workers see, and
every other worker that asks waits for the lock and reads it. So a validation scenario's
replications or a shipped comparison is simulated once per run, whichever worker and module
asks first — never once per worker.

Only put here what a test reads and never changes: every caller gets the same object (in one
process) or an equal copy (in another).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_memory: dict[str, Any] = {}
_folder: Path | None = None
"""Where workers exchange results: set by tests/conftest.py when pytest-xdist runs the tests."""


def share_between_workers(folder: Path | None) -> None:
    global _folder  # noqa: PLW0603 (one folder per test run, set once by the session fixture)
    _folder = folder


def once(key: str, compute: Callable[[], T]) -> T:
    """``compute()``, computed once per test run for ``key``."""
    if key in _memory:
        return _memory[key]
    if _folder is None:
        _memory[key] = compute()
        return _memory[key]
    stem = hashlib.sha256(key.encode()).hexdigest()[:24]
    stored = _folder / f"{stem}.pickle"
    with (_folder / f"{stem}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker computing it: wait for its result
        if stored.exists():
            value = pickle.loads(stored.read_bytes())
        else:
            value = compute()
            partial = stored.with_suffix(f".partial-{os.getpid()}")
            partial.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            partial.replace(stored)
    _memory[key] = value
    return value
