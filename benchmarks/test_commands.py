"""A planner's commands as whole processes (issue 24, point 3): README's first command and
``portsim staff`` on the holiday-peak airport and on the 12367 hotline, against main's figures.

A process's seconds mean nothing on another machine, so each command is normalised by the
minimal SimPy script (``python -m benchmarks.simpy_minimal``, as in test_startup.py) run in the
same round, one after the other: the benchmark's figure is the command's CPU seconds over the
script's. The goal divides that by the same figure measured on main before issue 24's fast-path
work (:data:`benchmarks.summary.MAIN_FIGURES`): README's first command <= 0.4 of main's,
``portsim staff`` <= 0.3. Every command runs with ``--workers 1``, so that its CPU time is its
wall time on an idle core and a neighbour's load on the second core does not enter the ratio.

Fast mode (CI) runs the comparison and the airport's staffing on fewer replications (45 s of CPU
together on main); the hotline's staffing (80 s of CPU on main) runs in full mode only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks.processes import ROOT, run_process
from benchmarks.simpy_minimal import CUSTOMERS
from benchmarks.summary import COMMANDS, fast_mode

pytestmark = [pytest.mark.benchmark_suite, pytest.mark.benchmark(group="commands")]

ROUNDS = 1  # each command runs for tens of seconds: one round, noise is small beside it


def _measure(key: str, record, note, tmp_path: Path) -> None:
    command = COMMANDS[key]
    if fast_mode() and not command.fast:
        pytest.skip(f"{key} takes minutes: full mode only")
    arguments = command.fast if fast_mode() else command.full
    python = sys.executable
    script = [python, "-m", "benchmarks.simpy_minimal", str(CUSTOMERS)]
    run = [python, "-m", "portsim", *arguments, "--workers", "1", "--force",
           "--out", str(tmp_path / "out")]
    walls: list[float] = []
    cpus: list[float] = []
    script_walls: list[float] = []
    script_cpus: list[float] = []
    for _ in range(ROUNDS):
        wall, cpu = run_process(script, ROOT)
        script_walls.append(wall)
        script_cpus.append(cpu)
        wall, cpu = run_process(run, ROOT, accept=command.exit_codes)
        walls.append(wall)
        cpus.append(cpu)
    record(key, min(walls), cpu=min(cpus), rounds=ROUNDS)
    record(f"{key}.simpy_script", min(script_walls), cpu=min(script_cpus), rounds=ROUNDS,
           customers=CUSTOMERS)
    note(key, f"portsim {' '.join(arguments)} --workers 1: {min(cpus):.1f} s CPU "
         f"({min(walls):.1f} s wall), minimal SimPy script {min(script_cpus):.2f} s CPU "
         f"({min(script_walls):.2f} s wall), best of {ROUNDS}; per script: CPU "
         f"{min(cpus) / min(script_cpus):.3f}, wall {min(walls) / min(script_walls):.3f}")


def test_readme_first_command(record, note, tmp_path: Path):
    _measure("command.readme", record, note, tmp_path)
    assert (tmp_path / "out" / "comparison.csv").is_file()


def test_staff_airport_peak(record, note, tmp_path: Path):
    _measure("command.staff_airport", record, note, tmp_path)
    assert (tmp_path / "out" / "staffing.json").is_file()


def test_staff_hotline(record, note, tmp_path: Path):
    _measure("command.staff_hotline", record, note, tmp_path)
    assert (tmp_path / "out" / "staffing.json").is_file()
