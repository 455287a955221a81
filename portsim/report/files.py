"""Writing results to an output folder, all or nothing.

A run's files are written into a temporary sibling folder which is renamed into place only when
every file is complete, so a failure never leaves a half-written result and never damages the
results of an earlier run.
"""

from __future__ import annotations

import csv
import json
import os
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


def check_output(out: Path, force: bool) -> None:
    """Refuse, before any work is done, to overwrite a non-empty folder without ``force``."""
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
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
