"""State files (``--from-state``) are held to the rules of scenario files: one located message and
exit code 2 for anything a warm start cannot run, the limits checked before anything is built
for the customers a state names, and every state that loads runs."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from robustness_helpers import SMALL, assert_bad_input

from portsim.scenario import load_scenario
from portsim.scenario.state import load_state

StateRun = Callable[[str], tuple[Result, Path]]


@pytest.fixture
def from_state(cli: Callable[..., Result], write: Callable[..., Path],
               tmp_path: Path) -> StateRun:
    """``portsim run`` of the small scenario from a state file holding ``text``."""
    scenario = write(SMALL)

    def run(text: str) -> tuple[Result, Path]:
        state = write(text, "state.yaml")
        result = cli("run", scenario, "--from-state", state, "--horizon", "2h",
                     "--replications", "2", "--workers", "1", "--out", tmp_path / "out",
                     "--force")
        return result, state

    return run


def test_customers_who_waited_longer_than_the_run_has_lasted_run(from_state: StateRun) -> None:
    # 06:00 is 360 minutes into the run: these joined the queue before its time 0.
    result, _ = from_state('clock: "06:00"\nstations:\n  desk:\n    waiting:\n'
                           '      pax: [2000min, {waited: 5000min, in_system: 9000min}]\n'
                           '    in_service:\n      pax: [{elapsed: 3000min, waited: 4000min}]\n')
    assert result.exit_code == 0, result.output
    assert "5,000.00" in result.output  # the longest wait is the one the state gave


def test_a_day_beyond_the_horizon_limit_is_refused_before_anything_is_built(
        from_state: StateRun) -> None:
    result, state = from_state('clock: "06:00"\nday: 1000000000\n')
    assert_bad_input(result, state, "beyond the limit of 36525d", "PORTSIM_MAX_HORIZON",
                     line=2, path="day")


def test_a_forecast_horizon_beyond_the_limit_is_refused(cli: Callable[..., Result],
                                                         write: Callable[..., Path]) -> None:
    scenario, state = write(SMALL), write('clock: "06:00"\n', "state.yaml")
    result = cli("run", scenario, "--from-state", state, "--horizon", "1000000000d")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--horizon 1000000000d" in result.stderr and "PORTSIM_MAX_HORIZON" in result.stderr


def test_announced_members_are_held_to_the_entity_limit(from_state: StateRun) -> None:
    result, state = from_state('clock: "06:00"\nannounced:\n'
                               '  - {class: pax, after: 1min, count: 1000000000}\n')
    assert_bad_input(result, state, "1,000,000,000 customers and announced members",
                     "PORTSIM_MAX_ENTITIES", line=3, path="announced.0.count")


def test_the_customers_of_a_state_are_held_to_the_entity_limit_in_all(
        from_state: StateRun, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTSIM_MAX_ENTITIES", "1000")  # the scenario brings 720
    result, state = from_state('clock: "06:00"\nstations:\n  desk:\n    waiting:\n'
                               '      pax: 600\n    in_service:\n      pax: [{}, {}]\n'
                               '      pax_again: 500\n')
    assert_bad_input(result, state, "1,102 customers", "more than the limit of 1,000",
                     line=8, path="stations.desk.in_service.pax_again")


def test_a_count_of_customers_costs_no_model_per_customer(write: Callable[..., Path]) -> None:
    model = load_scenario(write(SMALL)).model()
    state = write('clock: "06:00"\nstations:\n  desk:\n    waiting:\n      pax: 1000000\n',
                  "state.yaml")
    tracemalloc.start()
    try:
        loaded = load_state(state, model)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert loaded.customers == 1_000_000
    # A reference per customer (8 MB), not a validated model each (hundreds of MB).
    assert peak < 40 * 1024**2, peak


@pytest.mark.parametrize("written", [".nan", ".inf", '"nan"', "-5min"])
def test_times_that_are_not_finite_durations_are_refused(from_state: StateRun,
                                                         written: str) -> None:
    result, state = from_state('clock: "06:00"\nstations:\n  desk:\n    waiting:\n'
                               f'      pax: [{{waited: {written}}}]\n')
    assert_bad_input(result, state, line=5, path="stations.desk.waiting.pax.0.waited")
