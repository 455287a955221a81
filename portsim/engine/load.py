"""Offered load per station, computed from the model before any simulation runs.

Long-run class arrival rates (own arrivals plus entities spawned by other classes' routes)
times expected visits give each station's arrival rate; with the arrival-weighted mean service
time and the schedule's mean servers (times the share of them that can work, where servers
break down or the station has outages) that gives the utilisation rho = lambda E[S] / c. A
station at rho >= 1 has no steady state: its queue grows for as long as the run lasts, so
:func:`overload_warnings` says so in words before the user waits for it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from portsim.engine.model import (
    Appointments,
    Arrivals,
    Branch,
    Delay,
    Impatience,
    Milestone,
    Model,
    OptionalStep,
    Poisson,
    RateProfile,
    Route,
    ShortestQueue,
    Spawn,
    StationSpec,
    Timetable,
    Trace,
    Visit,
    weighted_steps,
)


@dataclass(frozen=True, slots=True)
class StationLoad:
    """Long-run load on one station. Rates per minute, times in minutes."""

    arrival_rate: float
    mean_service: float  # weighted by each class's arrival rate at this station
    mean_servers: float
    utilisation: float  # arrival_rate * mean_service / mean_servers; inf with arrivals, no servers


def arrival_rate(arrivals: Arrivals, horizon: float) -> float:
    """Long-run average arrivals per minute of one class.

    A profile averages its rates over its period; a repeating timetable spreads its batches over
    the period. A one-off timetable or a trace is averaged over the horizon, counting only what
    arrives before it (later arrivals never enter the run).
    """
    if isinstance(arrivals, Poisson):
        return arrivals.rate
    if isinstance(arrivals, RateProfile):
        return sum(arrivals.rates) / len(arrivals.rates) if arrivals.rates else 0.0
    if isinstance(arrivals, Timetable):
        if arrivals.repeat_every is not None:
            return sum(arrivals.counts) / arrivals.repeat_every
        inside = (n for t, n in zip(arrivals.times, arrivals.counts, strict=True) if t < horizon)
        return sum(inside) / horizon
    if isinstance(arrivals, Trace):
        return sum(1 for t in arrivals.times if t < horizon) / horizon
    if isinstance(arrivals, Appointments):
        return arrivals.booked_per_period * (1.0 - arrivals.no_show) / arrivals.period
    raise TypeError(f"unknown arrivals {arrivals!r}")


def visit_counts(route: Route, model: Model) -> dict[str, float]:
    """Expected visits to each station by one entity following ``route``.

    Branches and optional steps weight their sub-routes by probability; a shortest-queue choice
    is split in proportion to the stations' mean servers (what balanced queues tend to), equally
    if none has any. A station on the route twice counts twice.
    """
    return _walk(route, model)[0]


def spawn_counts(route: Route, model: Model) -> dict[str, float]:
    """Expected entities of each other class spawned by one entity following ``route``
    (the mean of each spawn step's count, weighted like visits)."""
    return _walk(route, model)[1]


def _walk(route: Route, model: Model) -> tuple[dict[str, float], dict[str, float]]:
    visits: dict[str, float] = defaultdict(float)
    spawns: dict[str, float] = defaultdict(float)
    for weight, step in weighted_steps(route):
        if isinstance(step, Visit):
            visits[step.station] += weight
        elif isinstance(step, ShortestQueue):
            servers = [model.station(name).servers.mean_servers() for name in step.stations]
            total = sum(servers)
            for name, c in zip(step.stations, servers, strict=True):
                share = c / total if total > 0 else 1.0 / len(step.stations)
                visits[name] += weight * share
        elif isinstance(step, Spawn):
            # The engine rounds each drawn count; the mean of the draw is close enough here.
            spawns[step.class_name] += weight * step.count.mean
        elif isinstance(step, Branch | OptionalStep | Delay | Milestone):
            continue  # no station of its own (the walk goes into sub-routes), no queue
        else:
            raise TypeError(f"unknown route step {step!r}")
    return dict(visits), dict(spawns)


def class_rates(model: Model) -> dict[str, float]:
    """Long-run arrivals per minute of every class: its own arrivals plus those spawned by
    other classes' routes, lambda = lambda_own + M^T lambda with M[j][k] the expected class-k
    entities one class-j entity spawns. If spawning feeds back on itself without dying out
    (spectral radius of M >= 1), the spawned classes' rates are infinite."""
    names = [cls.name for cls in model.classes]
    own_rates = [float(arrival_rate(cls.arrivals, model.horizon)) for cls in model.classes]
    spawned = {cls.name: spawn_counts(cls.route, model) for cls in model.classes}
    if not any(count for counts in spawned.values() for count in counts.values()):
        return dict(zip(names, own_rates, strict=True))
    # NOTE: numpy only when classes spawn others, for performance reasons: checking a file
    # without spawns (portsim validate) then never loads it.
    import numpy as np

    own = np.array(own_rates)
    index = {name: i for i, name in enumerate(names)}
    spawn = np.zeros((len(names), len(names)))
    for cls in model.classes:
        for target, count in spawned[cls.name].items():
            spawn[index[cls.name], index[target]] += count
    if max(abs(np.linalg.eigvals(spawn))) >= 1:
        fed = spawn.sum(axis=0) > 0
        rates = np.where(fed, math.inf, own)
    else:
        rates = np.linalg.solve(np.eye(len(names)) - spawn.T, own)
    return dict(zip(names, rates.tolist(), strict=True))


def _class_loads(model: Model) -> dict[tuple[str, str], tuple[float, float]]:
    """(station, class) -> the class's arrivals per minute at the station and the minutes of
    work per minute they bring (rate times the class's mean service there)."""
    loads: dict[tuple[str, str], tuple[float, float]] = {}
    rates = class_rates(model)
    for cls in model.classes:
        lam = rates[cls.name]
        if lam == 0:
            continue
        for name, visits in visit_counts(cls.route, model).items():
            if visits == 0:
                continue  # a branch taken with probability 0 (and no inf * 0 below)
            mean = model.station(name).service_for(cls.name).mean
            loads[name, cls.name] = (lam * visits, lam * visits * mean)
    return loads


def offered_load(model: Model) -> dict[str, StationLoad]:
    """Arrival rate, mean service, mean servers and utilisation of every station of ``model``."""
    rate: dict[str, float] = defaultdict(float)
    work: dict[str, float] = defaultdict(float)  # sum of rate * E[S], minutes of work per minute
    for (name, _), (lam, minutes) in _class_loads(model).items():
        rate[name] += lam
        work[name] += minutes
    loads: dict[str, StationLoad] = {}
    for spec in model.stations:
        lam = rate[spec.name]
        # With no arrivals there is nothing to weight by: report the station's default service.
        finite = 0 < lam < math.inf
        mean_service = work[spec.name] / lam if finite else spec.service.mean
        servers = spec.servers.mean_servers() * _availability(spec, model.horizon)
        if lam == 0:
            rho = 0.0
        elif servers == 0:
            rho = math.inf
        else:
            rho = lam * mean_service / servers
        loads[spec.name] = StationLoad(lam, mean_service, servers, rho)
    return loads


def _availability(spec: StationSpec, horizon: float) -> float:
    """The long-run share of a station's servers that can work: each server is broken
    E[repair] / (E[between] + E[repair]) of the time, and none works in an outage window (as a
    share of the run)."""
    share = 1.0
    if spec.breakdowns is not None:
        up, repair = spec.breakdowns.between.mean, spec.breakdowns.repair.mean
        share *= up / (up + repair)
    if spec.outages:
        down = sum(min(end, horizon) - start for start, end in spec.outages if start < horizon)
        share *= max(0.0, 1.0 - down / horizon)
    return share


_GROWS = "queues will grow without bound"
_GIVING_UP = "only customers giving up (patience, a queue limit, balking) keep the queue bounded"


def overload_warnings(model: Model) -> list[str]:
    """One sentence per station whose offered load reaches its capacity (utilisation >= 1).

    A station with reactive staffing whose extra servers would cover the load is still named
    (the schedule alone cannot keep up), but without the claim that its queue grows for ever;
    so is one whose queue customers giving up keep bounded (see :func:`_joins_long_queue`).
    """
    warnings: list[str] = []
    for name, load in offered_load(model).items():
        if load.utilisation < 1:
            continue
        if load.mean_servers == 0:
            warnings.append(
                f"station {name!r}: receives arrivals at {load.arrival_rate:.3g}/min but has no "
                f"servers; {_GIVING_UP if _bounded_by_impatience(model, name, 0.0) else _GROWS}"
            )
            continue
        noun = "server" if load.mean_servers == 1 else "servers"
        figures = (
            f"(arrivals {load.arrival_rate:.3g}/min × service {load.mean_service:.3g} min "
            f"over {load.mean_servers:.3g} {noun})"
        )
        reactive = model.station(name).reactive
        offered = load.arrival_rate * load.mean_service
        if reactive is not None and offered < load.mean_servers + reactive.max_extra:
            warnings.append(
                f"station {name!r}: offered load {load.utilisation:.3g} of scheduled capacity "
                f"{figures}; only reactive staffing (up to {reactive.max_extra} extra) keeps "
                "the queue bounded"
            )
            continue
        if _bounded_by_impatience(model, name, load.mean_servers):
            warnings.append(
                f"station {name!r}: offered load {load.utilisation:.3g} of capacity {figures}; "
                f"{_GIVING_UP}"
            )
            continue
        warnings.append(
            f"station {name!r}: offered load {load.utilisation:.3g} of capacity {figures}; "
            f"{_GROWS}"
        )
    return warnings


def _bounded_by_impatience(model: Model, station: str, servers: float) -> bool:
    """Whether those who give up keep ``station``'s queue bounded: the work still brought by
    customers who would join, and stay in, an ever longer queue is below its capacity."""
    spec = model.station(station)
    staying = 0.0
    for (name, kind), (_, minutes) in _class_loads(model).items():
        share = _joins_long_queue(spec.impatience_for(kind)) if name == station else 0.0
        if share:  # (a class that never stays adds nothing, even at an infinite rate)
            staying += minutes * share
    return staying == 0 or staying < servers


def _joins_long_queue(rule: Impatience | None) -> float:
    """The share of a class's customers that joins a very long queue and stays in it. None
    with a patience (they all leave once the wait is long enough), a queue limit, or a
    balking probability of 1 at some length (the queue never grows past it); with balking
    probabilities below 1 those who do not balk at the last value, counting those who come
    back to try again: joining ``1 - p`` of the tries, ``(1 - p) / (1 - p retry)`` of them."""
    if rule is None:
        return 1.0
    if rule.patience is not None or rule.balk_at is not None or 1.0 in rule.balk_probabilities:
        return 0.0
    balk = rule.balk_probabilities[-1] if rule.balk_probabilities else 0.0
    return (1.0 - balk) / (1.0 - balk * rule.retry)
