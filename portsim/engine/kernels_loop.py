"""The event loop of a loop of stations on the fast path, over plain arrays: :func:`loop_events`,
compiled when the C extension was built, else its Python twin :func:`python_loop_events` (the
same numbers: see :mod:`portsim.engine.kernels`). :mod:`portsim.engine.loop_sweep` prepares the
arrays (what each step of the loop's routes does, every stream's draws) and files the results.

The loop plays the events as the event engine does (see :mod:`portsim.engine.loop_sweep`): a
heap keyed by (time, turn, a service ending before a move in one turn, order of scheduling).
A turn is the key of an entity (its place in the order of entry, worked out from the entity
columns: when it entered, whether it was spawned, its class or when it was spawned and by
whom) or, below zero, of the model's own clock, whose shift changes come first of all.

Steps, one row of six int64 each: (what, next, a, b, c, d) where ``what`` is

* ``LEAVE``: the entity leaves the loop (``next``, ``a``.. unused);
* ``BRANCH``: ``a`` the stream of uniforms, the targets ``b`` .. ``b + c`` of the branch
  table (cumulative weights, target steps): the first whose weight exceeds the uniform;
* ``MILESTONE``: ``a`` the tally, filed from ``warmup`` on;
* ``DELAY``: ``a`` the stream of durations (none: the entity goes on at once);
* ``SPAWN``: ``a`` the stream of batch sizes (rounded, half to even), ``b`` the stream of
  offsets within the spread (-1: none), ``c`` the members' first step, ``d`` their class;
* ``VISIT``: ``a`` the station, ``b`` the stream of services, ``c`` the priority of the
  entity at that station (0 at a FIFO one).

Every stream is pre-drawn: ``draws[offsets[k]:offsets[k + 1]]`` are stream k's, handed out in
order. A stream that runs short stops the loop (status 1, the stream): the caller draws more
and runs it again, so the n-th draw of a stream always goes to the n-th entity reaching it.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from heapq import heappop, heappush
from typing import Any

import numpy as np

from portsim.engine.kernels import compiled_or

__all__ = ["BRANCH", "DELAY", "LEAVE", "MILESTONE", "OUTPUTS", "SPAWN", "VISIT", "loop_events",
           "python_loop_events"]

LEAVE, BRANCH, MILESTONE, DELAY, SPAWN, VISIT = range(6)
#: The arrays the loop returns, in order, with their types: the visits (entity, station, when
#: it came, its service, its step), the starts (visit, when), the milestones filed (tally,
#: value), those leaving the loop (step, entity, when, key) and the members spawned (when,
#: class, when spawned, key of the turn that spawned them; numbered from the first id free).
OUTPUTS = (("visit_entity", "q"), ("visit_station", "q"), ("visit_time", "d"),
           ("visit_service", "d"), ("visit_step", "q"), ("start_visit", "q"),
           ("start_time", "d"), ("tally", "q"), ("tally_value", "d"), ("leave_step", "q"),
           ("leave_entity", "q"), ("leave_time", "d"), ("leave_key", "q"),
           ("member_when", "d"), ("member_kind", "q"), ("member_at", "d"), ("member_key", "q"))

_CLOCK_TURN = (-math.inf, -math.inf)
_CHANGE, _END, _MOVE = 0, 1, 2


class _Short(Exception):
    """A stream ran out of draws, or a batch would exceed the entity limit."""

    def __init__(self, status: int, detail: int, extra: int = 0) -> None:
        super().__init__(status, detail, extra)
        self.status, self.detail, self.extra = status, detail, extra


class _Loop:
    """The loop's state as :func:`python_loop_events` plays it."""

    def __init__(self, steps: np.ndarray, branches: tuple[np.ndarray, np.ndarray],
                 streams: tuple[np.ndarray, np.ndarray], turns: tuple[np.ndarray, ...],
                 horizon: float, warmup: float, limit: int) -> None:
        self.steps = steps.tolist()
        self.cumulative, self.targets = branches[0].tolist(), branches[1].tolist()
        self.draws, offsets = streams[0].tolist(), streams[1].tolist()
        self.next_draw, self.draws_end = offsets[:-1], offsets[1:]
        self.entered, self.spawned_by, self.spawned_at, self.kind, self.arrived = turns
        self.first_member = int(self.entered.size)
        self.horizon, self.warmup, self.limit = horizon, warmup, limit
        self.events: list[tuple[Any, ...]] = []
        self.scheduled = 0
        self.turns: dict[int, tuple[Any, ...]] = {}
        self.out: dict[str, array[Any]] = {name: array(code) for name, code in OUTPUTS}
        # NOTE: the visits' columns the events read held as attributes too, not looked up by
        # name at every event, for performance reasons
        self.visit_entity, self.visit_step = self.out["visit_entity"], self.out["visit_step"]
        self.visit_service = self.out["visit_service"]
        self.on_duty: list[int] = []
        self.busy: list[int] = []
        self.waiting: list[list[tuple[int, int, int]]] = []
        self.joined: list[int] = []

    def draw(self, stream: int) -> float:
        at = self.next_draw[stream]
        if at == self.draws_end[stream]:
            raise _Short(1, stream)
        self.next_draw[stream] = at + 1
        return self.draws[at]

    def push(self, at: float, turn: tuple[Any, ...], after: int, action: int, what: int,
             first: int, second: int) -> None:
        self.scheduled += 1
        heappush(self.events, (at, turn, after, self.scheduled, action, what, first, second))

    def turn(self, key: int) -> tuple[Any, ...]:
        """The turn of ``key`` as ``Entities.entry_order`` orders it, as a tuple."""
        turn = self.turns.get(key)
        if turn is None:
            turn = self.turns[key] = self._entry(key)
        return turn

    def _entry(self, key: int) -> tuple[Any, ...]:
        if key < 0:
            return (-math.inf, key)
        entered = float(self.entered[key])
        spawner = int(self.spawned_by[key]) if key < self.spawned_by.size else -1
        if spawner < 0:
            return (entered, 0, int(self.kind[key]), 0.0, (), key)
        return (entered, 1, 0, float(self.spawned_at[key]), self.turn(spawner), key)

    def run(self) -> None:
        events, horizon = self.events, self.horizon
        while events and events[0][0] < horizon:
            at, _, _, _, action, what, first, second = heappop(events)
            if action == _CHANGE:
                self.change(what, at, first)
            elif action == _END:
                self.end(what, at, first)
            else:
                self.go(what, first, at, second)

    def change(self, place: int, at: float, servers: int) -> None:
        # a cut never interrupts a service; more servers take the heads of the queue at once
        self.on_duty[place] = servers
        waiting = self.waiting[place]
        while self.busy[place] < servers and waiting:
            self.busy[place] += 1
            self.start(place, heappop(waiting)[2], at)

    def end(self, place: int, at: float, visit: int) -> None:
        waiting = self.waiting[place]
        if waiting and self.busy[place] <= self.on_duty[place]:  # the freed server takes it
            self.start(place, heappop(waiting)[2], at)
        else:
            self.busy[place] -= 1
        entity = self.visit_entity[visit]
        self.go(self.steps[self.visit_step[visit]][1], entity, at, entity)

    def start(self, place: int, visit: int, at: float) -> None:
        out = self.out
        entity = self.visit_entity[visit]
        service = self.draw(self.steps[self.visit_step[visit]][3])
        self.visit_service[visit] = service
        out["start_visit"].append(visit)
        out["start_time"].append(at)
        if at + service < self.horizon:
            self.push(at + service, self.turn(entity), 0, _END, place, visit, entity)

    def arrive(self, step: list[int], index: int, entity: int, at: float) -> None:
        out = self.out
        place = step[2]
        visit = len(out["visit_entity"])
        out["visit_entity"].append(entity)
        out["visit_station"].append(place)
        out["visit_time"].append(at)
        out["visit_service"].append(math.nan)
        out["visit_step"].append(index)
        if self.busy[place] < self.on_duty[place]:
            self.busy[place] += 1
            self.start(place, visit, at)
            return
        self.joined[place] += 1
        heappush(self.waiting[place], (step[4], self.joined[place], visit))

    def go(self, index: int, entity: int, at: float, key: int) -> None:
        """``entity`` takes its steps from ``index`` on at ``at`` in the turn of ``key``: those
        of no time at once, until it reaches a station, a delay or leaves the loop."""
        out = self.out
        while True:
            step = self.steps[index]
            what = step[0]
            if what == BRANCH:
                first = step[3]
                index = self.targets[bisect_right(self.cumulative, self.draw(step[2]), first,
                                                  first + step[4])]
            elif what == MILESTONE:
                if at >= self.warmup:
                    out["tally"].append(step[2])
                    out["tally_value"].append(at - self._arrived(entity))
                index = step[1]
            elif what == DELAY:
                duration = self.draw(step[2])
                if duration != 0.0:  # its end is the entity's own event
                    self.push(at + duration, self.turn(entity), 1, _MOVE, step[1], entity,
                              entity)
                    return
                index = step[1]
            elif what == SPAWN:
                self.spawn(step, index, at, key)
                index = step[1]
            elif what == VISIT:
                self.arrive(step, index, entity, at)
                return
            else:
                for name, value in zip(("leave_step", "leave_entity", "leave_time",
                                        "leave_key"), (index, entity, at, key), strict=True):
                    out[name].append(value)
                return

    def spawn(self, step: list[int], index: int, at: float, key: int) -> None:
        count = max(0, round(self.draw(step[2])))
        born = [at] * count
        if step[3] >= 0:
            offsets = [self.draw(step[3]) for _ in range(count)]
            born = [at + offset for offset in sorted(offsets)]
        out = self.out
        first = self.first_member + len(out["member_when"])
        if self.limit >= 0 and first + count > self.limit:
            raise _Short(2, index, count)
        kind, spawner = step[5], self.turn(key)
        out["member_when"].extend(born)
        out["member_kind"].extend([kind] * count)
        out["member_at"].extend([at] * count)
        out["member_key"].extend([key] * count)
        for member, when in enumerate(born, start=first):
            # as Entities.entry_order: a batch spawned in the model's own turn enters as an
            # arrival of its class
            turn = self.turns[member] = ((when, 1, 0, at, spawner, member) if key >= 0
                                         else (when, 0, kind, 0.0, (), member))
            self.push(when, turn, 1, _MOVE, step[4], member, member)

    def _arrived(self, entity: int) -> float:
        if entity >= self.first_member:
            return self.out["member_when"][entity - self.first_member]
        return float(self.arrived[entity])


def python_loop_events(steps: np.ndarray, branches: tuple[np.ndarray, np.ndarray],
                       streams: tuple[np.ndarray, np.ndarray], turns: tuple[np.ndarray, ...],
                       places: tuple[np.ndarray, ...], moves: tuple[np.ndarray, ...],
                       horizon: float, warmup: float, limit: int,
                       ) -> tuple[int, int, int, tuple[Any, ...] | None]:
    """Play the loop's events (see the module): ``steps`` (rows of six), ``branches``
    (cumulative weights, target steps), ``streams`` (draws, offsets), ``turns`` (the entity
    columns: entered, spawned_by, spawned_at (both may be empty: nobody spawned), class,
    arrived), ``places`` (servers on duty at first, then the shift changes: station, time,
    servers), ``moves`` (the entities reaching the loop: entity, time, key, step).

    Returns (0, 0, 0, the arrays of :data:`OUTPUTS`); (1, stream, 0, None) where a stream ran
    short; (2, step, batch, None) where the batch spawned at a step would exceed ``limit``
    entities (-1: no limit)."""
    loop = _Loop(steps, branches, streams, turns, horizon, warmup, limit)
    on_duty, change_place, change_time, change_servers = places
    loop.on_duty = on_duty.tolist()
    loop.busy = [0] * len(loop.on_duty)
    loop.waiting = [[] for _ in loop.on_duty]
    loop.joined = [0] * len(loop.on_duty)
    for place, when, servers in zip(change_place.tolist(), change_time.tolist(),
                                    change_servers.tolist(), strict=True):
        loop.push(when, _CLOCK_TURN, 0, _CHANGE, place, servers, 0)
    for entity, at, key, step in zip(*(column.tolist() for column in moves), strict=True):
        loop.push(at, loop.turn(key), 1, _MOVE, step, entity, key)
    try:
        loop.run()
    except _Short as short:
        return short.status, short.detail, short.extra, None
    return 0, 0, 0, tuple(loop.out[name] for name, _ in OUTPUTS)


loop_events = compiled_or("loop_events", python_loop_events)
