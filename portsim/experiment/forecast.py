"""Warm starts and snapshots of a run: how a model changes and what provenance records.

``portsim run FILE --from-state now.yaml --horizon 3h`` runs each replication from the state
file's clock time for the horizon; ``--snapshot-at 14:00`` records each replication's state at
that time of the run and writes it as a state file (``DIR/states/replication-N.yaml``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from portsim.engine.model import Model
from portsim.engine.result import ReplicationResult
from portsim.engine.state import StartState, state_to_data
from portsim.engine.warm import warm_model
from portsim.writing import NO_INPUTS, Inputs, Tree, new_file

STATES_FOLDER = "states"
#: What a run writes into ``DIR/states``: one state file per replication.
STATES = Tree(file_patterns=(re.compile(r"^replication-\d+\.yaml$"),))


@dataclass(frozen=True)
class Forecast:
    """A warm start (``state`` for ``horizon`` minutes) and/or a snapshot time."""

    state: StartState | None = None
    horizon: float | None = None
    snapshot_at: float | None = None
    state_file: str | None = None

    def apply(self, model: Model) -> Model:
        """``model`` as this forecast runs it."""
        if self.state is not None:
            horizon = self.horizon if self.horizon is not None else model.horizon - model.warmup
            model = warm_model(model, self.state, horizon)
        if self.snapshot_at is not None:
            model = replace(model, snapshot_at=self.snapshot_at)
        return model

    def provenance(self) -> dict[str, Any]:
        """What results.json records (and a resumed run must match)."""
        found: dict[str, Any] = {}
        if self.state is not None:
            data = state_to_data(self.state)
            digest = hashlib.sha256(repr(data).encode("utf-8")).hexdigest()
            found.update(state_file=self.state_file, state_sha256=digest,
                         clock_minutes=self.state.clock, horizon_minutes=self.horizon,
                         customers_at_start=self.state.customers)
        if self.snapshot_at is not None:
            found["snapshot_at_minutes"] = self.snapshot_at
        return found


def write_snapshots(runs: list[ReplicationResult], folder: Path) -> list[Path]:
    """Each replication's snapshot as a state file in ``folder/states``; the files written."""
    written = []
    for run in runs:
        if run.snapshot is None:
            continue
        path = folder / STATES_FOLDER / f"replication-{run.replication}.yaml"
        write_state(run.snapshot, path, f"The state of replication {run.replication} "
                                        f"(seed {run.seed})")
        written.append(path)
    return written


def write_state(state: StartState, path: Path, what: str, *, replace: bool = False,
                inputs: Inputs = NO_INPUTS,
                check: Callable[[Path], None] | None = None) -> None:
    """``state`` as a state file at ``path``, headed by a comment saying ``what`` it is; an
    existing file is replaced only with ``replace``, an input never. ``check`` is shown the
    complete file under its temporary name before it takes ``path``'s place."""
    from portsim.scenario.state import state_document

    header = f"# {what}: portsim run FILE --from-state this file\n"
    text = header + yaml.safe_dump(state_document(state), sort_keys=False)
    with new_file(path, replace=replace, inputs=inputs) as temporary:
        temporary.write_bytes(text.encode("utf-8"))
        if check is not None:
            check(temporary)


__all__ = ["STATES", "STATES_FOLDER", "Forecast", "write_snapshots", "write_state"]
