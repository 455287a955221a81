"""Scenario benchmark: a busy airport arrivals day, in seconds per replication."""

from __future__ import annotations

import pytest

from benchmarks.models import PORT_DAY_PASSENGERS, port_day_model
from benchmarks.summary import fast_mode
from portsim.engine import run_replication

pytestmark = [pytest.mark.benchmark_suite, pytest.mark.benchmark(group="scenario")]


def test_port_day(measure, note):
    model = port_day_model()
    result = measure("scenario.port_day",
                     lambda: run_replication(model, seed=0, engine="events"),
                     2 if fast_mode() else 5, PORT_DAY_PASSENGERS)
    system = result.kpis["system"]["all"]
    assert system["arrivals"] == pytest.approx(PORT_DAY_PASSENGERS, rel=0.02)
    desks = result.kpis["stations"]["desks"]
    note("port day", f"{system['arrivals']:.0f} passengers, {result.events:,} SimPy events, "
         f"desk wait mean {desks['wait_mean']:.1f} min / p95 {desks['wait_p95']:.1f} min, "
         f"desk utilisation {desks['utilisation']:.2f}")


def test_airport_staffing_solve(measure, note):
    """``portsim staff`` on the airport's three desk halls: 24 hourly intervals, 8-h shifts on
    the hour, target p95 wait <= 30 min (goal: under 5 minutes on 2 cores)."""
    from pathlib import Path

    from portsim.experiment.options import RunOptions
    from portsim.experiment.staffing.evaluation import replicating
    from portsim.experiment.staffing.problem import Problem
    from portsim.experiment.staffing.roster import parse_shifts
    from portsim.experiment.staffing.solver import solve
    from portsim.experiment.staffing.target import parse_target
    from portsim.scenario import load_scenario

    if fast_mode():
        pytest.skip("the airport solve takes minutes; it runs in the full suite only")
    scenario = load_scenario(Path(__file__).parents[1] / "scenarios" / "airport" / "airport.yaml")
    model = scenario.model(None)
    problem = Problem(model, ("desks_north", "desks_south", "foreigner_desks"),
                      parse_target("wait_p95<=30min", model.sla), 60.0,
                      parse_shifts("8h@1h", 60.0), seed=scenario.seed,
                      proof_seed=scenario.seed + 1)
    replications = scenario.replications
    solution = measure("scenario.airport_staff",
                       lambda: solve(problem, replicating(replications, RunOptions(workers=2))),
                       1)
    assert solution.passed
    note("airport staffing", f"{solution.replications} replications in {solution.rounds} "
         f"simulation rounds ({replications} per round), "
         f"{solution.simulation_seconds / solution.replications:.2f} s wall per replication "
         f"on 2 workers; {solution.officer_hours:g} officer-hours against "
         f"{solution.baseline_officer_hours:g} as written")


def test_port_day_fast_path(measure, note):
    """The same day on the FIFO fast path (every part of it qualifies): the staffing solver's
    and the sweeps' cost per replication."""
    model = port_day_model()
    result = measure("scenario.port_day_fast",
                     lambda: run_replication(model, seed=0, engine="fast"),
                     3 if fast_mode() else 7, PORT_DAY_PASSENGERS)
    events = run_replication(model, seed=0, engine="events")
    for station in ("egates", "desks"):
        assert result.kpis["stations"][station]["wait_mean"] == pytest.approx(
            events.kpis["stations"][station]["wait_mean"], rel=1e-9)
