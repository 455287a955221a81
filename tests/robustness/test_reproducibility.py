"""Reproducibility: the same file, seed and version give byte-identical results.json across
runs, processes (with different hash seeds) and worker counts; wall-clock timings live in
timings.json; results.json records portsim's version, the seed and a SHA-256 of the resolved
scenario, so a result can be traced to its input."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from robustness_helpers import SMALL

import portsim
from portsim.scenario import load_scenario

#: Two classes, a branch, a shift change and a variant: enough randomness to notice a change.
RICH = SMALL.replace("""classes:
  pax:
    arrivals: {kind: poisson, rate: 1/min}
    route: [desk]
""", """  check:
    servers: [{start: "00:00", end: "06:00", servers: 1},
              {start: "06:00", end: "24:00", servers: 2}]
    service: {dist: lognormal, mean: 3min, cv: 0.8}
classes:
  pax:
    arrivals: {kind: poisson, rate: 1/min}
    route: [desk, {optional: {p: 0.3, route: [check]}}]
  crew:
    arrivals: {kind: profile, rates: [10/h, 30/h], bin: 2h}
    route: [{branch: [{p: 0.5, route: [desk]}, {p: 0.5, route: [check]}]}]
variants:
  more_desks:
    stations: {desk: {servers: 3}}
""").replace("replications: 3", "replications: 4")


@pytest.fixture
def scenario(write: Callable[..., Path]) -> Path:
    return write(RICH)


def results_of(cli: Callable[..., Result], scenario: Path, out: Path, *args: str) -> bytes:
    result = cli("run", scenario, "--out", out, *args)
    assert result.exit_code == 0, result.output
    return (out / "results.json").read_bytes()


def test_same_file_and_seed_give_identical_bytes(cli: Callable[..., Result], scenario: Path,
                                                 tmp_path: Path) -> None:
    first = results_of(cli, scenario, tmp_path / "a", "--workers", "1")
    again = results_of(cli, scenario, tmp_path / "b", "--workers", "1")
    assert first == again
    other_seed = results_of(cli, scenario, tmp_path / "c", "--workers", "1", "--seed", "12")
    assert other_seed != first


def test_worker_count_does_not_change_the_bytes(cli: Callable[..., Result], scenario: Path,
                                                tmp_path: Path) -> None:
    serial = results_of(cli, scenario, tmp_path / "w1", "--workers", "1")
    pooled = results_of(cli, scenario, tmp_path / "w2", "--workers", "2")
    assert serial == pooled
    variant = results_of(cli, scenario, tmp_path / "v1", "--workers", "1", "--variant",
                         "more_desks")
    assert variant == results_of(cli, scenario, tmp_path / "v2", "--workers", "2", "--variant",
                                 "more_desks")


@pytest.mark.slow
def test_fresh_processes_give_identical_bytes(scenario: Path, tmp_path: Path) -> None:
    """Separate interpreters with different hash seeds (set and dict orders) agree."""
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"p{hash_seed}"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-m", "portsim", "run", str(scenario), "--out", str(out),
             "--workers", "2"], env=env, capture_output=True, text=True, timeout=300,
            check=False)
        assert done.returncode == 0, done.stderr
        outputs.append((out / "results.json").read_bytes())
    assert outputs[0] == outputs[1]


def test_compare_is_reproducible_across_worker_counts(cli: Callable[..., Result],
                                                      scenario: Path, tmp_path: Path) -> None:
    texts = []
    for workers in ("1", "2"):
        out = tmp_path / f"cmp{workers}"
        result = cli("compare", scenario, "--out", out, "--workers", workers, "--no-plots")
        assert result.exit_code == 0, result.output
        texts.append((out / "results.json").read_bytes())
    assert texts[0] == texts[1]


def test_results_record_version_seed_and_scenario_hash(cli: Callable[..., Result],
                                                       scenario: Path, tmp_path: Path) -> None:
    data = json.loads(results_of(cli, scenario, tmp_path / "r", "--seed", "21"))
    assert data["portsim_version"] == portsim.__version__
    assert data["seed"] == 21
    resolved = load_scenario(scenario).resolved()
    canonical = json.dumps(resolved, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert data["scenario"]["sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
    # A different scenario has a different hash.
    changed = scenario.with_name("changed.yaml")
    changed.write_text(RICH.replace("mean: 1min", "mean: 61s"))
    other = json.loads(results_of(cli, changed, tmp_path / "s"))
    assert other["scenario"]["sha256"] != data["scenario"]["sha256"]


def keys(data: object) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in keys(value)}
    if isinstance(data, list):
        return {key for value in data for key in keys(value)}
    return set()


def test_wall_clock_times_live_in_a_separate_file(cli: Callable[..., Result], scenario: Path,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "t"
    found = keys(json.loads(results_of(cli, scenario, out)))
    for word in ("seconds", "wall", "time_stamp", "timestamp", "elapsed", "created", "date"):
        assert not [key for key in found if word in key.lower()], word
    timings = json.loads((out / "timings.json").read_text())
    assert "total_seconds" in timings
