"""Terminal tables of a comparison (Rich): each KPI per variant with its 95% interval, and the
paired difference to the baseline with its paired-t interval (bold when it excludes zero).

The tables cover every class and station of the baseline and of any variant; "—" marks a value a
variant does not have and a difference that does not exist (one side lacks the item)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from portsim.experiment.comparison import Comparison
from portsim.experiment.pledge import BROKEN, MET
from portsim.report.headline import (
    BETTER,
    HEADERS,
    PURPOSE,
    WORSE,
    HeadlineRow,
    cost_clause,
    headline_rows,
    imprecise_shown,
    pledge_grid,
    pledge_title,
    sentence,
)
from portsim.report.kpis import (
    IMPRECISE_NOTE,
    SCOPE_TITLES,
    counted,
    shown_for,
    signed,
    significant,
    with_interval,
)
from portsim.report.ledger import HEADERS as LEDGER_HEADERS
from portsim.report.ledger import cost_sentence, ledger_table_rows, saving_words


def comparison_tables(comparison: Comparison) -> list[Table]:
    """One table per scope (whole port, classes, stations), a row per KPI and variant.

    Variants go down rather than across, so the table stays readable in 80 columns whatever
    the number of variants.
    """
    tables = []
    for scope in ("system", "classes", "stations"):
        names = comparison.names(scope)
        if not names:
            continue
        title = (f"{comparison.name}: {SCOPE_TITLES[scope].lower()} — "
                 f"{counted(comparison.replications, 'replication')}, seed {comparison.seed}; "
                 "mean ± 95% CI; Δ = paired difference to the baseline, bold if its CI "
                 "excludes 0")
        # Text, not str: names are the user's, never Rich markup or emoji codes.
        table = Table(title=Text(title), title_justify="left")
        if scope != "system":
            table.add_column(scope[:-1] if scope == "stations" else "class", justify="left")
        for header in ("KPI", "variant", "value", "Δ vs baseline"):
            table.add_column(header, justify="left" if header in ("KPI", "variant")
                             else "right")
        for name in names:
            for shown in shown_for(scope, comparison.kpi_names(scope, name)):
                for row, label in enumerate(comparison.labels):
                    cells: list[str | Text] = [] if scope == "system" else [
                        Text(name) if row == 0 else ""]
                    cells += [shown.heading(comparison.sla) if row == 0 else "", Text(label),
                              with_interval(comparison.summary(label, scope, name, shown.kpi),
                                            shown)]
                    if label == comparison.labels[0]:
                        cells.append("")
                    else:
                        diff = comparison.difference(label, scope, name, shown.kpi)
                        cells.append(Text(signed(diff, shown),
                                          style="bold" if significant(diff) else "dim"))
                    table.add_row(*cells, end_section=row == len(comparison.labels) - 1)
        tables.append(table)
    return tables


def ledger_table(comparison: Comparison, variant: str) -> Table:
    """What ``variant`` costs: its resource use a day against the baseline's, and its
    benefit per unit added (see :mod:`.ledger`)."""
    table = Table(title=Text(cost_sentence(comparison, variant)), title_justify="left")
    for header in LEDGER_HEADERS:
        table.add_column(header, justify="left" if header == LEDGER_HEADERS[0] else "right",
                         overflow="fold")
    for cells, kind in ledger_table_rows(comparison, variant):
        style = "bold" if kind == "per_unit" else ""
        table.add_row(*(Text(cell, style=style) for cell in cells))
    return table


def headline_tables(comparison: Comparison) -> list[Table]:
    """Per variant, its sentence and its headline KPIs against the baseline, grouped by why
    they are there: its purpose, whom it is for, every other clear change, the whole port
    (see :mod:`.headline`); then what it costs (:func:`ledger_table`)."""
    tables = []
    for variant, rows in headline_rows(comparison).items():
        said = sentence(variant, rows, comparison.sla, cost_clause(comparison, variant),
                        saving_words(comparison, variant))
        table = Table(title=Text(said), title_justify="left")
        for header in HEADERS:
            table.add_column(header, justify="left" if header in ("KPI", "verdict")
                             else "right",
                             width=max(_widest(row.subject for row in rows), KPI_WIDTH)
                             if header == "KPI" else None)
        for index, row in enumerate(rows):
            *cells, verdict = row.cells(comparison.sla)
            style = {BETTER: "bold green", WORSE: "bold red"}.get(verdict, "dim")
            last = index + 1 == len(rows) or rows[index + 1].why != row.why
            table.add_row(Text(_kpi_words(row, comparison.sla)), *(Text(cell)
                                                                   for cell in cells[1:]),
                          Text(verdict, style=style), end_section=last)
        tables.append(table)
        tables.append(ledger_table(comparison, variant))
    return tables


def _kpi_words(row: HeadlineRow, sla: float | None) -> str:
    """Whom and which KPI, on two lines (a name is never broken); a purpose says so."""
    heading = row.shown.heading(sla)
    if row.why == PURPOSE and row.words and row.words not in heading:
        heading = f"{row.words}: {heading}"
    return f"{row.subject}\n{heading}"


#: The narrowest a column of clock slots may be: one slot, ``06:00–07:00,``, on a line.
SLOTS_WIDTH = 13
#: A name column is as wide as its longest name, up to this (names are not broken unless
#: longer); Rich narrows the other columns, whose words may wrap, to fit.
NAMES_WIDTH = 32
#: The KPI column of a headline: a name, and the KPI in words wrapped beneath it.
KPI_WIDTH = 24


def _widest(names: Iterable[str]) -> int:
    return min(max((len(name) for name in names), default=0), NAMES_WIDTH)


def pledge_table(comparison: Comparison, width: int = 120) -> Table | None:
    """Per class, the pledge verdict over the clock slots of each label: labels across when
    their columns fit in ``width`` characters, else down (a row per class and label), so that
    no name or slot is broken."""
    grid = pledge_grid(comparison)
    if grid is None:
        return None
    table = Table(title=Text(pledge_title(comparison) + " (95% intervals)"),
                  title_justify="left")
    classes = _widest(grid)
    table.add_column("class", width=classes)
    columns = [max(len(label), SLOTS_WIDTH) for label in comparison.labels]
    # each column takes 3 characters of border and padding, the table 1 more
    across = classes + sum(columns) + 3 * (len(columns) + 1) + 1 <= width

    def cell(found: Any) -> Text:
        return Text("—") if found is None else Text(
            found.text(), style={MET: "green", BROKEN: "bold red"}.get(found.status, "dim"))

    if across:
        for label, least in zip(comparison.labels, columns, strict=True):
            table.add_column(Text(label), min_width=least)
        for name, by_label in grid.items():
            table.add_row(Text(name), *(cell(found) for found in by_label.values()))
        return table
    table.add_column("variant", width=_widest(comparison.labels))
    table.add_column("pledge", min_width=SLOTS_WIDTH)
    for name, by_label in grid.items():
        for index, (label, found) in enumerate(by_label.items()):
            table.add_row(Text(name) if index == 0 else "", Text(label), cell(found),
                          end_section=index == len(by_label) - 1)
    return table


def print_comparison(comparison: Comparison, console: Console | None = None, *,
                     detail: bool = False) -> None:
    """The headline of every variant; with ``detail`` the full tables too."""
    console = console or Console(emoji=False)
    console.print(Text(f"{comparison.name}: {counted(comparison.replications, 'replication')} per "
                       f"variant, seed {comparison.seed}; Δ = variant − baseline, paired 95% "
                       "CI", style="bold"))
    pledge = pledge_table(comparison, console.width)
    if pledge is not None:
        console.print(pledge)
    for table in headline_tables(comparison):
        console.print(table)
    if detail:
        for table in comparison_tables(comparison):
            console.print(table)
    if imprecise_shown(comparison, detail=detail):
        console.print(Text(IMPRECISE_NOTE))
