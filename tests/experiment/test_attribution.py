"""``compare --attribute-delay``: the delay due to border inspection, against the same run with
the inspection stations instant, on common random numbers: known answers, the pairing, and the
comparison's files."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from exp_support import DATA

from portsim.engine.model import ShiftSchedule
from portsim.experiment.attribution import (
    DELAY,
    LATENESS,
    SHARE,
    SUFFIX,
    UNLIMITED,
    AttributionError,
    counterfactuals,
    inspections,
    instant,
)
from portsim.experiment.comparison import compare
from portsim.experiment.options import RunOptions
from portsim.experiment.runner import prepare, run_prepared
from portsim.scenario import load_scenario
from portsim.stats.kpis import bounds, direction, lookup
from portsim.theory.erlang import mm1

INSPECTED = DATA / "inspected_port.yaml"


def vehicles(inspection: dict[str, Any], rate: str, replications: int,
             horizon: str = "2d", warmup: str = "6h") -> dict[str, Any]:
    """Trucks that drive 10 minutes and then meet an inspection station."""
    return {
        "name": "Known answers", "time": {"horizon": horizon, "warmup": warmup},
        "replications": replications, "seed": 3,
        "inspection": {"stations": ["inspection"], "classes": ["trucks"]},
        "stations": {"inspection": inspection},
        "classes": {"trucks": {"arrivals": {"kind": "poisson", "rate": rate},
                               "route": [{"delay": {"dist": "deterministic", "value": "10min"}},
                                         "inspection"]}},
        # compare needs a variant; this one changes nothing the runs draw
        "variants": {"same": {"description": "the baseline again"}},
    }


def test_a_deterministic_uncongested_inspection_delays_each_vehicle_by_its_time() -> None:
    # 2 trucks an hour, 15 minutes each, 50 teams: nobody ever queues, so every truck's stay
    # is 10 + 15 minutes with inspection and 10 without it.
    document = vehicles({"servers": 50, "service": {"dist": "deterministic", "value": "15min"}},
                        "2/h", 3)
    comparison = compare(document, workers=1, attribute_delay=True)
    results = comparison.baseline
    np.testing.assert_allclose(results.per_replication("classes", "trucks", DELAY), 15.0,
                               rtol=0, atol=1e-9)
    np.testing.assert_allclose(results.per_replication("classes", "trucks", SHARE), 15 / 25,
                               rtol=0, atol=1e-12)
    item = comparison.attribution.attributed[0]
    assert item.label == "baseline"
    assert item.without.mean == pytest.approx(10.0, abs=1e-9)
    assert item.with_inspection.mean == pytest.approx(25.0, abs=1e-9)
    assert item.lateness is None  # no due time, no lateness KPI
    assert not results.has("classes", "trucks", LATENESS)


def test_an_mm1_inspection_attributes_its_sojourn() -> None:
    # One team, exponential 12 minutes, 3 trucks an hour: the delay due to inspection is the
    # M/M/1 sojourn, 12 / (1 - 0.6) = 30 minutes; the drive is the same in both runs.
    document = vehicles({"servers": 1, "service": {"dist": "exponential", "mean": "12min"}},
                        "3/h", 20, horizon="20d", warmup="2d")
    comparison = compare(document, workers=2, attribute_delay=True)
    expected = mm1(3 / 60, 12.0).sojourn_mean
    assert expected == pytest.approx(30.0)
    delay = comparison.baseline.summary("classes", "trucks", DELAY)
    assert delay.low <= expected <= delay.high, delay
    assert delay.half_width < 0.2 * expected  # a meaningful test, not a wide interval


@pytest.fixture(scope="module")
def inspected() -> Any:
    return compare(INSPECTED, workers=1, attribute_delay=True)


def test_the_counterfactual_makes_only_the_inspection_instant() -> None:
    scenario = load_scenario(INSPECTED)
    model = scenario.model(None)
    made = instant(model, ["boarding"])
    boarding = made.station("boarding")
    assert boarding.servers == ShiftSchedule.constant(UNLIMITED)
    assert boarding.service.mean == 0.0 and not boarding.service_by_class
    assert made.station("pilot") == model.station("pilot")
    assert made.station("berths") == model.station("berths")
    assert made.classes == model.classes  # routes keep every step: streams stay keyed alike


def test_the_other_stations_draw_the_same_numbers_without_inspection() -> None:
    # The pilot comes before the inspection: the same ships meet it at the same times and draw
    # the same service times, so its KPIs agree (to the rounding of the other engine's order
    # of additions: the counterfactual runs on the event engine); the arrivals exactly.
    scenario = load_scenario(INSPECTED)
    prepared = [prepare(scenario, None, "baseline")[0]]
    inspected = inspections(scenario, prepared)
    runs = run_prepared([*prepared, *counterfactuals(prepared, inspected)],
                        RunOptions(workers=1), scenario)
    run, without = runs["baseline"], runs["baseline" + SUFFIX]
    for kpi in ("arrivals", "completions", "wait_mean", "wait_p95", "utilisation"):
        np.testing.assert_allclose(run.per_replication("stations", "pilot", kpi),
                                   without.per_replication("stations", "pilot", kpi),
                                   rtol=1e-12)
    for name in ("ships", "crew_visitors"):
        np.testing.assert_array_equal(run.per_replication("classes", name, "arrivals"),
                                      without.per_replication("classes", name, "arrivals"))
    # Without inspection nobody waits there and the ships are cleared as the pilot leaves.
    assert np.all(without.per_replication("stations", "boarding", "wait_mean") == 0.0)
    assert np.all(run.per_replication("stations", "boarding", "wait_mean") > 0.0)


def test_each_run_gets_its_own_attribution(inspected: Any) -> None:
    labels = [item.label for item in inspected.attribution.attributed]
    assert labels == ["baseline", "two_teams"]  # ships only: visitors are not vehicles
    assert "baseline" + SUFFIX not in inspected.labels  # the counterfactuals are not variants
    base = inspected.baseline.summary("classes", "ships", DELAY)
    more = inspected.variants["two_teams"].summary("classes", "ships", DELAY)
    assert more.mean < base.mean
    # A variant's difference is the inspection delay it removes, paired by replication.
    diff = inspected.difference("two_teams", "classes", "ships", DELAY)
    assert diff.high < 0
    assert diff.mean == pytest.approx(more.mean - base.mean)
    # Measured until the milestone: without inspection a ship is cleared as the pilot leaves.
    item = inspected.attribution.for_class("ships")[0]
    assert item.measured == "until_cleared_mean"
    assert item.delay.mean == pytest.approx(item.with_inspection.mean - item.without.mean)
    assert inspected.baseline.has("classes", "ships", LATENESS)  # due_after: lateness too
    assert not inspected.baseline.has("classes", "crew_visitors", DELAY)


def test_results_and_csv_hold_the_attribution(inspected: Any) -> None:
    data = inspected.to_dict()
    part = data["inspection_delay"]
    assert part["format"] == "portsim-inspection-delay/1"
    assert part["stations"] == {"baseline": ["boarding"], "two_teams": ["boarding"]}
    first = part["attributed"][0]
    assert first["class"] == "ships" and first["measured"] == "until_cleared_mean"
    assert set(first) >= {"delay", "share", "lateness", "with_inspection", "without_inspection"}
    assert DELAY in data["differences"]["two_teams"]["classes"]["ships"]
    kpis = {(row["variant"], row["kpi"]) for row in inspected.rows()
            if row["name"] == "ships"}
    assert {("baseline", DELAY), ("two_teams", DELAY), ("baseline", SHARE),
            ("two_teams", LATENESS)} <= kpis


def test_without_the_flag_nothing_changes() -> None:
    comparison = compare(INSPECTED, workers=1, replications=2)
    assert comparison.attribution is None
    assert "inspection_delay" not in comparison.to_dict()
    assert not comparison.baseline.has("classes", "ships", DELAY)


def test_a_scenario_naming_no_inspection_is_refused() -> None:
    document = vehicles({"servers": 1, "service": {"dist": "exponential", "mean": "5min"}},
                        "3/h", 2)
    del document["inspection"]
    with pytest.raises(AttributionError, match="add an `inspection:` block"):
        compare(document, workers=1, attribute_delay=True)


def test_a_policy_lane_split_off_an_inspection_station_is_inspection_too() -> None:
    scenario = load_scenario(DATA.parents[2] / "scenarios" / "airport" / "cargo_flights.yaml")
    prepared = [prepare(scenario, "green_channel_own_team")[0]]
    (inspection,) = inspections(scenario, prepared).values()
    assert inspection.stations == ("document_check", "flight_inspection",
                                   "flight_inspection.green")


def test_the_catalogue_knows_the_kpis() -> None:
    for key in (DELAY, SHARE, LATENESS):
        entry = lookup("classes", key)
        assert entry is not None and "inspection.classes" in (entry.only_for or "")
        assert direction(key) == -1
    # A difference of two runs may be below zero.
    assert bounds("classes", DELAY)[0] == -math.inf
    assert bounds("classes", SHARE) == (-math.inf, 1.0)
