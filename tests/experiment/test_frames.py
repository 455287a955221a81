"""Tidy DataFrames of results, comparisons and sweeps; pandas only when asked for."""

from __future__ import annotations

import subprocess
import sys

import pytest
from exp_support import MINI

from portsim.experiment.comparison import Comparison
from portsim.experiment.frames import LONG_COLUMNS, SUMMARY_COLUMNS
from portsim.experiment.sweeps import KPI, parse_setting, sweep

pd = pytest.importorskip("pandas")


def test_results_long_frame_holds_every_value_once(comparison: Comparison) -> None:
    results = comparison.baseline
    table = results.to_frame()
    assert tuple(table.columns) == LONG_COLUMNS
    assert len(table) == sum(1 for _ in results.items()) * len(results.replications)
    car = table[(table.scope == "classes") & (table.name == "car") & (table.kpi == "wait_mean")]
    assert car.value.tolist() == results.per_replication("classes", "car", "wait_mean").tolist()
    assert set(table.variant) == {"baseline"}


def test_summary_frame_is_summary_csv(comparison: Comparison) -> None:
    results = comparison.baseline
    table = results.summary_frame()
    assert tuple(table.columns) == (*SUMMARY_COLUMNS, "overloaded")
    row = table[(table.name == "car") & (table.kpi == "wait_mean")].iloc[0]
    interval = results.summary("classes", "car", "wait_mean")
    assert (row["mean"], row["ci_low"], row["n"]) == (interval.mean, interval.low, interval.n)


def test_results_show_a_headline_in_jupyter(comparison: Comparison) -> None:
    html = comparison.baseline._repr_html_()
    assert html.startswith("<table>") and "car" in html and "95th percentile wait" in html
    assert "share with wait ≤ 10 min" in html and " %" in html


def test_sweep_frames_carry_the_axes(mini) -> None:
    result = sweep(mini, [parse_setting("stations.truck_lanes.servers=1,2")],
                   kpis=[KPI("classes", "truck", "wait_mean")], replications=2)
    table = result.to_frame()
    assert list(table.columns[:2]) == ["stations.truck_lanes.servers", "variant"]
    assert sorted(set(table["stations.truck_lanes.servers"])) == [1, 2]
    assert table.groupby("stations.truck_lanes.servers").overloaded.first().tolist() == [True,
                                                                                       False]
    summary = result.summary_frame()
    assert len(summary) == 2 and summary.columns[0] == "stations.truck_lanes.servers"


def test_pandas_is_imported_only_when_a_frame_is_asked_for() -> None:
    code = ("import sys, portsim; "
            f"r = portsim.compare({str(MINI)!r}, replications=1); r.to_dict(); "
            "print('pandas' in sys.modules, end=' '); r.baseline.to_frame(); "
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False True"


def test_comparison_frames_and_csv_share_one_tidy_shape(comparison: Comparison) -> None:
    values = comparison.to_frame()
    assert tuple(values.columns) == LONG_COLUMNS
    assert list(dict.fromkeys(values.variant)) == comparison.labels
    summary = comparison.summary_frame()
    assert tuple(summary.columns[:9]) == SUMMARY_COLUMNS
    assert list(comparison.rows()[0])[:9] == list(SUMMARY_COLUMNS)
    assert list(comparison.baseline.summary_rows()[0]) == [*SUMMARY_COLUMNS, "overloaded"]
    assert list(comparison.rows()[0])[-1] == "overloaded"
    variant = comparison.labels[1]
    row = summary[(summary.variant == variant) & (summary.name == "car")
                  & (summary.kpi == "wait_mean")].iloc[0]
    diff = comparison.difference(variant, "classes", "car", "wait_mean")
    assert diff is not None and row["diff_mean"] == diff.mean
    html = comparison._repr_html_()
    assert variant in html and "Δ mean wait (min)" in html


def test_repr_is_a_short_summary(comparison: Comparison) -> None:
    """A comparison's fields hold every replication's KPIs (millions of characters printed);
    its repr, and a run's, say what ran in one line."""
    shown = repr(comparison)
    assert len(shown) < 300 and "\n" not in shown
    assert "'extra_car_lane'" in shown and "'truck_fast_lane'" in shown
    assert f"{len(comparison.baseline.replications)} replications" in shown
    one = repr(comparison.baseline)
    assert len(one) < 300 and "baseline" in one and "engine" in one
    assert repr(comparison.variants["extra_car_lane"]).startswith("<Results ")
