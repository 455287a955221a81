"""Times in system at the horizon (issue 23 C): those still in the port when the run ends count,
with their time so far, in the class's time-in-system quantiles, maximum and share within the
standard, as waits still in progress count in the wait KPIs; the mean is of visits that ended.
Both engines, KPI by KPI."""

from __future__ import annotations

import math

import pytest

from portsim.engine import run_replication
from portsim.engine.distributions import Deterministic, Exponential
from portsim.engine.model import (
    ClassSpec,
    Delay,
    Model,
    Poisson,
    ShiftSchedule,
    StationSpec,
    Timetable,
    Visit,
)

EVENING = 20 * 60.0


def batch(at: float, count: int) -> Timetable:
    return Timetable((at,), (count,), (0.0,))


@pytest.mark.parametrize("engine", ["events", "fast"])
def test_customers_left_inside_by_a_closed_desk_count_against_the_standard(engine: str) -> None:
    """Ten at 23:00 to a desk closed from 20:00: nobody leaves, all ten have been inside 60 min
    at midnight, beyond the 30-min standard: share 0 (it read 1.0), longest 60, mean of the
    visits that ended none. Four on a 2-hour walk from 23:40 are 20 min in: within it."""
    desk = StationSpec("desk", ShiftSchedule(((0.0, 1), (EVENING, 0))), Deterministic(1.0))
    stuck = ClassSpec("stuck", batch(23 * 60.0, 10), (Visit("desk"),))
    walking = ClassSpec("walking", batch(23 * 60.0 + 40.0, 4), (Delay(Deterministic(120.0)),))
    model = Model(stations=(desk,), classes=(stuck, walking), horizon=1440.0, sla=30.0)
    kpis = run_replication(model, seed=1, engine=engine).kpis
    row = kpis["classes"]["stuck"]
    assert (row["sojourn_sla_share"], row["sojourn_max"], row["sojourn_p50"]) == (
        0.0, 60.0, pytest.approx(60.0, rel=0.02))
    assert math.isnan(row["sojourn_mean"]) and row["wait_sla_share"] == 0.0
    walked = kpis["classes"]["walking"]
    assert (walked["sojourn_sla_share"], walked["sojourn_max"]) == (1.0, 20.0)
    assert kpis["system"]["all"]["in_system_end"] == 14


def test_an_evening_closure_lowers_the_share_within_the_standard_on_both_engines() -> None:
    """The issue's case: Poisson arrivals all day, desks closed 20:00-24:00. Those still inside
    at midnight (every arrival after about 19:30 at least) make the time-in-system share fall
    below the wait share, never rise to 1; both engines agree on every time-in-system KPI."""
    desks = StationSpec("desk", ShiftSchedule(((0.0, 3), (EVENING, 0))), Exponential(4.0))
    model = Model(stations=(desks,), classes=(ClassSpec("pax", Poisson(0.6), (Visit("desk"),)),),
                  horizon=1440.0, sla=30.0)
    rows = {engine: run_replication(model, seed=3, engine=engine).kpis for engine in
            ("events", "fast")}
    row = rows["fast"]["classes"]["pax"]
    inside = rows["fast"]["system"]["all"]["in_system_end"]
    assert inside > 100
    assert row["sojourn_sla_share"] < row["wait_sla_share"] < 0.9
    assert row["sojourn_max"] >= 240.0
    for key, value in rows["events"]["classes"]["pax"].items():
        if key.startswith("sojourn_"):
            assert row[key] == pytest.approx(value, rel=1e-9), key
