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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine import model as m
from portsim.engine.distributions import can_be_zero
from portsim.engine.fast_choices import choice_groups
from portsim.engine.fast_impatience import leave_unserved, rule_arrays
from portsim.engine.fast_reactive import follow, play
from portsim.engine.impatience import Rule
from portsim.engine.kernels_pools import LEVEL_CAPACITY, LEVEL_SERVERS, pooled_starts
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


@dataclass
class _Swept:
    """What became of a station's customers (positions in the order they moved): who
    started (``started``, in the order they did, at ``starts``), then who still queues
    (``waiting``); each one's service and latest try; each give-up (``gone``: position, when
    its try came, when it left, reneged or balked, for good or not); each try back; every
    try's arrival; the levels the station set (time, LEVEL_*, value)."""

    started: np.ndarray
    starts: np.ndarray
    waiting: np.ndarray
    service_of: np.ndarray
    latest: np.ndarray
    gone: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    back: tuple[np.ndarray, np.ndarray]
    came: np.ndarray
    levels: list[tuple[float, int, int]]


def _layout(spec: m.StationSpec, names: list[str]) -> tuple[np.ndarray, ...]:
    """The pools as :func:`~portsim.engine.kernels_pools.pooled_starts` takes them (a
    station without pools: one pool with every skill, first come, first served)."""
    if spec.pools:
        skill_names = list(dict.fromkeys(skill for pool in spec.pools for skill in pool.skills))
        number = {skill: index for index, skill in enumerate(skill_names)}
        skills = [sorted({number[skill] for skill in pool.skills}) for pool in spec.pools]
        servers = [pool.servers.servers_at(0.0) for pool in spec.pools]
        skill_of = [number.get(spec.skill_by_class.get(name, ""), 0) for name in names]
    else:
        skills, servers, skill_of = [[0]], [spec.servers.servers_at(0.0)], [0] * len(names)
    # per skill: the pools that have it, fewest skills first, then as listed
    preferred = [sorted((p for p, mine in enumerate(skills) if skill in mine),
                        key=lambda p: len(skills[p])) for skill in range(max(map(max, skills)) + 1)]

    def flat(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        offsets = np.concatenate(([0], np.cumsum([len(part) for part in lists])))
        return (offsets.astype(np.int64),
                np.asarray([item for part in lists for item in part], dtype=np.int64))

    return (*flat(skills), np.asarray(servers, dtype=np.int64), *flat(preferred),
            np.asarray(skill_of, dtype=np.int64))


def _rule_arrays(rules: dict[int, Rule], classes: int) -> tuple[np.ndarray, ...]:
    """(patient, balk_at, chance_offsets, chances, retry) of each class."""
    retry = np.zeros(classes)
    for index, rule in rules.items():
        retry[index] = rule.retry if rule.away is not None else 0.0
    return (*rule_arrays(rules, classes), retry)


class _Draws:
    """Each class's variates per try (patience, balking uniform, retry uniform, time away),
    drawn ahead from its streams and drawn further when a sweep ran out: the same stream
    continues, so a longer block begins with the shorter one."""

    def __init__(self, rules: dict[int, Rule]) -> None:
        self.rules = rules
        self.drawn: dict[tuple[int, int], np.ndarray] = {}

    def _streams(self, index: int) -> list[Any]:
        rule = self.rules.get(index)
        if rule is None:
            return [None] * 4
        tries_chance = any(0.0 < chance < 1.0 for chance in rule.balk_probabilities)
        back = rule.away is not None and rule.retry > 0.0
        return [rule.patience, rule.uniforms if tries_chance else None,
                rule.retry_uniforms if back and rule.retry < 1.0 else None,
                rule.away if back else None]

    def blocks(self, sizes: list[int]) -> tuple[np.ndarray, ...]:
        """(try_offsets, patiences, uniforms, retry_uniforms, aways): ``sizes[k]`` of each
        for class ``k`` (NaN where it has no such stream)."""
        offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        columns = [np.full(int(offsets[-1]), math.nan) for _ in range(4)]
        for index, size in enumerate(sizes):
            for purpose, stream in enumerate(self._streams(index)):
                if stream is None or not size:
                    continue
                have = self.drawn.get((index, purpose), np.zeros(0))
                if have.size < size:
                    have = np.concatenate((have, stream.take(size - have.size)))
                    self.drawn[(index, purpose)] = have
                columns[purpose][offsets[index]:offsets[index] + size] = have[:size]
        return (offsets, *columns)


def _swept(station: FastStation, model: m.Model, kinds: np.ndarray, arrivals: np.ndarray,
           own: np.ndarray, moves: np.ndarray) -> _Swept:
    """The station's day (:func:`~portsim.engine.kernels_pools.pooled_starts`), its blocks of
    draws and outputs doubled until they hold every try."""
    names = [cls.name for cls in model.classes]
    count, classes = arrivals.size, len(names)
    rules = station.trying or {}
    sizes = np.bincount(kinds, minlength=classes).tolist() if count else [0] * classes
    service_offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    services = np.full(int(service_offsets[-1]), math.nan)
    for index, size in enumerate(sizes):
        if size and index in station.services:
            services[service_offsets[index]:service_offsets[index + 1]] = \
                station.services[index].take(size)
    clock = pool_clock(station.spec, model.horizon)
    clock_arrays = (np.asarray([at for at, _, _ in clock], dtype=float),
                    np.asarray([pool for _, pool, _ in clock], dtype=np.int64),
                    np.asarray([servers for _, _, servers in clock], dtype=np.int64))
    customers = (np.ascontiguousarray(arrivals, dtype=float),
                 np.ascontiguousarray(kinds, dtype=np.int64),
                 np.ascontiguousarray(own, dtype=np.int64),
                 np.ascontiguousarray(moves, dtype=np.int64))
    layout, per_class, draws = _layout(station.spec, names), _rule_arrays(rules, classes), \
        _Draws(rules)
    factor = 2
    while True:
        tries = [size * factor + 4 if size else 0 for size in sizes]
        room = sum(tries)
        outputs = (np.empty(count), np.empty(count, np.int64), np.empty(count),
                   np.empty(count), np.empty(count, np.int64), np.empty(room, np.int64),
                   np.empty(room), np.empty(room), np.empty(room, np.int64),
                   np.empty(room, np.int64), np.empty(room), np.empty(room),
                   np.empty(2 * len(clock) + count + 1),
                   np.empty(2 * len(clock) + count + 1, np.int64),
                   np.empty(2 * len(clock) + count + 1, np.int64))
        counts = pooled_starts(*customers, layout, clock_arrays, model.horizon,
                               (service_offsets, services, *draws.blocks(tries)), per_class,
                               outputs)
        if counts[0] >= 0:
            return _unpacked(counts, outputs)
        factor *= 2


def _unpacked(counts: tuple[int, ...], outputs: tuple[np.ndarray, ...]) -> _Swept:
    started, lost, returned, tries, levels = counts
    (starts, order, service_of, latest, joined, gone, gone_arrived, gone_left, how, back,
     back_at, came, level_at, level_which, level_value) = outputs
    waiting = np.flatnonzero(joined)
    waiting = waiting[np.argsort(joined[waiting], kind="stable")]
    how = how[:lost]
    return _Swept(order[:started], starts[:started], waiting, service_of, latest,
                  (gone[:lost], gone_arrived[:lost], gone_left[:lost], (how & 3) == 2, how >= 4),
                  (back[:returned], back_at[:returned]), came[:tries],
                  list(zip(level_at[:levels].tolist(), level_which[:levels].tolist(),
                           level_value[:levels].tolist(), strict=True)))


def pooled_station(state: Any, station: FastStation, flows: list[Any], ids: np.ndarray,
                   arrivals: np.ndarray, keys: np.ndarray, source: np.ndarray,
                   kinds: np.ndarray) -> None:
    """Station ``station`` of the fast path's replication ``state`` (a ``FastReplication``),
    swept: those who gave up for good leave the system, the served go on as from any
    station (see the module's docstring)."""
    model = state.model
    count = ids.size
    turns = state.entities.turns(np.concatenate((ids, keys)))
    swept = _swept(station, model, kinds, arrivals, turns[:count], turns[count:])
    order = np.concatenate((swept.started, swept.waiting))
    where, tried, left, reneged, final = swept.gone
    # a customer's first try moves in the turn it reached the station in, a later one in its own
    first_try = np.zeros(where.size, dtype=bool)
    first_try[np.unique(where, return_index=True)[1]] = True
    moved_in = np.where(first_try, keys[where], ids[where])
    if station.spec.impatient:
        station.record_giving_up(model, swept.came, tried, left, reneged)
        station.retried = int(np.count_nonzero(swept.back[1] >= model.warmup))
        leave_unserved(state.entities, list(state.classes.values()), model.warmup, ids[where],
                       moved_in, tried, left, reneged, final)
        state.kept_gone.append((station.name, ids[where], tried, left, reneged))
        if state.kept is not None:
            state.kept_events.extend(
                (at, 1.0, entity, station.name, "retry") for entity, at
                in zip(ids[swept.back[0]].tolist(), swept.back[1].tolist(), strict=True))
    state._served(station, flows, ids[order], swept.latest[order], source[order],
                  swept.service_of[order], swept.starts, ordered=False)
    _replay_levels(station, model, swept.levels)


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
