"""The figure of a sweep: a KPI against the first swept parameter with 95 % intervals, one line
per combination of the other parameters, with the waiting-time standard, a target and the
overloaded points marked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from portsim.report.figures import LINESTYLES, MARKERS, new_figure, variant_colour
from portsim.stats.kpis import lookup


@dataclass(frozen=True)
class _Shown:
    """How a KPI reads on the axis: its words, and whether it is a share (drawn in %) or in
    minutes."""

    words: str
    share: bool
    in_minutes: bool

    @classmethod
    def of(cls, kpi: Any) -> _Shown:
        entry = lookup(kpi.scope, kpi.kpi)
        words = (entry.label.replace(" ≤ {sla}", " within the standard") if entry is not None
                 else kpi.kpi.replace("_", " "))
        return cls(words, entry is not None and entry.is_share,
                   entry is not None and entry.unit == "min")

    @property
    def scale(self) -> float:
        return 100.0 if self.share else 1.0

    @property
    def unit(self) -> str:
        return " (min)" if self.in_minutes else (" (%)" if self.share else "")


def sweep_figure(sweep: Any, kpi: Any, target: float | None = None) -> Figure:
    """A KPI against the first swept parameter with 95% intervals; one line per combination
    of the other parameters. Shares are drawn in % with intervals clipped to [0, 100];
    KPIs in minutes get the waiting-time standard as a line, ``target`` (in the KPI's stored
    unit) a line of its own; points where a station is overloaded are marked."""
    first, *others = [setting.key for setting in sweep.settings]
    shown = _Shown.of(kpi)
    figure, (ax,) = new_figure(1, f"{sweep.name}: {shown.words} ({kpi.scope} {kpi.name})\n"
                               f"against {first}", width=7.0, height=4.4)
    values = [point.assignment[first] for point in sweep.points]
    numeric = all(isinstance(v, int | float) for v in values)
    ticks = list(dict.fromkeys(values))
    _lines(ax, sweep, kpi, shown, first, others, None if numeric else ticks)
    if not numeric:
        ax.set_xticks(range(len(ticks)), [str(t) for t in ticks])
    elif all(isinstance(v, int) for v in values):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _reference_lines(ax, sweep.sla, shown, target)
    if shown.share:
        ax.set_ylim(-2, 102)
    ax.set(xlabel=first, ylabel=f"{shown.words}{shown.unit}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, title="mean, 95% CI")
    return figure


def _lines(ax: Axes, sweep: Any, kpi: Any, shown: _Shown, first: str, others: Sequence[str],
           ticks: list[Any] | None) -> None:
    """One line with error bars per combination of the ``others`` parameters, against
    ``first`` (at its position in ``ticks`` when its values are not numbers); overloaded
    points ringed."""
    groups: dict[str, list[Any]] = {}
    for point in sweep.points:
        key = ", ".join(f"{path}={point.assignment[path]}" for path in others)
        groups.setdefault(key, []).append(point)
    overloaded_x: list[Any] = []
    overloaded_y: list[float] = []
    for index, (key, points) in enumerate(groups.items()):
        xs = [p.assignment[first] if ticks is None else ticks.index(p.assignment[first])
              for p in points]
        intervals = [p.results.summary(kpi.scope, kpi.name, kpi.kpi) for p in points]
        means = np.array([i.mean for i in intervals], dtype=float) * shown.scale
        lows = np.array([i.low for i in intervals], dtype=float) * shown.scale
        highs = np.array([i.high for i in intervals], dtype=float) * shown.scale
        if shown.share:
            lows, highs = np.clip(lows, 0.0, 100.0), np.clip(highs, 0.0, 100.0)
        yerr = np.nan_to_num(np.vstack([means - lows, highs - means]), nan=0.0)
        ax.errorbar(xs, means, yerr=yerr, marker=MARKERS[index % len(MARKERS)],
                    linestyle=LINESTYLES[index % len(LINESTYLES)], capsize=3,
                    color=variant_colour(index), label=key or kpi.name)
        for x, mean, point in zip(xs, means, points, strict=True):
            if point.overloaded:
                overloaded_x.append(x)
                overloaded_y.append(float(mean))
    if overloaded_x:
        ax.scatter(overloaded_x, overloaded_y, s=160, facecolors="none", edgecolors="red",
                   linewidths=1.8, zorder=5, label="overloaded: queues grow without bound")


def _reference_lines(ax: Axes, sla: float | None, shown: _Shown, target: float | None) -> None:
    """The waiting-time standard (for a KPI in minutes) and the target, as horizontal lines."""
    if shown.in_minutes and sla is not None:
        ax.axhline(sla, color="black", linestyle="--", linewidth=1,
                   label=f"standard {sla:g} min")
    if target is not None:
        ax.axhline(target * shown.scale, color="firebrick", linestyle=":", linewidth=1.5,
                   label=f"target {target * shown.scale:g}{' %' if shown.share else ''}"
                         f"{' min' if shown.in_minutes else ''}")


__all__ = ["sweep_figure"]
