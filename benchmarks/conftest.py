"""Benchmark session plumbing: shared inputs, timing records, and the ratio table at the end.

Run with ``python -m pytest benchmarks`` (see benchmarks/README.md). Every test here carries the
``benchmark_suite`` marker; the default ``pytest`` run (testpaths = tests) never collects them.
Each benchmark records its timings under a fixed key through the :func:`measure` fixture; at
the end of the session the ratios of :mod:`benchmarks.summary` are printed and, when the session
measured all of them, written to ``benchmarks/runs/latest.json`` (``latest-fast.json`` in fast
mode), which git ignores: running the suite never modifies a tracked file. ``--snapshot`` (full
mode) also writes ``benchmarks/snapshot.json``, the measured figures committed on purpose and
quoted in benchmarks/README.md.
The session fails on a gross regression only: portsim slower than the minimal SimPy model on
M/M/10 or the tandem. Missed goals are reported, not failed: machine noise must not turn CI red.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from time import perf_counter, process_time
from typing import Any

import pytest

from benchmarks import summary
from benchmarks.references import CORE_CUSTOMERS, QueueInputs, draw_inputs

TIMINGS: dict[str, dict[str, Any]] = {}
NOTES: dict[str, Any] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--snapshot", action="store_true", default=False,
                     help="portsim benchmarks: also write benchmarks/snapshot.json (the figures "
                          "committed and quoted in benchmarks/README.md); full mode only")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if summary.HERE in item.path.parents:
            item.add_marker(pytest.mark.benchmark_suite)


@pytest.fixture(scope="session")
def mm10_inputs() -> QueueInputs:
    return draw_inputs(CORE_CUSTOMERS, stations=1)


@pytest.fixture(scope="session")
def tandem_inputs() -> QueueInputs:
    return draw_inputs(CORE_CUSTOMERS, stations=2)


@pytest.fixture
def measure(benchmark: Any) -> Callable[..., Any]:
    """``measure(key, function, rounds, customers=None)``: benchmark ``function`` and record it.

    Rounds are timed here (wall clock and CPU time) as well as by pytest-benchmark, so the ratio
    table works even with ``--benchmark-disable``.
    """
    def run(key: str, function: Callable[[], Any], rounds: int,
            customers: int | None = None) -> Any:
        times: list[float] = []
        cpu: list[float] = []

        def timed() -> Any:
            start, start_cpu = perf_counter(), process_time()
            result = function()
            cpu.append(process_time() - start_cpu)
            times.append(perf_counter() - start)
            return result

        result = benchmark.pedantic(timed, rounds=rounds, iterations=1)
        times.sort()
        TIMINGS[key] = {"seconds": times[0], "median": times[len(times) // 2], "cpu": min(cpu),
                        "rounds": len(times), "customers": customers, "unit": "s"}
        benchmark.extra_info["key"] = key
        if customers:
            benchmark.extra_info["customers"] = customers
            benchmark.extra_info["us_per_customer"] = 1e6 * times[0] / customers
        return result

    return run


@pytest.fixture
def record() -> Callable[..., None]:
    """``record(key, value, unit, **extra)``: a figure that is not a timing (memory, ...)."""
    def put(key: str, value: float, unit: str = "s", **extra: Any) -> None:
        TIMINGS[key] = {"seconds": value, "unit": unit, "rounds": 1, **extra}

    return put


@pytest.fixture
def note() -> Callable[[str, Any], None]:
    def put(key: str, value: Any) -> None:
        NOTES[key] = value

    return put


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if summary.gross_regressions(TIMINGS) and session.exitstatus == 0:
        session.exitstatus = 1


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not TIMINGS:
        return
    terminalreporter.section("portsim benchmark ratios")
    NOTES["load average at the end (1, 5, 15 min)"] = os.getloadavg()
    terminalreporter.write_line(summary.format_report(TIMINGS, NOTES))
    name = "latest-fast.json" if summary.fast_mode() else "latest.json"
    wanted = [summary.RUNS / name]
    if config.getoption("--snapshot"):
        if summary.fast_mode():
            terminalreporter.write_line("--snapshot ignored: fast mode's sizes are not the "
                                        "goals' (run without PORTSIM_BENCH_FAST)", red=True)
        else:
            wanted.append(summary.SNAPSHOT)
    if summary.complete(TIMINGS):
        for path in wanted:
            path.parent.mkdir(exist_ok=True)
            summary.write_json(path, TIMINGS, NOTES)
            terminalreporter.write_line(f"written: {path.relative_to(summary.HERE.parent)}")
    else:
        terminalreporter.write_line(f"{', '.join(str(p.name) for p in wanted)} not written: not "
                                    "every ratio was measured in this session")
    for message in summary.gross_regressions(TIMINGS):
        terminalreporter.write_line(message, red=True, bold=True)
