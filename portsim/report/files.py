"""Writing results to an output folder, all or nothing.

A run's files are written into a temporary sibling folder which is renamed into place only when
every file is complete (:mod:`portsim.writing`, the one way portsim writes), so a failure never
leaves a half-written result and never damages the results of an earlier run. This module names
what portsim writes into an output folder, so that ``--force`` replaces only that.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from portsim.experiment.forecast import STATES, STATES_FOLDER
from portsim.experiment.store import KEPT, PARTIAL
from portsim.writing import NO_INPUTS, Inputs, Tree, check_folder, foreign, write_folder


def dump_json(data: Any, path: Path) -> None:
    """Deterministic JSON: sorted keys, no NaN (written as null by the producers)."""
    text = json.dumps(data, indent=2, sort_keys=True, allow_nan=False, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def dump_csv(rows: Iterable[Mapping[str, Any]], path: Path) -> None:
    rows = list(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        if not rows:
            return
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


#: What portsim writes into an output folder (``run``, ``compare``, ``sweep``, ``staff``,
#: ``study``, ``calibrate``, ``optimise``, ``holiday``), at every depth, with the replications
#: kept for ``--resume``:
#: ``--force`` replaces a folder only if it holds nothing else.
RESULTS = Tree(
    files=frozenset({
        "results.json", "summary.csv", "timings.json", "comparison.csv", "report.html",
        "decomposition.csv", "forest.png", "pledge.png", "kpis.png", "waiting_ecdf.png",
        "throughput.png", "queues.png", "utilisation.png",
        "sweep.json", "sweep.csv",
        "staffing.json", "requirement.csv", "roster.csv", "staffing.png", "variant.yaml",
        "study.json", "study.csv", "report.md", "within_standard.png", "wait_p95.png",
        "calibration.json", "targets.csv", "optimise.json", "designs.csv", "optimise.png",
        "front.csv", "front.png", "pledge.csv", "daily.csv"}),
    file_patterns=(re.compile(r"^sweep-.+\.png$"),
                   re.compile(r"^heatmap-[A-Za-z0-9_.-]+\.png$")),
    folders={
        STATES_FOLDER: STATES,  # run --snapshot-at: one state file per replication
        "ports": Tree(folder_patterns=((re.compile(r"^[A-Za-z0-9_.-]+$"),
                                        Tree(files=frozenset({"results.json"}))),)),
        PARTIAL: KEPT,
    },
)


def foreign_entries(folder: Path) -> list[str]:
    """What ``folder`` holds, at every depth, that portsim does not write there (relative
    paths, sorted); none if it is missing."""
    return foreign(folder, RESULTS)


def check_output(out: Path, force: bool, *, kept: frozenset[str] = frozenset(),
                 inputs: Inputs = NO_INPUTS) -> None:
    """Refuse, before any work is done, to overwrite results without ``force``, and to replace
    (even with ``force``) a folder holding anything portsim did not write, at any depth, or an
    input of the command. ``kept`` entries (``.partial``) are judged by the caller."""
    check_folder(out, RESULTS, force=force, inputs=inputs, kept=kept)


def write_output(out: Path, writer: Callable[[Path], None], force: bool = False, *,
                 inputs: Inputs = NO_INPUTS) -> None:
    """Let ``writer`` fill a temporary folder, then move it to ``out`` in one step (see
    :func:`portsim.writing.write_folder`)."""
    write_folder(out, RESULTS, writer, force=force, inputs=inputs)
