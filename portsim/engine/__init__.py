"""The simulation engine: plain runtime objects run on SimPy. Knows nothing of YAML or pydantic."""

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
