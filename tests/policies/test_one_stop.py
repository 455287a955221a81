"""One stop: the stops a truck made one after another become one joint stop with their booths
(scenarios/land_port/liantang_freight.yaml, variant one_stop)."""

from __future__ import annotations

import dataclasses

from policy_helpers import kpis, shipped

import portsim
from portsim.engine import distributions as dists
from portsim.engine import model as m

STOPS = ("hong_kong_control", "border_stop", "customs_stop")


def freight(variant: str | None) -> m.Model:
    return portsim.compile_model(shipped("land_port/liantang_freight.yaml"), variant)


def test_the_joint_stop_has_the_stops_booths_and_the_approach_road() -> None:
    before, after = freight(None), freight("one_stop")
    joint = after.station("joint_booths")
    assert joint.servers == m.ShiftSchedule.constant(6)
    assert joint.positions == m.ShiftSchedule.constant(6)
    assert joint.service == dists.Lognormal(mean=2.5, cv=0.5)
    # The first stop's queue limit (the approach road) stays in front of the joint stop.
    assert joint.impatience == before.station("hong_kong_control").impatience is not None
    assert not any(station.name in STOPS for station in after.stations)
    (trucks,) = after.classes
    assert trucks.route == (m.Visit("joint_booths"),)


def test_pulling_in_once_clears_more_trucks() -> None:
    # Two days of the congested peak (one measured): the joint booths clear more trucks and
    # divert fewer, with the same booths.
    def day(variant: str | None) -> dict:
        model = dataclasses.replace(freight(variant), horizon=2 * m.MINUTES_PER_DAY)
        return kpis(model)["classes"]["trucks"]

    three, one = day(None), day("one_stop")
    assert one["completions"] > 1.3 * three["completions"]
    assert one["balked_share"] < three["balked_share"]
