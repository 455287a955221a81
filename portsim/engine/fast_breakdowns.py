"""Stations that can be out of order, on the fast path: servers that fail and are repaired on
their own clocks, outage windows, services interrupted that resume or restart, and customers
who take a fallback route while the station is down.

A failure clock runs in calendar time whatever the customers do, so the station's clock is
worked out first, alone (:func:`clock_events`): every position's failures and repairs, the
outage edges, the shift changes and the end of the warm-up, in the order the event engine
processes them -- by time, and at one instant in SimPy's order of scheduling (the events were
all scheduled at the model's own turn, so their ids decide), drawing ``failure`` and
``repair`` in that order, as :class:`~portsim.engine.breakdowns.UnreliableStation` draws them.
The customers are then swept over that clock (:mod:`~portsim.engine.breakdown_sweep`): the
clock first at an instant, then the customers' own events and moves by their turns.

Customers diverted from the queue leave in the model's own turn (before every customer's turn
at that instant, one after another: keys below
:data:`~portsim.engine.fast_entities.CLOCK_KEY`); those who find the station down as they
arrive leave in the turn they moved in.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine import breakdown_sweep as sweep_module
from portsim.engine import model as m
from portsim.engine.breakdown_sweep import (
    CLOCK_FAIL,
    CLOCK_OUTAGE_END,
    CLOCK_OUTAGE_START,
    CLOCK_REPAIR,
    CLOCK_SHIFT,
    CLOCK_WARMUP,
    CUT,
    DONE,
    LEVEL_BROKEN,
    LEVEL_CAPACITY,
    LEVEL_OUT_OF_ORDER,
    LEVEL_RESET,
    LEVEL_SERVERS,
    WAITING,
)
from portsim.engine.control import _follow
from portsim.engine.fast_choices import choice_groups
from portsim.engine.fast_entities import CLOCK_KEY, overlap
from portsim.engine.fast_stations import _shift_changes, _spread
from portsim.engine.kernels import queue_max
from portsim.engine.routes import FallbackVisitNode
from portsim.engine.station_parts import reliability
from portsim.stats.accumulators import Level

if TYPE_CHECKING:
    from portsim.engine.fast_stations import FastStation
    from portsim.engine.streams import Stream, Uniforms

__all__ = ["Reliability", "clock_events", "reliability_of", "unreliable_station",
           "unreliable_unsupported"]


def unreliable_unsupported(model: m.Model, spec: m.StationSpec) -> str | None:
    """Why the fast path cannot run station ``spec``, which can be out of order (None: it
    can)."""
    name = spec.name
    if spec.discipline != "fifo":
        return f"station {name!r} can be out of order and serves by priority"
    if spec.reactive is not None:
        return f"station {name!r} can be out of order and opens servers as its queue grows"
    if name in choice_groups(model):
        return f"station {name!r} can be out of order and is one of a shortest-queue choice"
    if model.monitor_every is not None and name in model.read_stations():
        return f"station {name!r} can be out of order and a monitor reads its queue"
    fallbacks = [taken for cls in model.classes for taken in _fallbacks_taken(cls.route, ())]
    if not fallbacks:
        return None
    for cls in model.classes:
        again = _visited_again(cls.route, ())
        if again is not None:
            return (f"station {name!r} sends customers along a fallback route to station "
                    f"{again!r}, where their own route may take them again after it (the "
                    "routes are not feed-forward)")
    reason = _fallback_unsupported(model, spec, fallbacks)
    return None if reason is None else f"station {name!r} sends customers {reason}"


def _fallbacks_taken(route: m.Route, after: tuple[m.Route, ...]) -> list[m.Route]:
    """The routes a customer diverted by each fallback in ``route`` walks until it rejoins its
    own: the fallback itself, or where it is empty (nothing instead of the visit) the first
    step after the visit (then the routes ``after``), or no step at all."""
    found: list[m.Route] = []
    for index, step in enumerate(route):
        rest = (route[index + 1:], *after)
        if isinstance(step, m.Visit) and step.fallback is not None:
            following = next(((part[0],) for part in rest if part), ())
            found.append(step.fallback or following)
        inner = ([sub for _, sub in step.options] if isinstance(step, m.Branch)
                 else [step.route] if isinstance(step, m.OptionalStep) else [])
        for sub in inner:
            found.extend(_fallbacks_taken(sub, rest))
    return found


def _visited_again(route: m.Route, after: tuple[m.Route, ...]) -> str | None:
    """A station that a fallback route in ``route`` goes to and that the steps after its visit
    (then the routes ``after``) may go to again, or None."""
    for index, step in enumerate(route):
        rest = (route[index + 1:], *after)
        if isinstance(step, m.Visit) and step.fallback is not None:
            later = {name for part in rest for name in m.stations_visited(part)}
            again = [name for name in m.stations_visited(step.fallback) if name in later]
            if again:
                return again[0]
        inner = ([sub for _, sub in step.options] if isinstance(step, m.Branch)
                 else [step.route] if isinstance(step, m.OptionalStep) else [])
        for sub in inner:
            found = _visited_again(sub, rest)
            if found is not None:
                return found
    return None


def _fallback_unsupported(model: m.Model, spec: m.StationSpec,
                          fallbacks: list[m.Route]) -> str | None:
    """Why the fallback routes of the model need the event engine. The fast path moves those
    diverted from the queue in the model's own turn; it keeps the event engine's order where
    nothing else of the model's clock falls on the same instant."""
    if sum(1 for other in model.stations if other.unreliable) > 1:
        return "along a fallback route, and another station can be out of order"
    if spec.breakdowns is not None:
        return "along a fallback route when failures put every server out of order"
    for route in fallbacks:
        first = route[0] if route else None
        if not isinstance(first, (m.Visit, m.ShortestQueue)):
            return "along a fallback route that does not start at a station"
        for step in m.steps(route):
            if isinstance(step, m.Spawn):
                return "along a fallback route that spawns a batch"
            if isinstance(step, m.Visit) and model.station(step.station).unreliable:
                return "along a fallback route to a station that can be out of order"
    edges = {edge for window in spec.outages for edge in window}
    clocks = {change for other in model.stations
              for change, _ in _shift_changes(other.servers, model.horizon)}
    if model.warmup > 0:
        clocks.add(model.warmup)
    if edges & clocks:
        return ("along a fallback route as an outage starts or ends with a shift change or "
                "the warm-up's end")
    return None


@dataclass
class Reliability:
    """The event engine's failure clocks, outage windows and choices of one station (its
    ``station_parts.reliability``, the same named streams)."""

    between: Stream | None
    repair: Stream | None
    choices: Uniforms
    positions: int
    resumes: bool
    outages: tuple[tuple[float, float], ...]


def reliability_of(spec: m.StationSpec, seed: int, replication: int) -> Reliability:
    """Station ``spec``'s clocks and streams on the fast path."""
    parts = reliability(spec, seed, replication, fall_back=_nowhere)
    del parts["fall_back"]
    return Reliability(**parts)


def _nowhere(entity: Any, fallback: Any) -> None:  # pragma: no cover - never called
    raise AssertionError("the fast path diverts customers itself")


class _Shifts:
    """The event engine's shift process (``control._follow``) driven by the clock here: it
    applies the changes it reaches (into ``out``) and says when it wakes next."""

    def __init__(self, schedule: m.ShiftSchedule, out: list[tuple[float, int, int]]) -> None:
        self.now = 0.0
        self.current = schedule.servers_at(0.0)
        self.out = out
        self.process = _follow(self, schedule, lambda: self.current,  # type: ignore[arg-type]
                               self._apply)

    def timeout(self, delay: float) -> float:
        """What the process yields: its delay, which the clock schedules."""
        return delay

    def _apply(self, servers: int) -> None:
        self.current = servers
        self.out.append((self.now, CLOCK_SHIFT, servers))

    def wake(self, at: float) -> float | None:
        """Run the process at ``at``: the delay to its next change (None: no more)."""
        self.now = at
        return next(self.process, None)


def clock_events(spec: m.StationSpec, parts: Reliability, warmup: float,
                 horizon: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The station's clock before ``horizon`` as (times, codes, values), in the order the
    event engine processes it: at one instant in the order the events were scheduled (SimPy
    breaks ties at one turn by event id). The event engine schedules every position's first
    failure, then each outage's start and end (``UnreliableStation.start_clocks``), then the
    end of the warm-up, all before it runs; the shift process applies the changes at time 0
    as it starts (before anything else at 0) and schedules its next change then, and each
    later one at the change before; a failure schedules its repair and a repair the next
    failure."""
    ids = itertools.count()
    scheduled = _scheduled_before_run(parts, warmup, ids)  # (time, id, code, value)
    out: list[tuple[float, int, int]] = []
    shifts = None if spec.servers.is_constant else _Shifts(spec.servers, out)
    delay = None if shifts is None else shifts.wake(0.0)
    if delay is not None:
        heappush(scheduled, (0.0 + delay, next(ids), CLOCK_SHIFT, -1))
    while scheduled:
        at, _, code, value = heappop(scheduled)
        if not at < horizon:
            break
        if code == CLOCK_SHIFT:
            assert shifts is not None
            delay = shifts.wake(at)
            if delay is not None:
                heappush(scheduled, (at + delay, next(ids), CLOCK_SHIFT, -1))
            continue
        out.append((at, code, value))
        if code == CLOCK_FAIL:
            assert parts.repair is not None
            heappush(scheduled, (at + parts.repair.draw(), next(ids), CLOCK_REPAIR, value))
        elif code == CLOCK_REPAIR:
            assert parts.between is not None
            heappush(scheduled, (at + parts.between.draw(), next(ids), CLOCK_FAIL, value))
    return (np.asarray([event[0] for event in out], dtype=float),
            np.asarray([event[1] for event in out], dtype=np.int64),
            np.asarray([event[2] for event in out], dtype=np.int64))


def _scheduled_before_run(parts: Reliability, warmup: float,
                          ids: Iterator[int]) -> list[tuple[float, int, int, int]]:
    """What the event engine schedules before it runs, in that order (times as it computes
    them, ``now + delay`` from 0)."""
    scheduled: list[tuple[float, int, int, int]] = []
    if parts.between is not None:
        for position in range(parts.positions):
            heappush(scheduled, (0.0 + parts.between.draw(), next(ids), CLOCK_FAIL, position))
    for start, end in parts.outages:
        if end > 0.0:
            heappush(scheduled, (0.0 + max(0.0, start - 0.0), next(ids), CLOCK_OUTAGE_START, 0))
            heappush(scheduled, (0.0 + (end - 0.0), next(ids), CLOCK_OUTAGE_END, 0))
    if warmup > 0:
        heappush(scheduled, (0.0 + warmup, next(ids), CLOCK_WARMUP, 0))
    return scheduled


def _swept(station: FastStation, parts: Reliability,
           clock: tuple[np.ndarray, np.ndarray, np.ndarray],
           arrivals: np.ndarray, kinds: np.ndarray, turns: np.ndarray, moves: np.ndarray,
           fallback: np.ndarray, warmup: float, horizon: float) -> tuple[np.ndarray, ...]:
    """The sweep's rows (see ``breakdown_sweep.python_unreliable_starts``), its draws taken
    ahead: each class's services (as many as it has customers here, more if restarts use
    them up) and two choices per failure (no failure uses more)."""
    count = arrivals.size
    classes = 1 + max([*station.services, int(kinds.max()) if count else -1])
    sizes = np.bincount(kinds, minlength=classes) if count else np.zeros(classes, np.int64)
    failures = int(np.count_nonzero(clock[1] == CLOCK_FAIL))
    choices = parts.choices.take(2 * failures)
    taken = [np.empty(0)] * classes
    extra = 0 if parts.resumes else 16
    while True:
        wanted = sizes + extra * (sizes > 0)
        for index, stream in station.services.items():
            more = int(wanted[index]) - taken[index].size
            if more > 0:  # the same stream goes on: a longer block starts as the shorter one
                taken[index] = np.concatenate((taken[index], stream.take(more)))
        blocks = [taken[index] if index in station.services else np.full(int(wanted[index]),
                                                                          math.nan)
                  for index in range(classes)]
        offsets = np.concatenate(([0], np.cumsum([block.size for block in blocks])))
        rows = sweep_module.unreliable_starts(
            np.ascontiguousarray(arrivals, dtype=float), _ints(kinds), _ints(turns),
            _ints(moves), _ints(fallback), _servers_at_start(station), parts.positions,
            parts.resumes, horizon, warmup, clock,
            (offsets.astype(np.int64), np.concatenate(blocks) if blocks else np.empty(0),
             choices), _most_servers(station.spec))
        if rows is not None:
            return rows  # type: ignore[no-any-return]
        extra = 2 * extra + count


def _most_servers(spec: m.StationSpec) -> int:
    return max([spec.servers.servers_at(0.0), *(servers for _, servers in spec.servers.steps)])


def _servers_at_start(station: FastStation) -> int:
    return station.spec.servers.servers_at(0.0)


def _ints(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.int64)


def unreliable_station(state: Any, station: FastStation, flows: list[Any], ids: np.ndarray,
                       arrivals: np.ndarray, keys: np.ndarray, source: np.ndarray,
                       kinds: np.ndarray) -> None:
    """Evaluate an unreliable station on the fast path (``state``: the ``FastReplication``):
    its statistics, and its customers on to their next step or their fallback route."""
    model, entities = state.model, state.entities
    parts = station.reliability
    assert parts is not None
    count = ids.size
    turns = entities.turns(np.concatenate((ids, keys)))
    has_fallback = np.asarray([isinstance(flow[0], FallbackVisitNode) for flow in flows],
                              dtype=np.int64)
    fallback = has_fallback[source] if count else np.zeros(0, np.int64)
    clock = clock_events(station.spec, parts, model.warmup, model.horizon)
    segments, stays, diverted, levels, interrupted = _swept(
        station, parts, clock, arrivals, kinds, turns[:count], turns[count:], fallback,
        model.warmup, model.horizon)
    state.visits += count
    _record(state, station, ids, arrivals, segments, stays, diverted)
    station.interrupted = int(interrupted[0])
    _levels(station, model, stays, segments, levels)
    if state.kept is not None:
        _keep(state, station.name, ids, arrivals, segments, diverted)
    waiting = stays[:, 3] == WAITING
    if waiting.any():
        state._still_queueing(station, ids[stays[waiting, 0].astype(np.int64)],
                              stays[waiting, 1])
    # the entity in whose turn each rank moves: a service's end goes on in the turn it came in
    everyone = np.concatenate((ids, keys))
    ranked = turns >= 0
    in_turn_of = np.zeros(int(turns.max()) + 1 if count else 0, dtype=np.int64)
    in_turn_of[turns[ranked]] = everyone[ranked]
    _send_on(state, flows, ids, keys, source, segments, diverted,
             (in_turn_of, turns[:count]))


def _record(state: Any, station: FastStation, ids: np.ndarray, arrivals: np.ndarray,
            segments: np.ndarray, stays: np.ndarray, diverted: np.ndarray) -> None:
    """The waits (each customer's own, and the station's tallies: one wait per customer, at
    its first start; those after an interruption apart) and the station's counters."""
    model, entities = state.model, state.entities
    started, ends = segments[:, 1], segments[:, 2]
    first, measured, waited = segments[:, 4] == 1.0, segments[:, 5] == 1.0, segments[:, 6]
    left = stays[:, 2]
    gone = left < math.inf
    stay_of = stays[:, 0].astype(np.int64)
    np.add.at(entities.wait, ids[stay_of[gone]], (left - stays[:, 1])[gone])
    kept = first & measured
    station.waits.add_many(waited[kept])
    station.slots.add_many(waited[kept], started[kept] - waited[kept])
    station.interrupted_waits.add_many(waited[~first & measured])
    station.diverted = int(np.count_nonzero(diverted[:, 3] == 1.0))
    done = segments[:, 3] == DONE
    station.completions = int(np.count_nonzero(done & (ends >= model.warmup)))
    station.arrivals = int(np.count_nonzero(arrivals >= model.warmup))
    if entities.counted is not None and station.name in (model.slot_stations or ()):
        # what a visit adds to the counted waits: its time in this queue, once it is done
        served = segments[done, 0].astype(np.int64)
        total = np.zeros(ids.size)
        np.add.at(total, stay_of[gone], (left - stays[:, 1])[gone])
        entities.add_counted(ids[served], total[served])


def _send_on(state: Any, flows: list[Any], ids: np.ndarray, keys: np.ndarray,
             source: np.ndarray, segments: np.ndarray, diverted: np.ndarray,
             ranks: tuple[np.ndarray, np.ndarray]) -> None:
    """The served on to their next step, the diverted along their fallback route.

    ``ranks``: the entity of each turn rank, and each customer's own rank. A service that
    took no time and ended in a later turn than its customer's own (SimPy takes it right
    after the event that started it) goes on in that turn, after the one whose turn it is:
    each such one is sent alone, after the others, in the order they ended."""
    in_turn_of, own = ranks
    done = segments[:, 3] == DONE
    served_at, ends = segments[done, 0].astype(np.int64), segments[done, 2]
    ended_rank = segments[done, 7].astype(np.int64)
    late = ended_rank != own[served_at]
    ended_in = in_turn_of[ended_rank]
    moved = diverted[:, 0].astype(np.int64)
    from_queue = diverted[:, 2] == 1.0
    # those sent from the queue go on in the model's own turn, in the order they were sent
    order = np.cumsum(from_queue) - int(np.count_nonzero(from_queue)) - 1
    moved_keys = np.where(from_queue, CLOCK_KEY + order, keys[moved])
    for index, flow in enumerate(flows):
        node = flow[0]
        owner = state.owner[id(node)]
        mine = (source[served_at] == index) & ~late
        state._send(state.unit(node.next, owner), node.next, ids[served_at[mine]],
                    ends[mine], ended_in[mine])
        if isinstance(node, FallbackVisitNode):
            mine = source[moved] == index
            state._send(state.unit(node.fallback, owner), node.fallback, ids[moved[mine]],
                        diverted[mine, 1], moved_keys[mine])
    for at in np.flatnonzero(late).tolist():
        node = flows[int(source[served_at[at]])][0]
        state._send(state.unit(node.next, state.owner[id(node)]), node.next,
                    ids[served_at[at:at + 1]], ends[at:at + 1], ended_in[at:at + 1])


def _levels(station: FastStation, model: m.Model, stays: np.ndarray, segments: np.ndarray,
            levels: np.ndarray) -> None:
    """Queue length, busy servers, and the levels the station set (servers on duty,
    capacity, broken, out of order), replayed in the event engine's order."""
    horizon, warmup = model.horizon, model.warmup
    joins, leaves = stays[:, 1], np.minimum(stays[:, 2], horizon)
    queued = leaves > joins
    joins, leaves = joins[queued], leaves[queued]
    sorted_joins, sorted_leaves = np.sort(joins), np.sort(leaves)
    area = float(np.sum(np.clip(leaves - np.maximum(joins, warmup), 0.0, None)))
    station.queue_level = Level.integrated(
        int(np.count_nonzero(stays[:, 3] == WAITING)), warmup, horizon, area,
        queue_max(sorted_joins, sorted_leaves, warmup), station.bin_width,
        _spread(joins, leaves, station.bin_width, station.bin_count))
    starts, ends = segments[:, 1], segments[:, 2]
    busy_area = overlap(starts, ends, warmup, horizon)
    running = int(np.count_nonzero(segments[:, 3] == 2.0))
    station.busy_level = Level.integrated(running, warmup, horizon, busy_area, math.nan)
    servers = _servers_at_start(station)
    replayed = {LEVEL_SERVERS: Level(servers), LEVEL_CAPACITY: Level(servers),
                LEVEL_BROKEN: Level(0), LEVEL_OUT_OF_ORDER: Level(0)}
    for at, which, value in levels.tolist():
        if which == LEVEL_RESET:
            for level in replayed.values():
                level.reset(at)
        else:
            replayed[int(which)].set(at, value)
    for level in replayed.values():
        level.close(horizon)
    station.servers_level = replayed[LEVEL_SERVERS]
    station.capacity_level = replayed[LEVEL_CAPACITY]
    station.broken_level = replayed[LEVEL_BROKEN]
    station.out_of_order_level = replayed[LEVEL_OUT_OF_ORDER]
    samples = list(station.queue_samples)
    if samples:
        at = np.asarray([day * m.MINUTES_PER_DAY + minute for day, minute in samples])
        waiting = (np.searchsorted(sorted_joins, at, side="right")
                   - np.searchsorted(sorted_leaves, at, side="right"))
        station.queue_samples.update(zip(samples, waiting.tolist(), strict=True))


#: Where an interruption and a diversion stand among the events of one instant in the event log
#: (arrivals 0, queue joins 1, starts 2, finishes 3): a customer cut off and sent on joins its
#: fallback's queue at that instant after them.
_CUT_OFF, _SENT_ON = 0.6, 0.7


def _keep(state: Any, name: str, ids: np.ndarray, arrivals: np.ndarray,
          segments: np.ndarray, diverted: np.ndarray) -> None:
    """The station's events for the event log: queue joins, every start, finishes,
    interruptions and diversions."""
    horizon = state.model.horizon
    events: list[tuple[float, float, int, str, str]] = state.kept_events
    at_arrival = set(diverted[diverted[:, 2] == 0.0, 0].astype(np.int64).tolist())
    for position, (entity, joined) in enumerate(zip(ids.tolist(), arrivals.tolist(),
                                                    strict=True)):
        if position not in at_arrival:
            events.append((joined, 1, entity, name, "queue"))
    for position, start, end, how in segments[:, :4].tolist():
        entity = int(ids[int(position)])
        events.append((start, 2, entity, name, "start"))
        if how == DONE and end < horizon:
            events.append((end, 3, entity, name, "finish"))
        elif how == CUT:
            events.append((end, _CUT_OFF, entity, name, "interrupt"))
    for position, when, _, _ in diverted.tolist():
        events.append((when, _SENT_ON, int(ids[int(position)]), name, "divert"))
