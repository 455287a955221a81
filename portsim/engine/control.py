"""Processes that change a station's servers during a run: a shift schedule, and servers opened
and closed as the head of the queue waits longer or shorter than a rule's thresholds.

These are SimPy generator processes: rare events with rich behaviour, not the hot path.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from portsim.engine import model as m

if TYPE_CHECKING:
    import simpy

    from portsim.engine.station import Station


def follow_shifts(env: simpy.Environment, station: Station,
                  schedule: m.ShiftSchedule) -> Generator[Any, Any, None]:
    """Set the station's scheduled servers at each step of ``schedule``, cycle after cycle."""
    # The schedule sets the scheduled servers; queue-reactive extras stay on top (a comparison
    # with station.servers, extras included, skipped a shift change whenever the extras
    # happened to make up the new shift's size).
    return _follow(env, schedule, lambda: station.base_servers, station.set_servers)


def follow_pool_shifts(env: simpy.Environment, station: Any, pool: Any,
                       schedule: m.ShiftSchedule) -> Generator[Any, Any, None]:
    """Set one skill pool's servers at each step of ``schedule``, cycle after cycle."""
    return _follow(env, schedule, lambda: pool.servers,
                   lambda servers: station.set_pool_servers(pool, servers))


def _follow(env: simpy.Environment, schedule: m.ShiftSchedule, current: Callable[[], int],
            apply: Callable[[int], None]) -> Generator[Any, Any, None]:
    period = schedule.period
    cycle = 0.0
    while True:
        for offset, servers in schedule.steps:
            when = cycle + offset
            if when > env.now:
                yield env.timeout(when - env.now)
            if servers != current():
                apply(servers)
        if period is None:
            return
        cycle += period


def react_to_waits(env: simpy.Environment, station: Station,
                   rule: m.ReactiveStaffing) -> Generator[Any, Any, None]:
    """Every ``check_every``, open a server when the head waited too long, close one when not."""
    while True:
        yield env.timeout(rule.check_every)
        waited = station.head_wait()
        if waited > rule.open_above and station.extra_servers < rule.max_extra:
            station.set_extra_servers(station.extra_servers + 1)
        elif waited < rule.close_below and station.extra_servers > 0:
            station.set_extra_servers(station.extra_servers - 1)
