"""Degenerate but legal models run correctly: zero arrivals, a station nobody visits, servers
dropping to zero in a shift (queues wait, nobody is lost); a horizon shorter than the warm-up is
a clear error; extremely high load gives a warning and runs within bounded memory, and a model
that would need more entities than the limit is refused."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from robustness_helpers import SMALL, assert_bad_input

from portsim.engine.simulation import run_replication
from portsim.errors import PortsimError
from portsim.scenario import compile_model, load_scenario


def replace(old: str, new: str, text: str = SMALL) -> str:
    assert old in text
    return text.replace(old, new)


def conserved(system: dict[str, float]) -> bool:
    """Flow conservation after the warm-up: nobody appears or vanishes."""
    return (system["arrivals"] + system["in_system_start"]
            == system["completions"] + system["in_system_end"])


def run_cli(cli: Callable[..., Result], file: Path, out: Path) -> dict[str, Any]:
    result = cli("run", file, "--out", out, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return json.loads((out / "results.json").read_text())


def kpi(results: dict[str, Any], scope: str, name: str, key: str) -> list[float | None]:
    return results["kpis"][scope][name][key]["values"]


def test_zero_arrivals(cli: Callable[..., Result], write: Callable[..., Path],
                       tmp_path: Path) -> None:
    # Legal: the profile's first bin (no arrivals) covers the whole 12-hour run.
    text = replace("{kind: poisson, rate: 1/min}", "{kind: profile, rates: [0, 1/min], bin: 1d}")
    results = run_cli(cli, write(text), tmp_path / "out")
    assert kpi(results, "system", "all", "arrivals") == [0.0, 0.0, 0.0]
    assert kpi(results, "system", "all", "completions") == [0.0, 0.0, 0.0]
    assert kpi(results, "stations", "desk", "utilisation") == [0.0, 0.0, 0.0]
    # No waits at all: the mean is undefined and written as null, not as a made-up number.
    assert kpi(results, "system", "all", "wait_mean") == [None, None, None]


def test_a_station_nobody_visits(cli: Callable[..., Result], write: Callable[..., Path],
                                 tmp_path: Path) -> None:
    text = replace("classes:", "  idle:\n    servers: 3\n    service: {dist: exponential, "
                   "mean: 5min}\nclasses:")
    results = run_cli(cli, write(text), tmp_path / "out")
    assert kpi(results, "stations", "idle", "arrivals") == [0.0, 0.0, 0.0]
    assert kpi(results, "stations", "idle", "utilisation") == [0.0, 0.0, 0.0]
    assert kpi(results, "stations", "idle", "queue_max") == [0.0, 0.0, 0.0]
    assert all(value and value > 0 for value in kpi(results, "stations", "desk", "completions"))


def test_servers_dropping_to_zero_make_queues_wait_and_lose_nobody() -> None:
    """Desks close from 12:00 to 24:00: the afternoon's arrivals wait overnight and are served
    the next morning; every arrival is either served or still in the system."""
    doc = {
        "name": "closing desks", "time": {"horizon": "2d", "warmup": 0},
        "stations": {"desk": {
            "servers": [{"start": "00:00", "end": "12:00", "servers": 2},
                        {"start": "12:00", "end": "24:00", "servers": 0}],
            "service": {"dist": "exponential", "mean": "1min"}}},
        "classes": {"pax": {"arrivals": {"kind": "poisson", "rate": "20/h"},
                            "route": ["desk"]}},
    }
    model = compile_model(load_scenario(doc))
    for seed in range(3):
        result = run_replication(model, seed=seed)
        system = result.kpis["system"]["all"]
        assert conserved(system)
        # ~240 arrive during the second afternoon and evening, all still waiting at the end.
        assert system["in_system_end"] > 150
        desk = result.kpis["stations"]["desk"]
        assert desk["wait_max"] > 11 * 60  # someone waited from the afternoon to the morning
        assert desk["completions"] + system["in_system_end"] == system["arrivals"]


@pytest.mark.parametrize("warmup", ["12h", "13h", "2d"])
def test_a_horizon_not_longer_than_the_warmup_is_a_clear_error(
        cli: Callable[..., Result], write: Callable[..., Path], warmup: str) -> None:
    file = write(replace("warmup: 1h", f"warmup: {warmup}"))
    for command in ("validate", "run"):
        assert_bad_input(cli(command, file), file, "must be shorter than the horizon (12h)",
                         line=4, path="time.warmup")


OVERLOADED = replace("{dist: exponential, mean: 1min}", "{dist: exponential, mean: 20min}")


def test_extreme_load_warns_and_runs(cli: Callable[..., Result], write: Callable[..., Path],
                                     tmp_path: Path) -> None:
    file = write(OVERLOADED)
    result = cli("run", file, "--out", tmp_path / "out", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "warning" in result.stderr
    assert "station 'desk': offered load 10 of capacity" in result.stderr
    assert "queues will grow without bound" in result.stderr
    validate = cli("validate", file)
    assert validate.exit_code == 0 and "queues will grow without bound" in validate.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["warnings"] and "grow without bound" in results["warnings"][0]


def test_extreme_load_runs_within_bounded_memory() -> None:
    """Memory grows only with the entities still in the system (a few hundred bytes each), and
    those are bounded by PORTSIM_MAX_ENTITIES; statistics stay the same size."""
    peaks = []
    for hours in (10, 40):
        doc = load_scenario_doc(OVERLOADED.replace("horizon: 12h", f"horizon: {hours}h"))
        model = compile_model(load_scenario(doc))
        tracemalloc.start()
        result = run_replication(model, seed=1)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        system = result.kpis["system"]["all"]
        assert conserved(system)
        assert system["in_system_end"] > 0.8 * system["arrivals"]
        peaks.append((peak, system["arrivals"] + system["in_system_start"]))
    (small_peak, small_n), (large_peak, large_n) = peaks
    per_entity = (large_peak - small_peak) / (large_n - small_n)
    assert per_entity < 1024, f"{per_entity:.0f} bytes per waiting entity"


def load_scenario_doc(text: str) -> dict[str, Any]:
    import yaml

    return yaml.safe_load(text)


def test_more_entities_than_the_limit_is_refused_before_running(
        cli: Callable[..., Result], write: Callable[..., Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    file = write(SMALL)  # about 720 arrivals in 12 hours
    monkeypatch.setenv("PORTSIM_MAX_ENTITIES", "500")
    out = tmp_path / "out"
    for args in (("validate", file), ("run", file, "--out", out)):
        assert_bad_input(cli(*args), file, "about 720 entities would arrive in one replication "
                         "of 12h", "more than the limit of 500", "PORTSIM_MAX_ENTITIES",
                         line=13, path="classes.pax.arrivals")
    assert not out.exists()
    monkeypatch.setenv("PORTSIM_MAX_ENTITIES", "800")
    assert cli("validate", file).exit_code == 0


def test_spawned_entities_count_towards_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bus brings 50 passengers: 12 buses an hour over 12 hours are 7,200 passengers."""
    doc = {
        "name": "buses", "time": {"horizon": "12h"},
        "stations": {"desk": {"servers": 20, "service": {"dist": "exponential", "mean": 1}}},
        "classes": {
            "bus": {"arrivals": {"kind": "poisson", "rate": "12/h"},
                    "route": [{"spawn": {"class": "pax", "count": 50}}]},
            "pax": {"route": ["desk"]},
        },
    }
    monkeypatch.setenv("PORTSIM_MAX_ENTITIES", "5000")
    with pytest.raises(PortsimError, match=r"about 7,344 entities .* \(7,200 of class 'pax'\)"):
        load_scenario(doc)


# ----------------------------------------------------------------------------- limits while running


def test_the_entity_limit_is_enforced_while_running(cli: Callable[..., Result],
                                                    write: Callable[..., Path], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The estimate before the run uses mean rates; a run that still exceeds the limit (here a
    profile whose busy first half is all the run sees: ~100 arrive, 50 estimated) must stop
    with a clear error instead of growing."""
    text = replace("{kind: poisson, rate: 1/min}", "{kind: profile, rates: [1/min, 0], "
                   "bin: 12h}").replace("warmup: 1h", "warmup: 0")
    text = text.replace("horizon: 12h", "horizon: 100min")
    file = write(text)
    monkeypatch.setenv("PORTSIM_MAX_ENTITIES", "70")
    assert cli("validate", file).exit_code == 0  # 50 expected: passes the estimate
    result = cli("run", file, "--out", tmp_path / "out", "--workers", "1")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "PORTSIM_MAX_ENTITIES" in result.stderr


def test_the_entity_limit_applies_to_python_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    from portsim.experiment.runner import simulate

    model = compile_model(load_scenario(load_scenario_doc(SMALL)))  # ~720 arrivals
    monkeypatch.setenv("PORTSIM_MAX_ENTITIES", "100")
    with pytest.raises(PortsimError, match="PORTSIM_MAX_ENTITIES"):
        simulate(model, replications=1, seed=0)


def test_an_absurd_coefficient_of_variation_is_refused(cli: Callable[..., Result],
                                                       write: Callable[..., Path]) -> None:
    file = write(replace("{dist: exponential, mean: 1min}",
                         "{dist: lognormal, mean: 1min, cv: 1.0e+200}"))
    assert_bad_input(cli("validate", file), file, line=10, path="stations.desk.service.cv")


def test_absurd_servers_in_a_shift_window_are_refused(cli: Callable[..., Result],
                                                      write: Callable[..., Path]) -> None:
    file = write(replace("servers: 2", 'servers: [{start: "00:00", end: "12:00", servers: '
                         + "9" * 400 + "}]"))
    assert_bad_input(cli("validate", file), file, line=9, path="stations.desk.servers.0.servers")


def test_absurd_counts_are_refused(cli: Callable[..., Result],
                                   write: Callable[..., Path]) -> None:
    file = write(replace("servers: 2", "servers: " + "9" * 400))
    assert_bad_input(cli("validate", file), file, "less than or equal to 1000000000", line=9,
                     path="stations.desk.servers")
