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
