"""report.html of ``portsim optimise``: one self-contained page, built from the comparison
report's parts (its style, its headline and ledger section, its embedded figures).

The first screen answers the question: the selected design, its estimate, the guarantee as the
procedure gives it and the runners-up within δ; then the selected design against the baseline
(what it buys, who pays, the pledge slot by slot and the cost ledger, paired on the same random
numbers); then optimise.png, and the table of every design with its interval, the replications
it received, its feasibility and its verdict. With ``--front``: the front's size, front.png
and the table of designs, the front first. Every text from the scenario or the command line is
HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portsim.experiment.optimise.baseline import SELECTED as SELECTED_LABEL
from portsim.experiment.optimise.procedure import FEASIBLE, INFEASIBLE, SELECTED
from portsim.experiment.optimise.summary import design_rows, summary
from portsim.report.files import dump_csv, dump_json
from portsim.report.front import FRONT_FILES, front_figure, front_rows, front_summary
from portsim.report.html import figures_html, headline_html, page
from portsim.report.kpis import Shown, counted, number
from portsim.report.optimise import OPTIMISE_FILES, optimise_figure, variant_text
from portsim.stats.summary import Interval

if TYPE_CHECKING:
    from portsim.experiment.comparison import Comparison
    from portsim.experiment.optimise.front import Front
    from portsim.experiment.optimise.search import Optimisation

OPTIMISE_CAPTION = ("The objective by design: mean over its replications with the 95% "
                    "interval; the selected design in green, designs found infeasible grey, "
                    "the band within δ of the selected one shaded.")
FRONT_CAPTION = ("Each design's two objectives with their intervals, every point numbered "
                 "as in the table: the front joined and coloured, dominated designs grey, "
                 "infeasible designs crossed in red.")
#: Extra style: a table that may be wider than a phone scrolls inside its box, not the page.
STYLE = ("<style>div.scroll { overflow-x: auto; max-width: 100%; } "
         "tr.chosen td { background: #eef7ee; } tr.out td { color: #888; }</style>")


def list_items(lines: Sequence[str]) -> str:
    """Each line, escaped, as an HTML list item."""
    return "".join(f"<li>{escape(line.strip())}</li>" for line in lines)


def scrolled(table: str) -> str:
    """``table`` in a box that scrolls sideways on a narrow screen, not the page."""
    return f"<div class=\"scroll\" data-scroll>{table}</div>"


def _legend(lines: Sequence[str]) -> str:
    return f"<p class=\"note\">{'<br>'.join(escape(line) for line in lines)}</p>"


def optimise_html(result: Optimisation, image: bytes,
                  comparison: Comparison | None) -> str:
    """The page of a single-design optimisation; ``comparison``: the selected design against
    the baseline (None when no design was selected)."""
    from portsim.report.optimise import headline

    lines = headline(result)
    answer = (f"<section id=\"headline\"><h2>Answer</h2><p class=\"lead\">"
              f"{escape(lines[0])}</p><ul class=\"sentences\">{list_items(lines[1:])}</ul>"
              "</section>")
    return page(f"portsim optimise: {result.name}",
                STYLE + _warnings(result) + answer + _against(result, comparison)
                + figures_html({"optimise.png": image}, "Designs",
                               {"optimise.png": OPTIMISE_CAPTION})
                + _designs(result) + _settings(result))


def _warnings(result: Optimisation) -> str:
    """What limits the answer, first: no guarantee, δ chosen by default, designs left out."""
    said = []
    if result.outcome.stopped != SELECTED:
        said.append(f"No guarantee: {result.guarantee()}.")
    if result.delta_chosen:
        said.append(f"δ was not given: {result.delta_words}, 1% of the first stage's best "
                    "mean; give --delta, the smallest difference worth telling apart.")
    if result.space.beyond:
        said.append(f"{counted(len(result.space.beyond), 'combination')} left out: more "
                    "servers on duty than a station's positions.")
    said += result.warnings
    return "".join(f"<div class=\"warnbox\">{escape(text)}</div>" for text in said)


def _against(result: Optimisation, comparison: Comparison | None) -> str:
    """The selected design against the baseline: the comparison report's headline section."""
    if comparison is None:
        return ("<section id=\"against-baseline\"><h2>Against the baseline</h2><p>No design "
                "was selected, so there is nothing to set against the baseline.</p></section>")
    chosen = result.selected
    assert chosen is not None
    base = (f"variant {result.variant} as the file has it" if result.variant is not None
            else "the scenario as the file has it")
    note = (f"<p class=\"note\">Selected design: {escape(result.labels[chosen])}. Baseline: "
            f"{escape(base)}, with the question's prices. Both ran the same "
            f"{counted(comparison.replications, 'replication')} on common random numbers "
            f"(seed {comparison.seed}): differences are paired replication by replication, "
            "with 95% intervals; a clearly worse class or station is one who pays.</p>")
    if not comparison.changes.get(SELECTED_LABEL):
        note += ("<p>The selected design is the baseline itself: the file's own settings are "
                 "the best the procedure found, and nothing changes.</p>")
    section = headline_html(comparison, "Against the baseline: who gains, who pays, "
                                        "what it costs", "against-baseline")
    heading_end = section.index("</h2>") + len("</h2>")
    return section[:heading_end] + note + section[heading_end:]


def _designs(result: Optimisation) -> str:
    """Every design: its axes' values, the objective's mean and interval, the paired
    difference to the selected one, its replications, feasibility and verdict."""
    from portsim.report.optimise import axis_heading, axis_legend, objective_shown

    shown = objective_shown(result)
    axes = "".join(f"<th>{escape(axis_heading(i))}</th>"
                   for i in range(len(result.space.axes)))
    feasibility = "<th>feasibility</th>" if result.bounds else ""
    head = (f"<tr><th>#</th>{axes}<th>{escape(shown.heading())}<br><small>mean (95% CI)"
            "</small></th><th>− selected<br><small>paired, 95% CI</small></th>"
            f"<th>replications</th>{feasibility}<th>verdict</th></tr>")
    rows = []
    for i, assignment in enumerate(result.space.assignments):
        estimate = result.estimate(i)
        difference = result.difference(i)
        value = _with_ends(estimate, shown)
        gap = "—" if difference is None else _with_ends(difference, shown)
        css = ("chosen" if i == result.selected
               else "out" if result.feasibility(i) == INFEASIBLE else "")
        cells = [f"<td>{escape(str(v))}</td>" for v in (i + 1, *assignment.values())]
        cells += [f"<td>{value}</td>", f"<td>{gap}</td>",
                  f"<td>{result.outcome.replications(i):,}</td>"]
        if result.bounds:
            cells.append(f"<td>{escape(_feasibility(result, i))}</td>")
        cells.append(f"<td>{escape(result.status(i))}</td>")
        rows.append(f"<tr class=\"{css}\">{''.join(cells)}</tr>")
    table = (f"<table id=\"designs\"><thead>{head}</thead><tbody>{''.join(rows)}</tbody>"
             "</table>")
    return scrolled(table) + _legend(_legend_lines(result, axis_legend(result.space.axes)))


def _with_ends(interval: Interval, shown: Shown) -> str:
    """The mean, and beneath it the interval's ends (none for a figure that is the same in
    every replication)."""
    text = number(interval.mean, shown)
    if interval.half_width > 0 or interval.half_width != interval.half_width:
        text += f"<small>{number(interval.low, shown)} to {number(interval.high, shown)}</small>"
    return text


def _legend_lines(result: Optimisation, axes: list[str]) -> list[str]:
    return [*axes, "− selected: the design's objective minus the selected one's, over their "
            "common replications; feasibility: every constraint met, one broken, or not yet "
            "decided when the procedure stopped"
            + (f" (each judged within a tolerance of {result.tolerance:.0%} of its bound)"
               if result.bounds else "")]


def _feasibility(result: Optimisation, design: int) -> str:
    """The design's verdict on its constraints, with the count behind it."""
    checks = result.outcome.feasibility[design]
    word = result.feasibility(design)
    if word == FEASIBLE:
        return f"feasible ({counted(len(checks), 'constraint')} met)"
    broken = sum(check == INFEASIBLE for check in checks)
    if word == INFEASIBLE:
        return f"infeasible ({broken} of {len(checks)} broken)"
    met = sum(check == FEASIBLE for check in checks)
    return f"undecided ({met} of {len(checks)} met)"


def _settings(result: Optimisation) -> str:
    settings = result.outcome.settings
    rows = [("procedure", result.procedure), ("δ", result.delta_words),
            ("1 − α", f"{settings.confidence:g}"),
            ("first stage", counted(settings.first, "replication")),
            ("replications", f"{result.outcome.total:,} in "
                             f"{counted(result.outcome.stages, 'stage')}; every design at "
                             f"the most any received: {result.brute_force:,}"),
            ("seed", f"{result.seed} (common random numbers)"),
            ("constraints", ", ".join(c.text for c in result.constraints) or "none")]
    body = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows)
    return (f"<details><summary>Procedure and settings</summary><table class=\"meta\">{body}"
            "</table></details>")


def front_html(result: Front, image: bytes) -> str:
    """The page of ``optimise --front``: the front's size, the plot, the designs (front
    first) with who dominates each, and the rule."""
    from portsim.experiment.optimise.front import RULE
    from portsim.report.front import (
        cell,
        headline,
        legend,
        objective_shown,
        order,
        verdict,
    )
    from portsim.report.optimise import axis_heading

    lines = headline(result)
    answer = (f"<section id=\"headline\"><h2>Front</h2><p class=\"lead\">{escape(lines[0])}"
              f"</p><ul class=\"sentences\">{list_items(lines[1:])}</ul></section>")
    axes = "".join(f"<th>{escape(axis_heading(i))}</th>"
                   for i in range(len(result.space.axes)))
    head = (f"<tr><th>#</th>{axes}"
            + "".join(f"<th>{escape(objective_shown(result, w).heading())}<br><small>mean ± "
                      f"{result.level:.0%} CI</small></th>" for w in range(2))
            + "<th>verdict</th></tr>")
    rows = []
    for i in order(result):
        css = {"front": "chosen", "infeasible": "out"}.get(result.status(i), "")
        cells = [str(i + 1), *(str(v) for v in result.space.assignments[i].values()),
                 cell(result, i, 0), cell(result, i, 1), verdict(result, i)]
        rows.append(f"<tr class=\"{css}\">"
                    + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>")
    notes = [*legend(result), f"dominated: {RULE} ({result.level:.0%}, paired over the "
             f"{result.replications} replications)"]
    if result.bounds:
        notes.append("infeasible: a constraint's mean over the replications lies beyond its "
                     "bound; infeasible designs dominate none")
    table = (f"<table id=\"designs\"><thead>{head}</thead><tbody>{''.join(rows)}</tbody>"
             "</table>")
    return page(f"portsim optimise --front: {result.name}",
                STYLE + answer + figures_html({"front.png": image}, None,
                                              {"front.png": FRONT_CAPTION})
                + "<h2>Designs, the front first</h2>" + scrolled(table) + _legend(notes))


def write_optimisation(result: Optimisation, folder: Path, name: str,
                       patch: Mapping[str, Any] | None,
                       against: Comparison | None = None) -> list[str]:
    """optimise.json, designs.csv, optimise.png, report.html and (with a design chosen)
    variant.yaml; ``against``: the selected design against the baseline, for optimise.json
    and the report."""
    from portsim.experiment.optimise.baseline import baseline_summary
    from portsim.report.figures import png_bytes

    document = summary(result)
    document["against_baseline"] = None if against is None else baseline_summary(against)
    dump_json(document, folder / "optimise.json")
    dump_csv(design_rows(result), folder / "designs.csv")
    image = png_bytes(optimise_figure(result))
    (folder / "optimise.png").write_bytes(image)
    (folder / "report.html").write_text(optimise_html(result, image, against),
                                        encoding="utf-8")
    files = list(OPTIMISE_FILES[:4])
    if patch is not None:
        (folder / "variant.yaml").write_text(variant_text(result, name, patch), encoding="utf-8")
        files.append("variant.yaml")
    return files


def write_front(result: Front, folder: Path) -> list[str]:
    """optimise.json, front.csv, front.png and report.html."""
    from portsim.report.figures import png_bytes

    dump_json(front_summary(result), folder / "optimise.json")
    dump_csv(front_rows(result), folder / "front.csv")
    image = png_bytes(front_figure(result))
    (folder / "front.png").write_bytes(image)
    (folder / "report.html").write_text(front_html(result, image), encoding="utf-8")
    return list(FRONT_FILES)


__all__ = ["front_html", "list_items", "optimise_html", "scrolled", "write_front",
           "write_optimisation"]
