"""A comparison as one self-contained HTML page: opens in any browser, with no server and no
other file — styles are inline and images are embedded as base64 ``data:`` URIs, and the page
has no links, scripts or fonts to fetch. Every text from the scenario is HTML-escaped.

The first screen answers "which variant, by how much, how sure": a headline per variant (its
few KPIs against the baseline, paired 95% intervals, % change, verdict) and a forest plot of
the differences; warnings (an overloaded station) come first. Plots follow; the full tables and
the scenario's details are folded (``<details>``). The KPI tables cover every class and station
of the baseline and of any variant, with "—" where a variant lacks one; a class or station not
in every variant says which have it. The layout fits 800 px without sideways scrolling.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING, Any

from portsim.experiment.pledge import BROKEN, LONGEST, MET, MONITOR, slot_words
from portsim.report.headline import (
    ALSO,
    BETTER,
    HEADERS,
    PORT,
    PURPOSE,
    SERVED,
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
    IMPRECISE,
    IMPRECISE_NOTE,
    SCOPE_TITLES,
    counted,
    few_replications,
    shown_for,
    signed,
    significant,
    with_interval,
)
from portsim.report.ledger import HEADERS as LEDGER_HEADERS
from portsim.report.ledger import cost_sentence, ledger_table_rows, saving_words
from portsim.wording import standard_words

if TYPE_CHECKING:
    from portsim.experiment.comparison import Comparison

CAPTIONS = {
    "pledge.png": "The pledge by clock slot of arrival (every measured day pooled), for the "
                  "classes it counts: the 95th percentile wait against the standard, the share "
                  "within the standard against the pledged share, or the longest wait, as the "
                  "pledge is measured; mean over replications with its 95% band.",
    "forest.png": "Each variant's headline KPIs minus the baseline's, paired by replication, "
                  "with 95% confidence intervals; an interval clear of 0 is a real change.",
    "kpis.png": "Main KPIs by class, mean over replications with 95% confidence intervals.",
    "waiting_ecdf.png": "Share of entities that waited at most x minutes (empirical CDF); the "
                        "dashed line is the waiting-time standard.",
    "throughput.png": "Entities cleared per hour over the day (mean and 95% band over "
                      "replications).",
    "queues.png": "Time-average queue length over the day at the busiest stations.",
    "utilisation.png": "Share of staffed server time spent serving, per station.",
}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.2em auto;
       max-width: 75em; padding: 0 0.8em; color: #222; line-height: 1.35; }
h1 { font-size: 1.45em; margin: 0 0 0.2em; } h2 { margin-top: 1.4em; border-bottom: 1px solid
#ddd; } h3 { margin: 0.9em 0 0.2em; } p.lead { margin-top: 0; color: #444; }
table { border-collapse: collapse; margin: 0.4em 0 1em; font-size: 0.88em; max-width: 100%; }
th, td { padding: 0.2em 0.5em; border-bottom: 1px solid #e4e4e4; text-align: right;
         overflow-wrap: break-word; }
td.better { color: #1a6e2e; font-weight: 600; } td.worse { color: #a31d1d; font-weight: 600; }
td small { color: #666; display: block; } details { margin: 1em 0; }
summary { cursor: pointer; font-weight: 600; font-size: 1.1em; }
.warnbox { background: #fff4e0; border-left: 4px solid #d08a00; padding: 0.4em 0.8em;
           margin: 0.4em 0; }
th:first-child, td:first-child { text-align: left; overflow-wrap: normal; }
thead th { background: #f4f4f4; } td.sig { font-weight: 600; } td.ns { color: #888; }
table.meta td { text-align: left; } tr.group th { text-align: left; font-weight: 600;
background: #fafafa; color: #555; font-size: 0.92em; } ul.sentences li { margin: 0.3em 0; }
code { font-size: 0.9em; background: #f6f6f6; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; } .warn { color: #8a5a00; } .note { color: #555; }
"""


def _breakable(name: str) -> str:
    """A variant's name, escaped, that a narrow column may wrap after its underscores."""
    return escape(name).replace("_", "_<wbr>")


def _cell(text: str, css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    # a narrow column wraps before "±", never between a number and its unit or half-width
    kept = escape(text).replace(" %", "\u00a0%").replace("± ", "±\u00a0")
    return f"<td{attribute}>{kept}</td>"


def _value(value: Any) -> str:
    if isinstance(value, str | int | float) or value is None:
        return escape(json.dumps(value, ensure_ascii=False))
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return escape(text if len(text) <= 160 else text[:157] + "...")


def _hours(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    return f"{minutes / 1440:g} days" if minutes >= 2880 else f"{minutes / 60:g} h"


def _summary(comparison: Comparison) -> str:
    base = comparison.baseline
    scenario = base.provenance.get("scenario", {})
    rows = [
        ("scenario", comparison.name),
        ("file", scenario.get("file") or "—"),
        ("baseline sha256", scenario.get("sha256") or "—"),
        ("portsim", str(base.provenance.get("portsim_version", "—"))),
        ("replications", f"{comparison.replications} per variant, seed {comparison.seed} "
                         "(common random numbers)"),
        ("simulated time", f"{_hours(base.horizon)}, warm-up {_hours(base.warmup)}"),
        ("waiting-time standard", standard_words(comparison.sla) if comparison.sla else "—"),
    ]
    body = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows)
    description = (f"<p>{escape(comparison.description)}</p>"
                   if comparison.description else "")
    return f"{description}<table class=\"meta\">{body}</table>"


def _variants(comparison: Comparison) -> str:
    parts = ["<h2>Variants</h2><ul>"]
    for variant in comparison.variants:
        changes = comparison.changes.get(variant, [])
        # A variant's description is its caption, not one of the changes it makes.
        said = next((c.variant for c in changes if c.path == "description"), None)
        caption = f" — {escape(str(said))}" if said else ""
        items = "".join(
            f"<li><code>{escape(c.path)}</code>: {_value(c.baseline)} → {_value(c.variant)}</li>"
            for c in changes if c.path != "description") or "<li>no change to the baseline</li>"
        parts.append(f"<li><strong>{escape(variant)}</strong>{caption}<ul>{items}</ul></li>")
    parts.append("</ul><p class=\"note\">Values as resolved: durations in minutes, rates per "
                 "minute.</p>")
    return "".join(parts)


def _warnings(comparison: Comparison) -> str:
    """Too few replications, means too imprecise to read, overloaded stations: first."""
    boxes = []
    few = few_replications(comparison.replications)
    if few is not None:
        boxes.append(f"<div class=\"warnbox\"><strong>{escape(few[0].upper() + few[1:])}."
                     "</strong></div>")
    if imprecise_shown(comparison, detail=True):
        boxes.append(f"<div class=\"warnbox\">{escape(IMPRECISE_NOTE)}.</div>")
    lines = [f"<li><strong>{escape(r.label)}</strong>: {escape(w)}</li>"
             for r in comparison.all for w in r.warnings]
    if lines:
        boxes.append("<div class=\"warnbox\"><strong>Overloaded: queues grow without bound, so "
                     "waits depend on the simulated time and describe no steady state.</strong>"
                     f"<ul class=\"warn\">{''.join(lines)}</ul></div>")
    return "".join(boxes)


def _where(comparison: Comparison, scope: str, name: str) -> str:
    """Which variants have a class or station that not all have (what a variant adds is
    "only in" it; what it drops is "not in" it)."""
    having = comparison.labels_with(scope, name)
    lacking = [label for label in comparison.labels if label not in having]
    if not lacking:
        return ""
    words = (f"not in {', '.join(lacking)}" if comparison.labels[0] in having
             else f"only in {', '.join(having)}")
    return f"<p class=\"note\">{escape(words)}</p>"


def _tables(comparison: Comparison) -> str:
    """Per class and station, a row per KPI and a column per variant: the value ± half-width,
    and beneath it the paired difference to the baseline (bold when its interval excludes 0).
    One column per variant, so the table fits the page at 800 px."""
    head = "".join(f"<th>{_breakable(label)}</th>" for label in comparison.labels)
    parts = []
    for scope in ("system", "classes", "stations"):
        parts.append(f"<h2>{SCOPE_TITLES[scope]}</h2>")
        for name in comparison.names(scope):
            if scope != "system":
                parts.append(f"<h3>{escape(name)}</h3>{_where(comparison, scope, name)}")
            rows = []
            for shown in shown_for(scope, comparison.kpi_names(scope, name)):
                cells = [_cell(shown.heading(comparison.sla))]
                for label in comparison.labels:
                    value = escape(with_interval(
                        comparison.summary(label, scope, name, shown.kpi), shown))
                    if label in comparison.variants:
                        diff = comparison.difference(label, scope, name, shown.kpi)
                        weight = "strong" if significant(diff) else "span"
                        value += (f"<small>Δ <{weight}>{escape(signed(diff, shown))}"
                                  f"</{weight}></small>")
                    cells.append(f"<td>{value}</td>")
                rows.append(f"<tr>{''.join(cells)}</tr>")
            parts.append(f"<table><thead><tr><th>KPI</th>{head}</tr></thead>"
                         f"<tbody>{''.join(rows)}</tbody></table>")
    return "".join(parts)


def _pledge(comparison: Comparison) -> str:
    """Per class and label, the pledge verdict over the clock slots (see experiment.pledge)."""
    grid = pledge_grid(comparison)
    if grid is None:
        return ""
    head = "".join(f"<th>{_breakable(label)}</th>" for label in comparison.labels)
    rows = []
    for name, by_label in grid.items():
        cells = [_cell(name)]
        for found in by_label.values():
            text = "—" if found is None else found.text()
            css = "" if found is None else {MET: "better", BROKEN: "worse"}.get(found.status, "ns")
            cells.append(_cell(text, css))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    measured = {LONGEST: "longest wait", MONITOR: "longest monitor reading"}.get(
        comparison.baseline.pledge_measure, "share waiting longer")
    slot = slot_words(comparison.baseline.pledge_slot)
    return (f"<h3>{escape(pledge_title(comparison))}</h3><p class=\"note\">By {slot} of "
            "arrival, every measured day pooled; met or broken where the 95% interval of the "
            f"{measured} lies wholly on one side.</p>"
            f"<table><thead><tr><th>class</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


#: The groups of a headline table, by why their KPIs are there.
GROUPS = {PURPOSE: "what it is for", SERVED: "whom it is for",
          ALSO: "everyone else whose KPI changed clearly", PORT: "the whole port"}


def _headline_table(rows: list[HeadlineRow], sla: float | None) -> str:
    """A variant's headline rows under a heading per group (see :data:`GROUPS`)."""
    header = "".join(f"<th>{escape(h)}</th>" for h in HEADERS)
    body = []
    for index, row in enumerate(rows):
        if index == 0 or rows[index - 1].why != row.why:
            body.append(f"<tr class=\"group\"><th colspan=\"{len(HEADERS)}\">"
                        f"{escape(GROUPS.get(row.why, row.why))}</th></tr>")
        *cells, verdict = row.cells(sla)
        if row.words and row.words not in cells[0]:
            cells[0] = f"{row.subject}: {row.words} ({row.shown.heading(sla)})"
        css = {BETTER: "better", WORSE: "worse"}.get(verdict, "ns")
        body.append("<tr>" + "".join(_cell(cell) for cell in cells)
                    + _cell(verdict, css) + "</tr>")
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def headline_html(comparison: Comparison, title: str = "Headline",
                  anchor: str = "headline") -> str:
    """One sentence per variant (what it buys, for whom, who pays), the pledge, then each
    variant's headline table and its ledger, as a section headed ``title``."""
    sla = comparison.sla
    rows = headline_rows(comparison)
    # each sentence starts with its variant's name: in bold
    said = [f"<li><strong>{escape(variant)}</strong>{escape(text[len(variant):])}</li>"
            for variant, found in rows.items()
            for text in [sentence(variant, found, sla, cost_clause(comparison, variant),
                                      saving_words(comparison, variant))]]
    parts = [f"<section id=\"{escape(anchor)}\"><h2>{escape(title)}</h2>",
             f"<ul class=\"sentences\">{''.join(said)}</ul>", _pledge(comparison)]
    for variant, found in rows.items():
        described = next((c.variant for c in comparison.changes.get(variant, [])
                          if c.path == "description"), None)
        caption = (f" <span class=\"note\">— {escape(str(described))}</span>"
                   if described else "")
        parts.append(f"<h3>{escape(variant)}{caption}</h3>{_headline_table(found, sla)}"
                     f"{_ledger(comparison, variant)}")
    parts.append("</section>")
    return "".join(parts)


def _ledger(comparison: Comparison, variant: str) -> str:
    """What a variant costs, beside its headline: resource use a day against the baseline,
    and the waiting-hours it saves per unit added (see report.ledger)."""
    header = "".join(f"<th>{escape(h)}</th>" for h in LEDGER_HEADERS)
    body = "".join(
        "<tr>" + "".join(_cell(cell, "sig" if kind == "per_unit" else "") for cell in cells)
        + "</tr>" for cells, kind in ledger_table_rows(comparison, variant))
    return (f"<p>{escape(cost_sentence(comparison, variant))}</p>"
            f"<table class=\"ledger\"><thead><tr>{header}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def figures_html(images: Mapping[str, bytes], title: str | None = "Plots",
                 captions: Mapping[str, str] = CAPTIONS) -> str:
    """The images embedded (base64 ``data:`` URIs), each with its caption, under ``title``."""
    parts = [f"<h2>{escape(title)}</h2>"] if title else []
    for name, data in images.items():
        encoded = base64.b64encode(data).decode("ascii")
        caption = captions.get(name, name)
        parts.append(f"<figure><img alt=\"{escape(caption)}\" "
                     f"src=\"data:image/png;base64,{encoded}\">"
                     f"<figcaption>{escape(caption)}</figcaption></figure>")
    return "".join(parts)


def _lead(comparison: Comparison) -> str:
    sla = (f"a standard of {standard_words(comparison.sla)}" if comparison.sla
           else "no waiting standard")
    words = (f"{counted(len(comparison.variants), 'variant')} against the baseline; "
             f"{counted(comparison.replications, 'replication')} each on common random numbers "
             f"(seed {comparison.seed}); {sla}.")
    description = f" {comparison.description}" if comparison.description else ""
    return f"<p class=\"lead\">{escape(words + description)}</p>"


def comparison_html(comparison: Comparison, images: Mapping[str, bytes],
                    section: str = "") -> str:
    """The report page: headline and forest plot first, then plots, then folded details;
    ``section`` (HTML: a decomposition's) comes before the headline."""
    title = f"portsim comparison: {comparison.name}"
    how = ("Each value is the mean over replications ± the half-width of its 95% confidence "
           "interval (Student-t), or its two ends where the KPI's physical range cut the "
           "interval (a wait is never below 0, a share never outside 0–100 %); "
           f"{escape(IMPRECISE)} marks a half-width beyond 25 % of the mean. Δ is the variant "
           "minus the baseline, paired replication by replication "
           "(the variants share their random numbers); <strong>bold</strong> differences have "
           "an interval that excludes zero.")
    first = {name: data for name, data in images.items() if name == "forest.png"}
    rest = {name: data for name, data in images.items() if name != "forest.png"}
    return page(title,
                f"{_lead(comparison)}{_warnings(comparison)}{section}"
                f"{headline_html(comparison)}{figures_html(first, None)}{figures_html(rest)}"
                f"<details><summary>Full tables</summary><p class=\"note\">{how}</p>"
                f"{_tables(comparison)}</details>"
                f"<details><summary>Scenario and variants</summary>{_summary(comparison)}"
                f"{_variants(comparison)}</details>")


def page(title: str, body: str) -> str:
    """A self-contained page: ``title`` as its title and first heading, then ``body``
    (HTML), in the report's style."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{escape(title)}</h1>{body}</body></html>\n")
