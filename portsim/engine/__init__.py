"""The simulation engine: plain runtime objects run on SimPy. Knows nothing of YAML or pydantic.

Names are imported on first use (:mod:`portsim.lazy`): a command that only builds a
:class:`Model` (``portsim validate``) does not import the simulation and SimPy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portsim.lazy import lazy_exports

if TYPE_CHECKING:
    from portsim.engine.model import (
        Appointments,
        Branch,
        ClassSpec,
        Delay,
        Milestone,
        Model,
        OptionalStep,
        Poisson,
        RateProfile,
        ReactiveStaffing,
        ServerPool,
        ShiftSchedule,
        ShortestQueue,
        Spawn,
        StationSpec,
        Timetable,
        Trace,
        Visit,
        pooled_servers,
    )
    from portsim.engine.result import ReplicationResult
    from portsim.engine.setup import EntityLimitExceeded
    from portsim.engine.simulation import run_replication

__all__ = [
    "Appointments", "Branch", "ClassSpec", "Delay", "EntityLimitExceeded", "Milestone", "Model",
    "OptionalStep",
    "Poisson", "RateProfile", "ReactiveStaffing", "ReplicationResult", "ServerPool",
    "ShiftSchedule",
    "ShortestQueue", "Spawn", "StationSpec", "Timetable", "Trace", "Visit", "pooled_servers",
    "run_replication",
]

_HOMES = {"EntityLimitExceeded": "portsim.engine.setup",
          "ReplicationResult": "portsim.engine.result",
          "run_replication": "portsim.engine.simulation"}
_EXPORTS = {name: _HOMES.get(name, "portsim.engine.model") for name in __all__}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
