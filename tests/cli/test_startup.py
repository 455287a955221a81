"""What each command imports: a command pays at start-up only for the modules it needs.

Checked on the modules a fresh ``python -m portsim`` process has loaded when it exits (no timing:
how long an import takes is the benchmarks' business, benchmarks/test_startup.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
MM1 = ROOT / "scenarios" / "validation" / "mm1.yaml"

#: Print, at exit, the top-level modules loaded, then run portsim as ``python -m portsim``.
_PROBE = """\
import atexit, runpy, sys
atexit.register(lambda: print("MODULES", *sorted(sys.modules)))
sys.argv = ["portsim", *sys.argv[1:]]
runpy.run_module("portsim", run_name="__main__")
"""

#: Never needed to check a file or to run one replication and write its tables.
HEAVY = ("matplotlib", "pandas", "dask", "distributed", "scipy.stats", "pyarrow")


def loaded(*args: str) -> set[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True,
                          text=True, env=environment, cwd=ROOT, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("MODULES "))
    return set(line.split()[1:])


def test_validate_imports_neither_the_simulation_nor_plotting_nor_statistics() -> None:
    modules = loaded("validate", str(MM1))
    assert "portsim.scenario.loader" in modules  # the probe saw the command run
    unwanted = [*HEAVY, "scipy", "simpy", "portsim.engine.simulation", "portsim.experiment",
                "rich.progress", "multiprocessing",
                # a file without spawns needs no linear algebra, and no variate is drawn
                "numpy"]
    assert sorted(name for name in unwanted if name in modules) == []


@pytest.mark.parametrize("command", [["--help"], ["fit", "--help"]])
def test_help_imports_no_statistics_nor_plotting(command: list[str]) -> None:
    modules = loaded(*command)
    assert "portsim.cli.fit" in modules  # the probe saw the program assembled
    unwanted = [*HEAVY, "scipy", "numpy", "portsim.fitting", "portsim.experiment"]
    assert sorted(name for name in unwanted if name in modules) == []


@pytest.mark.parametrize("replications", [1, 2])
def test_run_imports_what_a_run_needs(tmp_path: Path, replications: int) -> None:
    modules = loaded("run", str(MM1), "--replications", str(replications), "--workers", "1",
                     "--out", str(tmp_path / "out"))
    assert "portsim.engine.simulation" in modules
    assert sorted(name for name in HEAVY if name in modules) == []
    # The Student-t quantile (scipy.special) only when there is an interval to compute.
    assert ("scipy.special" in modules) == (replications > 1)
