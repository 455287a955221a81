"""What ``portsim holiday`` prints and writes: the headline (the pledge kept or broken, at which
day, hour and direction; the officers moved), a table of each day, results.json, pledge.csv
(day × hour × direction with intervals), daily.csv (the flow and the officers moved per day),
a day × hour heatmap per run, both directions side by side, and report.html
(:mod:`portsim.report.holiday_page`).
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

from rich.table import Table

from portsim.experiment.holiday import HOURS, HolidayResults, RunResults
from portsim.experiment.pledge import BROKEN
from portsim.scenario.holiday import DIRECTIONS
from portsim.stats.summary import Interval
from portsim.wording import standard_words

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def pledge_words(results: HolidayResults) -> str:
    return (f"at least {results.share_target:.0%} of travellers wait ≤ "
            f"{standard_words(results.baseline.model.sla)}, in every hour of arrival")


def _hour_ranges(hours: list[int]) -> str:
    """``09:00-12:00, 18:00-19:00`` for hours [9, 10, 11, 18]."""
    parts = []
    for _, group in itertools.groupby(enumerate(sorted(hours)), lambda x: x[1] - x[0]):
        block = [hour for _, hour in group]
        parts.append(f"{block[0]:02d}:00-{block[-1] + 1:02d}:00")
    return ", ".join(parts)


def headline(results: HolidayResults, run: RunResults) -> list[str]:
    """The pledge over the holiday for one run, then the officers moved."""
    labels = results.calendar.labels
    found = results.broken_hours(run)
    lines = []
    if not found:
        lines.append(f"{run.name}: pledge kept in every hour of all {len(labels)} days, both "
                     f"directions ({pledge_words(results)}).")
    else:
        broken = [f for f in found if f[3] == BROKEN]
        word = "broken" if broken else "not shown kept (intervals straddle it)"
        lines.append(f"{run.name}: pledge {word} in {len(broken or found)} hour(s)"
                     + (f", uncertain in {len(found) - len(broken)}" if broken and
                        len(found) > len(broken) else "")
                     + f" ({pledge_words(results)}):")
        for (direction, day), group in itertools.groupby(found, lambda f: (f[0], f[1])):
            cells = list(group)
            hours = [hour for _, _, hour, status in cells if status == BROKEN]
            unsure = [hour for _, _, hour, status in cells if status != BROKEN]
            worst = min(run.share(direction, day, h).mean for _, _, h, _ in cells)
            text = f"  {labels[day]}, {direction}: "
            text += f"broken {_hour_ranges(hours)}" if hours else ""
            text += ("; " if hours and unsure else "") + (
                f"uncertain {_hour_ranges(unsure)}" if unsure else "")
            lines.append(text + f" (worst hour {worst:.1%} within)")
    days = results.calendar.days
    moves = [run.moved_on(day) for day in range(days)]
    for resource in moves[0]:
        total = sum(move[resource][1] for move in moves)
        if total == 0:
            lines.append(f"  {resource}s moved between directions: none (rule: {run.rule})")
            continue
        per_day = ", ".join(f"{label} {move[resource][0]} ({move[resource][1]:,.0f} h)"
                            for label, move in zip(["eve", *labels], moves, strict=True))
        lines.append(f"  {resource}s moved between directions (rule: {run.rule}), most at "
                     f"once and {resource}-hours: {per_day}; {total:,.0f} {resource}-hours "
                     "in all")
    return lines


def comparison_lines(results: HolidayResults) -> list[str]:
    """Each variant against the baseline on the same random numbers: per direction, the days
    whose share within the standard clearly differs (who gains, who pays)."""
    lines = []
    labels = results.calendar.labels
    for run in results.runs[1:]:
        changes = []
        for direction in DIRECTIONS:
            for day, label in enumerate(labels):
                diff = results.difference(run, direction, day)
                if diff.excludes_zero:
                    changes.append(f"{label} {direction} {diff.mean * 100:+.2f} pts "
                                   f"[{diff.low * 100:+.2f}, {diff.high * 100:+.2f}]")
        said = "; ".join(changes) if changes else "no day's share clearly differs"
        lines.append(f"{run.name} against {results.baseline.name} (paired, 95 %): {said}")
    return lines


def day_rows(results: HolidayResults) -> tuple[list[str], list[list[str]]]:
    """Per day: the demand factors, each run's share within the standard per direction
    (mean and interval) and its hours broken; the headers and the rows."""
    document = results.calendar.document
    headers = ["day", "demand out/in", *(f"{run.name} {direction}" for run in results.runs
                                         for direction in DIRECTIONS)]
    broken = {run.name: results.broken_hours(run) for run in results.runs}
    rows = []
    for day, label in enumerate(results.calendar.labels):
        entry = document.days[day]
        cells = [label, f"{entry.outbound:g} / {entry.inbound:g}"]
        for run in results.runs:
            for direction in DIRECTIONS:
                hours = sum(1 for t, d, _, s in broken[run.name]
                            if t == direction and d == day and s == BROKEN)
                text = _share(run.share(direction, day))
                cells.append(text + (f" ({hours} h broken)" if hours else ""))
        rows.append(cells)
    return headers, rows


def day_title(results: HolidayResults) -> str:
    return (f"{results.calendar.name}: share of travellers within "
            f"{standard_words(results.baseline.model.sla)}, by day of arrival")


def day_table(results: HolidayResults) -> Table:
    """:func:`day_rows` as a terminal table."""
    table = Table(title=day_title(results))
    headers, rows = day_rows(results)
    for index, header in enumerate(headers):
        table.add_column(header, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*row)
    return table


def _share(share: Interval) -> str:
    """``99.1% ±0.3%`` (the 95 % half-width; ``99.1%`` alone from one replication)."""
    if not math.isfinite(share.mean):
        return "-"
    if not math.isfinite(share.half_width):
        return f"{share.mean:.1%}"
    return f"{share.mean:.1%} ±{share.half_width:.1%}"


def heatmap(results: HolidayResults, run: RunResults) -> Figure:
    """Day × hour of the share within the standard, one panel per direction; hours where
    the pledge is broken are marked with a cross."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = results.calendar.labels
    figure = Figure(figsize=(12.0, 0.45 * len(labels) + 2.2), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, len(DIRECTIONS), sharey=True)
    image = None
    for panel, direction in zip(axes, DIRECTIONS, strict=True):
        grid = np.full((len(labels), HOURS), np.nan)
        for day in range(len(labels)):
            for hour in range(HOURS):
                if run.counted(direction, day, hour).mean > 0:
                    grid[day, hour] = 100.0 * run.share(direction, day, hour).mean
        image = panel.imshow(grid, aspect="auto", cmap="RdYlGn", vmin=80.0, vmax=100.0,
                             interpolation="nearest")
        for t, day, hour, status in results.broken_hours(run):
            if t == direction and status == BROKEN:
                panel.text(hour, day, "×", ha="center", va="center", fontsize=9)
        panel.set_title(direction)
        panel.set_xticks(range(0, HOURS, 3), [f"{h:02d}" for h in range(0, HOURS, 3)])
        panel.set_xlabel("hour of arrival")
        panel.set_yticks(range(len(labels)), labels)
    assert image is not None
    bar = figure.colorbar(image, ax=list(axes), shrink=0.9)
    bar.set_label(f"% within {standard_words(results.baseline.model.sla)} (mean; below 80 % "
                  "shown as 80 %)")
    figure.suptitle(f"{results.calendar.name}, {run.name} (officers split: {run.rule}): "
                    f"× = pledge broken ({results.share_target:.0%} within, whole 95 % "
                    "interval below)",
                    fontsize=11)
    return figure


__all__ = ["comparison_lines", "day_rows", "day_table", "day_title", "headline", "heatmap",
           "pledge_words"]
