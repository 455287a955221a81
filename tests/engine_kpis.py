"""Checks that both engines gave the same KPIs (and the same visits), for the tests that compare
them."""

from __future__ import annotations

import math
from typing import Any

import pytest

from portsim.engine import run_replication


def assert_same_kpis(events: dict[str, Any], fast: dict[str, Any]) -> None:
    """The event engine's and the fast path's KPIs of one replication: the same scopes, rows
    and KPIs, each value equal to 1e-9 (NaN where the other is NaN)."""
    assert fast.keys() == events.keys()
    for scope, rows in events.items():
        assert fast[scope].keys() == rows.keys()
        for row, values in rows.items():
            assert fast[scope][row].keys() == values.keys(), (scope, row)
            for kpi, value in values.items():
                other = fast[scope][row][kpi]
                if math.isnan(value):
                    assert math.isnan(other), (scope, row, kpi)
                else:
                    assert other == pytest.approx(value, rel=1e-9, abs=1e-9), (scope, row, kpi)


def station_events(model: Any, engine: str, seed: int) -> list[tuple[int, str, str, float]]:
    """Every event at a station in one replication: (entity, station, event, time), sorted."""
    seen: list[tuple[int, str, str, float]] = []

    def trace(time: float, entity: int, kind: str, station: str | None, event: str) -> None:
        if station is not None:
            seen.append((entity, station, event, time))

    run_replication(model, seed=seed, engine=engine, trace=trace)
    return sorted(seen)


def assert_same_run(model: Any, seed: int) -> None:
    """Both engines on ``model`` and ``seed``: the same visits customer by customer, and the
    same KPIs."""
    assert station_events(model, "fast", seed) == station_events(model, "events", seed)
    assert_same_kpis(run_replication(model, seed=seed, engine="events").kpis,
                     run_replication(model, seed=seed, engine="fast").kpis)
