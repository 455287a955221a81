"""Writing results to an output folder, all or nothing.

A run's files are written into a temporary sibling folder which is renamed into place only when
every file is complete, so a failure never leaves a half-written result and never damages the
results of an earlier run.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from portsim.errors import PortsimError


class OutputExistsError(PortsimError):
    """The output folder already holds files and overwriting was not asked for."""


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


#: What portsim writes into an output folder (``run``, ``compare``, ``sweep``) and its kept
#: replications. ``--force`` replaces a folder only if it holds nothing else.
RESULT_NAMES = frozenset({
    "results.json", "summary.csv", "timings.json", "comparison.csv", "report.html",
    "decomposition.csv",
    "forest.png", "pledge.png", "kpis.png", "waiting_ecdf.png", "throughput.png", "queues.png",
    "utilisation.png",
    "sweep.json", "sweep.csv", ".partial",
    "staffing.json", "requirement.csv", "roster.csv", "staffing.png", "variant.yaml",
    "states",  # run --snapshot-at: one state file per replication
})
_RESULT_PATTERN = re.compile(r"^sweep-.+\.png$")
#: Foreign entries named in a refusal before the rest are counted.
_LISTED = 5


def foreign_entries(folder: Path) -> list[str]:
    """The entries of ``folder`` that portsim does not write (sorted); none if it is missing."""
    if not folder.is_dir():
        return []
    return sorted(entry.name for entry in folder.iterdir()
                  if entry.name not in RESULT_NAMES and not _RESULT_PATTERN.match(entry.name))


def check_output(out: Path, force: bool, *, kept: frozenset[str] = frozenset()) -> None:
    """Refuse, before any work is done, to overwrite results without ``force``, and to replace
    (even with ``force``) a folder holding anything portsim did not write: ``--force`` must never
    delete a user's own files. ``kept`` entries (``.partial``) are judged by the caller.

    A symbolic link is judged by the folder it points to, since that is what would be replaced.
    """
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out}: exists and is not a folder")
    if not out.is_dir():
        return
    foreign = foreign_entries(out)
    if foreign:
        listed = ", ".join(foreign[:_LISTED])
        if len(foreign) > _LISTED:
            listed += f" and {len(foreign) - _LISTED} more"
        target = f" (a link to {out.resolve()})" if out.is_symlink() else ""
        raise OutputExistsError(
            f"{out}{target}: the output folder holds files portsim did not write ({listed}); "
            "results are written only to a new or empty folder or over an earlier run's "
            "results, and --force never deletes other files: choose another --out")
    if not force and {entry.name for entry in out.iterdir()} - kept:
        raise OutputExistsError(
            f"{out}: output folder already holds results; use --force to replace them")


def write_output(out: Path, writer: Callable[[Path], None], force: bool = False) -> None:
    """Let ``writer`` fill a temporary folder, then move it to ``out`` in one step."""
    check_output(out, force)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    # mkdtemp makes the folder private (0700); results are meant to be shared like any folder.
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    try:
        writer(staging)
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, retired / out.name)
            os.replace(staging, out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
