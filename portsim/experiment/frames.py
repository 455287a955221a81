"""Results as tidy pandas DataFrames, for analysts who work in notebooks.

Long frames have one row per (variant, scope, name, KPI, replication) with its ``value``;
summary frames one row per (variant, scope, name, KPI) with ``mean``, ``ci_low``, ``ci_high``,
``half_width``, ``n`` (and for a comparison the paired difference to the baseline, ``diff_*``),
the same columns as ``summary.csv`` and ``comparison.csv``. pandas is imported only here and
only when a frame is asked for: ``pip install portsim[pandas]``.

This module knows the columns and builds frames from rows; the rows come from the results
(:meth:`portsim.experiment.results.Results.long_rows`), which import this module, not the other
way round.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Columns of a long frame, before any sweep parameters.
LONG_COLUMNS = ("variant", "scope", "name", "kpi", "replication", "value")
#: Columns of a summary frame (summary.csv, and comparison.csv before its diff_ columns).
SUMMARY_COLUMNS = ("variant", "scope", "name", "kpi", "mean", "ci_low", "ci_high",
                   "half_width", "n")


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:  # pragma: no cover - depends on the installation
        raise ImportError("DataFrames need pandas: pip install 'portsim[pandas]'") from None
    return pandas


def frame(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A DataFrame of ``rows`` with at least ``columns``, in that order first."""
    pandas = _pandas()
    table = pandas.DataFrame(list(rows))
    if table.empty:
        return pandas.DataFrame(columns=list(columns))
    ordered = [column for column in columns if column in table.columns]
    return table[ordered + [c for c in table.columns if c not in ordered]]


def html_table(rows: Sequence[Sequence[str]], header: Sequence[str], caption: str) -> str:
    """A small HTML table (for ``_repr_html_``), text escaped."""
    from html import escape

    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return (f"<table><caption style='text-align:left'>{escape(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


__all__ = ["LONG_COLUMNS", "SUMMARY_COLUMNS", "frame", "html_table"]
