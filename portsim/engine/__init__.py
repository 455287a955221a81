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
    from portsim.engine.simulation import EntityLimitExceeded, ReplicationResult, run_replication

__all__ = [
    "Appointments", "Branch", "ClassSpec", "Delay", "EntityLimitExceeded", "Milestone", "Model",
    "OptionalStep",
    "Poisson", "RateProfile", "ReactiveStaffing", "ReplicationResult", "ServerPool",
    "ShiftSchedule",
    "ShortestQueue", "Spawn", "StationSpec", "Timetable", "Trace", "Visit", "pooled_servers",
    "run_replication",
]

_SIMULATION = ("EntityLimitExceeded", "ReplicationResult", "run_replication")
_EXPORTS = {name: "portsim.engine.simulation" if name in _SIMULATION else "portsim.engine.model"
            for name in __all__}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
