"""The delay attributed to border inspection (``compare --attribute-delay``) in the terminal
(a Rich table that fits 80 columns: a row per vehicle class and run) and as a section of
report.html."""

from __future__ import annotations

from html import escape

from rich.console import Console
from rich.table import Table
from rich.text import Text

from portsim.experiment.attribution import DELAY, LATENESS, SHARE, Attributed, Attribution
from portsim.experiment.comparison import BASELINE, Comparison
from portsim.report.kpis import shown_kpi, signed, significant, with_interval

TITLE = "Delay due to border inspection"


def _what(item: Attributed) -> str:
    """The time the delay is part of, in words."""
    if item.measured == "sojourn_mean":
        return "time in port"
    return "time until " + item.measured.removeprefix("until_").removesuffix("_mean").replace(
        "_", " ")


def explanation(attribution: Attribution, comparison: Comparison) -> str:
    """What the figures are, in one paragraph."""
    stations = ", ".join(dict.fromkeys(name for inspection in attribution.inspections.values()
                                       for name in inspection.stations))
    return (f"Per vehicle, the mean minutes its time (in port, or until the milestone named) "
            f"is longer than in the same run with the border inspection stations ({stations}) "
            "taking no time and having no queue, on the same random numbers: mean ± 95% CI "
            f"over {comparison.replications} paired replications; share: of the run's own "
            "time; Δ: the variant's minus the baseline's (negative: inspection delay the "
            "variant removes).")


def _cells(comparison: Comparison, item: Attributed) -> list[str]:
    """Delay, share and (for a class with a due time) lateness due to inspection."""
    name = item.class_name
    delay = shown_kpi("classes", DELAY, 1)
    results = comparison.results(item.label)
    cells = [with_interval(results.summary("classes", name, DELAY), delay),
             with_interval(results.summary("classes", name, SHARE),
                           shown_kpi("classes", SHARE, 0))]
    if item.lateness is not None:
        cells.append(with_interval(results.summary("classes", name, LATENESS), delay))
    return cells


def _change(comparison: Comparison, item: Attributed) -> tuple[str, bool]:
    """The paired difference of the run's delay to the baseline's, and whether its interval
    excludes zero ("" for the baseline, or where the baseline does not have the class)."""
    if item.label == BASELINE or not comparison.baseline.has("classes", item.class_name, DELAY):
        return "", False
    diff = comparison.difference(item.label, "classes", item.class_name, DELAY)
    return signed(diff, shown_kpi("classes", DELAY, 1)), significant(diff)


def attribution_tables(comparison: Comparison) -> list[Table]:
    """A table per inspected class, a row per run: the delay due to inspection, its share of
    the class's time, the lateness due to it (with a due time), and the paired difference to
    the baseline's delay; the last table says what the figures are."""
    attribution = comparison.attribution
    if attribution is None:
        return []
    tables = []
    for index, name in enumerate(attribution.classes):
        items = attribution.for_class(name)
        last = index == len(attribution.classes) - 1
        # Text, not str: names are the user's, never Rich markup; folded, never cut.
        table = Table(title=Text(f"{TITLE}: {name} ({_what(items[0])})"), title_justify="left",
                      caption=Text(explanation(attribution, comparison)) if last else None,
                      caption_justify="left")
        headers = ["variant", "delay (min)", "share (%)"]
        if items[0].lateness is not None:
            headers.append("late (min)")
        for header in [*headers, "Δ delay"]:
            table.add_column(header, justify="left" if header == "variant" else "right",
                             overflow="fold")
        for item in items:
            change, bold = _change(comparison, item)
            table.add_row(Text(item.label), *_cells(comparison, item),
                          Text(change, style="bold" if bold else "dim"))
        tables.append(table)
    return tables


def print_attribution(comparison: Comparison, console: Console) -> None:
    for table in attribution_tables(comparison):
        console.print(table)


def attribution_html(comparison: Comparison) -> str:
    """The report's section (empty without an attribution)."""
    attribution = comparison.attribution
    if attribution is None:
        return ""
    head = "".join(f"<th>{escape(h)}</th>" for h in ("class", "measured", "variant",
                                                     "delay (min)", "share of the time (%)",
                                                     "lateness (min)", "Δ delay vs baseline"))
    rows = []
    for item in attribution.attributed:
        text, bold = _change(comparison, item)
        change = f"<strong>{escape(text)}</strong>" if bold else escape(text)
        cells = [escape(item.class_name), escape(_what(item)), escape(item.label),
                 *(escape(cell) for cell in _cells(comparison, item))]
        if item.lateness is None:
            cells.append("—")
        cells.append(change)
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return (f"<section id=\"inspection-delay\"><h2>{escape(TITLE)}</h2>"
            f"<p class=\"note\">{escape(explanation(attribution, comparison))}</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            "</section>")


__all__ = ["attribution_html", "attribution_tables", "explanation", "print_attribution"]
