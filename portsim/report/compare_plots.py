"""The figures of a comparison: throughput and queue length over the day, the waiting-time
distribution, the class KPIs and station utilisation as bars, the pledge hour by hour, and each
variant's differences to the baseline (a forest of paired intervals).

Plots read only results — :class:`~portsim.experiment.results.Results` (KPIs, per-replication
series and waiting-time histograms) and a comparison's rows — never the engine. Figures of
several variants show every class and station of any of them (:func:`union_names`); a variant
without a class or station has no bar or line for it. The shared plumbing (off-screen figures,
colours and styles by variant, bands, clock ticks, PNG) is :mod:`portsim.report.figures`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from portsim.experiment.results import union_names
from portsim.report.figures import (
    DPI,
    MARKERS,
    MAX_PANELS,
    busiest,
    day_profile,
    error_bars,
    finite_or_zero,
    hour_ticks,
    legend_below,
    line_style,
    line_with_band,
    new_figure,
    settle_titles,
    step_band,
    variant_colour,
)
from portsim.stats.accumulators import bin_edges

if TYPE_CHECKING:
    from portsim.experiment.results import Results


def throughput_profile(results: Sequence[Results]) -> Figure:
    """Clearances per hour over the day, all classes and the busiest classes, per variant."""
    classes = busiest(results, "classes", "throughput_per_hour", MAX_PANELS - 1)
    panels = ["all classes", *classes] if len(union_names(results, "classes")) > 1 else classes
    figure, axes = new_figure(len(panels), "Throughput per hour over the day")
    for ax, panel in zip(axes, panels, strict=True):
        for index, result in enumerate(results):
            if panel != "all classes" and not result.has("classes", panel):
                continue
            width = float(result.replications[0].series.bin_minutes)
            names = result.names("classes") if panel == "all classes" else [panel]
            rows = [np.sum([rep.series.completions[name] for name in names], axis=0)
                    * (60.0 / width) for rep in result.replications]
            x, matrix, xlabel = day_profile(result, rows)
            line_with_band(ax, x, matrix, result.label, variant_colour(index), width / 60.0, index)
        ax.set(title=panel, xlabel=xlabel, ylabel="cleared per hour")
        hour_ticks(ax, x)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    legend_below(figure, axes, "variant (mean, 95% band; baseline in black)")
    return figure


def _ecdf(result: Results, scope: str, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    edges = bin_edges()
    counts = np.zeros(edges.size - 1)
    zeros = 0
    for rep in result.replications:
        for name in names:
            histogram = rep.histograms[scope][name]
            zeros += histogram.zeros
            np.add.at(counts, np.asarray(histogram.bins, dtype=int),
                      np.asarray(histogram.counts, dtype=float))
    total = zeros + counts.sum()
    if total == 0:
        return np.array([0.0]), np.array([np.nan])
    cdf = (zeros + np.cumsum(counts)) / total
    used = np.flatnonzero(counts)
    stop = used[-1] + 1 if used.size else 0
    # Upper bin edges: by the end of bin i, the cumulative share has been reached.
    return np.r_[0.0, edges[1:stop + 1]], np.r_[zeros / total, cdf[:stop]]


def _quantile_of(x: np.ndarray, y: np.ndarray, q: float) -> float:
    index = int(np.searchsorted(y, q))
    return float(x[min(index, x.size - 1)])


def wait_ecdf(results: Sequence[Results], sla: float | None = None) -> Figure:
    """Empirical CDF of waiting times per variant, with the waiting-time standard marked."""
    classes = busiest(results, "classes", "arrivals", MAX_PANELS - 1)
    many = len(union_names(results, "classes")) > 1
    panels = ["all classes", *classes] if many else classes
    sla = sla if sla is not None else results[0].sla
    figure, axes = new_figure(len(panels), "Waiting time distribution (empirical CDF)")
    for ax, panel in zip(axes, panels, strict=True):
        right = 0.0
        drawn = False
        for index, result in enumerate(results):
            if panel != "all classes" and not result.has("classes", panel):
                continue
            names = result.names("classes") if panel == "all classes" else [panel]
            x, y = _ecdf(result, "classes", names)
            label = result.label
            if sla is not None:
                scope, name = ("system", "all") if panel == "all classes" else ("classes", panel)
                share = result.summary(scope, name, "wait_sla_share").mean
                if math.isfinite(share):
                    label = f"{result.label} ({share:.1%} ≤ {sla:g} min)"
            if not np.isfinite(y).all():
                continue  # nobody waited in this class: nothing to draw
            right = max(right, 1.1 * _quantile_of(x, y, 0.999))
            # Carry the last level on to the right edge of any axis range.
            ax.step(np.r_[x, 1e12], np.r_[y, y[-1]], where="post", label=label,
                    **line_style(index))
            drawn = True
        # The axis ends where the data do (the 99.9th percentile), not at the standard.
        right = right if right > 0 else (sla if sla is not None else 1.0)
        if sla is not None and sla <= right:
            ax.axvline(sla, color="firebrick", linestyle=":", linewidth=1.5,
                       label=f"standard {sla:g} min")
        elif sla is not None:
            ax.set_title(f"{panel}\n(every wait below the {sla:g}-min standard)", fontsize=10)
        if sla is None or sla <= right:
            ax.set_title(panel)
        ax.set(xlabel="waiting time (min)", ylabel="share waiting at most x",
               xlim=(0, right), ylim=(0, 1.01))
        ax.grid(alpha=0.3)
        if not drawn:  # e.g. every member arrives after the run
            ax.text(0.5, 0.5, "no waiting times recorded", transform=ax.transAxes,
                    ha="center", va="center", fontsize=9)
        else:
            ax.legend(fontsize=7, loc="lower right", framealpha=0.9)
    return figure


def _grouped_bars(ax: Axes, results: Sequence[Results], scope: str, names: Sequence[str],
                  kpi: str, scale: float = 1.0) -> None:
    count = len(results)
    width = 0.8 / count
    positions = np.arange(len(names))
    for index, result in enumerate(results):
        present = [position for position, name in enumerate(names)
                   if result.has(scope, name, kpi)]
        intervals = [result.summary(scope, names[position], kpi) for position in present]
        heights = np.array([finite_or_zero(i.mean) for i in intervals]) * scale
        ax.bar(np.array(present, dtype=float) + (index - (count - 1) / 2) * width, heights,
               width, yerr=error_bars(intervals) * scale, capsize=3, color=variant_colour(index),
               label=result.label, error_kw={"linewidth": 1})
    ax.set_xticks(positions, [str(name) for name in names],
                  rotation=20 if len(names) > 4 else 0, ha="right" if len(names) > 4 else "center")
    ax.grid(axis="y", alpha=0.3)
    ax.set_ylim(bottom=0)  # every KPI drawn as bars is >= 0, and so are its whiskers


def kpi_bars(results: Sequence[Results], sla: float | None = None) -> Figure:
    """Main class KPIs per variant with 95% interval whiskers."""
    sla = sla if sla is not None else results[0].sla
    names = union_names(results, "classes")
    standard = f" ≤ {sla:g} min" if sla is not None else " within standard"
    panels = [("wait_mean", "mean wait (min)", 1.0), ("wait_p95", "95th percentile wait (min)",
                                                      1.0),
              ("wait_sla_share", f"share waiting{standard} (%)", 100.0),
              ("throughput_per_hour", "cleared per hour", 1.0)]
    # A panel whose bars would all be equal in every replication (every class 100 % within the
    # standard in every variant) carries no information: left out.
    panels = [panel for panel in panels
              if len({value for result in results for name in names
                      if result.has("classes", name, panel[0])
                      for value in result.per_replication("classes", name, panel[0]).tolist()
                      }) > 1] or panels[:1]
    figure, axes = new_figure(len(panels), "KPIs by class (mean over replications, 95% CI)")
    for ax, (kpi, label, scale) in zip(axes, panels, strict=True):
        _grouped_bars(ax, results, "classes", names, kpi, scale)
        ax.set(title=label, ylabel=label)
        if kpi == "wait_p95" and sla is not None:
            ax.axhline(sla, color="black", linestyle="--", linewidth=1, label="standard")
    axes[0].legend(fontsize=8, title="variant")
    return figure


def queue_profile(results: Sequence[Results], stations: Sequence[str] | None = None) -> Figure:
    """Time-average queue length per hour at the busiest stations, per variant."""
    stations = list(stations or busiest(results, "stations", "queue_mean", MAX_PANELS))
    figure, axes = new_figure(len(stations), "Queue length over time at the busiest stations")
    for ax, station in zip(axes, stations, strict=True):
        for index, result in enumerate(results):
            if not result.has("stations", station):
                continue
            width = float(result.replications[0].series.bin_minutes)
            rows = [rep.series.queue_mean[station] for rep in result.replications]
            x, matrix, xlabel = day_profile(result, rows)
            line_with_band(ax, x, matrix, result.label, variant_colour(index), width / 60.0, index)
        ax.set(title=station, xlabel=xlabel, ylabel="customers in queue (time average)")
        hour_ticks(ax, x)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    legend_below(figure, axes, "variant (mean, 95% band; baseline in black)")
    return figure


def utilisation_bars(results: Sequence[Results]) -> Figure:
    """Server utilisation per station and variant, with 95% interval whiskers."""
    names = union_names(results, "stations")
    figure, (ax,) = new_figure(1, "Server utilisation per station",
                            width=max(6.0, 1.1 * len(names) + 2))
    _grouped_bars(ax, results, "stations", names, "utilisation", 100.0)
    ax.set(ylabel="utilisation (% of staffed server time)", ylim=(0, 105))
    ax.legend(fontsize=8, title="variant")
    return figure


def forest(rows: Sequence[Any], variants: Sequence[str], sla: float | None = None,
           ) -> Figure:
    """Each variant's headline differences to the baseline with their paired 95% intervals:
    one panel per unit (minutes, percentage points, other), zero marked, one colour and
    marker per variant."""
    groups: dict[str, list[Any]] = {}
    for row in rows:
        if row.difference is None or not math.isfinite(row.difference.mean):
            continue
        unit = ("Δ minutes" if row.shown.unit == "min" else
                "Δ percentage points" if row.shown.unit == "%" else "Δ")
        groups.setdefault(unit, []).append(row)
    if not groups:
        figure, (ax,) = new_figure(1, "Differences to the baseline", width=7.0, height=1.6)
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no difference to show", ha="center", va="center")
        return figure
    height = sum(0.32 * len(members) + 0.9 for members in groups.values())
    figure = Figure(figsize=(7.5, height + 0.6), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(groups), 1, squeeze=False,
                           height_ratios=[len(m) + 1.5 for m in groups.values()])[:, 0]
    figure.suptitle("Variant − baseline, paired 95% CI (right of 0: higher)", fontsize=12)
    for ax, (unit, members) in zip(axes, groups.items(), strict=True):
        ys = np.arange(len(members))[::-1]
        # One errorbar per variant, not per row: its rows' markers and whiskers as one artist
        # each (a few instead of hundreds to lay out and draw).
        for variant in dict.fromkeys(row.variant for row in members):
            index = list(variants).index(variant)
            placed = [(y, row) for y, row in zip(ys, members, strict=True)
                      if row.variant == variant]
            scales = np.array([row.shown.scale for _, row in placed])
            ax.errorbar([row.difference.mean * row.shown.scale for _, row in placed],
                        [y for y, _ in placed],
                        xerr=error_bars([row.difference for _, row in placed]) * scales,
                        fmt=MARKERS[index % 8], color=variant_colour(index + 1), capsize=3,
                        markersize=6)
        ax.axvline(0.0, color="black", linewidth=1)
        ax.set_yticks(ys, [f"{row.variant} · {row.label(sla)}" for row in members],
                      fontsize=8)
        ax.set_ylim(-0.8, len(members) - 0.2)
        ax.set_xlabel(unit + (" (shares)" if unit == "Δ percentage points" else ""))
        ax.grid(axis="x", alpha=0.3)
    return figure


@dataclass(frozen=True)
class _PledgeDrawing:
    """What pledge.png draws per slot, as the pledge is measured."""

    kpi: str          # the slot KPI's suffix
    scale: float      # 100 for a share shown in %
    flip: bool        # draw 1 - value (the share within, from the share beyond)
    reference: float  # the line the pledge sets
    reference_label: str
    ylabel: str


def _pledge_drawing(result: Results, sla: float | None) -> _PledgeDrawing:
    """The longest wait against the standard; the 95th percentile against it for a 95 %
    pledge (the matching quantile); otherwise the share within the standard against the
    pledged share."""
    from portsim.experiment.pledge import LONGEST, MONITOR
    from portsim.wording import standard_words

    limit = sla if sla is not None else math.nan
    standard = standard_words(limit) if sla is not None else "the standard"
    if result.pledge_measure == LONGEST:
        return _PledgeDrawing("max", 1.0, False, limit, f"standard {standard}",
                              "longest wait (min)")
    if result.pledge_measure == MONITOR:
        return _PledgeDrawing("monitor", 1.0, False, limit, f"standard {standard}",
                              "longest monitor reading (min)")
    if abs(result.pledge_share - 0.95) < 1e-12:
        return _PledgeDrawing("p95", 1.0, False, limit, f"standard {standard}",
                              "95th percentile wait (min)")
    return _PledgeDrawing("beyond_share", 100.0, True, 100.0 * result.pledge_share,
                          f"pledge {result.pledge_share:.0%}", f"share within {standard} (%)")


def pledge_profile(results: Sequence[Results], sla: float | None = None) -> Figure:
    """The pledge by clock slot of arrival for every class it counts (as the pledge table
    lists them, none dropped), per variant, against the line it sets (all measured days
    pooled; see :func:`_pledge_drawing`)."""
    from portsim.experiment.pledge import pledged_classes, slot_names, slot_words

    first = results[0]
    sla = sla if sla is not None else first.sla
    drawing = _pledge_drawing(first, sla)
    classes = [name for name in union_names(results, "classes")
               if any(result.has("classes", name) and pledged_classes(result, [name])
                      and slot_names(result, "classes", name) for result in results)]
    slot = slot_words(first.pledge_slot)
    figure, axes = new_figure(len(classes), f"The pledge by {slot} of arrival")
    for ax, name in zip(axes, classes, strict=True):
        drawn = np.zeros(0)
        for index, result in enumerate(results):
            slots = slot_names(result, "classes", name) if result.has("classes", name) else []
            if not slots:
                continue
            hours = np.array([int(slot[1:3]) + int(slot[3:5]) / 60 for slot in slots])
            intervals = [result.summary("classes", name, f"wait_{slot}_{drawing.kpi}")
                         for slot in slots]
            means = np.array([i.mean for i in intervals], dtype=float)
            lows = np.array([i.low for i in intervals], dtype=float)
            highs = np.array([i.high for i in intervals], dtype=float)
            if drawing.flip:  # the share within from the share beyond: the ends swap
                means, lows, highs = 1.0 - means, 1.0 - highs, 1.0 - lows
            means, lows, highs = (means * drawing.scale, lows * drawing.scale,
                                  highs * drawing.scale)
            edges = np.append(hours, hours[-1] + first.pledge_slot / 60)
            style = line_style(index)
            ax.stairs(np.nan_to_num(means, nan=0.0), edges, baseline=None, label=result.label,
                      **style)
            if np.any(np.isfinite(highs)):  # the interval's ends: a wait's never below 0
                step_band(ax, edges, np.nan_to_num(lows, nan=0.0),
                          np.nan_to_num(highs, nan=0.0), style["color"], 0.15)
            drawn = hours
        if math.isfinite(drawing.reference):
            ax.axhline(drawing.reference, color="firebrick", linestyle=":", linewidth=1.5,
                       label=drawing.reference_label)
        ax.set(title=name, xlabel="clock time of arrival (HH:MM)", ylabel=drawing.ylabel)
        hour_ticks(ax, drawn)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    legend_below(figure, axes, "variant (mean over replications, 95% band)")
    return figure


def comparison_figures(results: Sequence[Results], sla: float | None = None,
                       ) -> dict[str, Figure]:
    """Every comparison plot by file name (the pledge by hour when waits were filed by
    slot)."""
    from portsim.experiment.pledge import pledged_classes, slot_names

    extra = {}
    if any(slot_names(result, "classes", name) for result in results
           for name in pledged_classes(result, list(result.names("classes")))):
        extra["pledge.png"] = pledge_profile(results, sla)
    figures = {**extra,
        "throughput.png": throughput_profile(results),
        "waiting_ecdf.png": wait_ecdf(results, sla),
        "kpis.png": kpi_bars(results, sla),
        "queues.png": queue_profile(results),
        "utilisation.png": utilisation_bars(results),
    }
    for figure in figures.values():
        settle_titles(figure)
    return figures


__all__ = ["comparison_figures", "forest", "kpi_bars", "pledge_profile", "queue_profile",
           "throughput_profile", "utilisation_bars", "wait_ecdf"]
