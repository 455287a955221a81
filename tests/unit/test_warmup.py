"""MSER-5 chooses a warm-up from the output: on made-up series and on an M/M/1 started empty."""

from __future__ import annotations

import math

import numpy as np
import pytest

from portsim.engine import (
    ClassSpec,
    Model,
    Poisson,
    ShiftSchedule,
    StationSpec,
    Visit,
    run_replication,
)
from portsim.engine.distributions import Exponential
from portsim.stats.summary import t_interval
from portsim.stats.warmup import mser, warmup_minutes
from portsim.theory.erlang import mm1


def test_a_flat_series_needs_no_warm_up() -> None:
    rng = np.random.default_rng(3)
    assert mser(rng.normal(5.0, 1.0, 500)).observations == 0


def test_a_ramp_is_cut_where_it_ends() -> None:
    rng = np.random.default_rng(4)
    series = np.concatenate([np.linspace(0.0, 10.0, 100), np.full(900, 10.0)])
    series += rng.normal(0.0, 0.5, series.size)
    cut = mser(series).observations
    assert 60 <= cut <= 110 and cut % 5 == 0


def test_the_statistic_is_the_marginal_standard_error_by_hand() -> None:
    series = [0.0] * 5 + [4.0] * 5 + [5.0] * 5 + [6.0] * 5  # batch means 0, 4, 5, 6
    cut = mser(series)
    # d=0: mean 3.75, squares 14.14+0.06+1.56+5.06 = 20.75 / 16; d=1: 2 / 9; d=2: 0.5 / 4.
    assert cut.observations == 10 and cut.statistic == pytest.approx(0.5 / 4)
    assert cut.batches == 4


def test_short_series_and_bad_input() -> None:
    assert mser([1.0, 2.0, 3.0]).observations == 0
    with pytest.raises(ValueError, match="finite"):
        mser([1.0, math.nan] * 10)
    assert warmup_minutes([0.0] * 5 + [4.0] * 5 + [5.0] * 10, 60.0, period=1440.0) == 1440.0
    assert warmup_minutes([0.0] * 5 + [4.0] * 5 + [5.0] * 10, 60.0) == 600.0


@pytest.mark.slow
def test_mser5_removes_the_empty_start_bias_of_an_mm1() -> None:
    """M/M/1 at rho = 0.9 started empty: the queue needs hours to fill (relaxation time
    1 / (mu (1 - sqrt(rho))^2) = 6.3 h). MSER-5 on the replications' mean queue-length series
    cuts a warm-up after which the mean queue agrees with Lq = rho^2 / (1 - rho) = 8.1."""
    horizon, width, replications = 3 * 1440.0, 10.0, 60
    model = Model(
        stations=(StationSpec("s", ShiftSchedule.constant(1), Exponential(1.0)),),
        classes=(ClassSpec("c", Poisson(0.9), (Visit("s"),)),),
        horizon=horizon, warmup=0.0, sla=math.inf, name="mm1", series_bin=width)
    bins = int(horizon / width)
    series = np.vstack([
        np.asarray(run_replication(model, seed=5, replication=r).series.queue_mean["s"])[:bins]
        for r in range(replications)])
    cut = mser(series.mean(axis=0)).observations
    assert 6 <= cut <= bins // 2  # at least an hour, at most half the run
    lq = mm1(0.9, 1.0).queue_mean
    early = t_interval(series[:, :6].mean(axis=1))  # the first hour: visibly below Lq
    assert early.high < lq / 2
    truncated = t_interval(series[:, cut:].mean(axis=1))
    assert truncated.contains(lq)
    assert truncated.half_width < 0.1 * lq  # precise enough for the test to mean something
