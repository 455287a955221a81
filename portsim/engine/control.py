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


def follow_shifts(env: simpy.Environment, station: Station, schedule: m.ShiftSchedule,
                  positions: m.ShiftSchedule | None = None) -> Generator[Any, Any, None]:
    """Set the station's scheduled servers at each step of ``schedule``, cycle after cycle;
    queue-reactive extras that the new shift leaves no position for close at once."""
    # The schedule sets the scheduled servers; queue-reactive extras stay on top (a comparison
    # with station.servers, extras included, skipped a shift change whenever the extras
    # happened to make up the new shift's size).
    def apply(servers: int) -> None:
        if positions is not None:
            room = max(0, positions.servers_at(env.now) - servers)
            station.extra_servers = min(station.extra_servers, room)
        station.set_servers(servers)

    return _follow(env, schedule, lambda: station.base_servers, apply)


def hold_to_positions(env: simpy.Environment, station: Station,
                      positions: m.ShiftSchedule) -> Generator[Any, Any, None]:
    """At each change of the positions, close the queue-reactive extras they leave no room
    for (a lane handed back to the other direction); closing never preempts a service."""
    def trim(_: int) -> None:
        room = max(0, positions.servers_at(env.now) - station.base_servers)
        if station.extra_servers > room:
            station.set_extra_servers(room)

    return _follow(env, positions, lambda: -1, trim)


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


def react_to_waits(env: simpy.Environment, station: Station, rule: m.ReactiveStaffing,
                   positions: m.ShiftSchedule | None = None) -> Generator[Any, Any, None]:
    """Every ``check_every``, open a server when the head waited too long (while a position
    is free), close one when not."""
    while True:
        yield env.timeout(rule.check_every)
        most = rule.max_extra
        if positions is not None:
            most = min(most, max(0, positions.servers_at(env.now) - station.base_servers))
        waited = station.head_wait()
        if waited > rule.open_above and station.extra_servers < most:
            station.set_extra_servers(station.extra_servers + 1)
        elif waited < rule.close_below and station.extra_servers > 0:
            station.set_extra_servers(station.extra_servers - 1)
