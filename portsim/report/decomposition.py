"""A decomposed variant in the terminal (Rich tables that fit 80 columns) and as a section of
report.html: its separate changes, then per headline KPI each change's main effect, each
interaction and the whole variant's difference, with paired 95% intervals."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from portsim.experiment.decomposition import (
    FACTORIAL,
    WHOLE,
    Decomposition,
)
from portsim.report.kpis import counted, number, shown_kpi, signed, significant
from portsim.stats.kpis import direction
from portsim.stats.summary import Interval

BETTER, WORSE, CHANGED, UNCLEAR = "better", "worse", "changed", "no clear effect"
#: A value of a change longer than this is cut in the list of changes.
_LONGEST = 60


def verdict(kpi: str, interval: Interval | None) -> str:
    """Better or worse (the catalogue says which way is better) where the interval excludes
    zero; "no clear effect" otherwise."""
    if interval is None or not significant(interval):
        return UNCLEAR
    way = direction(kpi)
    if way == 0:
        return CHANGED
    return BETTER if (interval.mean > 0) == (way > 0) else WORSE


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= _LONGEST else text[:_LONGEST - 3] + "..."


def summary_lines(decomposition: Decomposition) -> list[str]:
    """What was run, and each change (its name, path, and value before and after)."""
    plan = decomposition.plan
    comparison = decomposition.comparison
    runs = len(plan.runs) + 1
    how = ("every mix of them" if plan.design == FACTORIAL
           else "each alone and all together (more than 4: one at a time)")
    lines = [f"{plan.variant}: {counted(len(plan.levers), 'separate change')}, run as "
             f"{how}: {counted(runs, 'run')} with the baseline, "
             f"{counted(comparison.replications, 'replication')} each on common random numbers "
             f"(seed {comparison.seed})"]
    for lever in plan.levers:
        lines.append(f"  {lever.name}: {lever.dotted} {_value(lever.baseline)} → "
                     f"{_value(lever.variant)}")
    return lines


EXPLAINED = ("main effect: the change made alone on the baseline; interaction: what changes "
             "do together beyond their own effects; they add up to the whole variant's "
             "difference in every replication. Paired 95% intervals over replications; values "
             "as resolved: durations in minutes.")


Item = tuple[str, str, str]


def kpi_title(decomposition: Decomposition, item: Item) -> str:
    """Whom and what a KPI counts, with its baseline and whole-variant values."""
    scope, name, kpi = item
    comparison = decomposition.comparison
    shown = shown_kpi(scope, kpi)
    subject = "whole port" if scope == "system" else name
    base = comparison.summary("baseline", scope, name, kpi)
    after = comparison.summary(decomposition.variant, scope, name, kpi)
    return (f"{subject}: {shown.heading(comparison.sla)} — baseline "
            f"{number(base.mean if base else None, shown)}, {decomposition.variant} "
            f"{number(after.mean if after else None, shown)}")


def effect_rows(decomposition: Decomposition, item: Item) -> list[tuple[str, str, str]]:
    """Per effect (main effects, interactions, the whole variant last): its name, the
    effect ± half-width in the KPI's unit, and the verdict."""
    shown = shown_kpi(item[0], item[2])
    rows = []
    for effect in decomposition.plan.effects():
        interval = decomposition.interval(effect, item)
        label = f"{effect.name} (whole)" if effect.kind == WHOLE else effect.name
        rows.append((label, signed(interval, shown), verdict(item[2], interval)))
    return rows


def decomposition_tables(decomposition: Decomposition) -> list[Table]:
    """Per headline KPI: a row per effect, the whole variant's difference last."""
    tables = []
    for item in decomposition.kpis:
        table = Table(title=Text(kpi_title(decomposition, item)), title_justify="left")
        table.add_column("effect of", overflow="fold")
        table.add_column("Δ (95% CI)", justify="right", no_wrap=True)
        table.add_column("verdict", no_wrap=True)
        rows = effect_rows(decomposition, item)
        for index, (label, change, said) in enumerate(rows):
            style = {BETTER: "bold green", WORSE: "bold red"}.get(said, "dim")
            table.add_row(Text(label), Text(change), Text(said, style=style),
                          end_section=index == len(rows) - 2)
        tables.append(table)
    return tables


def print_decomposition(decomposition: Decomposition, console: Console | None = None) -> None:
    """The changes, how they were run and read, and a table per headline KPI."""
    console = console or Console(emoji=False)
    lines = summary_lines(decomposition)
    console.print(Text(lines[0], style="bold"))
    for line in lines[1:]:
        console.print(Text(line))
    console.print(Text(EXPLAINED, style="dim"))
    for table in decomposition_tables(decomposition):
        console.print(table)


def decomposition_html(decomposition: Decomposition) -> str:
    """The report's section: the changes, then a table per headline KPI."""
    lines = summary_lines(decomposition)
    changes = "".join(f"<li><code>{escape(line.strip())}</code></li>" for line in lines[1:])
    parts = [f"<section id=\"decomposition\"><h2>Decomposition of "
             f"{escape(decomposition.variant)}</h2><p>{escape(lines[0])}.</p>"
             f"<ul>{changes}</ul><p class=\"note\">{escape(EXPLAINED)}</p>"]
    for item in decomposition.kpis:
        body = []
        for label, change, said in effect_rows(decomposition, item):
            css = {BETTER: "better", WORSE: "worse"}.get(said, "ns")
            body.append(f"<tr><td>{escape(label)}</td>"
                        f"<td>{escape(change).replace('± ', '±&nbsp;')}</td>"
                        f"<td class=\"{css}\">{escape(said)}</td></tr>")
        parts.append(f"<h3>{escape(kpi_title(decomposition, item))}</h3><table><thead><tr>"
                      "<th>effect of</th><th>Δ (95% CI)</th><th>verdict</th></tr></thead>"
                      f"<tbody>{''.join(body)}</tbody></table>")
    parts.append("</section>")
    return "".join(parts)


__all__ = ["decomposition_html", "decomposition_tables", "effect_rows", "kpi_title",
           "print_decomposition", "summary_lines", "verdict"]
