"""Plots of results: matplotlib figures drawn off-screen (Agg), saved as PNG.

Plots read only results — :class:`~portsim.experiment.results.Results` (KPIs, per-replication
series and waiting-time histograms), comparisons and sweeps — never the engine. Figures are built
with :class:`matplotlib.figure.Figure` and an Agg canvas rather than ``pyplot``, so making a plot
never opens a window, touches a global figure list or changes the caller's backend.

Every figure has a title, axis labels with units and a legend; colours follow the variant's
position, so a variant keeps its colour in every figure of a comparison. Figures of several
variants show every class and station of any of them (:func:`union_names`); a variant without a
class or station has no bar or line for it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from portsim.experiment.results import union_names
from portsim.stats.accumulators import bin_edges
from portsim.stats.kpis import lookup
from portsim.stats.summary import t_quantile

if TYPE_CHECKING:
    from portsim.experiment.results import Results

DAY = 1440.0
MAX_PANELS = 4
# Lines told apart without colour too (printouts, colour blindness).
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_STYLES = ("-", "--", "-.", ":")
DPI = 110


# ----------------------------------------------------------------------------- helpers


def _figure(panels: int, title: str, width: float = 6.0, height: float = 3.6,
            ) -> tuple[Figure, list[Axes]]:
    columns = 1 if panels == 1 else 2
    rows = math.ceil(panels / columns)
    figure = Figure(figsize=(width * columns, height * rows + 0.6), dpi=DPI,
                    layout="constrained")
    FigureCanvasAgg(figure)
    axes = list(np.atleast_1d(figure.subplots(rows, columns, squeeze=False)).ravel())
    for extra in axes[panels:]:
        extra.set_visible(False)
    figure.suptitle(title, fontsize=13)
    return figure, axes[:panels]


def _colour(index: int) -> str:
    return f"C{index % 10}"


def _band(matrix: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Column means over replications (rows) and the t half-width (nan with one row)."""
    mean = np.nanmean(matrix, axis=0) if matrix.size else np.zeros(matrix.shape[1])
    n = matrix.shape[0]
    if n < 2:
        return mean, np.full_like(mean, np.nan)
    spread = np.nanstd(matrix, axis=0, ddof=1)
    return mean, t_quantile(n - 1, 0.5 + level / 2) * spread / math.sqrt(n)


def _profile(results: Results, rows: list[list[float]]) -> tuple[np.ndarray, np.ndarray, str]:
    """Per-replication series (rows) as time-of-day profiles when the run spans days.

    Returns (x in hours, matrix replications × bins, x-axis label). Only whole bins inside
    [warm-up, horizon) are used; with several days each replication's days are averaged.
    """
    width = float(results.replications[0].series.bin_minutes)
    matrix = np.asarray(rows, dtype=float)
    horizon = results.horizon if results.horizon is not None else matrix.shape[1] * width
    first = math.ceil(results.warmup / width - 1e-9)
    last = min(matrix.shape[1], math.floor(horizon / width + 1e-9))
    matrix = matrix[:, first:last]
    per_day = DAY / width
    if horizon - results.warmup > DAY and abs(per_day - round(per_day)) < 1e-9:
        per_day_bins = round(per_day)
        slot = (np.arange(first, last) % per_day_bins)
        folded = np.full((matrix.shape[0], per_day_bins), np.nan)
        for index in range(per_day_bins):
            if np.any(slot == index):
                folded[:, index] = matrix[:, slot == index].mean(axis=1)
        x = np.arange(per_day_bins) * width / 60.0
        return x, folded, "clock time (HH:MM), the days after the warm-up averaged"
    x = np.arange(first, last) * width / 60.0
    # Scenario clocks start at midnight: hour h of the run is clock time h mod 24 of day
    # h // 24 + 1.
    return x, matrix, "clock time (HH:MM)" if horizon <= DAY else "clock time (HH:MM, day N)"


def _style(index: int) -> dict[str, Any]:
    """Line style of the ``index``-th result: the baseline (0) thick and black, each variant
    its colour and its own dash pattern, so lines are told apart in print too."""
    if index == 0:
        return {"color": "black", "linewidth": 2.4, "linestyle": "-"}
    return {"color": _colour(index), "linewidth": 1.5,
            "linestyle": _STYLES[(index - 1) % len(_STYLES)] if index > 1 else "-"}


def _line_with_band(ax: Axes, x: np.ndarray, matrix: np.ndarray, label: str,
                    colour: str, width_hours: float, index: int = 1) -> None:
    mean, half = _band(matrix)
    # Bins are drawn as steps over [start, start + width) so a bin's value covers its hour.
    edges = np.append(x, x[-1] + width_hours) if x.size else x
    style = _style(index)
    colour = style["color"]
    ax.stairs(mean, edges, baseline=None, label=label, **style)
    if np.any(np.isfinite(half)):
        ax.stairs(mean + half, edges, baseline=mean - half, fill=True, color=colour,
                  alpha=0.18, linewidth=0)


def _clock(hours: float, days: bool) -> str:
    clock = f"{int(hours % 24):02d}:{round(hours % 1 * 60) % 60:02d}"
    return f"{clock}\nday {int(hours // 24) + 1}" if days and hours % 24 == 0 else clock


def _hour_ticks(ax: Axes, x: np.ndarray) -> None:
    """Clock-time ticks (HH:MM; day N under each midnight when the run spans days), fitted
    to the data."""
    if not x.size:
        return
    low, high = float(x[0]), float(x[-1]) + float(x[1] - x[0] if x.size > 1 else 1.0)
    span = high - low
    step = 3 if span <= 30 else 6 if span <= 72 else 24
    ticks = np.arange(math.ceil(low / step) * step, high + 1e-9, step)
    days = high > 24
    ax.set_xticks(ticks, [_clock(t, days) for t in ticks], fontsize=8)
    ax.set_xlim(low, high)


def _outside_legend(figure: Figure, axes: Sequence[Axes], title: str) -> None:
    """One legend for the figure, below the panels: it covers no data."""
    handles: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    if handles:
        figure.legend(list(handles.values()), list(handles), loc="outside lower center",
                      ncols=min(4, len(handles)), fontsize=8, title=title, title_fontsize=8)


def _busiest(results: Sequence[Results], scope: str, kpi: str, count: int) -> list[str]:
    names = union_names(results, scope)
    score = {name: max((_finite(r.summary(scope, name, kpi).mean) for r in results
                        if r.has(scope, name, kpi)), default=0.0)
             for name in names}
    return sorted(names, key=lambda name: -score[name])[:count]


def _finite(value: float) -> float:
    return value if value is not None and math.isfinite(value) else 0.0


def _yerr(intervals: Sequence[Any]) -> np.ndarray:
    return np.array([_finite(i.half_width) for i in intervals])


# ----------------------------------------------------------------------------- figures


def throughput_profile(results: Sequence[Results]) -> Figure:
    """Clearances per hour over the day, all classes and the busiest classes, per variant."""
    classes = _busiest(results, "classes", "throughput_per_hour", MAX_PANELS - 1)
    panels = ["all classes", *classes] if len(union_names(results, "classes")) > 1 else classes
    figure, axes = _figure(len(panels), "Throughput per hour over the day")
    for ax, panel in zip(axes, panels, strict=True):
        for index, result in enumerate(results):
            if panel != "all classes" and not result.has("classes", panel):
                continue
            width = float(result.replications[0].series.bin_minutes)
            names = result.names("classes") if panel == "all classes" else [panel]
            rows = [np.sum([rep.series.completions[name] for name in names], axis=0)
                    * (60.0 / width) for rep in result.replications]
            x, matrix, xlabel = _profile(result, rows)
            _line_with_band(ax, x, matrix, result.label, _colour(index), width / 60.0, index)
        ax.set(title=panel, xlabel=xlabel, ylabel="cleared per hour")
        _hour_ticks(ax, x)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    _outside_legend(figure, axes, "variant (mean, 95% band; baseline in black)")
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
    classes = _busiest(results, "classes", "arrivals", MAX_PANELS - 1)
    many = len(union_names(results, "classes")) > 1
    panels = ["all classes", *classes] if many else classes
    sla = sla if sla is not None else results[0].sla
    figure, axes = _figure(len(panels), "Waiting time distribution (empirical CDF)")
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
                    **_style(index))
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
        heights = np.array([_finite(i.mean) for i in intervals]) * scale
        ax.bar(np.array(present, dtype=float) + (index - (count - 1) / 2) * width, heights,
               width, yerr=_yerr(intervals) * scale, capsize=3, color=_colour(index),
               label=result.label, error_kw={"linewidth": 1})
    ax.set_xticks(positions, [str(name) for name in names],
                  rotation=20 if len(names) > 4 else 0, ha="right" if len(names) > 4 else "center")
    ax.grid(axis="y", alpha=0.3)
    ax.set_ylim(bottom=0)  # every KPI drawn as bars is >= 0; whiskers below 0 say nothing


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
    figure, axes = _figure(len(panels), "KPIs by class (mean over replications, 95% CI)")
    for ax, (kpi, label, scale) in zip(axes, panels, strict=True):
        _grouped_bars(ax, results, "classes", names, kpi, scale)
        ax.set(title=label, ylabel=label)
        if kpi == "wait_p95" and sla is not None:
            ax.axhline(sla, color="black", linestyle="--", linewidth=1, label="standard")
    axes[0].legend(fontsize=8, title="variant")
    return figure


def queue_profile(results: Sequence[Results], stations: Sequence[str] | None = None) -> Figure:
    """Time-average queue length per hour at the busiest stations, per variant."""
    stations = list(stations or _busiest(results, "stations", "queue_mean", MAX_PANELS))
    figure, axes = _figure(len(stations), "Queue length over time at the busiest stations")
    for ax, station in zip(axes, stations, strict=True):
        for index, result in enumerate(results):
            if not result.has("stations", station):
                continue
            width = float(result.replications[0].series.bin_minutes)
            rows = [rep.series.queue_mean[station] for rep in result.replications]
            x, matrix, xlabel = _profile(result, rows)
            _line_with_band(ax, x, matrix, result.label, _colour(index), width / 60.0, index)
        ax.set(title=station, xlabel=xlabel, ylabel="customers in queue (time average)")
        _hour_ticks(ax, x)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    _outside_legend(figure, axes, "variant (mean, 95% band; baseline in black)")
    return figure


def utilisation_bars(results: Sequence[Results]) -> Figure:
    """Server utilisation per station and variant, with 95% interval whiskers."""
    names = union_names(results, "stations")
    figure, (ax,) = _figure(1, "Server utilisation per station",
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
        figure, (ax,) = _figure(1, "Differences to the baseline", width=7.0, height=1.6)
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
        for y, row in zip(ys, members, strict=True):
            index = list(variants).index(row.variant)
            diff, scale = row.difference, row.shown.scale
            low = (diff.mean - diff.low) * scale if math.isfinite(diff.low) else 0.0
            high = (diff.high - diff.mean) * scale if math.isfinite(diff.high) else 0.0
            ax.errorbar([diff.mean * scale], [y], xerr=[[low], [high]], fmt=_MARKERS[index % 8],
                        color=_colour(index + 1), capsize=3, markersize=6)
        ax.axvline(0.0, color="black", linewidth=1)
        ax.set_yticks(ys, [f"{row.variant} · {row.label(sla)}" for row in members],
                      fontsize=8)
        ax.set_ylim(-0.8, len(members) - 0.2)
        ax.set_xlabel(unit + (" (shares)" if unit == "Δ percentage points" else ""))
        ax.grid(axis="x", alpha=0.3)
    return figure


def pledge_profile(results: Sequence[Results], sla: float | None = None) -> Figure:
    """The 95th percentile wait by clock slot of arrival for the busiest classes, per variant,
    with the standard: the pledge hour by hour (all measured days pooled)."""
    from portsim.experiment.pledge import slot_names

    classes = _busiest(results, "classes", "arrivals", MAX_PANELS)
    sla = sla if sla is not None else results[0].sla
    figure, axes = _figure(len(classes), "95th percentile wait by hour of arrival")
    for ax, name in zip(axes, classes, strict=True):
        drawn = np.zeros(0)
        for index, result in enumerate(results):
            slots = slot_names(result, "classes", name) if result.has("classes", name) else []
            if not slots:
                continue
            hours = np.array([int(slot[1:3]) + int(slot[3:5]) / 60 for slot in slots])
            intervals = [result.summary("classes", name, f"wait_{slot}_p95") for slot in slots]
            means = np.array([i.mean for i in intervals], dtype=float)
            halves = np.array([i.half_width for i in intervals], dtype=float)
            width = (hours[1] - hours[0]) if hours.size > 1 else 1.0
            edges = np.append(hours, hours[-1] + width)
            style = _style(index)
            ax.stairs(np.nan_to_num(means, nan=0.0), edges, baseline=None, label=result.label,
                      **style)
            if np.any(np.isfinite(halves)):
                ax.stairs(np.nan_to_num(means + halves, nan=0.0), edges,
                          baseline=np.nan_to_num(np.maximum(means - halves, 0.0), nan=0.0),
                          fill=True, color=style["color"], alpha=0.15, linewidth=0)
            drawn = hours
        if sla is not None:
            ax.axhline(sla, color="firebrick", linestyle=":", linewidth=1.5,
                       label=f"standard {sla:g} min")
        ax.set(title=name, xlabel="clock time of arrival (HH:MM)",
               ylabel="95th percentile wait (min)")
        _hour_ticks(ax, drawn)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    _outside_legend(figure, axes, "variant (mean over replications, 95% band)")
    return figure


def comparison_figures(results: Sequence[Results], sla: float | None = None,
                       ) -> dict[str, Figure]:
    """Every comparison plot by file name (the pledge by hour when waits were filed by
    slot)."""
    from portsim.experiment.pledge import slot_names

    extra = {}
    if any(slot_names(result, "classes", name) for result in results
           for name in result.names("classes")):
        extra["pledge.png"] = pledge_profile(results, sla)
    return {**extra,
        "throughput.png": throughput_profile(results),
        "waiting_ecdf.png": wait_ecdf(results, sla),
        "kpis.png": kpi_bars(results, sla),
        "queues.png": queue_profile(results),
        "utilisation.png": utilisation_bars(results),
    }


def sweep_figure(sweep: Any, kpi: Any, target: float | None = None) -> Figure:
    """A KPI against the first swept parameter with 95% intervals; one line per combination
    of the other parameters. Shares are drawn in % with intervals clipped to [0, 100];
    KPIs in minutes get the waiting-time standard as a line, ``target`` (in the KPI's stored
    unit) a line of its own; points where a station is overloaded are marked."""
    first, *others = [setting.key for setting in sweep.settings]
    entry = lookup(kpi.scope, kpi.kpi)
    words = (entry.label.replace(" ≤ {sla}", " within the standard") if entry is not None
             else kpi.kpi.replace("_", " "))
    share = entry is not None and entry.is_share
    in_minutes = entry is not None and entry.unit == "min"
    scale = 100.0 if share else 1.0
    figure, (ax,) = _figure(1, f"{sweep.name}: {words} ({kpi.scope} {kpi.name})\n"
                               f"against {first}", width=7.0, height=4.4)
    groups: dict[str, list[Any]] = {}
    for point in sweep.points:
        key = ", ".join(f"{path}={point.assignment[path]}" for path in others)
        groups.setdefault(key, []).append(point)
    values = [point.assignment[first] for point in sweep.points]
    numeric = all(isinstance(v, int | float) for v in values)
    ticks = list(dict.fromkeys(values))
    overloaded_x: list[Any] = []
    overloaded_y: list[float] = []
    for index, (key, points) in enumerate(groups.items()):
        xs = [p.assignment[first] if numeric else ticks.index(p.assignment[first])
              for p in points]
        intervals = [p.results.summary(kpi.scope, kpi.name, kpi.kpi) for p in points]
        means = np.array([i.mean for i in intervals], dtype=float) * scale
        lows = np.array([i.low for i in intervals], dtype=float) * scale
        highs = np.array([i.high for i in intervals], dtype=float) * scale
        if share:
            lows, highs = np.clip(lows, 0.0, 100.0), np.clip(highs, 0.0, 100.0)
        yerr = np.nan_to_num(np.vstack([means - lows, highs - means]), nan=0.0)
        ax.errorbar(xs, means, yerr=yerr, marker=_MARKERS[index % len(_MARKERS)],
                    linestyle=_STYLES[index % len(_STYLES)], capsize=3,
                    color=_colour(index), label=key or kpi.name)
        for x, mean, point in zip(xs, means, points, strict=True):
            if point.overloaded:
                overloaded_x.append(x)
                overloaded_y.append(float(mean))
    if overloaded_x:
        ax.scatter(overloaded_x, overloaded_y, s=160, facecolors="none", edgecolors="red",
                   linewidths=1.8, zorder=5, label="overloaded: queues grow without bound")
    if not numeric:
        ax.set_xticks(range(len(ticks)), [str(t) for t in ticks])
    elif all(isinstance(v, int) for v in values):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if in_minutes and sweep.sla is not None:
        ax.axhline(sweep.sla, color="black", linestyle="--", linewidth=1,
                   label=f"standard {sweep.sla:g} min")
    if target is not None:
        ax.axhline(target * scale, color="firebrick", linestyle=":", linewidth=1.5,
                   label=f"target {target * scale:g}{' %' if share else ''}"
                         f"{' min' if in_minutes else ''}")
    if share:
        ax.set_ylim(-2, 102)
    unit = " (min)" if in_minutes else (" (%)" if share else "")
    ax.set(xlabel=first, ylabel=f"{words}{unit}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, title="mean, 95% CI")
    return figure


def png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    # No metadata: the same figure gives the same bytes (no software stamp to drift).
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def save_png(figure: Figure, path: str | Path) -> None:
    Path(path).write_bytes(png_bytes(figure))


__all__ = ["comparison_figures", "kpi_bars", "png_bytes", "queue_profile", "save_png",
           "sweep_figure", "throughput_profile", "utilisation_bars", "wait_ecdf"]
