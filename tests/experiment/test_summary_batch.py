"""Summaries worked out together (every KPI of a result, every difference of a variant, in one
pass over a matrix) are the very floats of each worked out alone."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from portsim.experiment.comparison import Comparison
from portsim.stats.kpis import bounds
from portsim.stats.summary import t_interval, t_intervals

RANGES = [(-math.inf, math.inf), (0.0, math.inf), (0.0, 1.0), (-1.0, 1.0)]
VALUE = st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.just(math.nan), st.just(0.0),
                  st.floats(0.0, 1.0))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 12).flatmap(lambda n: st.lists(
    st.tuples(st.lists(VALUE, min_size=n, max_size=n), st.sampled_from(RANGES)),
    min_size=1, max_size=8)), st.sampled_from([0.9, 0.95, 0.99]))
def test_intervals_of_rows_are_each_rows_interval(rows, level) -> None:
    matrix = np.array([values for values, _ in rows], dtype=float).reshape(len(rows), -1)
    together = t_intervals(matrix, level, [bound for _, bound in rows])
    assert [repr(i) for i in together] == [repr(t_interval(values, level, bound))
                                           for values, bound in rows]


def test_long_rows_add_in_the_same_order() -> None:
    # numpy adds 8 or more values pairwise: the row's reduction must be the one a row alone gets
    generator = np.random.default_rng(7)
    for n in (7, 8, 9, 17, 130, 1000):
        matrix = generator.lognormal(3.0, 2.0, size=(40, n))
        together = t_intervals(matrix, 0.95, [(0.0, math.inf)] * 40)
        assert [repr(i) for i in together] == [repr(t_interval(row, 0.95, (0.0, math.inf)))
                                               for row in matrix]


def test_a_comparisons_summaries_and_differences_are_each_alone(comparison: Comparison) -> None:
    for results in comparison.all:
        for scope, name, kpi in results.items():
            alone = t_interval(results.per_replication(scope, name, kpi), 0.95, bounds(scope, kpi))
            assert repr(results.summary(scope, name, kpi)) == repr(alone)
    for variant in comparison.variants:
        for scope, name, kpi in comparison.items():
            alone = comparison._difference(variant, scope, name, kpi, 0.95)
            assert repr(comparison.difference(variant, scope, name, kpi)) == repr(alone)
