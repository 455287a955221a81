"""A scenario's figures fitted from an event log: arrivals per class, services per station and
class, paths, giving up, servers on duty (see the modules of this package for each rule)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from portsim.fitting.arrivals import ArrivalFit, fit_arrivals
from portsim.fitting.records import Entity, Log, read_log
from portsim.fitting.routes import (
    GivingUp,
    RouteFit,
    fit_giving_up,
    fit_route,
    servers_on_duty,
)
from portsim.fitting.services import MIN_SERVICES, FitError, ServiceFit, fit_service


@dataclass
class StationFit:
    """One station: its services (``None``: all classes together), servers and giving up."""

    name: str
    services: dict[str | None, ServiceFit]
    servers: list[int]
    roster: Any = None  # the servers of --scenario's station, when it has one
    giving_up: dict[str, GivingUp] = field(default_factory=dict)
    pooled: tuple[str, ...] = ()  # classes with too few services of their own

    def service_of(self, kind: str) -> ServiceFit:
        return self.services.get(kind) or self.services[None]


@dataclass
class Fit:
    """Everything fitted from one log."""

    log: Log
    arrivals: dict[str, ArrivalFit]
    routes: dict[str, RouteFit]
    stations: dict[str, StationFit]


def fit_log(path: str | os.PathLike[str], slot: float | None = None,
            rosters: dict[str, Any] | None = None) -> Fit:
    """Fit the log at ``path``; ``slot``: the arrival slot width (minutes; default by rule);
    ``rosters``: servers by station name, as a scenario gives them (not inferred then)."""
    log = read_log(path)
    by_class: dict[str, list[Entity]] = {}
    for entity in log.entities.values():
        by_class.setdefault(entity.kind, []).append(entity)
    if not by_class:
        raise FitError(f"{log.path}: no events; fitting needs at least one class's arrivals")
    arrivals = {kind: fit_arrivals([e.arrival for e in members if e.arrival is not None],
                                   log.end, f"{log.path}: class {kind!r}", slot)
                for kind, members in sorted(by_class.items())}
    routes = {kind: fit_route(members) for kind, members in sorted(by_class.items())}
    names = sorted({v.station for e in log.entities.values() for v in e.visits})
    stations = {name: _station(log, name, by_class, (rosters or {}).get(name))
                for name in names}
    return Fit(log, arrivals, routes, stations)


def _station(log: Log, name: str, by_class: dict[str, list[Entity]],
             roster: Any) -> StationFit:
    """The services, servers and giving up of one station."""
    times: dict[str, list[float]] = {}
    spans: list[tuple[float, float]] = []
    for kind, members in by_class.items():
        for visit in (v for e in members for v in e.visits if v.station == name):
            if visit.outcome == "served" and visit.start is not None and visit.finish is not None:
                times.setdefault(kind, []).append(visit.finish - visit.start)
                spans.append((visit.start, visit.finish))
            elif visit.start is not None:  # in service when the log ends
                spans.append((visit.start, log.end))
    pooled = [t for values in times.values() for t in values]
    services: dict[str | None, ServiceFit] = {
        None: fit_service(pooled, f"{log.path}: station {name!r}")}
    own = sorted(kind for kind, values in times.items() if len(values) >= MIN_SERVICES)
    if len(times) > 1:
        services.update({kind: fit_service(times[kind], f"{log.path}: station {name!r}, "
                                           f"class {kind!r}") for kind in own})
    giving_up = {kind: g for kind, members in sorted(by_class.items())
                 if (g := fit_giving_up(members, name)) is not None}
    return StationFit(name, services, servers_on_duty(spans, log.end), roster, giving_up,
                      tuple(sorted(k for k in times if k not in own and len(times) > 1)))


__all__ = ["Fit", "StationFit", "fit_log"]
