"""The staffing solver's answers against exact Erlang C figures on a stationary M/M/c, for
targets on a mean, a share and a 95th percentile, on and off any grid of the standard; and the
pilot's reading of the offered load when the warm-up is not whole days.

540 arrivals an hour, 1-minute services: the 95th percentile wait is 0.557 min with 12 desks and
0.287 min with 13, so ``wait_p95<=0.4min`` (with a 30-minute standard) needs 13 — a target that
bins 1/60 of the standard wide (0.5 min) read at their upper edge over-staffed to 15 or 16.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from staffing_support import hall, serial

from portsim.experiment.staffing.evaluation import Evaluator
from portsim.experiment.staffing.problem import Problem
from portsim.experiment.staffing.roster import parse_shifts
from portsim.experiment.staffing.solver import solve
from portsim.experiment.staffing.start import erlang_start, measured_minutes, offered_loads
from portsim.experiment.staffing.target import parse_target
from portsim.scenario import load_scenario
from portsim.theory.erlang import mmc, mmc_wait_quantile, mmc_wait_tail

DAY = 1440.0
RATE, SERVICE = 9.0, 1.0  # per minute, minutes

# (target, standard, the Erlang C answer); each keeps a margin of 30 % on both sides.
CASES = [
    ("wait_p95<=0.4min", "30min", 13),     # p95: c=12 0.557, c=13 0.287 (off the old grid)
    ("wait_p95<=1.5min", "30min", 11),     # c=10 2.593, c=11 1.076 (on the old grid)
    ("wait_mean<=0.06min", "30min", 13),   # Wq: c=12 0.0887, c=13 0.0394
    ("wait_sla_share>=0.915", "15s", 13),  # P(W>15s): c=12 0.126, c=13 0.058
]


def _figure(kind: str, servers: int, standard: float) -> float:
    if kind == "p95":
        return mmc_wait_quantile(RATE, SERVICE, servers, 0.95)
    if kind == "mean":
        return mmc(RATE, SERVICE, servers).wait_mean
    return mmc_wait_tail(RATE, SERVICE, servers, standard)


def _problem(tmp_path: Path, target: str, sla: str, *, warmup: str = "1d",
             horizon: str = "3d") -> Problem:
    path = hall(tmp_path, rate=f"{RATE * 60:g}/h", servers=30, extra=f"sla: {sla}\n",
                service=f"{{dist: exponential, mean: {SERVICE:g}min}}", warmup=warmup,
                horizon=horizon)
    model = load_scenario(path).model(None)
    return Problem(model, ("desks",), parse_target(target, model.sla), DAY,
                   parse_shifts("24h@24h", DAY), seed=11, proof_seed=12)


@pytest.mark.slow
@pytest.mark.parametrize(("target", "sla", "expected"), CASES)
def test_the_solver_finds_the_erlang_c_answer_on_and_off_the_grid(
        tmp_path: Path, target: str, sla: str, expected: int) -> None:
    problem = _problem(tmp_path, target, sla)
    kind, bound = problem.target.slot_kpi, problem.target.bound
    standard = problem.model.sla
    assert _figure(kind, expected - 1, standard) > 1.3 * bound > 1.3 * _figure(
        kind, expected, standard)
    solution = solve(problem, serial(10))
    assert solution.requirement.staffing["desks"] == [expected]
    assert solution.rosters["desks"].officers == (expected,)
    assert solution.passed


def test_a_slot_percentile_agrees_with_the_whole_run_one(tmp_path: Path) -> None:
    # At 13 desks the slot's 95th percentile (one slot a day) is the whole run's, within 1 %,
    # in every replication: not the 0.5 of a bin's upper edge.
    problem = _problem(tmp_path, "wait_p95<=0.4min", "30min")
    results = Evaluator(problem, serial(6)).results({"desks": [13]}, 5)
    for replication in results.replications:
        row = replication.kpis["stations"]["desks"]
        assert row["wait_h0000_p95"] == pytest.approx(row["wait_p95"], rel=0.01)
    exact = mmc_wait_quantile(RATE, SERVICE, 13, 0.95)
    assert results.summary("stations", "desks", "wait_h0000_p95").mean == pytest.approx(
        exact, rel=0.1)


@pytest.mark.parametrize(("warmup", "horizon"), [("10h", "2d"), ("36h", "3d"), ("1d", "3d")])
def test_the_pilot_reads_the_arrival_rate_whatever_the_warm_up(tmp_path: Path, warmup: str,
                                                                horizon: str) -> None:
    problem = _problem(tmp_path, "wait_p95<=0.4min", "30min", warmup=warmup, horizon=horizon)
    pilot = Evaluator(problem, serial(4)).results(None, 3)
    load = offered_loads(problem, pilot)["desks"]
    assert load.arrival_rates[0] == pytest.approx(RATE, rel=0.03)
    assert load.service_mean == pytest.approx(SERVICE, rel=0.03)
    assert erlang_start(problem, {"desks": load}) == {"desks": [13]}


def test_measured_minutes_count_each_interval_after_the_warm_up(tmp_path: Path) -> None:
    # Hourly intervals, warm-up 10 h 30 min, horizon 2 days: 00:00-10:00 are measured once
    # (day 2), 11:00-24:00 twice; the 10:00 interval of day 1 is not filed (it began in the
    # warm-up), so it counts once.
    problem = _problem(tmp_path, "wait_p95<=0.4min", "30min", warmup="10.5h", horizon="2d")
    hourly = Problem(problem.model, problem.stations, problem.target, 60.0,
                     parse_shifts("8h@1h", 60.0), seed=1, proof_seed=2)
    assert measured_minutes(hourly) == [60.0] * 11 + [120.0] * 13
