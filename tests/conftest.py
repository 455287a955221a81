"""Run-wide test plumbing.

Results shared between tests (tests/shared_runs.py) are exchanged through one folder per test
run when pytest-xdist spreads the tests over workers: the parent of every worker's base
temporary folder, which they all see.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

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
