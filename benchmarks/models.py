"""portsim models for the benchmarks, built with the Python engine API (no scenario file).

Only portsim, numpy and the constants of benchmarks/simpy_minimal.py (numpy, SimPy, which portsim
imports anyway) are imported here, so that a memory probe in a fresh process measures portsim and
not Ciw.
"""

from __future__ import annotations

from collections.abc import Sequence as SequenceOf

import numpy as np

from benchmarks.simpy_minimal import MEAN_SERVICE, SERVERS, UTILISATION
from portsim.engine.distributions import Exponential, Lognormal, Sequence, Uniform
from portsim.engine.model import (
    Branch,
    ClassSpec,
    Delay,
    Model,
    Poisson,
    RateProfile,
    ShiftSchedule,
    ShortestQueue,
    StationSpec,
    Trace,
    Visit,
)


def trace_model(arrivals: SequenceOf[float], services: SequenceOf[SequenceOf[float]],
                servers: int, horizon: float) -> Model:
    """A queue (one station) or tandem (several, visited in order) fed recorded times.

    ``arrivals`` are absolute times; ``services[k]`` the service times of station ``k``, handed
    out in the order services start there. No randomness is drawn.
    """
    stations = tuple(
        StationSpec(f"s{k + 1}", ShiftSchedule.constant(servers), Sequence(tuple(times)))
        for k, times in enumerate(services))
    route = tuple(Visit(station.name) for station in stations)
    return Model(stations=stations, classes=(ClassSpec("c", Trace(tuple(arrivals)), route),),
                 horizon=horizon, name="mmc-trace")


def poisson_model(customers: int, servers: int = SERVERS, stations: int = 1,
                  utilisation: float = UTILISATION) -> Model:
    """The same M/M/c queue (or tandem) on portsim's own random streams.

    The horizon is sized for ``customers`` expected arrivals. Used where a pre-drawn trace would
    itself cost memory (the memory probe) or time to ship to worker processes.
    """
    rate = utilisation * servers / MEAN_SERVICE
    specs = tuple(StationSpec(f"s{k + 1}", ShiftSchedule.constant(servers),
                              Exponential(MEAN_SERVICE)) for k in range(stations))
    route = tuple(Visit(spec.name) for spec in specs)
    return Model(stations=specs, classes=(ClassSpec("c", Poisson(rate), route),),
                 horizon=customers / rate, name="mmc-poisson")


def priority_model(customers: int, servers: int = SERVERS,
                   utilisation: float = UTILISATION) -> Model:
    """M/M/c with two classes served by priority (a third of the customers first), and a
    desk row after it on shifts that cut servers at the busy hours, on portsim's own streams:
    the fast path's sweep against the event engine."""
    rate = utilisation * servers / MEAN_SERVICE
    shifts = ShiftSchedule(((0.0, servers), (480.0, servers - 2), (720.0, servers + 1)),
                           period=1440.0)
    specs = (StationSpec("desks", ShiftSchedule.constant(servers), Exponential(MEAN_SERVICE),
                         discipline="priority"),
             StationSpec("exit", shifts, Exponential(MEAN_SERVICE * 0.8),
                         discipline="priority"))
    route = (Visit("desks"), Visit("exit"))
    classes = (ClassSpec("green", Poisson(rate / 3), route, priority=0),
               ClassSpec("ordinary", Poisson(rate * 2 / 3), route, priority=1))
    return Model(stations=specs, classes=classes, horizon=customers / rate,
                 name="mmc-priority")


def priority_group_model(customers: int = 20_000) -> Model:
    """A day of ``customers`` (expected; Poisson, on portsim's own streams) choosing the
    shortest queue among a desk row on shifts and a green desk, both serving by priority, and
    a FIFO row; the first-priority class may take the green desk, the others not (about 0.7
    of the servers busy): one shortest-queue group with priority stations, the fast path's
    group loop against the event engine."""
    rate = customers / 1440.0
    shifts = ShiftSchedule(((0.0, 10), (360.0, 14), (840.0, 13), (1320.0, 8)), period=1440.0)
    specs = (StationSpec("desks", shifts, Exponential(1.0), discipline="priority"),
             StationSpec("green", ShiftSchedule.constant(3), Exponential(1.0),
                         discipline="priority"),
             StationSpec("fifo", ShiftSchedule.constant(4), Uniform(0.5, 1.5)))
    classes = tuple(
        ClassSpec(name, Poisson(rate * share), (ShortestQueue(choice),), priority=priority)
        for name, share, priority, choice in (
            ("first", 0.2, 0, ("desks", "green", "fifo")),
            ("second", 0.3, 1, ("desks", "fifo")),
            ("third", 0.5, 2, ("desks", "fifo"))))
    return Model(stations=specs, classes=classes, horizon=1440.0, name="priority-group")


# ----------------------------------------------------------------------------- a port day

#: The engine of the replications the worker-pool and Dask benchmarks spread over processes:
#: the event engine, so that each replication is work enough (~0.2-0.3 s) for the speed-up to
#: measure the spreading, not the start of the pool or the cluster's round trips (on the FIFO
#: fast path poisson_model takes ~0.05 s a replication).
SPREAD_ENGINE = "events"

PORT_DAY_PASSENGERS = 100_000
SECONDS = 1.0 / 60.0
# Relative weight of each hour of the day: quiet nights, a morning and an evening peak.
_HOURLY_WEIGHT = np.array([
    0.6, 0.4, 0.3, 0.3, 0.4, 1.2, 3.0, 5.0, 6.0, 6.2, 6.0, 5.6,
    5.2, 5.0, 5.2, 5.6, 6.0, 6.4, 6.6, 6.2, 5.4, 4.4, 2.6, 1.4,
])
HOURLY_SHARE = _HOURLY_WEIGHT / _HOURLY_WEIGHT.sum()


def port_day_model(passengers: int = PORT_DAY_PASSENGERS) -> Model:
    """A busy airport arrivals hall for one day, sized from the planning defaults of
    docs/sources.md ("How the shipped scenarios are sized").

    ``passengers`` inbound per day (expected) on an hourly profile whose peak hour carries 6.6 %
    of the day: 80 % citizens, 80 % of them e-gate eligible; 20 % foreigners, 30 % of them e-gate
    eligible. Everyone walks 5-15 minutes from the aircraft, then queues for 30 e-gates (12 s,
    lognormal cv 0.3) or 30 desks (citizens 45 s cv 0.5, foreigners 75 s cv 0.6). Desks run at
    about 68 % over the day and saturate at the evening peak.
    """
    def profile(share: float) -> RateProfile:
        return RateProfile(tuple((passengers * share * HOURLY_SHARE / 60.0).tolist()))

    def route(egate_share: float) -> tuple:
        return (Delay(Uniform(5.0, 15.0)),
                Branch(((egate_share, (Visit("egates"),)),
                        (1.0 - egate_share, (Visit("desks"),)))))

    egates = StationSpec("egates", ShiftSchedule.constant(30), Lognormal(12 * SECONDS, 0.3))
    desks = StationSpec("desks", ShiftSchedule.constant(30), Lognormal(45 * SECONDS, 0.5),
                        service_by_class={"foreigner": Lognormal(75 * SECONDS, 0.6)})
    classes = (ClassSpec("citizen", profile(0.8), route(0.8)),
               ClassSpec("foreigner", profile(0.2), route(0.3)))
    return Model(stations=(egates, desks), classes=classes, horizon=1440.0, name="port-day")
