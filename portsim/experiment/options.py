"""How to run replications: one options object for the Python API and every command.

``simulate``, ``compare`` and ``sweep`` take a :class:`RunOptions` (or the same settings as
keywords) and hand it down whole, so a new run setting is added here once rather than to every
signature on the way from the command line to the executors.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from portsim.engine.result import ReplicationResult
    from portsim.experiment.precision import Precision
    from portsim.experiment.store import PartialStore

Progress = Callable[["ReplicationResult"], None]
Resumed = Callable[[int], None]


@dataclass(frozen=True)
class RunOptions:
    """Settings of a run that are not part of the scenario file."""

    replications: int | None = None
    """Replications per model; ``None`` takes the scenario's own (10 for a bare model)."""
    seed: int | None = None
    """Seed of every random stream; ``None`` takes the scenario's own (0 for a bare model)."""
    workers: int = 1
    """Local processes running replications (1 runs them in this process)."""
    scheduler: str | None = None
    """Address of a Dask scheduler to run the replications on instead of local processes."""
    store: PartialStore | None = None
    """Where each finished replication is kept, so that an interrupted run can resume."""
    resume: bool = False
    """Reuse the replications already in ``store``."""
    trace: str | None = None
    """A trace file (.csv, .parquet, or an event log: .xes, .jsonocel/.json, .sqlite) for the
    events of the baseline's replication 0."""
    progress: Progress | None = None
    """Called with each finished replication."""
    resumed: Resumed | None = None
    """Called once with the number of replications taken from ``store``."""
    precision: Precision | None = None
    """Add replications in rounds until the watched KPIs are this precise (``replications``
    is then the first round's size)."""
    engine: str = "auto"
    """Which engine runs the replications: ``"auto"`` (the FIFO fast path where the model
    qualifies, else the event engine), ``"events"`` or ``"fast"`` (an error if the model does
    not qualify); see :func:`portsim.engine.fast.choose_engine`."""

    def __post_init__(self) -> None:
        # Checked here, before anything runs: a bad value would otherwise surface as a failed
        # replication in a worker, far from the call that caused it.
        _check_count("replications", self.replications, allow_none=True)
        _check_count("seed", self.seed, allow_none=True, low=0)
        _check_count("workers", self.workers)
        if self.engine not in ("auto", "events", "fast"):
            raise ValueError(f"engine must be auto, events or fast, not {self.engine!r}")

    def replace(self, **changes: Any) -> RunOptions:
        """A copy with ``changes`` (the field names of this class)."""
        return dataclasses.replace(self, **changes)

    def replications_for(self, scenario: Any) -> int:
        """The replications to run: this object's, else the scenario's, else 10."""
        if self.replications is not None:
            return self.replications
        return scenario.replications if scenario is not None else 10

    def seed_for(self, scenario: Any) -> int:
        """The seed to run with: this object's, else the scenario's, else 0."""
        if self.seed is not None:
            return self.seed
        return scenario.seed if scenario is not None else 0


class RunSettings(TypedDict, total=False):
    """The fields of :class:`RunOptions`, as keywords of ``simulate``/``compare``/``sweep``."""

    replications: int | None
    seed: int | None
    workers: int
    scheduler: str | None
    store: PartialStore | None
    resume: bool
    trace: str | None
    progress: Progress | None
    resumed: Resumed | None
    precision: Precision | None
    engine: str


def run_options(options: RunOptions | None, settings: RunSettings) -> RunOptions:
    """``options`` (or the defaults) with keyword ``settings`` on top."""
    base = options if options is not None else RunOptions()
    return base.replace(**settings) if settings else base


def _check_count(name: str, value: Any, *, allow_none: bool = False, low: int = 1) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, not {value}")


__all__ = ["Progress", "Resumed", "RunOptions", "RunSettings", "run_options"]
