"""report.html of ``portsim holiday``: one self-contained page, built from the comparison
report's parts (its page and style, its embedded figures).

The first screen is the headline: for each run, the pledge kept or broken (which days, hours
and directions) and the officers moved. Then each variant against the baseline, day by day
and direction by direction on the same random numbers (who gains, who pays), the heatmaps,
the table of each day and the officers moved each day. Every text from the calendar is
HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from portsim.experiment.holiday import HolidayResults, RunResults
from portsim.experiment.store import label_folder
from portsim.report.files import dump_csv, dump_json, write_output
from portsim.report.holiday import day_rows, day_title, headline, heatmap, pledge_words
from portsim.report.html import figures_html, page
from portsim.report.kpis import counted
from portsim.report.optimise_page import STYLE, list_items, scrolled
from portsim.scenario.holiday import DIRECTIONS
from portsim.writing import NO_INPUTS, Inputs


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]],
           classes: Sequence[Sequence[str]] | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        css = classes[index] if classes else [""] * len(row)
        body.append("<tr>" + "".join(
            (f"<td class=\"{c}\">" if c else "<td>") + f"{escape(cell)}</td>"
            for cell, c in zip(row, css, strict=True)) + "</tr>")
    return scrolled(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}"
                     "</tbody></table>")


def _lead(results: HolidayResults) -> str:
    calendar = results.calendar
    words = (f"{counted(len(calendar.labels), 'day')} and the eve before them (the warm-up, "
             f"measured by nobody), both directions as one run; "
             f"{counted(len(results.runs), 'run')} on common random numbers, "
             f"{counted(results.replications, 'replication')} each (seed {calendar.seed}). "
             f"The pledge: {pledge_words(results)}. Counted: the pledge's classes of each "
             "direction by their hour of arrival (those still queueing at the end with their "
             "wait so far); an hour is broken when its whole 95 % interval lies below the "
             "pledged share, uncertain when the interval straddles it.")
    description = f" {calendar.document.description.strip()}" if (
        calendar.document.description) else ""
    return f"<p class=\"lead\">{escape(words + description)}</p>"


def _headline(results: HolidayResults) -> str:
    parts = ["<section id=\"headline\"><h2>Headline</h2>"]
    for run in results.runs:
        lines = headline(results, run)
        parts.append(f"<h3>{escape(run.name)} (officers split: {escape(run.rule)})</h3>"
                     f"<p>{escape(lines[0])}</p><ul class=\"sentences\">{list_items(lines[1:])}"
                     "</ul>")
    return "".join(parts) + "</section>"


def _against(results: HolidayResults, run: RunResults) -> str:
    """A variant against the baseline: each day's paired difference per direction, then who
    gains and who pays, and the officers it moves against the baseline's."""
    labels = results.calendar.labels
    rows: list[list[str]] = []
    classes: list[list[str]] = []
    gains: list[str] = []
    pays: list[str] = []
    for day, label in enumerate(labels):
        row, css = [label], [""]
        for direction in DIRECTIONS:
            diff = results.difference(run, direction, day)
            row.append(f"{diff.mean * 100:+.2f} pts [{diff.low * 100:+.2f}, "
                       f"{diff.high * 100:+.2f}]")
            if diff.excludes_zero:
                (gains if diff.mean > 0 else pays).append(
                    f"{label} {direction} ({diff.mean * 100:+.1f} pts)")
                css.append("better" if diff.mean > 0 else "worse")
            else:
                css.append("ns")
        rows.append(row)
        classes.append(css)
    said = (f"Gains: {', '.join(gains) or 'nobody clearly'}. "
            f"Pays: {', '.join(pays) or 'nobody clearly'}.")
    hours = {name: {resource: sum(r.moved_on(day)[resource][1]
                                  for day in range(results.calendar.days))
                    for resource in r.moved_on(0)} for name, r in
             (("variant", run), ("baseline", results.baseline))}
    moved = "; ".join(f"{resource.capitalize()}-hours worked in the other direction's hall: "
                      f"{hours['variant'][resource]:,.0f} against the baseline's "
                      f"{hours['baseline'][resource]:,.0f}"
                      for resource in hours["variant"])
    description = results.calendar.document.variants[run.name].description
    return (f"<h3>{escape(run.name)} against {escape(results.baseline.name)}</h3>"
            + (f"<p class=\"note\">{escape(description)}</p>" if description else "")
            + f"<p>{escape(said)} {escape(moved)}.</p>"
            + _table(["day", *(f"Δ {direction} within the standard, paired 95 %"
                               for direction in DIRECTIONS)], rows, classes))


def _moves(results: HolidayResults) -> str:
    headers = ["run", "resource", "eve", *results.calendar.labels]
    rows = []
    for run in results.runs:
        moves = [run.moved_on(day) for day in range(results.calendar.days)]
        for resource in moves[0]:
            rows.append([run.name, f"{resource}s", *(
                f"{move[resource][0]} ({move[resource][1]:,.0f} h)" for move in moves)])
    return ("<h2>Moved between directions, by day</h2><p class=\"note\">The most working in "
            "the other direction's hall at once (the shared stations added) and, in brackets, "
            "the hours they worked there.</p>" + _table(headers, rows))


def holiday_html(results: HolidayResults, images: Mapping[str, bytes]) -> str:
    """The page: headline, each variant against the baseline, the heatmaps (``images``, by
    file name), the day table and the moves."""
    captions = {f"heatmap-{label_folder(run.name)}.png":
                f"{run.name} (officers split: {run.rule}): share of travellers within the "
                "standard by day and hour of arrival, one panel per direction; × marks an "
                "hour the pledge is broken." for run in results.runs}
    variants = results.runs[1:]
    against = ("<h2>Against the baseline</h2><p class=\"note\">Each variant minus the "
               "baseline, the day's share within the standard by direction, paired "
               "replication by replication; green: clearly better, red: clearly worse.</p>"
               + "".join(_against(results, run) for run in variants)) if variants else ""
    headers, rows = day_rows(results)
    days = f"<h2>By day</h2><p class=\"note\">{escape(day_title(results))}.</p>"
    return page(f"portsim holiday: {results.calendar.name}",
                STYLE + _lead(results) + _headline(results) + against
                + figures_html(images, "Heatmaps", captions) + days
                + _table(headers, rows) + _moves(results))


def write_holiday(results: HolidayResults, out: Path, *, force: bool = False,
                  plots: bool = True, inputs: Inputs = NO_INPUTS) -> list[str]:
    """Write every output into ``out`` at once (see :func:`write_output`); the names."""
    written: list[str] = []

    def write(folder: Path) -> None:
        written.clear()
        dump_json(results.to_dict(), folder / "results.json")
        dump_csv(results.cells(), folder / "pledge.csv")
        dump_csv(results.daily(), folder / "daily.csv")
        written.extend(["results.json", "pledge.csv", "daily.csv"])
        images: dict[str, bytes] = {}
        if plots:
            from portsim.report.figures import png_bytes

            for run in results.runs:
                name = f"heatmap-{label_folder(run.name)}.png"
                images[name] = png_bytes(heatmap(results, run))
                (folder / name).write_bytes(images[name])
                written.append(name)
        (folder / "report.html").write_text(holiday_html(results, images), encoding="utf-8")
        written.append("report.html")

    write_output(out, write, force=force, inputs=inputs)
    return list(written)




__all__ = ["holiday_html", "write_holiday"]
