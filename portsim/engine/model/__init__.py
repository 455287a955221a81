"""The plain runtime model the engine runs: small frozen objects, no YAML, no pydantic.

The scenario layer compiles a validated file into a :class:`Model`; Python users may build one
directly. All times are minutes from the start of the run; rates are per minute.

This package is the model's vocabulary, one name space (``from portsim.engine import model as
m``; ``m.StationSpec``, ``m.Visit``...), with its parts in modules by what they describe: the
stations (:mod:`~portsim.engine.model.stations`), how classes arrive
(:mod:`~portsim.engine.model.arrivals`), the steps of a route and the walks over routes
(:mod:`~portsim.engine.model.routes`), and the classes and the whole :class:`Model` with its
checks (:mod:`~portsim.engine.model.whole`).
"""

from __future__ import annotations

from portsim.engine.model.arrivals import (
    Appointments,
    Arrivals,
    Poisson,
    RateProfile,
    Timetable,
    Trace,
)
from portsim.engine.model.routes import (
    ArrivalError,
    Branch,
    Delay,
    Milestone,
    OptionalStep,
    Route,
    ShortestQueue,
    Spawn,
    Step,
    Visit,
    milestone_names,
    rewrite,
    stations_visited,
    steps,
    weighted_steps,
)
from portsim.engine.model.stations import (
    MINUTES_PER_DAY,
    Breakdowns,
    Impatience,
    ReactiveStaffing,
    ServerPool,
    ShiftSchedule,
    StationSpec,
    over_positions,
    pooled_servers,
)
from portsim.engine.model.whole import ClassSpec, Model, Prices

__all__ = [
    "MINUTES_PER_DAY", "Appointments", "ArrivalError", "Arrivals", "Branch", "Breakdowns",
    "ClassSpec", "Delay", "Impatience", "Milestone", "Model", "OptionalStep", "Poisson", "Prices",
    "RateProfile", "ReactiveStaffing", "Route", "ServerPool", "ShiftSchedule", "ShortestQueue",
    "Spawn", "StationSpec", "Step", "Timetable", "Trace", "Visit", "milestone_names",
    "over_positions", "pooled_servers", "rewrite", "stations_visited", "steps", "weighted_steps",
]
