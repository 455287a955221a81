"""Shared fixtures: each shipped validation scenario is simulated once per test run and engine.

The theory checks, Little's law, flow conservation and the Ciw cross-check all read the same
runs, so the expensive part (about 16 million station visits) is paid once per engine: the
event engine, and the FIFO fast path for the scenarios it can run (the others are skipped).
Under pytest-xdist the workers share the runs too (tests/shared_runs.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from shared_runs import once
from validation_targets import scenario_path

import portsim
from portsim.experiment.results import Results

# The suite is sized for two cores; results do not depend on the number of workers.
WORKERS = 2

_seconds: dict[str, float] = {}


def run_validation_scenario(name: str, engine: str = "events") -> Results:
    """The shipped scenario ``name`` with its own replications and seed, on ``engine``
    (cached); skips the test when the fast path cannot run the scenario."""
    if engine == "fast":
        from portsim.engine.fast import why_not_fast
        from portsim.scenario import compile_model, load_scenario

        reason = why_not_fast(compile_model(load_scenario(scenario_path(name))))
        if reason is not None:
            pytest.skip(f"the fast path does not run {name}: {reason}")

    def simulate() -> Results:
        started = time.perf_counter()
        results = portsim.simulate(scenario_path(name), workers=WORKERS, engine=engine)
        _seconds[f"{name} ({engine})"] = time.perf_counter() - started
        return results

    results = once(f"validation scenario {name} on {engine}", simulate)
    assert results.engine == engine
    return results


@pytest.fixture(scope="session", params=["events", "fast"])
def validation_run(request: pytest.FixtureRequest) -> Callable[[str], Results]:
    def run(name: str) -> Results:
        return run_validation_scenario(name, request.param)
    return run


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _seconds:
        terminalreporter.section("validation scenario runtimes (wall, 2 workers)")
        for name, seconds in _seconds.items():
            terminalreporter.write_line(f"{name:29s} {seconds:6.1f} s")
