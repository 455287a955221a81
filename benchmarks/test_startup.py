"""Start-up: the commands a user types, timed as whole processes.

Each round runs, one after the other so that a busy neighbour slows them alike:

* ``python -c pass`` -- the floor: an interpreter that does nothing;
* the minimal SimPy script (``python -m benchmarks.simpy_minimal``: import numpy and SimPy, draw
  200,000 customers' times, run the process-per-customer M/M/10 model, print the mean wait);
* ``portsim validate`` of a small file (scenarios/validation/mm1.yaml);
* ``portsim run`` of the same M/M/10 model (benchmarks/mm10.yaml: one replication on portsim's
  own streams, all statistics, tables printed, results.json/summary.csv/timings.json written).

Timings are CPU seconds of the child process (user + system, from ``wait4``) and wall seconds,
the minimum over rounds. Goals: validate <= 0.4 s; run <= 0.5 x the SimPy script.

portsim's modules are compiled to bytecode first, as an installed package's are (``pip install``
compiles them; an editable install writes them at the first import): numpy's and SimPy's
already are, and where ``PYTHONDONTWRITEBYTECODE`` is set, as in some CI sandboxes, every
start would otherwise compile portsim's ~35 modules again (~0.04 s), which no user meets twice.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.processes import ROOT, run_process
from benchmarks.simpy_minimal import CUSTOMERS
from benchmarks.summary import fast_mode

pytestmark = [pytest.mark.benchmark_suite, pytest.mark.benchmark(group="startup")]

ROUNDS = 3 if fast_mode() else 5


def test_startup(record, note, tmp_path: Path):
    python = sys.executable
    compiled = subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "portsim")],
                              capture_output=True, text=True, check=False)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    commands = {
        "startup.pass": [python, "-c", "pass"],
        "startup.simpy_script": [python, "-m", "benchmarks.simpy_minimal", str(CUSTOMERS)],
        "startup.validate": [python, "-m", "portsim", "validate",
                             "scenarios/validation/mm1.yaml"],
        "startup.run": [python, "-m", "portsim", "run", "benchmarks/mm10.yaml", "--workers",
                        "1", "--force", "--out", str(tmp_path / "mm10")],
    }
    walls: dict[str, list[float]] = {key: [] for key in commands}
    cpus: dict[str, list[float]] = {key: [] for key in commands}
    for _ in range(ROUNDS):
        for key, command in commands.items():
            wall, cpu = run_process(command)
            walls[key].append(wall)
            cpus[key].append(cpu)
    for key in commands:
        ordered = sorted(walls[key])
        record(key, ordered[0], cpu=min(cpus[key]), median=ordered[len(ordered) // 2],
               rounds=ROUNDS, customers=CUSTOMERS if key in ("startup.simpy_script",
                                                            "startup.run") else None)
    note("startup", f"CPU seconds, best of {ROUNDS}: python -c pass "
         f"{min(cpus['startup.pass']):.3f}, portsim validate {min(cpus['startup.validate']):.3f}, "
         f"portsim run M/M/10 {min(cpus['startup.run']):.3f}, minimal SimPy script "
         f"{min(cpus['startup.simpy_script']):.3f}")
    assert (tmp_path / "mm10" / "results.json").is_file()
