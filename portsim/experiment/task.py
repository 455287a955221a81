"""A replication to run, as the executors (local, pool or Dask) receive it."""

from __future__ import annotations

from dataclasses import dataclass

from portsim.engine.fast import Engine
from portsim.engine.model import Model


@dataclass(frozen=True)
class Task:
    """One replication to run: which model (labelled for messages), seed and index."""

    label: str
    model: Model
    seed: int
    replication: int
    trace: str | None = None  # write this replication's event log to this file
    engine: Engine = "auto"  # which engine runs it (see portsim.engine.fast.choose_engine)

    def describe(self) -> str:
        return f"replication {self.replication} of {self.label} (seed {self.seed})"
