"""Finished replications kept on disk while a run goes on, so an interrupted run can resume.

Layout: ``<folder>/<label>/inputs.json`` records what the replications were run from (scenario
hash, seed, portsim version); ``<folder>/<label>/rep-00003.json`` holds replication 3. Files are
JSON rather than pickles so that resuming never executes code from the output folder, and Python's
float repr round-trips exactly, so a resumed run's results are byte-identical to an uninterrupted
one. Each file is written under a temporary name and renamed (:mod:`portsim.writing`), so no file
is ever half-written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from portsim.engine.result import ReplicationResult
from portsim.errors import PortsimError
from portsim.writing import Tree, refuse_foreign, remove_own, write_file

PARTIAL = ".partial"
_SAFE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")


class StaleResultsError(PortsimError):
    """Stored replications were made from other inputs than the run being resumed."""


def label_folder(label: str) -> str:
    """A file-system-safe folder name for a label (variant names may hold any character)."""
    if _SAFE.match(label):
        return label
    digest = hashlib.sha256(label.encode("utf-8")).hexdigest()[:10]
    return re.sub(r"[^A-Za-z0-9_.-]", "_", label)[:40].lstrip(".") + "-" + digest


#: What ``DIR/.partial`` holds: a folder per label with its inputs and replications (and the
#: temporaries of writes cut short, ``.rep-00003.json.x1y2`` from before portsim.writing).
KEPT = Tree(folder_patterns=((re.compile(r"^[A-Za-z0-9_.-]+$"), Tree(
    files=frozenset({"inputs.json"}),
    file_patterns=(re.compile(r"^rep-\d{5}\.json$"),
                   re.compile(r"^\.(rep-\d{5}|inputs)\.json\.[A-Za-z0-9_]+$")))),))


def _write(path: Path, text: str) -> None:
    """Replace ``path`` in one step (a replication's file is only ever portsim's own; not
    synced to disk: a file lost with the machine is run again on --resume)."""
    write_file(path, text, replace=True, sync=False)


def _fields(value: Any) -> dict[str, Any]:
    """A dataclass's fields by name, in order (what ``dataclasses.asdict`` gives one level
    down); anything else is not JSON. A replication that carries a snapshot (a warm-start
    state) is stored as its own ``to_json`` says: the state has its own plain form."""
    if getattr(value, "snapshot", None) is not None and hasattr(value, "to_json"):
        return dict(value.to_json())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class PartialStore:
    """Replications of several labelled models under one folder (``DIR/.partial``)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def _label_dir(self, label: str) -> Path:
        return self.folder / label_folder(label)

    def prepare(self, label: str, inputs: dict[str, Any], *, resume: bool) -> None:
        """Make ``label``'s folder ready. With ``resume``, stored replications are kept if they
        were made from the same ``inputs``; otherwise they are discarded."""
        where = self._label_dir(label)
        marker = where / "inputs.json"
        text = json.dumps(inputs, sort_keys=True, indent=1, default=str)
        if resume and marker.exists():
            if marker.read_text(encoding="utf-8") != text:
                raise StaleResultsError(
                    f"{where}: stored replications of {label} were made from other inputs "
                    "(the scenario, seed or portsim version changed); use --force to start over")
            return
        if where.exists():
            remove_own(where, KEPT.folder_patterns[0][1])
            if where.exists():  # a file of somebody else's: refused, not deleted
                refuse_foreign(self.folder, KEPT)
        where.mkdir(parents=True)
        _write(marker, text)

    def load(self, label: str) -> dict[int, ReplicationResult]:
        """The stored replications of ``label`` by index (files that cannot be read are
        ignored: they are run again)."""
        found: dict[int, ReplicationResult] = {}
        where = self._label_dir(label)
        if not where.is_dir():
            return found
        for path in sorted(where.glob("rep-*.json")):
            try:
                result = ReplicationResult.from_json(
                    json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                continue
            found[result.replication] = result
        return found

    def save(self, label: str, result: ReplicationResult) -> None:
        path = self._label_dir(label) / f"rep-{result.replication:05d}.json"
        # NaN is written as the JSON extension NaN: this file is only read back by portsim.
        # NOTE: json walks the dataclasses itself (_fields), for performance reasons: the same
        # text as json.dumps(result.to_json()), whose dataclasses.asdict deep-copies every list
        # first (15 ms against 1.4 ms for 200,000 customers' M/M/10, once per replication).
        _write(path, json.dumps(result, separators=(",", ":"), default=_fields))
