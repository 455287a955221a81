"""Policy comparison on common random numbers: paired differences, structure of the outputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from exp_support import REPLICATIONS, canonical

from portsim.experiment.comparison import (
    BASELINE,
    ROUNDING,
    Comparison,
    VariantError,
    compare,
    document_changes,
)
from portsim.stats.summary import t_interval


def test_paired_differences_are_differences_of_per_replication_kpis(
        comparison: Comparison) -> None:
    checked = 0
    for variant, results in comparison.variants.items():
        for scope, name, kpi in comparison.items():
            values = results.per_replication(scope, name, kpi)
            base = comparison.baseline.per_replication(scope, name, kpi)
            expected = values - base
            got = comparison.difference_values(variant, scope, name, kpi)
            # a difference within rounding of the values is none (ROUNDING); any other is kept
            rounded = (got != expected) & ~(np.isnan(got) & np.isnan(expected))
            assert np.all(got[rounded] == 0.0)
            assert np.all(np.abs(expected[rounded]) <= ROUNDING * np.maximum(
                np.abs(values[rounded]), np.abs(base[rounded])))
            expected[rounded] = 0.0
            np.testing.assert_array_equal(got, expected)
            interval = comparison.difference(variant, scope, name, kpi)
            reference = t_interval(expected)
            assert interval.n == reference.n
            if reference.n:
                assert interval.mean == pytest.approx(reference.mean)
                # Interval of the mean difference: mean of the differences ± t s/sqrt(n).
                finite = expected[~np.isnan(expected)]
                assert interval.mean == pytest.approx(float(finite.mean()))
            checked += 1
    assert checked > 100


def test_variants_share_random_numbers_where_they_change_nothing(
        comparison: Comparison) -> None:
    # Arrivals are drawn from streams keyed by class, so every variant sees the same arrivals.
    for results in comparison.variants.values():
        for name in ("car", "truck"):
            np.testing.assert_array_equal(
                results.per_replication("classes", name, "arrivals"),
                comparison.baseline.per_replication("classes", name, "arrivals"))
    # The extra car lane does not touch the truck lanes at all: identical, replication by
    # replication, so the paired difference is exactly zero.
    zero = comparison.difference("extra_car_lane", "stations", "truck_lanes", "wait_mean")
    assert zero.mean == 0.0 and zero.half_width == 0.0


def test_pairing_narrows_the_interval(comparison: Comparison) -> None:
    # What common random numbers buy: the paired interval of the difference is narrower than
    # the variants' own intervals would give if they were independent.
    paired = comparison.difference("extra_car_lane", "classes", "car", "wait_mean")
    own = [r.summary("classes", "car", "wait_mean").half_width
           for r in (comparison.baseline, comparison.variants["extra_car_lane"])]
    assert paired.high < 0  # the extra lane shortens car waits, beyond doubt
    assert paired.half_width < math.hypot(*own)


def test_to_dict_structure_and_json(comparison: Comparison) -> None:
    data = comparison.to_dict()
    canonical(data)  # no NaN, JSON-able
    assert data["format"] == "portsim-comparison/1"
    assert data["replications"] == REPLICATIONS and data["seed"] == 7
    assert data["labels"] == [BASELINE, "extra_car_lane", "truck_fast_lane"]
    assert list(data["variants"]) == data["labels"]
    assert set(data["differences"]) == {"extra_car_lane", "truck_fast_lane"}
    for label, entry in data["variants"].items():
        assert entry["variant"] == (None if label == BASELINE else label)
        assert len(entry["kpis"]["classes"]["car"]["wait_mean"]["values"]) == REPLICATIONS
    diff = data["differences"]["extra_car_lane"]["classes"]["car"]["wait_mean"]
    assert set(diff) == {"mean", "ci_low", "ci_high", "half_width", "n"}
    changes = data["changes"]["truck_fast_lane"]
    assert {c["path"] for c in changes} == {"stations.truck_lanes.servers",
                                            "classes.truck.route"}


def test_rows_have_a_row_per_kpi_and_variant(comparison: Comparison) -> None:
    rows = comparison.rows()
    kpis = list(comparison.items())
    # then each variant's benefit per unit of what it adds (the extra car lane's lane-hours)
    per_unit = [row for row in rows if row["kpi"].startswith("waiting_hours_saved_per_extra_")]
    assert {row["variant"] for row in per_unit} <= set(comparison.variants) and per_unit
    assert all(row["headline"] == "cost" for row in per_unit)
    rows = rows[:len(rows) - len(per_unit)]
    assert len(rows) == len(kpis) * 3
    base = [row for row in rows if row["variant"] == BASELINE]
    assert all(row["diff_mean"] is None and row["diff_n"] is None for row in base)
    row = next(r for r in rows if r["variant"] == "truck_fast_lane" and r["name"] == "truck"
               and r["kpi"] == "wait_mean")
    interval = comparison.difference("truck_fast_lane", "classes", "truck", "wait_mean")
    assert row["diff_mean"] == interval.mean and row["diff_half_width"] == interval.half_width


def test_unknown_and_chosen_variants(mini) -> None:
    with pytest.raises(VariantError, match="did you mean 'extra_car_lane'"):
        compare(mini, variants=["extra_car_lan"], replications=1)
    only = compare(mini, variants=["truck_fast_lane"], replications=2)
    assert list(only.variants) == ["truck_fast_lane"]


def test_document_changes_lists_dotted_paths() -> None:
    before = {"a": {"b": 1, "c": [1, 2]}, "d": 3}
    after = {"a": {"b": 2, "c": [1, 2], "e": "new"}, "d": 3}
    changes = document_changes(before, after)
    assert [(c.path, c.baseline, c.variant) for c in changes] == [
        ("a.b", 1, 2), ("a.e", None, "new")]
