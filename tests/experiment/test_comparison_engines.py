"""A comparison whose baseline runs on the fast path and whose variant needs the event engine:
what the variant does not touch reads exactly no change, what it touches is measured."""

from __future__ import annotations

import math
from typing import Any

import portsim
from portsim.report.kpis import significant

EXPONENTIAL = {"dist": "exponential", "mean": "2min"}


def scenario() -> dict[str, Any]:
    """Two halls used by two classes; the variant makes one hall's desks queue-reactive."""
    return {
        "name": "two halls",
        "time": {"horizon": "2d", "warmup": "6h"},
        "stations": {"north": {"servers": 3, "service": EXPONENTIAL},
                     "south": {"servers": 2, "service": EXPONENTIAL}},
        "classes": {"a": {"arrivals": {"kind": "poisson", "rate": "80/h"}, "route": ["north"]},
                    "b": {"arrivals": {"kind": "poisson", "rate": "50/h"}, "route": ["south"]}},
        "variants": {"reactive_north": {"policies": {"staffing": {"north": {"reactive": {
            "open_above": "5min", "close_below": "1min", "max_extra": 2}}}}}},
        "replications": 6, "seed": 3,
    }


def test_untouched_kpis_read_no_change_across_engines() -> None:
    comparison = portsim.compare(portsim.load_scenario(scenario()))
    assert comparison.baseline.engine == "fast"
    assert comparison.variants["reactive_north"].engine == "events"
    for kpi in ("wait_mean", "utilisation", "queue_mean", "throughput_per_hour"):
        values = comparison.difference_values("reactive_north", "stations", "south", kpi)
        assert values.tolist() == [0.0] * 6, kpi
        assert not significant(comparison.difference("reactive_north", "stations", "south",
                                                     kpi))
    north = comparison.difference("reactive_north", "stations", "north", "wait_mean")
    assert north is not None and math.isfinite(north.mean) and north.mean < 0
    assert significant(north)
