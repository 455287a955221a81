"""Skilled server pools and retrials on the fast path: a station whose servers are pools with
skills, or whose customers give up and try again, or both, swept over its own events
(:class:`~portsim.engine.kernels_pools.PooledSweep`).

Which stations take this sweep (:func:`pooled_unsupported` says which it declines), the pools'
shift changes in the event engine's order (:func:`pool_clock`), and a station's day from the
sweep to the statistics collect reads (:func:`pooled_station`): every try counts as an arrival
at the station, every give-up among its balks or abandonments (with its own wait), a try that
comes back among its retrials; the customer's own wait adds the waits of all its tries, and it
leaves the system only when it gives up for good.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine import model as m
from portsim.engine.distributions import can_be_zero
from portsim.engine.fast_choices import choice_groups
from portsim.engine.fast_impatience import leave_unserved
from portsim.engine.fast_reactive import follow, play
from portsim.engine.impatience import Rule
from portsim.engine.kernels_pools import LEVEL_CAPACITY, LEVEL_SERVERS, PooledSweep
from portsim.engine.station_parts import impatience_rules
from portsim.stats.accumulators import Level

if TYPE_CHECKING:
    from portsim.engine.classes import ClassState
    from portsim.engine.fast_stations import FastStation

__all__ = ["needs_pool_sweep", "pool_clock", "pool_rules", "pooled_station",
           "pooled_unsupported"]


def _retries(model: m.Model, spec: m.StationSpec) -> bool:
    rules = (spec.impatience_for(cls.name) for cls in model.classes)
    return any(rule is not None and rule.retry > 0 for rule in rules)


def needs_pool_sweep(model: m.Model, spec: m.StationSpec) -> bool:
    """Whether station ``spec`` is swept by :class:`PooledSweep`: it has skilled pools, or
    customers who give up and try again."""
    return bool(spec.pools) or _retries(model, spec)


def pooled_unsupported(model: m.Model, spec: m.StationSpec) -> str | None:
    """Why the fast path cannot sweep station ``spec``'s pools or retrials (None: it can)."""
    what = ("serves by skill (server pools)" if spec.pools
            else "has customers who give up and try again (retrials)")
    if spec.discipline != "fifo":
        return f"station {spec.name!r} {what} and serves by priority"
    if spec.reactive is not None:
        return f"station {spec.name!r} {what} and opens servers as its queue grows"
    if spec.name in choice_groups(model):
        return f"station {spec.name!r} {what} and is one of a shortest-queue choice"
    if model.monitor_every is not None and spec.name in model.read_stations():
        return f"station {spec.name!r} {what} and a monitor reads its queue"
    for cls in model.classes:
        rule = spec.impatience_for(cls.name)
        if rule is not None and rule.retry_after is not None and rule.retry > 0 \
                and can_be_zero(rule.retry_after):
            # back in no time: in the same instant as its give-up, ordered by scheduling
            return f"station {spec.name!r} may see class {cls.name!r} try again in no time"
    return None


def pool_rules(model: m.Model, spec: m.StationSpec, classes: dict[str, ClassState],
               seed: int, replication: int) -> dict[int, Rule]:
    """Each class's rule of giving up at ``spec`` (by class index), on the event engine's
    streams."""
    rules = impatience_rules(model, spec, classes, {}, seed, replication)
    index = {kind: number for number, kind in enumerate(classes.values())}
    return {index[kind]: rule for kind, rule in rules.items()}


def pool_clock(spec: m.StationSpec, horizon: float) -> list[tuple[float, int, int]]:
    """The pools' shift changes before ``horizon`` as (time, pool, servers), in the order the
    event engine plays them: one process per pool with a schedule (or the station's own,
    without pools), started in the order of the pools, each setting its pool's servers where
    a step changes them (``control.follow_pool_shifts``)."""
    schedules = [pool.servers for pool in spec.pools] or [spec.servers]
    current = [schedule.servers_at(0.0) for schedule in schedules]
    events: list[tuple[float, int, int]] = []
    now = [0.0]

    def step(pool: int, servers: int) -> None:
        if servers != current[pool]:
            current[pool] = servers
            events.append((now[0], pool, servers))

    def steps(pool: int) -> Callable[[int], None]:
        return lambda servers: step(pool, servers)

    play([follow(schedule, now, steps(pool)) for pool, schedule in enumerate(schedules)
          if not schedule.is_constant], now, horizon)
    return events


def _sweep(station: FastStation, model: m.Model, classes: int, kinds: list[int],
           arrivals: list[float], own: list[int], moves: list[int]) -> PooledSweep:
    """The station's day: its customers brought to the sweep in the order they move."""
    spec = station.spec
    if spec.pools:
        skill_names = list(dict.fromkeys(skill for pool in spec.pools for skill in pool.skills))
        number = {skill: index for index, skill in enumerate(skill_names)}
        pools = [(frozenset(number[skill] for skill in pool.skills),
                  pool.servers.servers_at(0.0)) for pool in spec.pools]
        names = [cls.name for cls in model.classes]
        skill_of = [number.get(spec.skill_by_class.get(name, ""), 0) for name in names]
    else:  # one pool with every skill: first come, first served
        pools = [(frozenset((0,)), spec.servers.servers_at(0.0))]
        skill_of = [0] * classes
    sweep = PooledSweep(pools, pool_clock(spec, model.horizon), model.horizon,
                        station.services, station.trying or {}, skill_of, kinds, own)
    for position, (at, move) in enumerate(zip(arrivals, moves, strict=True)):
        sweep.advance(at, move)
        sweep.arrive(at, position)
    sweep.advance(model.horizon, -1)
    return sweep


def pooled_station(state: Any, station: FastStation, flows: list[Any], ids: np.ndarray,
                   arrivals: np.ndarray, keys: np.ndarray, source: np.ndarray,
                   kinds: np.ndarray) -> None:
    """Station ``station`` of the fast path's replication ``state`` (a ``FastReplication``),
    swept: those who gave up for good leave the system, the served go on as from any
    station (see the module's docstring)."""
    model = state.model
    count = ids.size
    turns = state.entities.turns(np.concatenate((ids, keys)))
    sweep = _sweep(station, model, len(state.classes), kinds.tolist(), arrivals.tolist(),
                   turns[:count].tolist(), turns[count:].tolist())
    order = np.asarray(sweep.started + sweep.waiting(), dtype=np.int64)
    latest = np.asarray([sweep.tried[position] for position in order.tolist()], dtype=float)
    gone = sweep.gone
    where = np.asarray(gone.position, dtype=np.int64)
    tried, left = np.asarray(gone.arrived, dtype=float), np.asarray(gone.left, dtype=float)
    reneged = np.asarray(gone.reneged, dtype=bool)
    # a customer's first try moves in the turn it reached the station in, a later one in its own
    first_try = np.zeros(where.size, dtype=bool)
    first_try[np.unique(where, return_index=True)[1]] = True
    moved_in = np.where(first_try, keys[where], ids[where])
    if station.spec.impatient:
        station.record_giving_up(model, np.asarray(sweep.came, dtype=float), tried, left,
                                 reneged)
        station.retried = sum(1 for _, back in sweep.retries if back >= model.warmup)
        leave_unserved(state.entities, list(state.classes.values()), model.warmup, ids[where],
                       moved_in, tried, left, reneged, np.asarray(gone.final, dtype=bool))
        state.kept_gone.append((station.name, ids[where], tried, left, reneged))
        if state.kept is not None:
            back = np.asarray([position for position, _ in sweep.retries], dtype=np.int64)
            state.kept_events.extend(
                (at, 1.0, entity, station.name, "retry") for entity, (_, at)
                in zip(ids[back].tolist(), sweep.retries, strict=True))
    services = np.asarray([sweep.service_of.get(position, math.nan)
                           for position in order.tolist()], dtype=float)
    state._served(station, flows, ids[order], latest, source[order], services,
                  np.asarray(sweep.start_times, dtype=float), ordered=False)
    _replay_levels(station, model, sweep.levels)


def _replay_levels(station: FastStation, model: m.Model,
                   levels: list[tuple[float, int, int]]) -> None:
    """The servers on duty and the capacity as the event engine's levels record them, set
    where the sweep set them (the warm-up's reset before anything at its instant)."""
    start = station.first_servers
    replayed = {LEVEL_SERVERS: Level(start), LEVEL_CAPACITY: Level(start)}
    reset = model.warmup <= 0
    for at, which, value in levels:
        if not reset and at >= model.warmup:
            for level in replayed.values():
                level.reset(model.warmup)
            reset = True
        replayed[which].set(at, value)
    for level in replayed.values():
        if not reset:
            level.reset(model.warmup)
        level.close(model.horizon)
    station.servers_level = replayed[LEVEL_SERVERS]
    station.capacity_level = replayed[LEVEL_CAPACITY]
