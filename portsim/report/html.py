"""A comparison as one self-contained HTML page: opens in any browser, with no server and no
other file — styles are inline and images are embedded as base64 ``data:`` URIs, and the page
has no links, scripts or fonts to fetch. Every text from the scenario is HTML-escaped.

The KPI tables cover every class and station of the baseline and of any variant, with "—" where
a variant lacks one; a class or station not in every variant says which have it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING, Any

from portsim.report.kpis import SCOPE_TITLES, shown_for, signed, significant, with_interval

if TYPE_CHECKING:
    from portsim.experiment.comparison import Comparison

CAPTIONS = {
    "kpis.png": "Main KPIs by class, mean over replications with 95% confidence intervals.",
    "waiting_ecdf.png": "Share of entities that waited at most x minutes (empirical CDF); the "
                        "dashed line is the waiting-time standard.",
    "throughput.png": "Entities cleared per hour over the day (mean and 95% band over "
                      "replications).",
    "queues.png": "Time-average queue length over the day at the busiest stations.",
    "utilisation.png": "Share of staffed server time spent serving, per station.",
}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 75em; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid
#ddd; } h3 { margin-bottom: 0.3em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #e4e4e4; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f4f4f4; } td.sig { font-weight: 600; } td.ns { color: #888; }
table.meta td { text-align: left; } code { font-size: 0.9em; background: #f6f6f6; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; } .warn { color: #8a5a00; } .note { color: #555; }
"""


def _cell(text: str, css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return f"<td{attribute}>{escape(text)}</td>"


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
        ("waiting-time standard", f"{comparison.sla:g} min" if comparison.sla else "—"),
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
    lines = [f"<li><strong>{escape(r.label)}</strong>: {escape(w)}</li>"
             for r in comparison.all for w in r.warnings]
    return f"<h2>Warnings</h2><ul class=\"warn\">{''.join(lines)}</ul>" if lines else ""


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
    head = "<th>baseline</th>" + "".join(
        f"<th>{escape(v)}</th><th>Δ {escape(v)}</th>" for v in comparison.variants)
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
                    cells.append(_cell(with_interval(
                        comparison.summary(label, scope, name, shown.kpi), shown)))
                    if label in comparison.variants:
                        diff = comparison.difference(label, scope, name, shown.kpi)
                        cells.append(_cell(signed(diff, shown),
                                           "sig" if significant(diff) else "ns"))
                rows.append(f"<tr>{''.join(cells)}</tr>")
            parts.append(f"<table><thead><tr><th>KPI</th>{head}</tr></thead>"
                         f"<tbody>{''.join(rows)}</tbody></table>")
    return "".join(parts)


def _figures(images: Mapping[str, bytes]) -> str:
    parts = ["<h2>Plots</h2>"]
    for name, data in images.items():
        encoded = base64.b64encode(data).decode("ascii")
        caption = CAPTIONS.get(name, name)
        parts.append(f"<figure><img alt=\"{escape(caption)}\" "
                     f"src=\"data:image/png;base64,{encoded}\">"
                     f"<figcaption>{escape(caption)}</figcaption></figure>")
    return "".join(parts)


def comparison_html(comparison: Comparison, images: Mapping[str, bytes]) -> str:
    """The report page: scenario summary, what each variant changes, KPI tables, plots."""
    title = f"portsim comparison: {comparison.name}"
    how = ("Each value is the mean over replications ± the half-width of its 95% confidence "
           "interval. Δ is the variant minus the baseline, paired replication by replication "
           "(the variants share their random numbers); <strong>bold</strong> differences have "
           "an interval that excludes zero.")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>{_summary(comparison)}{_variants(comparison)}"
        f"{_warnings(comparison)}<p class=\"note\">{how}</p>{_tables(comparison)}"
        f"{_figures(images)}</body></html>\n"
    )
