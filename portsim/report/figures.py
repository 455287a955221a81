"""Figure plumbing shared by every plot of results: matplotlib figures drawn off-screen (an Agg
canvas on a :class:`~matplotlib.figure.Figure`, never ``pyplot``, so making a plot never opens a
window, touches a global figure list or changes the caller's backend), saved as PNG.

Colours and line styles follow a result's position (the baseline black and thick, each variant
its colour and dash pattern), so a variant keeps its look in every figure; time series are drawn
as clock-time profiles with 95 % bands over replications; legends go below the panels.
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

from portsim.experiment.results import union_names
from portsim.stats.summary import t_quantile

if TYPE_CHECKING:
    from portsim.experiment.results import Results

DAY = 1440.0
MAX_PANELS = 4
# Lines told apart without colour too (printouts, colour blindness).
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":")
DPI = 110


def new_figure(panels: int, title: str, width: float = 6.0, height: float = 3.6,
               ) -> tuple[Figure, list[Axes]]:
    """A titled off-screen figure of ``panels`` axes, two to a row (panel size in inches)."""
    columns = 1 if panels == 1 else 2
    rows = math.ceil(panels / columns)
    figure = Figure(figsize=(width * columns, height * rows + 0.6), dpi=DPI,
                    layout="constrained")
    FigureCanvasAgg(figure)
    axes = list(np.atleast_1d(figure.subplots(rows, columns, squeeze=False)).ravel())
    # Removed, not hidden: a hidden axis keeps its default ticks for whoever reads the figure.
    for extra in axes[panels:]:
        extra.remove()
    figure.suptitle(title, fontsize=13)
    return figure, axes[:panels]


def variant_colour(index: int) -> str:
    """The colour of the ``index``-th result (matplotlib's cycle)."""
    return f"C{index % 10}"


def mean_band(matrix: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Column means over replications (rows) and the t half-width (nan with one row)."""
    mean = np.nanmean(matrix, axis=0) if matrix.size else np.zeros(matrix.shape[1])
    n = matrix.shape[0]
    if n < 2:
        return mean, np.full_like(mean, np.nan)
    spread = np.nanstd(matrix, axis=0, ddof=1)
    return mean, t_quantile(n - 1, 0.5 + level / 2) * spread / math.sqrt(n)


def day_profile(results: Results, rows: list[list[float]]) -> tuple[np.ndarray, np.ndarray, str]:
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


def line_style(index: int) -> dict[str, Any]:
    """Line style of the ``index``-th result: the baseline (0) thick and black, each variant
    its colour and its own dash pattern, so lines are told apart in print too."""
    if index == 0:
        return {"color": "black", "linewidth": 2.4, "linestyle": "-"}
    return {"color": variant_colour(index), "linewidth": 1.5,
            "linestyle": LINESTYLES[(index - 1) % len(LINESTYLES)] if index > 1 else "-"}


def line_with_band(ax: Axes, x: np.ndarray, matrix: np.ndarray, label: str,
                   colour: str, width_hours: float, index: int = 1) -> None:
    """The mean over replications as steps, in the ``index``-th result's style, with its 95 %
    band shaded."""
    mean, half = mean_band(matrix)
    # Bins are drawn as steps over [start, start + width) so a bin's value covers its hour.
    edges = np.append(x, x[-1] + width_hours) if x.size else x
    style = line_style(index)
    colour = style["color"]
    ax.stairs(mean, edges, baseline=None, label=label, **style)
    if np.any(np.isfinite(half)):
        # what these profiles count (clearances, customers queueing) is never below 0
        step_band(ax, edges, np.maximum(mean - half, 0.0), mean + half, colour, 0.18)


def step_band(ax: Axes, edges: np.ndarray, low: np.ndarray, high: np.ndarray, colour: str,
              alpha: float) -> None:
    """The band between ``low`` and ``high``, each value over its bin [edges[i],
    edges[i + 1]), shaded.

    NOTE: filled by fill_between rather than a filled ``stairs``, for performance reasons: the
    same pixels, where adding a step patch works out the axes' limits curve by curve in Python
    (README's comparison builds its three profile figures in 0.38 s instead of 0.48 s).
    """
    ax.fill_between(edges, np.append(low, low[-1:]), np.append(high, high[-1:]), step="post",
                    color=colour, alpha=alpha, linewidth=0)


def _clock(hours: float, days: bool) -> str:
    clock = f"{int(hours % 24):02d}:{round(hours % 1 * 60) % 60:02d}"
    return f"{clock}\nday {int(hours // 24) + 1}" if days and hours % 24 == 0 else clock


def hour_ticks(ax: Axes, x: np.ndarray) -> None:
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


def legend_below(figure: Figure, axes: Sequence[Axes], title: str) -> None:
    """One legend for the figure, below the panels: it covers no data."""
    handles: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    if handles:
        figure.legend(list(handles.values()), list(handles), loc="outside lower center",
                      ncols=min(4, len(handles)), fontsize=8, title=title, title_fontsize=8)


def busiest(results: Sequence[Results], scope: str, kpi: str, count: int) -> list[str]:
    """The ``count`` classes or stations with the highest mean ``kpi`` in any result."""
    names = union_names(results, scope)
    score = {name: max((finite_or_zero(r.summary(scope, name, kpi).mean) for r in results
                        if r.has(scope, name, kpi)), default=0.0)
             for name in names}
    return sorted(names, key=lambda name: -score[name])[:count]


def finite_or_zero(value: float) -> float:
    """``value``, or 0 for a missing or non-finite one (a bar or whisker of no length)."""
    return value if value is not None and math.isfinite(value) else 0.0


def error_bars(intervals: Sequence[Any]) -> np.ndarray:
    """The intervals as error bars, below and above each mean (2 × n, matplotlib's ``yerr``):
    from their own ends, which the KPI's physical range cuts (no whisker below 0 or past
    100 %); 0 where not finite."""
    return np.array([[finite_or_zero(i.mean - i.low) for i in intervals],
                     [finite_or_zero(i.high - i.mean) for i in intervals]]).reshape(2, -1)


def settle_titles(figure: Figure) -> None:
    """Fix each panel's title at the top of its axes where matplotlib's automatic placement
    would leave it there: x ticks and label at the bottom, no inset axes, and a linear y axis
    from 0 whose ticks need no offset or power of ten written above the axis (ticks of
    magnitude 1e-3 to 1e5), which is where a comparison's plots draw.

    NOTE: for performance reasons: an automatic title is placed again at each of the
    constrained layout's passes and at the draw, measuring the y axis's tick labels every time
    (13 % of drawing README's comparison's PNGs); the pixels are the same.
    """
    for ax in figure.axes:
        low, high = ax.get_ylim()
        plain = (ax.get_yscale() == "linear" and min(low, high) <= 0.0 <= max(low, high)
                 and 1e-3 <= max(abs(low), abs(high)) < 1e5)
        bottom = (ax.xaxis.get_ticks_position() == "bottom"
                  and ax.xaxis.get_label_position() == "bottom")
        only_centre = not ax.get_title("left") and not ax.get_title("right")
        if ax.get_title() and plain and bottom and only_centre and not ax.child_axes:
            ax.set_title(ax.get_title(), y=1.0, fontsize=ax.title.get_fontsize(),
                         fontweight=ax.title.get_fontweight())


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG, the same bytes for the same figure, the same pixels as
    ``figure.savefig(..., format="png")``."""
    from PIL import Image

    # NOTE: drawn once, not through savefig, for performance reasons: savefig lays out a
    # figure with a layout engine in a first draw and renders it in a second, where the
    # canvas's own draw lays it out and renders it in one.
    own = figure.canvas
    # A figure made without one (a script's Figure()) is drawn on an Agg canvas for the while.
    canvas = own if isinstance(own, FigureCanvasAgg) else FigureCanvasAgg(figure)
    try:
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
        # NOTE: an opaque figure (they all are) written as RGB at zlib level 3, for
        # performance reasons: half the time of RGBA at level 6, and smaller files; the
        # pixels are the same.
        opaque = bool((rgba[..., 3] == 255).all())
        buffer = io.BytesIO()
        # No text chunk (no software stamp to drift): the same figure gives the same bytes.
        Image.fromarray(np.ascontiguousarray(rgba[..., :3]) if opaque else rgba.copy()).save(
            buffer, format="png", dpi=(figure.dpi, figure.dpi), compress_level=3)
    finally:
        figure.set_canvas(own)
    return buffer.getvalue()


def save_png(figure: Figure, path: str | Path) -> None:
    Path(path).write_bytes(png_bytes(figure))


__all__ = ["DAY", "DPI", "LINESTYLES", "MARKERS", "MAX_PANELS", "busiest", "day_profile",
           "error_bars", "finite_or_zero", "hour_ticks", "legend_below", "line_style",
           "line_with_band", "mean_band", "new_figure", "png_bytes", "save_png",
           "settle_titles", "step_band", "variant_colour"]
