"""Plots and the HTML report: every file produced, readable, and the page self-contained."""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from portsim.engine.result import Histogram, ReplicationResult, Series
from portsim.experiment.comparison import Comparison
from portsim.experiment.results import Results
from portsim.report import compare_plots, figures, staffing_plot, sweep_plot
from portsim.report.outputs import write_comparison
from portsim.stats.accumulators import bin_edges

PNG = b"\x89PNG\r\n\x1a\n"
PLOTS = ["forest.png", "pledge.png", "kpis.png", "waiting_ecdf.png", "throughput.png",
         "queues.png", "utilisation.png"]


@pytest.fixture(scope="module")
def written(comparison: Comparison, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    files = write_comparison(comparison, out)
    assert files == ["results.json", "comparison.csv", "timings.json", *PLOTS, "report.html"]
    return out


@pytest.mark.slow
def test_every_plot_is_a_png(written: Path) -> None:
    for name in PLOTS:
        data = (written / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000, name


def test_report_is_self_contained(written: Path, comparison: Comparison) -> None:
    html = (written / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*(?!["']?data:)""", html, re.IGNORECASE)
    assert "href=" not in html.lower()
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html and "@import" not in html and "url(" not in html
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == len(PLOTS)
    for name in ["extra_car_lane", "truck_fast_lane", "car_lanes", "inspection",
                 "stations.truck_lanes.servers", "10 min"]:
        assert name in html
    # The pledge, a headline and a ledger per variant, then summary, port, classes, stations.
    assert html.count("<table") == 1 + 2 * len(comparison.variants) + 1 + 1 + 2 + 3
    first_screen = html.split("<details>")[0]
    assert 'id="headline"' in first_screen and "forest.png" not in first_screen
    assert first_screen.count("<table") == 1 + 2 * len(comparison.variants)
    assert "The pledge: at least 95% wait ≤ 10 min in every hour" in first_screen


def test_report_escapes_scenario_text(comparison: Comparison, tmp_path: Path) -> None:
    from portsim.report.html import comparison_html

    hostile = Comparison(comparison.baseline, comparison.variants, comparison.changes,
                         description='<img src="http://evil/x.png">')
    html = comparison_html(hostile, {})
    assert "<img src=\"http" not in html and "&lt;img" in html


@pytest.mark.parametrize("module", [figures, compare_plots, sweep_plot, staffing_plot],
                         ids=lambda module: module.__name__)
def test_plot_modules_read_only_results(module) -> None:
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
    assert not any(name and name.startswith("portsim.engine") for name in imported)
    assert "matplotlib.pyplot" not in imported  # no global figure state, no GUI backend


def _fake(histograms: list[dict], series: list[list[float]], horizon: float,
          warmup: float = 0.0) -> Results:
    reps = [ReplicationResult(i, 0, {"classes": {"c": {"wait_sla_share": 0.5}},
                                     "stations": {}, "system": {"all": {}}},
                              series=Series(60.0, completions={"c": s}),
                              histograms={"classes": {"c": Histogram(**h)}})
            for i, (h, s) in enumerate(zip(histograms, series, strict=True))]
    return Results(name="fake", variant=None, seed=0, replications=reps, horizon=horizon,
                   warmup=warmup, sla=10.0)


def test_ecdf_pools_replications_and_counts_zero_waits() -> None:
    edges = bin_edges()
    results = _fake([{"zeros": 2, "bins": [10], "counts": [1], "max": 1.0},
                     {"zeros": 0, "bins": [10, 20], "counts": [1, 4], "max": 1.0}],
                    [[0.0], [0.0]], 60.0)
    x, y = compare_plots._ecdf(results, "classes", ["c"])
    assert x[0] == 0.0 and y[0] == pytest.approx(2 / 8)
    assert x[11] == edges[11] and y[11] == pytest.approx(4 / 8)  # end of bin 10: 2 zeros + 2
    assert y[-1] == pytest.approx(1.0) and x[-1] == edges[21]


def test_profile_folds_days_after_warmup() -> None:
    # 3 days of hourly bins (+1 partial bin); the first day is warm-up.
    day = np.arange(24.0)
    series = np.concatenate([day + 1000, day, day + 2, [99.0]]).tolist()
    results = _fake([{"zeros": 0, "bins": [], "counts": [], "max": 0.0}], [series],
                    horizon=3 * 1440.0, warmup=1440.0)
    x, matrix, label = figures.day_profile(results, [series])
    assert "clock time" in label and "averaged" in label and x.tolist() == list(range(24))
    assert matrix.shape == (1, 24) and matrix[0].tolist() == (day + 1).tolist()


def test_one_day_profile_keeps_whole_bins() -> None:
    series = [float(i) for i in range(26)]
    results = _fake([{"zeros": 0, "bins": [], "counts": [], "max": 0.0}], [series], 1440.0)
    _, matrix, label = figures.day_profile(results, [series])
    assert label == "clock time (HH:MM)" and matrix.shape == (1, 24)


def test_ecdf_panel_without_waiting_times_says_so() -> None:
    # A class with no entity after the warm-up (a short horizon): a note, not an empty legend.
    results = _fake([{"zeros": 0, "bins": [], "counts": [], "max": 0.0}], [[0.0]], 60.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = compare_plots.wait_ecdf([results])
    (ax,) = figure.axes
    assert ax.get_legend() is None
    assert "no waiting times recorded" in [text.get_text() for text in ax.texts]


def test_clock_ticks_read_as_clock_times_with_days() -> None:
    figure = figures.Figure()
    ax = figure.subplots()
    figures.hour_ticks(ax, np.arange(24.0, 48.0))
    labels = [tick.get_text() for tick in ax.get_xticklabels()]
    assert labels[0] == "00:00\nday 2" and labels[1] == "03:00" and ax.get_xlim() == (24, 48)
    figures.hour_ticks(ax, np.arange(0.0, 24.0))
    assert [tick.get_text() for tick in ax.get_xticklabels()][:3] == ["00:00", "03:00", "06:00"]


def test_baseline_is_drawn_black_and_thick_variants_dashed() -> None:
    assert figures.line_style(0) == {"color": "black", "linewidth": 2.4, "linestyle": "-"}
    assert figures.line_style(1)["color"] != "black" and figures.line_style(2)["linestyle"] != "-"


@pytest.mark.slow
def test_png_is_drawn_once_with_savefigs_pixels(comparison: Comparison) -> None:
    # savefig lays a constrained figure out in one draw and renders it in another; png_bytes
    # draws once and writes an opaque figure as RGB: savefig's very pixels, the same bytes
    # each time.
    import io

    from PIL import Image

    drawn = compare_plots.comparison_figures(comparison.all, comparison.sla)
    saved = compare_plots.comparison_figures(comparison.all, comparison.sla)
    for name, figure in drawn.items():
        draws: list[int] = []
        original = figure.draw
        figure.draw = (lambda renderer, draw=original, seen=draws:
                       seen.append(1) or draw(renderer))
        data = figures.png_bytes(figure)
        assert len(draws) == 1, name
        buffer = io.BytesIO()
        saved[name].savefig(buffer, format="png")
        ours, theirs = Image.open(io.BytesIO(data)), Image.open(buffer)
        assert ours.mode == "RGB" and ours.info["dpi"] == theirs.info["dpi"], name
        assert np.array_equal(np.asarray(ours.convert("RGBA")), np.asarray(theirs)), name
        assert figures.png_bytes(figure) == data, name


def test_forest_draws_every_row_at_its_difference_and_interval(comparison: Comparison) -> None:
    from portsim.report.headline import headline_rows

    rows = [row for rows in headline_rows(comparison).values() for row in rows
            if row.difference is not None and np.isfinite(row.difference.mean)]
    figure = compare_plots.forest(rows, list(comparison.variants), comparison.sla)
    drawn = []
    for ax in figure.axes:
        label_at = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels()),
                            strict=True))
        for container in ax.containers:
            line, _, (whiskers,) = container.lines
            for (x, y), ((low, _), (high, _)) in zip(line.get_xydata(),
                                                      whiskers.get_segments(), strict=True):
                drawn.append((label_at[y], x, low, high))
    expected = []
    for row in rows:
        diff, scale = row.difference, row.shown.scale
        low = (diff.mean - diff.low) * scale if np.isfinite(diff.low) else 0.0
        high = (diff.high - diff.mean) * scale if np.isfinite(diff.high) else 0.0
        expected.append((f"{row.variant} · {row.label(comparison.sla)}", diff.mean * scale,
                         diff.mean * scale - low, diff.mean * scale + high))
    assert len(drawn) == len(rows)
    for ours, theirs in zip(sorted(drawn), sorted(expected), strict=True):
        assert ours[0] == theirs[0] and ours[1:] == pytest.approx(theirs[1:], abs=1e-12)


def test_a_step_band_has_the_pixels_of_a_filled_stairs() -> None:
    generator = np.random.default_rng(3)
    edges = np.arange(25.0) / 4
    low = generator.uniform(0, 5, 24)
    high = low + generator.uniform(0, 3, 24)
    pixels, limits = [], []
    for draw in ("stairs", "band"):
        figure, (ax,) = figures.new_figure(1, "band")
        if draw == "stairs":
            ax.stairs(high, edges, baseline=low, fill=True, color="C1", alpha=0.18, linewidth=0)
        else:
            figures.step_band(ax, edges, low, high, "C1", 0.18)
        ax.set_ylim(bottom=0)
        figure.canvas.draw()
        pixels.append(np.asarray(figure.canvas.buffer_rgba()).copy())
        limits.append((ax.get_xlim(), ax.get_ylim()))
    assert limits[0] == limits[1] and np.array_equal(*pixels)


def _pixels(figure) -> np.ndarray:
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba()).copy()


@pytest.mark.slow
def test_settled_titles_are_drawn_where_matplotlib_places_them(comparison: Comparison) -> None:
    settled = compare_plots.comparison_figures(comparison.all, comparison.sla)
    placed = {"throughput.png": compare_plots.throughput_profile(comparison.all),
              "waiting_ecdf.png": compare_plots.wait_ecdf(comparison.all, comparison.sla),
              "kpis.png": compare_plots.kpi_bars(comparison.all, comparison.sla),
              "queues.png": compare_plots.queue_profile(comparison.all)}
    for name, figure in placed.items():
        assert np.array_equal(_pixels(settled[name]), _pixels(figure)), name


@pytest.mark.parametrize("top", [1e-6, 2e-3, 1.0, 5e4, 3e7, -40.0])
def test_settling_titles_never_moves_them(top: float) -> None:
    # Where a power of ten or an offset is written above the y axis, matplotlib lifts the
    # title over it: such a title is left to matplotlib.
    drawn = []
    for settle in (False, True):
        figure, (left, right) = figures.new_figure(2, "panels")
        left.plot([0.0, 1.0, 2.0], [0.0, top / 2, top])
        right.plot([0.0, 1.0], [1000.0 + top, 1000.0 + 2 * top])  # an offset above the axis
        left.set(title="a panel title long enough to reach the axis's left edge and more")
        right.set(title="offset")
        if settle:
            figures.settle_titles(figure)
        drawn.append(_pixels(figure))
    assert np.array_equal(*drawn)


def test_a_figure_without_an_agg_canvas_is_written_and_keeps_its_canvas() -> None:
    import io

    from PIL import Image

    figure = figures.Figure(figsize=(2, 1), dpi=50)
    figure.subplots().plot([0, 1], [1, 0])
    own = figure.canvas
    data = figures.png_bytes(figure)
    assert figure.canvas is own and Image.open(io.BytesIO(data)).size == (100, 50)
