"""When the customers of one station start on the fast path: its services drawn per class in
the order customers of the class start there (the order they reach it, by either discipline:
a class has one priority), then for a FIFO station the Kiefer-Wolfowitz recursion on all its
arrivals at once, for constant servers or a shift schedule, and for a station that serves by
priority a sweep over its events in the event engine's order (the loops of
:mod:`portsim.engine.kernels`, compiled or their Python twins).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from portsim.engine.kernels import fifo_starts, fifo_starts_shifts, priority_starts

if TYPE_CHECKING:
    from portsim.engine.fast_stations import FastStation

__all__ = ["draw_services", "priority_station_starts", "station_starts"]


def draw_services(station: FastStation, kinds: np.ndarray) -> np.ndarray:
    """The service times of customers of classes ``kinds`` reaching ``station`` in that order:
    each class's stream drawn in the order its customers start, which is the order they
    arrive (FIFO within a class under either discipline), as contiguous floats."""
    count = kinds.size
    services = np.empty(count)
    for index, stream in station.services.items():
        mine = kinds == index
        taken = int(np.count_nonzero(mine))
        if taken == count:  # one class only: no scatter
            services = stream.take(taken)
        elif taken:
            services[mine] = stream.take(taken)
    # the kernels read the arrays' memory as float64, in order
    return np.ascontiguousarray(services, dtype=float)


def station_starts(station: FastStation, kinds: np.ndarray, arrivals: np.ndarray,
                   horizon: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The arrivals (as contiguous floats), the service times and the starts of the customers
    reaching ``station`` at ``arrivals`` (in time order, of classes ``kinds``): those that
    start before ``horizon``, the first of them."""
    count = arrivals.size
    services = draw_services(station, kinds)
    schedule = station.spec.servers
    starts = np.empty(count)
    arrivals = np.ascontiguousarray(arrivals, dtype=float)
    if schedule.is_constant:
        served = fifo_starts(arrivals, services, schedule.steps[0][1], horizon, starts)
    else:
        served = fifo_starts_shifts(arrivals, services, schedule.servers_at(0.0),
                                    station.change_times, station.change_servers, horizon,
                                    starts)
    return arrivals, services, starts[:served]


def priority_station_starts(station: FastStation, kinds: np.ndarray, priorities: np.ndarray,
                            arrivals: np.ndarray, turns: np.ndarray, moves: np.ndarray,
                            horizon: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The service times, starts and start order of the customers reaching ``station``, which
    serves by priority, at ``arrivals`` (in the order they move, of classes ``kinds`` and
    ``priorities``; their own turns ``turns`` and those they move in ``moves``, ranks in one
    order): the starts before ``horizon`` in the order they happened, and ``order``, the
    positions of every customer: those who started, in that order, then those still queueing
    at the horizon, in the order they came."""
    count = arrivals.size
    services = draw_services(station, kinds)
    schedule = station.spec.servers
    starts = np.empty(count)
    order = np.empty(count, dtype=np.int64)
    served = priority_starts(
        np.ascontiguousarray(arrivals, dtype=float), services,
        np.ascontiguousarray(priorities, dtype=np.int64),
        np.ascontiguousarray(turns, dtype=np.int64), np.ascontiguousarray(moves, dtype=np.int64),
        schedule.servers_at(0.0), station.change_times, station.change_servers, horizon,
        starts, order)
    if served < count:
        waiting = np.ones(count, dtype=bool)
        waiting[order[:served]] = False
        order[served:] = np.flatnonzero(waiting)
    return services, starts[:served], order
