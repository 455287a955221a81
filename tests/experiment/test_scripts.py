"""The scenario scripts run as a user would run them, on short horizons."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).parents[2] / "scenarios" / "scripts"
PNG = b"\x89PNG\r\n\x1a\n"


def run_script(name: str, out: Path) -> str:
    done = subprocess.run([sys.executable, str(SCRIPTS / name), str(out), "--quick",
                           "--workers", "2"], capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_there_are_at_least_two_scripts() -> None:
    assert len(list(SCRIPTS.glob("*.py"))) >= 2


@pytest.mark.slow
def test_egates_comparison(tmp_path: Path) -> None:
    out = tmp_path / "egates"
    output = run_script("egates_comparison.py", out)
    assert "share within 30 min" in output
    for name in ("report.html", "kpis.png", "waiting_ecdf.png", "p95_change.png"):
        assert (out / name).exists(), name
    assert (out / "p95_change.png").read_bytes().startswith(PNG)
    data = json.loads((out / "results.json").read_text())
    assert data["labels"] == ["baseline", "all_citizens_egates", "two_more_counters", "both"]


@pytest.fixture(scope="module")
def staffing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("staffing") / "out"
    output = run_script("truck_fast_lane_staffing.py", out)
    assert "fewest truck lanes" in output
    return out


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["baseline", "fast_lane"])
def test_truck_fast_lane_staffing(staffing: Path, policy: str) -> None:
    assert (staffing / policy / "sweep.csv").exists()
    assert (staffing / policy / "sweep-classes-key_truck-wait_p95.png").read_bytes(
    ).startswith(PNG)
    assert (staffing / "p95_by_lanes.png").read_bytes().startswith(PNG)
    choice = json.loads((staffing / "choice.json").read_text())
    assert set(choice) == {"baseline", "fast_lane"}
