"""Shared fixtures: each shipped validation scenario is simulated once per test session.

The theory checks, Little's law, flow conservation and the Ciw cross-check all read the same
runs, so the expensive part (about 16 million station visits) is paid once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from validation_targets import scenario_path

import portsim
from portsim.experiment.results import Results

# The suite is sized for two cores; results do not depend on the number of workers.
WORKERS = 2

_runs: dict[str, Results] = {}
_seconds: dict[str, float] = {}


def run_validation_scenario(name: str) -> Results:
    """The shipped scenario ``name`` with its own replications and seed (cached)."""
    if name not in _runs:
        started = time.perf_counter()
        _runs[name] = portsim.simulate(scenario_path(name), workers=WORKERS)
        _seconds[name] = time.perf_counter() - started
    return _runs[name]


@pytest.fixture(scope="session")
def validation_run() -> Callable[[str], Results]:
    return run_validation_scenario


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _seconds:
        terminalreporter.section("validation scenario runtimes (wall, 2 workers)")
        for name, seconds in _seconds.items():
            terminalreporter.write_line(f"{name:20s} {seconds:6.1f} s")
