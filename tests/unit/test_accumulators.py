"""Tally and Level against hand-computed values."""

import math

import numpy as np
import pytest

from portsim.stats.accumulators import Level, Tally, histogram_quantile


def test_tally_moments_and_shares():
    tally = Tally(threshold=2.0)
    for value in [0.0, 1.0, 2.0, 3.0, 0.0, 4.0]:
        tally.add(value)
    assert tally.mean == pytest.approx(10 / 6)
    assert tally.variance == pytest.approx(np.var([0, 1, 2, 3, 0, 4], ddof=1))
    assert tally.maximum == 4.0
    assert tally.share_within() == pytest.approx(4 / 6)
    assert tally.share_positive() == pytest.approx(4 / 6)


def test_tally_quantiles_match_exact_order_statistics_within_bin_width():
    rng = np.random.default_rng(3)
    values = rng.exponential(5.0, 50_000)
    values[:10_000] = 0.0
    tally = Tally()
    for value in values:
        tally.add(float(value))
        tally.maybe_flush()
    for q in (0.1, 0.5, 0.9, 0.95, 0.99):
        exact = float(np.quantile(values, q))
        if exact == 0:
            assert tally.quantile(q) == 0.0
        else:
            assert tally.quantile(q) == pytest.approx(exact, rel=3e-3)
    assert tally.count == 50_000


def test_tally_reset_forgets_everything():
    tally = Tally()
    tally.add(5.0)
    tally.flush()
    tally.reset()
    assert tally.count == 0 and math.isnan(tally.mean)


def test_empty_histogram_quantile_is_nan():
    assert math.isnan(histogram_quantile(0, np.zeros(10, dtype=np.int64), 0.5, 0.0))


def test_level_time_average_and_max():
    level = Level(0.0, 0.0)
    level.set(1.0, 2)    # 0 over [0,1)
    level.set(3.0, 1)    # 2 over [1,3)
    level.close(5.0)     # 1 over [3,5)
    assert level.area == pytest.approx(0 + 4 + 2)
    assert level.time_average() == pytest.approx(6 / 5)
    assert level.maximum == 2


def test_level_reset_keeps_value_and_restarts_average():
    level = Level(0.0, 0.0)
    level.set(1.0, 4)
    level.reset(2.0)         # warm-up ends with 4 in the queue
    level.set(4.0, 0)
    level.close(6.0)
    assert level.time_average() == pytest.approx((4 * 2) / 4)
    assert level.maximum == 4


def test_level_bins_split_area_at_boundaries():
    level = Level(0.0, 0.0, bin_width=10.0, bin_count=3)
    level.set(5.0, 2)        # 2 from 5 to 25
    level.set(25.0, 0)
    level.close(30.0)
    assert level.bins.tolist() == pytest.approx([10.0, 20.0, 10.0])


def test_an_infinite_value_falls_in_the_last_bin_without_a_warning():
    """Cast to an integer, infinity had no bin (numpy warned and gave the smallest integer,
    clipped to the first bin: the longest value counted as the shortest)."""
    import warnings

    tally = Tally()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tally.add_many(np.array([1.0, math.inf]))
    assert tally.histogram[-1] == 1
    assert tally.histogram[0] == 0
    assert tally.quantile(0.99) > 1e6


def test_a_value_whose_scaling_overflows_falls_in_the_last_bin_without_a_warning() -> None:
    import warnings

    tally = Tally()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tally.add_many(np.array([1e306]))
    assert tally.histogram[-1] == 1
