"""A study's outputs: the terminal table, study.json, study.csv, the plots and report.md.

Written all at once into the output folder (:func:`portsim.report.files.write_output`): every
copy of every port gets its own ``results.json`` (the runner's, as ``portsim run`` writes it)
under ``ports/``, and the study its pooled pledge KPIs. matplotlib is imported only to draw.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from portsim.experiment.store import label_folder
from portsim.experiment.study import KPIS, LABELS, NATIONAL, POOLING, SHARES, StudyResults
from portsim.report.files import dump_csv, dump_json, write_output
from portsim.report.kpis import IMPRECISE, IMPRECISE_NOTE, Shown, few_replications, spread
from portsim.stats.summary import Interval
from portsim.wording import standard_words
from portsim.writing import NO_INPUTS, Inputs

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Narrow headings for the terminal table (the report and the CSV say them in full).
_SHORT = {"crossings": "crossings", "within_share": "% ≤ {standard}", "wait_mean": "mean wait",
          "wait_p95": "p95 wait", "throughput_per_hour": "cleared/h",
          "waiting_end": "queued at end"}


def shown(interval: Interval, kpi: str, *, interval_too: bool = True) -> str:
    """``78.8 ± 0.4 %``, ``14.03 ± 0.21``, ``1,989,251 ± 812``: the mean and half-width (the
    interval's ends where a share's or a wait's physical range cut it), marked † when the
    half-width exceeds a quarter of the mean."""
    if not math.isfinite(interval.mean):
        return "—"
    scale, unit, digits = ((100.0, " %", 1) if kpi in SHARES else
                           (1.0, "", 0) if kpi in ("crossings", "throughput_per_hour",
                                                   "waiting_end") else (1.0, "", 2))
    text = f"{interval.mean * scale:,.{digits}f}"
    if interval_too:
        text = " ".join(part for part in (text, spread(interval, Shown(kpi, kpi, "", scale,
                                                                         digits))) if part)
    return text + unit + (f" {IMPRECISE}" if interval_too and interval.imprecise else "")


def precision_notes(results: StudyResults) -> list[str]:
    """Too few replications; means too imprecise to read (:data:`IMPRECISE_NOTE`)."""
    few = few_replications(results.replications, "--replications N")
    notes = [few] if few is not None else []
    if any(results.summary(values, kpi).imprecise for *_, values in _places(results)
           for kpi in KPIS):
        notes.append(IMPRECISE_NOTE)
    return notes


def _heading(kpi: str, results: StudyResults) -> str:
    return LABELS[kpi].format(standard=standard_words(results.study.document.standard))


def _places(results: StudyResults) -> list[tuple[str, str, str, dict[str, list[float]]]]:
    """(name, kind, engine, values) for every port, then the nation."""
    engines = sorted({port.engine for port in results.ports})
    return [*((p.port.name, p.port.entry.kind, p.engine, p.values) for p in results.ports),
            (NATIONAL, "all", " and ".join(engines), results.national)]


def study_table(results: StudyResults) -> Table:
    """Every port's and the national pledge KPIs, mean ± 95 % half-width."""
    title = (f"{results.study.name}: {results.replications} replications, mean ± 95% CI; "
             "waits in minutes; national: every port's crossings pooled per replication")
    table = Table(title=Text(title), title_justify="left")
    table.add_column("port", no_wrap=True)
    table.add_column("kind")
    standard = standard_words(results.study.document.standard)
    for kpi in KPIS:
        table.add_column(_SHORT[kpi].format(standard=standard), justify="right",
                         overflow="fold")
    for name, kind, _, values in _places(results):
        style = "bold" if name == NATIONAL else ""
        table.add_row(Text(name, style=style), kind,
                      *(shown(results.summary(values, kpi), kpi) for kpi in KPIS))
    return table


def study_figures(results: StudyResults) -> dict[str, Figure]:
    """Per port and national: the share cleared within the standard, and the p95 wait, each
    with its 95 % interval."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from portsim.report.figures import error_bars

    places = _places(results)
    names = [name for name, *_ in places]
    standard = standard_words(results.study.document.standard)
    figures: dict[str, Figure] = {}
    for file, kpi, scale, axis in (
            ("within_standard.png", "within_share", 100.0, f"% cleared within {standard}"),
            ("wait_p95.png", "wait_p95", 1.0, "95th percentile wait (min)")):
        intervals = [results.summary(values, kpi) for *_, values in places]
        means = [i.mean * scale for i in intervals]
        errors = error_bars(intervals) * scale
        figure = Figure(figsize=(7.5, 0.35 * len(names) + 1.4), dpi=110, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.subplots()
        colours = ["C3" if name == NATIONAL else "C0" for name in names]
        axes.barh(range(len(names)), means, xerr=errors, color=colours, capsize=3)
        axes.set_yticks(range(len(names)), names)
        axes.invert_yaxis()
        axes.set_xlabel(axis + ", mean and 95% CI")
        if kpi == "within_share":
            axes.set_xlim(0.0, 100.0)
            targets = {port.port.model.sla_share_target for port in results.ports}
            if len(targets) == 1:  # the ports' own pledge share, when they agree on one
                (target,) = targets
                axes.axvline(100.0 * target, color="grey", linestyle="--", linewidth=1,
                             label=f"pledge: {100.0 * target:g} % within {standard}")
        else:
            axes.axvline(results.study.document.standard, color="grey", linestyle="--",
                         linewidth=1, label=f"the standard, {standard}")
        if axes.get_legend_handles_labels()[0]:
            axes.legend(loc="lower left", fontsize=8)
        figure.suptitle(f"{results.study.name}: {axis}", fontsize=11)
        figures[file] = figure
    return figures


def study_markdown(results: StudyResults, pictures: list[str]) -> str:
    """A short report: the table, how the national figure is pooled, the plots."""
    document = results.study.document
    header = ["port", "kind", "engine", *(_heading(kpi, results) for kpi in KPIS)]
    lines = [f"# {document.name}", ""]
    if document.description:
        lines += [document.description.strip(), ""]
    for note in precision_notes(results):
        lines += [f"**Warning:** {note}.", ""]
    lines += [f"{results.replications} replications; mean ± 95 % half-width (Student-t over "
              "replications; where a share's or a wait's physical range cuts the interval, its "
              "two ends). The crossings counted are the travellers who left after the warm-up "
              "and those still queueing at the end (counted in the share with their wait so "
              "far).", "",
              f"National: {POOLING}.", "",
              "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, kind, engine, values in _places(results):
        cells = [shown(results.summary(values, kpi), kpi) for kpi in KPIS]
        label = f"**{name}**" if name == NATIONAL else name.replace("|", "\\|")
        lines.append("| " + " | ".join([label, kind, engine, *cells]) + " |")
    timing = results.timings
    lines += ["", f"Time in the replications: {timing['seconds_per_replication']:.1f} s per "
              f"replication (all ports; wall clock of each task, summed over workers: a busy "
              f"machine adds to it), {timing['total_seconds']:.1f} s in all.", ""]
    lines += [f"![{picture}]({picture})" for picture in pictures]
    return "\n".join(lines) + "\n"


def write_study(results: StudyResults, out: Path, *, force: bool = False,
                plots: bool = True, inputs: Inputs = NO_INPUTS) -> list[str]:
    """Write every output into ``out`` at once; the names written (``ports/`` for the
    per-port results.json files)."""
    written: list[str] = []

    def write(folder: Path) -> None:
        written.clear()
        for port in results.ports:
            for label, copy in port.copies.items():
                place = folder / "ports" / label_folder(label)
                place.mkdir(parents=True)
                dump_json(copy.to_dict(), place / "results.json")
        dump_json(results.to_dict(), folder / "study.json")
        dump_csv(results.rows(), folder / "study.csv")
        dump_json(results.timings, folder / "timings.json")
        pictures: list[str] = []
        if plots:
            from portsim.report.figures import save_png

            for name, figure in study_figures(results).items():
                save_png(figure, folder / name)
                pictures.append(name)
        (folder / "report.md").write_text(study_markdown(results, pictures), encoding="utf-8")
        written.extend(["study.json", "study.csv", "timings.json", "report.md", *pictures,
                        "ports/"])

    write_output(out, write, force=force, inputs=inputs)
    return list(written)


__all__ = ["precision_notes", "shown", "study_figures", "study_markdown", "study_table",
           "write_study"]
