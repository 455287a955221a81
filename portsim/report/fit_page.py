"""``fit.html``: what ``portsim fit`` fitted, as one self-contained page: a Q-Q plot of every
service distribution written (observed against fitted quantiles: points on the diagonal are a
good fit), the arrival rates by slot with their intervals, the steps between stations with
their shares. Images are embedded; every name from the log is HTML-escaped. matplotlib is
imported only when the page is made."""

from __future__ import annotations

import base64
from html import escape
from typing import Any

from portsim.fitting.fit import Fit
from portsim.fitting.services import ServiceFit, frozen

#: Most points of a Q-Q plot (the sample's quantiles at as many levels).
QQ_POINTS = 1000
STYLE = ("body{font-family:sans-serif;max-width:60em;margin:auto;padding:1em}"
         "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
         "text-align:right}th:first-child,td:first-child{text-align:left}img{max-width:100%}")


def fit_html(fit: Fit, written: str) -> str:
    """The page for ``fit``, whose scenario was written to ``written``."""
    parts = [f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>portsim fit: "
             f"{escape(fit.log.path)}</title><style>{STYLE}</style></head><body>",
             f"<h1>Fitted from {escape(fit.log.path)}</h1>",
             f"<p>{len(fit.log.entities)} entities ({escape(fit.log.form)} form), minutes 0 "
             f"to {fit.log.end:.6g}; the scenario is {escape(written)}, each figure's source "
             "a comment beside it.</p>", "<h2>Services: Q-Q plots</h2>"]
    for station in fit.stations.values():
        for kind, fitted in station.services.items():
            label = f"{station.name} — {kind if kind is not None else 'all classes'}"
            parts.append(_figure(label, fitted))
    parts.append("<h2>Arrivals</h2>")
    for kind, arrivals in fit.arrivals.items():
        rows = "".join(f"<tr><td>{s.start / 60:05.2f} h</td><td>{s.count}</td>"
                       f"<td>{s.rate * 60:.4g}</td><td>{s.low * 60:.4g}–{s.high * 60:.4g}</td>"
                       f"<td>{_p(s.uniform_p)}</td><td>{_p(s.dispersion_p)}</td></tr>"
                       for s in arrivals.slots)
        parts.append(f"<h3>{escape(kind)}: written as {escape(arrivals.form)}</h3>"
                     "<table><tr><th>slot</th><th>arrivals</th><th>per hour</th><th>95 %</th>"
                     "<th>uniform p</th><th>dispersion p</th></tr>" + rows + "</table>")
    parts.append("<h2>Steps between stations</h2>")
    for kind, route in fit.routes.items():
        rows = "".join(f"<tr><td>{escape(a)} → {escape(b)}</td><td>{s.count} of {s.total}</td>"
                       f"<td>{s.share:.1%}</td><td>{s.low:.1%}–{s.high:.1%}</td></tr>"
                       for a, b, s in route.steps)
        parts.append(f"<h3>{escape(kind)}</h3><table><tr><th>step</th><th>entities</th>"
                     f"<th>share</th><th>95 % (Wilson)</th></tr>{rows}</table>")
    return "".join(parts) + "</body></html>\n"


def _p(value: float | None) -> str:
    return "—" if value is None else f"{value:.2g}"


def _figure(label: str, fitted: ServiceFit) -> str:
    """A Q-Q plot of one service fit, as an embedded image with its caption."""
    encoded = base64.b64encode(qq_png(fitted, label)).decode("ascii")
    caption = f"{label}: {fitted.verdict}; KS {fitted.chosen.ks:.3f}; n = {fitted.count}"
    return (f"<figure><img alt=\"{escape(caption)}\" src=\"data:image/png;base64,{encoded}\">"
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def qq_png(fitted: ServiceFit, label: str) -> bytes:
    """Observed against fitted quantiles (minutes) of a service fit, as PNG."""
    import numpy as np

    from portsim.report.figures import new_figure, png_bytes

    points = min(len(fitted.values), QQ_POINTS)
    levels = (np.arange(1, points + 1) - 0.5) / points
    observed = np.quantile(np.asarray(fitted.values, dtype=float), levels)
    expected: Any = frozen(fitted.chosen).ppf(levels)
    figure, (axes,) = new_figure(1, label, width=4.5, height=4.0)
    axes.plot(expected, observed, ".", markersize=3)
    top = float(max(observed.max(), np.nanmax(expected)))
    axes.plot([0, top], [0, top], color="grey", linewidth=1)
    axes.set_xlabel(f"fitted {fitted.chosen.family} quantile (min)")
    axes.set_ylabel("observed quantile (min)")
    return png_bytes(figure)


__all__ = ["fit_html", "qq_png"]
