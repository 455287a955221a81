"""The staffing solver against known answers.

- Stationary M/M/c: with one interval a day and day-long shifts, the solver's answer is the
  smallest c whose exact Erlang C figure meets the target — found by simulation, also from a
  start three officers too low or too high.
- A day with two peaks: the roster passes a verification run with other seeds in every interval,
  and one officer fewer in any shift used makes some interval fail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from staffing_support import TWO_PEAKS, hall, serial

from portsim.experiment.staffing.evaluation import Evaluator
from portsim.experiment.staffing.problem import Problem
from portsim.experiment.staffing.requirement import find_requirement
from portsim.experiment.staffing.roster import parse_shifts
from portsim.experiment.staffing.solver import solve
from portsim.experiment.staffing.summary import summary
from portsim.experiment.staffing.target import parse_target
from portsim.scenario import load_scenario
from portsim.theory.erlang import mmc, mmc_wait_quantile, mmc_wait_tail

DAY = 1440.0

# (arrival rate per min, mean service in min, target): chosen so that the smallest c meeting the
# target meets it clearly and c - 1 misses it clearly (Erlang C figures in the comments).
CASES = [
    (1.0, 8.0, "wait_p95<=3min"),         # p95: c=11 4.24 min, c=12 2.06 min -> 12
    (0.5, 6.0, "wait_p95<=3min"),         # c=5 4.66 min, c=6 1.37 min -> 6
    (2.0, 4.0, "wait_sla_share>=0.9"),    # P(W>2min): c=10 0.151, c=11 0.055 -> 11
    (1.0, 8.0, "wait_mean<=1min"),        # Wq: c=10 1.92 min, c=11 0.66 min -> 11
]


def erlang_answer(rate: float, service: float, target: str, sla: float) -> int:
    parsed = parse_target(target, sla)
    servers = int(rate * service) + 1
    while not parsed.met_by(rate, service, servers):
        servers += 1
    return servers


def mmc_problem(tmp_path: Path, rate: float, service: float, target: str) -> Problem:
    path = hall(tmp_path, rate=f"{rate:g}/min", servers=30, extra="sla: 2min\n",
                service=f"{{dist: exponential, mean: {service:g}min}}")
    model = load_scenario(path).model(None)
    return Problem(model, ("desks",), parse_target(target, model.sla), DAY,
                   parse_shifts("24h@24h", DAY), seed=11, proof_seed=12)


@pytest.mark.parametrize(("rate", "service", "target"), CASES)
def test_stationary_mmc_needs_the_erlang_c_answer(tmp_path: Path, rate: float, service: float,
                                                   target: str) -> None:
    problem = mmc_problem(tmp_path, rate, service, target)
    expected = erlang_answer(rate, service, target, 2.0)
    # The case keeps a margin on both sides, so that simulation noise cannot decide it.
    figure = {"p95": lambda c: mmc_wait_quantile(rate, service, c, 0.95),
              "mean": lambda c: mmc(rate, service, c).wait_mean,
              "beyond_share": lambda c: mmc_wait_tail(rate, service, c, 2.0)}[
                  problem.target.slot_kpi]
    assert figure(expected - 1) > 1.3 * problem.target.bound > 1.3 * figure(expected)
    solution = solve(problem, serial(10))
    assert solution.requirement.staffing["desks"] == [expected]
    assert solution.rosters["desks"].officers == (expected,)
    assert solution.passed


@pytest.mark.parametrize("offset", [-3, 3])
def test_the_search_corrects_a_wrong_start(tmp_path: Path, offset: int) -> None:
    rate, service, target = CASES[0]
    problem = mmc_problem(tmp_path, rate, service, target)
    expected = erlang_answer(rate, service, target, 2.0)
    evaluator = Evaluator(problem, serial(10))
    found = find_requirement(problem, evaluator, {"desks": [expected + offset]})
    assert found.staffing["desks"] == [expected]
    assert found.rounds >= 3  # it took simulation, not the start, to get there


def test_two_peak_roster_is_proved_and_tight(tmp_path: Path) -> None:
    path = hall(tmp_path, rates=TWO_PEAKS, replications=20)
    model = load_scenario(path).model(None)
    problem = Problem(model, ("desks",), parse_target("wait_p95<=10min", model.sla), 60.0,
                      parse_shifts("8h@1h", 60.0), seed=7, proof_seed=8)
    solution = solve(problem, serial(20), tightness=True)
    assert solution.proof.met, solution.proof.statuses
    required = solution.requirement.staffing["desks"]
    coverage = solution.rosters["desks"].coverage
    assert all(c >= r for c, r in zip(coverage, required, strict=True))
    # The requirement follows the two peaks: many more officers in the afternoon than at night.
    assert max(required[12:18]) >= 2 * max(required[0:5])
    assert solution.tightness is not None
    assert solution.tightness["desks"], "the roster uses some shift"
    loose = [shift for shift, failed in solution.tightness["desks"] if not failed]
    assert not loose, f"one officer fewer in {loose} still meets the target"
    # Fewer officer-hours than a flat staffing at the peak level would need.
    assert solution.officer_hours < 24 * max(required)


POOLED = """\
name: Two-language hall
time: {horizon: 3d, warmup: 1d}
replications: 8
seed: 5
sla: 20s
stations:
  agents:
    pools:
      mandarin: {servers: 10, skills: [zh]}
      bilingual: {servers: 3, skills: [zh, en]}
    skills: {zh_callers: zh, en_callers: en}
    service: {dist: exponential, mean: 4min}
classes:
  zh_callers:
    arrivals: {kind: profile, rates: [%s]}
    route: [agents]
  en_callers:
    arrivals: {kind: poisson, rate: 6/h}
    route: [agents]
"""


@pytest.mark.slow
def test_skill_pools_are_staffed_pool_by_pool(tmp_path: Path) -> None:
    """A station of skill pools is staffed per pool: the Mandarin pool answers for the
    Mandarin callers (it is their first choice), the bilingual pool for the English ones, and
    the roster passes the proof for both classes in every hour."""
    rates = ", ".join(f"{round(20 + 120 * max(0.0, 1 - abs(h - 13) / 7))}/h" for h in range(24))
    path = tmp_path / "pooled.yaml"
    path.write_text(POOLED % rates)
    model = load_scenario(path).model(None)
    problem = Problem(model, ("agents",), parse_target("wait_sla_share>=0.8", model.sla), 60.0,
                      parse_shifts("8h@1h", 60.0), seed=5, proof_seed=6)
    assert problem.units == ("agents/mandarin", "agents/bilingual")
    assert problem.pool_classes("agents/mandarin") == (("zh_callers",), ("zh_callers",))
    assert problem.pool_classes("agents/bilingual") == (
        ("en_callers",), ("zh_callers", "en_callers"))
    solution = solve(problem, serial(8))
    assert solution.passed
    for name in ("zh_callers", "en_callers"):
        statuses = [solution.proof.results.summary("classes", name,
                                                   f"wait_h{h:02d}00_beyond_share").high
                    for h in range(24)]
        assert max(statuses) <= 0.2 + 1e-9
    mandarin = solution.requirement.staffing["agents/mandarin"]
    assert max(mandarin[10:17]) >= 2 * max(mandarin[0:5]), "follows the Mandarin peak"


def test_a_class_target_on_a_one_class_hall_is_the_station_target(tmp_path: Path) -> None:
    """With one class and one station the class's waits by hour of arrival are the station's:
    the per-class target finds the same requirement and roster."""
    path = hall(tmp_path, rates=TWO_PEAKS, replications=8)
    model = load_scenario(path).model(None)

    def solved(target: str) -> Any:
        problem = Problem(model, ("desks",), parse_target(target, model.sla), 60.0,
                          parse_shifts("8h@1h", 60.0), seed=7, proof_seed=8)
        return solve(problem, serial(8))

    by_station = solved("wait_p95<=10min")
    by_class = solved("traveller:wait_p95<=10min")
    assert by_class.problem.target.classes == ("traveller",)
    assert by_class.requirement.staffing == by_station.requirement.staffing
    assert by_class.rosters["desks"].officers == by_station.rosters["desks"].officers


def test_call_out_hours_of_teams_called_in_for_bookings_are_costed() -> None:
    """A desk hall staffed by the solver next to a team with nobody on duty that is called in
    for a booked ship every day: the ship's call-out (30-min hold + 60-min service = 1.5 h a
    day) is costed at --callout-cost beside the roster's officer-hours."""
    from portsim.engine import ClassSpec, Model, Poisson, StationSpec, Timetable, Visit
    from portsim.engine.distributions import Deterministic, Exponential
    from portsim.engine.model import ShiftSchedule

    model = Model(
        stations=(StationSpec("desks", ShiftSchedule.constant(4), Exponential(6.0)),
                  StationSpec("team", ShiftSchedule.constant(0), Deterministic(60.0),
                              booking_servers=1)),
        classes=(ClassSpec("traveller", Poisson(0.3), (Visit("desks"),)),
                 ClassSpec("ship", Timetable((600.0,), (1,), (0.0,), 1440.0),
                           (Visit("team", reserve_ahead=30.0),))),
        horizon=3 * DAY, warmup=DAY)
    problem = Problem(model, ("desks",), parse_target("wait_p95<=10min", model.sla), 60.0,
                      parse_shifts("8h@1h", 60.0), seed=3, proof_seed=4, callout_cost=10.0)
    solution = solve(problem, serial(4))
    assert solution.callout_hours == pytest.approx(1.5, rel=1e-9)
    assert solution.baseline_callout_hours == pytest.approx(1.5, rel=1e-9)
    assert solution.cost == pytest.approx(solution.officer_hours + 15.0)
    data = summary(solution)
    assert data["callout_hours"] == pytest.approx(1.5) and data["callout_cost"] == 10.0
