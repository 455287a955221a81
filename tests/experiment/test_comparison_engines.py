"""A comparison whose baseline runs on the fast path and whose variant needs the event engine:
what the variant does not touch reads exactly no change, what it touches is measured."""

from __future__ import annotations

import math
from typing import Any

import portsim
from portsim.report.kpis import significant

EXPONENTIAL = {"dist": "exponential", "mean": "2min"}


def scenario() -> dict[str, Any]:
    """Two halls used by two classes; the variant closes one hall for an hour a day and serves
    it by priority (an outage at a priority station: the event engine runs the variant, the
    fast path the baseline; an outage alone now runs on the fast path too)."""
    return {
        "name": "two halls",
        "time": {"horizon": "2d", "warmup": "6h"},
        "stations": {"north": {"servers": 3, "service": EXPONENTIAL},
                     "south": {"servers": 2, "service": EXPONENTIAL}},
        "classes": {"a": {"arrivals": {"kind": "poisson", "rate": "80/h"}, "route": ["north"]},
                    "b": {"arrivals": {"kind": "poisson", "rate": "50/h"}, "route": ["south"]}},
        "variants": {"north_outage": {"stations": {"north": {
            "outages": [{"start": "10:00", "end": "11:00"}], "discipline": "priority"}}}},
        "replications": 6, "seed": 3,
    }


def test_untouched_kpis_read_no_change_across_engines() -> None:
    comparison = portsim.compare(portsim.load_scenario(scenario()))
    assert comparison.baseline.engine == "fast"
    assert comparison.variants["north_outage"].engine == "events"
    for kpi in ("wait_mean", "utilisation", "queue_mean", "throughput_per_hour"):
        values = comparison.difference_values("north_outage", "stations", "south", kpi)
        assert values.tolist() == [0.0] * 6, kpi
        assert not significant(comparison.difference("north_outage", "stations", "south",
                                                     kpi))
    north = comparison.difference("north_outage", "stations", "north", "wait_mean")
    assert north is not None and math.isfinite(north.mean) and north.mean > 0
    assert significant(north)
