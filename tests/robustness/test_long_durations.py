"""Durations far longer than the horizon are legal but cannot take effect within a run (most
likely a unit slip): ``validate`` and ``run`` warn about each one, naming its field, and
results.json records the warning. A mainland spread of 1e12 minutes used to turn every
arrival into none, and late_share into null, without a word."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from robustness_helpers import SMALL

#: SMALL with a bus that brings passengers spread over SPREAD, due to leave after DUE.
SPAWNING = """\
name: spawning
time:
  horizon: 12h
  warmup: 1h
replications: 2
seed: 11
sla: SLA
stations:
  desk:
    servers: 3
    service: {dist: exponential, mean: 1min}
classes:
  bus:
    arrivals: {kind: poisson, rate: 1/h}
    route:
      - spawn: {class: pax, count: 20, spread: SPREAD}
      - delay: {dist: deterministic, value: DELAY}
    due_after: DUE
  pax:
    route: [desk]
"""
NORMAL = {"SPREAD": "10min", "DELAY": "5min", "DUE": "1h", "SLA": "30min"}
CASES = {
    "spread": ("SPREAD", "1.0e12", "classes.bus.route.0.spawn.spread: 1e+12min"),
    "delay": ("DELAY", "1.0e12", "classes.bus.route.1.delay.value: 1e+12min"),
    "due_after": ("DUE", "400d", "classes.bus.due_after: 400d"),
    "sla": ("SLA", "1.0e12", "sla: 1e+12min"),
}


def scenario(**values: str) -> str:
    text = SPAWNING
    for key, value in {**NORMAL, **values}.items():
        text = text.replace(key, value)
    return text


@pytest.mark.parametrize("case", CASES)
def test_a_duration_longer_than_the_horizon_is_warned_about(
        cli: Callable[..., Result], write: Callable[..., Path], tmp_path: Path,
        case: str) -> None:
    key, value, fragment = CASES[case]
    file = write(scenario(**{key: value}))
    result = cli("validate", file)
    assert result.exit_code == 0, result.output
    assert "warning" in result.stderr and fragment in result.stderr, result.stderr
    assert "longer than the horizon (12h)" in result.stderr
    run = cli("run", file, "--out", tmp_path / "out", "--workers", "1")
    assert run.exit_code == 0, run.output
    assert fragment in run.stderr, run.stderr
    warnings = json.loads((tmp_path / "out" / "results.json").read_text())["warnings"]
    assert any(fragment in warning for warning in warnings), warnings


def test_ordinary_durations_give_no_warning(cli: Callable[..., Result],
                                            write: Callable[..., Path]) -> None:
    for text in (scenario(), SMALL):
        result = cli("validate", write(text))
        assert result.exit_code == 0 and "warning" not in result.output, result.output
