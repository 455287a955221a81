"""Output folders of comparisons and sweeps, written all at once through ``write_output``.

While a run goes on, its finished replications live in ``DIR/.partial`` (see
:mod:`portsim.experiment.store`). When every file of the result is ready, the whole folder is
replaced in one step, which also drops ``.partial``; an interrupted run leaves only ``.partial``,
which ``--resume`` picks up.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from portsim.experiment.store import KEPT, PARTIAL, PartialStore
from portsim.report.files import check_output, dump_csv, dump_json, write_output
from portsim.writing import NO_INPUTS, Inputs, OutputError, refuse_foreign, remove_own

if TYPE_CHECKING:  # a plain run, which prepares its folder here, needs neither
    from portsim.experiment.comparison import Comparison
    from portsim.experiment.decomposition import Decomposition
    from portsim.experiment.sweeps import Sweep

Writer = Callable[[Path], None]


def prepare_output(out: Path, *, force: bool, resume: bool,
                   inputs: Inputs = NO_INPUTS) -> PartialStore:
    """Check ``out`` before any work is done and return the store for finished replications.

    A folder holding results needs ``force``; one holding only an interrupted run's replications
    needs ``resume`` (to finish it) or ``force`` (to start over). A folder holding anything
    portsim did not write, at any depth, or any of the command's ``inputs`` is refused even
    with ``force``.
    """
    check_output(out, force, kept=frozenset({PARTIAL}), inputs=inputs)
    entries = {entry.name for entry in out.iterdir()} if out.is_dir() else set()
    partial = out / PARTIAL
    if PARTIAL in entries and not resume:
        if not force:
            raise OutputError(
                f"{out}: holds the finished replications of an interrupted run; use --resume "
                "to finish it or --force to start over")
        if remove_own(partial, KEPT):
            refuse_foreign(partial, KEPT)  # appeared since the check: kept, and refused
    return PartialStore(partial)


def discard_unused(out: Path, *, had_out: bool, had_partial: bool) -> None:
    """After a failed run: remove the ``.partial`` folder (and ``out``) this run created if not
    one replication was kept in it, so that the next run is not told to --resume nothing."""
    partial = out / PARTIAL
    if had_partial or not partial.is_dir() or any(partial.rglob("rep-*.json")):
        return
    with contextlib.suppress(OSError):
        remove_own(partial, KEPT)  # what this run made there, and nothing else
    if not had_out:
        with contextlib.suppress(OSError):
            out.rmdir()  # only if nothing else appeared in it


def write_comparison(comparison: Comparison, out: Path, *, force: bool = False,
                     plots: bool = True, inputs: Inputs = NO_INPUTS,
                     decomposition: Decomposition | None = None) -> list[str]:
    """Write results.json, comparison.csv, timings.json and (with ``plots``) the PNG plots and
    report.html to ``out``; returns the file names. A ``decomposition`` (whose runs are the
    comparison's variants) adds decomposition.csv, its section of results.json and of the
    report."""
    from portsim.report.attribution import attribution_html
    from portsim.report.compare_plots import comparison_figures, forest
    from portsim.report.decomposition import decomposition_html
    from portsim.report.figures import png_bytes
    from portsim.report.headline import headline_rows
    from portsim.report.html import comparison_html

    images: dict[str, bytes] = {}
    if plots:
        figures = comparison_figures(comparison.all, comparison.sla)
        rows = [row for rows in headline_rows(comparison).values() for row in rows]
        figures["forest.png"] = forest(rows, list(comparison.variants), comparison.sla)
        # Report order: the differences first, then the numbers, then distributions, then
        # detail over time.
        order = ["forest.png", "pledge.png", "kpis.png", "waiting_ecdf.png", "throughput.png",
                 "queues.png", "utilisation.png"]
        images = {name: png_bytes(figures[name]) for name in order if name in figures}

    def write(folder: Path) -> None:
        document = comparison.to_dict()
        if decomposition is not None:
            document["decomposition"] = decomposition.to_dict()
            dump_csv(decomposition.rows(), folder / "decomposition.csv")
        dump_json(document, folder / "results.json")
        dump_csv(comparison.rows(), folder / "comparison.csv")
        dump_json(comparison.timings, folder / "timings.json")
        for name, data in images.items():
            (folder / name).write_bytes(data)
        if plots:
            first = ("" if decomposition is None else decomposition_html(decomposition)
                     ) + attribution_html(comparison)
            (folder / "report.html").write_text(comparison_html(comparison, images, first),
                                                encoding="utf-8")

    write_output(out, write, force=force, inputs=inputs)
    files = ["results.json", "comparison.csv", *(["decomposition.csv"] if decomposition
                                                  else []), "timings.json", *images]
    return files + (["report.html"] if plots else [])


def write_sweep(sweep: Sweep, out: Path, *, force: bool = False,
                target: float | None = None, inputs: Inputs = NO_INPUTS) -> list[str]:
    """Write sweep.json, sweep.csv, timings.json and one PNG per KPI to ``out`` (``target``,
    in the KPIs' stored unit, is drawn on every plot)."""
    from portsim.report.figures import png_bytes
    from portsim.report.sweep_plot import sweep_figure

    images = {f"sweep-{kpi.scope}-{kpi.name}-{kpi.kpi}.png":
              png_bytes(sweep_figure(sweep, kpi, target)) for kpi in sweep.kpis}

    def write(folder: Path) -> None:
        dump_json(sweep.to_dict(), folder / "sweep.json")
        dump_csv(sweep.rows(), folder / "sweep.csv")
        dump_json(sweep.timings, folder / "timings.json")
        for name, data in images.items():
            (folder / name).write_bytes(data)

    write_output(out, write, force=force, inputs=inputs)
    return ["sweep.json", "sweep.csv", "timings.json", *images]
