"""When the customers of one FIFO station start on the fast path: its services drawn per class
in the order customers start there, and the Kiefer-Wolfowitz recursion on all its arrivals at
once, for constant servers or a shift schedule (the loops of :mod:`portsim.engine.kernels`,
compiled or their Python twins).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from portsim.engine.kernels import fifo_starts, fifo_starts_shifts

if TYPE_CHECKING:
    from portsim.engine.fast_stations import FastStation

__all__ = ["station_starts"]


def station_starts(station: FastStation, kinds: np.ndarray, arrivals: np.ndarray,
                   horizon: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The arrivals (as contiguous floats), the service times and the starts of the customers
    reaching ``station`` at ``arrivals`` (in time order, of classes ``kinds``): those that
    start before ``horizon``, the first of them."""
    count = arrivals.size
    services = np.empty(count)
    for index, stream in station.services.items():
        mine = kinds == index
        taken = int(np.count_nonzero(mine))
        if taken == count:  # one class only: no scatter
            services = stream.take(taken)
        elif taken:
            services[mine] = stream.take(taken)
    schedule = station.spec.servers
    starts = np.empty(count)
    # the kernels read the arrays' memory as float64, in order
    arrivals = np.ascontiguousarray(arrivals, dtype=float)
    services = np.ascontiguousarray(services, dtype=float)
    if schedule.is_constant:
        served = fifo_starts(arrivals, services, schedule.steps[0][1], horizon, starts)
    else:
        served = fifo_starts_shifts(arrivals, services, schedule.servers_at(0.0),
                                    station.change_times, station.change_servers, horizon,
                                    starts)
    return arrivals, services, starts[:served]
