"""Waits filed by clock slot of arrival, checked against direct computation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from portsim.stats.accumulators import Tally
from portsim.stats.slots import (
    BINS,
    SlotTally,
    bin_lower_edges,
    bin_middle,
    floor_quotient,
    wait_bins,
)


def test_slots_match_a_direct_computation_per_day_and_pooled() -> None:
    rng = np.random.default_rng(1)
    horizon, standard = 2 * 1440.0, 30.0
    arrived = rng.uniform(0, horizon, 20_000)
    waits = np.where(rng.random(arrived.size) < 0.3, 0.0, rng.exponential(12.0, arrived.size))
    tally = SlotTally(horizon, standard)
    # As the engine files them: a Tally folds its chunks into the slots, with the times
    # appended alongside each wait; the rest at once, as waits still in progress.
    waits_tally = Tally(standard, on_flush=tally.fold_pending)
    for wait, time in zip(waits[:15_000], arrived[:15_000], strict=True):
        waits_tally.add(float(wait))
        tally.times.append(float(time))
        waits_tally.maybe_flush()
    waits_tally.flush()
    tally.add_many(waits[15_000:], arrived[15_000:])
    days = tally.by_day()
    assert len(days) == 2 and len(days[0]) == 24
    for day in range(2):
        for hour in (0, 7, 23):
            chosen = (arrived // 1440 == day) & ((arrived % 1440) // 60 == hour)
            summary = days[day][hour]
            assert summary.count == int(chosen.sum())
            assert summary.mean == pytest.approx(waits[chosen].mean())
            assert summary.beyond_share == pytest.approx((waits[chosen] > standard).mean())
            assert math.isnan(summary.p95)  # percentiles are kept pooled only
    pooled = tally.pooled()
    for clock in (0, 9, 17):
        hour = (arrived % 1440) // 60 == clock
        assert pooled[clock].count == int(hour.sum())
        assert pooled[clock].beyond_share == pytest.approx((waits[hour] > standard).mean())
        exact = np.quantile(waits[hour], 0.95, method="inverted_cdf")
        assert abs(pooled[clock].p95 - exact) <= 0.008 * exact
        assert pooled[clock].longest == waits[hour].max()


def test_slots_before_the_first_are_not_filed_and_memory_does_not_grow_with_days() -> None:
    short, long = SlotTally(1440.0, 30.0), SlotTally(365 * 1440.0, 30.0, first_slot=24)
    assert long.histograms.nbytes == short.histograms.nbytes
    long.add_many(np.array([5.0, 50.0]), np.array([600.0, 1440.0 + 600.0]))
    pooled = long.pooled()
    assert pooled[10].count == 1 and pooled[10].mean == 50.0


def test_empty_slots_zero_waits_and_waits_beyond_the_reach() -> None:
    tally = SlotTally(1440.0, 30.0)
    tally.add_many(np.zeros(10), np.full(10, 61.0))
    tally.add_many(np.array([500.0]), np.array([130.0]))
    pooled = tally.pooled()
    assert math.isnan(pooled[0].mean) and pooled[0].count == 0
    assert pooled[1].p95 == 0.0 and pooled[1].beyond_share == 0.0
    assert pooled[2].p95 == 500.0 and pooled[2].beyond_share == 1.0  # capped by the longest
    tally.reset()
    assert tally.pooled()[1].count == 0


def test_histogram_bins_are_those_of_a_binary_search_over_the_edges() -> None:
    # The bins are read off the waits' bits: every bin must be the binary search's over the
    # lower edges, on the edges themselves and the floats next to them too.
    edges = bin_lower_edges()
    assert edges.size == BINS and np.all(np.diff(edges) > 0)
    assert np.all(np.diff(edges[1:-1]) / edges[1:-2] <= 1 / 64 + 1e-15)  # at most 1/64 wide
    rng = np.random.default_rng(7)
    waits = np.concatenate([
        rng.exponential(scale, 50_000) for scale in (1e-4, 0.01, 1.0, 30.0, 600.0, 1e5)] + [
        edges, np.nextafter(edges, 0.0), np.nextafter(edges, math.inf),
        np.array([0.0, -0.0, -1.0, -math.inf, 5e-324, 1e7, 2e7, 1e300, math.inf, math.nan])])
    expected = np.maximum(np.searchsorted(edges, waits, side="right") - 1, 0)
    expected[np.isnan(waits)] = BINS - 1
    assert np.array_equal(wait_bins(waits), expected)


@pytest.mark.parametrize("scale", [0.02, 0.3, 1.0, 7.0, 45.0, 3000.0])
def test_a_slot_percentile_is_within_one_percent_of_the_exact_one(scale: float) -> None:
    # Off any grid of the standard: a percentile of 0.3 min with a 30-minute standard is read
    # to within 0.8 %, not at the next 0.5-minute edge.
    rng = np.random.default_rng(int(scale * 100))
    for _ in range(5):
        waits = np.where(rng.random(4000) < 0.5, 0.0, rng.exponential(scale, 4000))
        tally = SlotTally(1440.0, 30.0)
        tally.add_many(waits, rng.uniform(0, 60.0, waits.size))
        exact = np.quantile(waits, 0.95, method="inverted_cdf")
        assert abs(tally.pooled()[0].p95 - exact) <= 0.008 * exact


def test_the_middle_of_every_bin_lies_inside_it() -> None:
    edges = bin_lower_edges()
    middles = np.array([bin_middle(index) for index in range(BINS - 1)])
    assert np.all((edges[:-1] <= middles) & (middles < edges[1:]))
    assert bin_middle(BINS - 1) == math.inf


def test_slot_of_a_time_is_the_floor_division_even_next_to_whole_quotients() -> None:
    rng = np.random.default_rng(8)
    for width in (60.0, 30.0, 15.0, 7.5, 20.0, 1.0 / 3.0, 0.1):
        multiples = rng.integers(0, 10_000, 20_000) * width
        times = np.concatenate([rng.uniform(0.0, 1e6, 20_000), multiples,
                                np.nextafter(multiples, 0.0), np.nextafter(multiples, math.inf)])
        assert np.array_equal(floor_quotient(times, width), times // width)


def test_a_wait_that_began_before_time_0_is_filed_under_the_first_slot() -> None:
    """A warm start places customers who joined before the run's time 0: their waits go to
    the first slot (the compiled loop declines the chunk; the numpy filing takes it)."""
    tally = SlotTally(1440.0, 30.0)
    tally.add_many(np.array([12.0, 3.0]), np.array([-7.5, 30.0]))
    pooled = tally.pooled()
    assert pooled[0].count == 2 and pooled[0].mean == pytest.approx(7.5)
    assert int(tally.counts.sum()) == 2


def test_a_time_past_any_integer_is_filed_under_the_last_slot_without_a_warning() -> None:
    """Cast to an integer first, an infinite time had none (numpy warned and gave the smallest
    integer, clipped to the first slot): a wait at the end of time filed at its start."""
    import warnings

    tally = SlotTally(1440.0, 30.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tally._fold_arrays(np.array([5.0, 7.0]), np.array([math.inf, 1e300]))
    assert tally.counts[-1] == 2 and tally.counts[0] == 0
