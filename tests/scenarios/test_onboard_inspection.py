"""Mohan railway port: inspection on board during the last leg against inspection in the hall.

Published [14]: the stop at Mohan was cut from 90 to 52 minutes. The train leaves when its
technical stop and every passenger's clearance are done (spawn with wait), so the stop comes out
of the simulation, not out of a parameter.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import portsim

FILE = Path(__file__).parents[2] / "scenarios" / "railway_port" / "mohan_onboard.yaml"
LEG = 60.0  # minutes of the last leg, in both variants


@pytest.fixture(scope="module")
def runs() -> dict[str | None, portsim.Results]:
    scenario = portsim.load_scenario(FILE)
    return {variant: portsim.simulate(scenario, variant=variant, replications=8, seed=3)
            for variant in (None, "onboard")}


def test_hall_inspection_makes_the_stop_about_ninety_minutes(runs) -> None:
    stop = runs[None].summary("classes", "trains", "sojourn_mean")
    assert 80 <= stop.mean - LEG <= 100
    assert runs[None].summary("classes", "trains", "late_share").mean > 0.9


def test_onboard_inspection_brings_the_stop_within_52_minutes(runs) -> None:
    hall = runs[None].per_replication("classes", "trains", "sojourn_mean")
    onboard = runs["onboard"].per_replication("classes", "trains", "sojourn_mean")
    assert (onboard < hall).all()
    assert onboard.mean() - LEG <= 52
    assert runs["onboard"].summary("classes", "trains", "late_share").mean == 0.0


def test_the_train_waits_for_its_last_passenger(runs) -> None:
    # In the hall variant the stop ends with the last passenger back on board: the train's
    # time is at least the leg plus the slowest passenger's time in the system.
    hall = runs[None]
    for replication in hall.replications:
        train = replication.kpis["classes"]["trains"]
        passengers = replication.kpis["classes"]["hall_passengers"]
        assert train["sojourn_max"] >= LEG + passengers["sojourn_max"] - 1e-6


def test_inspection_causes_most_of_the_hall_stop_and_none_on_board() -> None:
    # Without inspection the stop is the 40-minute technical stop (the passengers' walks to
    # the hall and back are shorter): the delay due to inspection is the rest of the ~90
    # minutes in the hall, and nothing when officers clear the passengers during the leg.
    from portsim.experiment.comparison import compare

    comparison = compare(FILE, replications=5, seed=3, workers=1, attribute_delay=True)
    by_label = {found.label: found for found in comparison.attribution.for_class("trains")}
    hall, onboard = by_label["baseline"], by_label["onboard"]
    assert hall.without.mean == pytest.approx(LEG + 40.0)
    assert 40 <= hall.delay.mean <= 60 and hall.delay.low > 0
    assert hall.lateness is not None and hall.lateness.mean > 25
    delays = comparison.variants["onboard"].per_replication(
        "classes", "trains", "inspection_delay_mean")
    assert (delays == 0.0).all() and onboard.with_inspection.mean == pytest.approx(LEG + 40.0)
