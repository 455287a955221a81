"""One check that both engines gave the same KPIs, for the tests that compare them."""

from __future__ import annotations

import math
from typing import Any

import pytest


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
