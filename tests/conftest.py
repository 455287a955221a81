"""Run-wide test plumbing.

Results shared between tests (tests/shared_runs.py) are exchanged through one folder per test
run when pytest-xdist spreads the tests over workers: the parent of every worker's base
temporary folder, which they all see.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

# pytest-xdist's workers get COLUMNS=80, which portsim's console honours (a user's COLUMNS sets
# the width of tables written to a pipe); tests read portsim's own default width for pipes,
# whether or not they run on workers. Tests of other widths set COLUMNS for a subprocess.
os.environ.pop("COLUMNS", None)

import pytest
import shared_runs


@pytest.fixture(scope="session", autouse=True)
def shared_results_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        yield
        return
    folder = tmp_path_factory.getbasetemp().parent / "shared-runs"
    folder.mkdir(exist_ok=True)
    shared_runs.share_between_workers(folder)
    yield
    shared_runs.share_between_workers(None)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker more than there are cores. A worker often waits rather than
    computes (for a subprocess, a browser, a Dask cluster, or a run another worker is
    computing for both), and the spare worker fills that time."""
    return (os.cpu_count() or 1) + 1
