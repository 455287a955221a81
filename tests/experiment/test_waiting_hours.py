"""The ledger's waiting-hours a day count every minute waited: by Little's law they equal the
queues' time averages where every wait is spent in a queue, and they keep the waits of booked
customers, whom no queue holds."""

from __future__ import annotations

from pathlib import Path

import pytest

import portsim

SCENARIOS = Path(__file__).parents[2] / "scenarios"


@pytest.mark.parametrize("engine", ["fast", "events"])
def test_waiting_hours_are_the_queues_time_average_where_every_wait_is_queued(
        engine: str) -> None:
    results = portsim.simulate(SCENARIOS / "validation" / "mmc.yaml", replications=2,
                               workers=1, engine=engine)
    queued = sum(results.summary("stations", name, "queue_mean").mean
                 for name in results.names("stations")) * 24.0
    assert results.summary("system", "all", "waiting_hours").mean == pytest.approx(
        queued, rel=0.01)


@pytest.mark.slow
def test_booked_waits_count_though_no_queue_holds_them() -> None:
    results = portsim.simulate(SCENARIOS / "water_port" / "water_port.yaml",
                               variant="booking_only", replications=1, workers=1)
    station = results.replications[0].kpis["stations"]["boarding_inspection"]
    assert station["queue_mean"] == 0.0 and station["wait_mean"] > 60.0
    assert results.horizon is not None
    days = (results.horizon - results.warmup) / 1440.0
    booked = station["wait_mean"] * station["completions"] / days / 60.0
    waiting = results.replications[0].kpis["system"]["all"]["waiting_hours"]
    assert waiting >= 0.95 * booked
