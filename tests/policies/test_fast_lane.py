"""Fast lane: key-material trucks get their own lane and fewer customs inspections."""

from __future__ import annotations

import dataclasses
import math

from policy_helpers import kpis, only_classes, shipped, visits

import portsim
from portsim.engine import model as m

TRUCKS = ("key_trucks", "ordinary_trucks")


def trucks(variant: str | None) -> m.Model:
    """The shipped land port's trucks alone, over ten days."""
    model = only_classes(portsim.compile_model(shipped("land_port/land_port.yaml"), variant),
                         *TRUCKS)
    return dataclasses.replace(model, horizon=10 * m.MINUTES_PER_DAY, warmup=0.0)


def test_fast_lane_lowers_key_trucks_inspections_and_time() -> None:
    base_model, fast_model = trucks(None), trucks("fast_lane_customs")
    base, fast = visits(base_model), visits(fast_model)
    key = base["key_trucks", "arrive"]
    assert key == fast["key_trucks", "arrive"] > 1000

    def within(count: int, p: float) -> bool:
        return abs(count - key * p) < 4 * math.sqrt(key * p * (1 - p))

    # Customs' inspection share: 5% of key trucks without its part of the fast lane, 1% with it.
    assert within(base["key_trucks", "customs_inspection"], 0.05)
    assert within(fast["key_trucks", "customs_inspection"], 0.01)
    # Ordinary trucks draw the same inspections in both runs (common random numbers).
    assert fast["ordinary_trucks", "customs_inspection"] == \
        base["ordinary_trucks", "customs_inspection"]
    # Most key trucks take their own lane; no ordinary truck does.
    assert fast["key_trucks", "truck_lanes.fast"] > 0.6 * key
    assert fast["ordinary_trucks", "truck_lanes.fast"] == 0
    # So the key trucks are through sooner.
    base_k, fast_k = kpis(base_model), kpis(fast_model)
    assert fast_k["classes"]["key_trucks"]["sojourn_mean"] < \
        0.85 * base_k["classes"]["key_trucks"]["sojourn_mean"]


def test_the_border_fast_lane_leaves_customs_as_it_was() -> None:
    # The border's own fast lane (a lane, no change at customs): key trucks are inspected by
    # customs as often as before. On an ordinary day the truck lanes hardly queue, so the lane
    # gains the key trucks a few seconds at border inspection; the minutes the fast lane used
    # to show were customs' (fewer inspections), now in fast_lane_customs.
    base_model, border_model = trucks(None), trucks("fast_lane")
    customs_model = trucks("fast_lane_customs")
    base, border = visits(base_model), visits(border_model)
    assert border["key_trucks", "customs_inspection"] == base["key_trucks", "customs_inspection"]
    base_k, border_k, customs_k = kpis(base_model), kpis(border_model), kpis(customs_model)

    def key(k: dict, kpi: str) -> float:
        return float(k["classes"]["key_trucks"][kpi])

    border_gain = key(base_k, "until_border_cleared_mean") - key(border_k,
                                                                 "until_border_cleared_mean")
    assert 0 < border_gain < 0.1 * key(base_k, "until_border_cleared_mean")
    customs_gain = key(border_k, "sojourn_mean") - key(customs_k, "sojourn_mean")
    assert customs_gain > 5 * border_gain


def test_compiled_lanes() -> None:
    model = trucks("fast_lane_customs")
    assert model.station("truck_lanes").servers.max_servers == 5
    assert model.station("truck_lanes.fast").servers.max_servers == 1
    key = next(c for c in model.classes if c.name == "key_trucks").route
    ordinary = next(c for c in model.classes if c.name == "ordinary_trucks").route
    cleared = m.Milestone("border_cleared")
    assert key == (m.ShortestQueue(("truck_lanes.fast", "truck_lanes")), cleared,
                   m.OptionalStep(0.01, (m.Visit("customs_inspection"),)))
    assert ordinary == (m.Visit("truck_lanes"), cleared,
                        m.OptionalStep(0.05, (m.Visit("customs_inspection"),)))
