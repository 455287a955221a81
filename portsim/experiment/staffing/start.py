"""Where the requirement search starts: each unit's offered load per interval (arrival rate and
mean service time), measured in a pilot run of the scenario as written, and the Erlang C
staffing of that load interval by interval."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from portsim.engine.model import MINUTES_PER_DAY
from portsim.experiment.results import Results
from portsim.experiment.staffing.problem import Problem, Staffing


@dataclass(frozen=True)
class Load:
    """A station's offered load per interval, from the pilot run."""

    arrival_rates: tuple[float, ...]
    """Customers joining per minute, per interval."""
    service_mean: float
    """Minutes of service per customer (busy server time over completions)."""


def measured_minutes(problem: Problem) -> list[float]:
    """Per interval of the day, the minutes of it that the pilot measured: its slot KPIs count
    the slots after the warm-up (the first is the one starting at or after the warm-up's end)
    up to the horizon, so with a warm-up or a horizon that is not whole days the intervals are
    measured on different numbers of days."""
    model, width = problem.model, problem.interval
    first = math.ceil(model.warmup / width - 1e-9) * width
    minutes = [0.0] * problem.intervals
    start = first
    while start < model.horizon:
        index = round((start % MINUTES_PER_DAY) / width) % problem.intervals
        minutes[index] += min(width, model.horizon - start)
        start += width
    return minutes


def offered_loads(problem: Problem, pilot: Results) -> dict[str, Load]:
    """Arrival rate per interval and mean service time per station, from the pilot."""
    model = problem.model
    measured = measured_minutes(problem)

    def rates_of(scope: str, name: str) -> list[float]:
        rates = []
        for slot, minutes in zip(problem.slots(), measured, strict=True):
            key = f"wait_{slot}_count"
            count = pilot.summary(scope, name, key).mean if pilot.has(scope, name, key) else 0.0
            rates.append(max(count, 0.0) / minutes if minutes > 0 else 0.0)
        return rates

    loads = {}
    for unit in problem.units:
        station, _, pool = unit.partition("/")
        if pool:
            # A pool's first-choice classes: their arrivals, and their mean service there.
            owned, _ = problem.pool_classes(unit)
            spec = model.station(station)
            per_class = {name: rates_of("classes", name) for name in owned}
            totals = [sum(values) for values in zip(*per_class.values(), strict=True)] \
                if per_class else [0.0] * problem.intervals
            weight = sum(sum(values) for values in per_class.values())
            service_mean = (sum(sum(values) * spec.service_for(name).mean
                                for name, values in per_class.items()) / weight
                            if weight > 0 else spec.service.mean)
            loads[unit] = Load(tuple(totals), service_mean)
            continue
        busy = (pilot.summary("stations", unit, "utilisation").mean
                * pilot.summary("stations", unit, "servers_mean").mean)
        served = pilot.summary("stations", unit, "throughput_per_hour").mean / 60.0
        service_mean = busy / served if served > 0 and math.isfinite(busy) else 0.0
        loads[unit] = Load(tuple(rates_of("stations", unit)), service_mean)
    return loads


def erlang_start(problem: Problem, loads: Mapping[str, Load]) -> Staffing:
    """Per interval, the fewest servers with which a stationary M/M/c at that interval's load
    meets the target (at least ``problem.least``; at most the counters available)."""
    start: Staffing = {}
    for name in problem.units:
        load, most = loads[name], problem.most.get(name)
        row = []
        for rate in load.arrival_rates:
            servers = max(problem.least, 1 if rate > 0 else 0)
            while not problem.target.met_by(rate, load.service_mean, servers) and (
                    most is None or servers < most):
                servers += 1
            row.append(servers if most is None else min(servers, most))
        start[name] = row
    return start


__all__ = ["Load", "erlang_start", "measured_minutes", "offered_loads"]
