"""Customers who give up, on the fast path: a station where some class may balk (a queue limit
or balking by queue length) or renege (a patience in the queue), swept over its own events as
:class:`~portsim.engine.kernels.PrioritySweep` does, with one more kind of event, a patience
running out.

The event engine's :class:`~portsim.engine.impatience.ImpatientStation` decides at arrival: a
customer who finds a server free starts; one who would have to queue balks or joins, and a
joining one draws its patience then (its class's stream at this station, in the order its
members join). A patience that runs out in the customer's own turn takes it out of the queue
unless its service started first. Here the same decisions are taken in the same order: the
sweep plays every event before each move (shift changes first at an instant, then services
ending and patience running out by their customers' turns), so each customer finds the queue
and the servers as the event engine's would, and the draws of the balking uniforms and the
patiences are the same numbers in the same order. Retrials, patience over a whole visit, and
monitors of such a station stay with the event engine (see ``fast_plan.unsupported_part``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from heapq import heappop, heappush
from typing import TYPE_CHECKING

import numpy as np

from portsim.engine import model as m
from portsim.engine.streams import Stream, Uniforms, generator

if TYPE_CHECKING:
    from portsim.engine.classes import ClassState
    from portsim.engine.fast_entities import Entities

__all__ = ["BALK", "RENEGE", "GivingUp", "ImpatientSweep", "giving_up_rules",
           "impatient_starts", "leave_unserved"]

#: How a customer left a station without service (the ``how`` of :class:`ImpatientSweep`).
BALK, RENEGE = 1, 2


@dataclass
class GivingUp:
    """One class's rule at one station, with its streams: the queue length it refuses at,
    the chances of balking by queue length, and its patience (None: it waits for good)."""

    balk_at: int | None
    balk_probabilities: tuple[float, ...]
    uniform: Callable[[], float]
    patience: Callable[[], float] | None

    def balks(self, waiting: int) -> bool:
        """Whether a customer who finds ``waiting`` customers queueing refuses to join (the
        event engine's ``Rule.balks``: a uniform drawn only for a chance strictly between 0
        and 1)."""
        if self.balk_at is not None and waiting >= self.balk_at:
            return True
        chances = self.balk_probabilities
        if not chances:
            return False
        chance = chances[min(waiting, len(chances) - 1)]
        return chance >= 1.0 or (chance > 0.0 and self.uniform() < chance)


def giving_up_rules(model: m.Model, spec: m.StationSpec, class_index: dict[str, int],
                    seed: int, replication: int) -> dict[int, GivingUp]:
    """The rule of each class (by index) that may give up at station ``spec``, on the event
    engine's streams (``station_parts.impatience_rules``)."""
    rules = {}
    for cls in model.classes:
        rule = spec.impatience_for(cls.name)
        if rule is None:
            continue
        patience = None if rule.patience is None else Stream(
            rule.patience, generator(seed, replication, "patience", spec.name, cls.name)).draw
        uniforms = Uniforms(generator(seed, replication, "balk", spec.name, cls.name))
        rules[class_index[cls.name]] = GivingUp(rule.balk_at, rule.balk_probabilities,
                                                uniforms.draw, patience)
    return rules


class ImpatientSweep:
    """A station's events swept in the event engine's order, its customers served by priority
    (lowest first, then in the order they joined: all alike at a FIFO station) and some of
    them giving up. ``started``/``start_times`` as for PrioritySweep; ``left`` maps the
    position of each who left without service to (when, :data:`BALK` or :data:`RENEGE`), in
    the order they left."""

    def __init__(self, servers: int, changes: list[tuple[float, int]], horizon: float,
                 draws: dict[int, Callable[[], float]], count: int) -> None:
        self.on_duty = servers
        # a service is drawn when it starts, from its class's stream: those who leave
        # without service draw none
        self.draws = draws
        self.services = [math.nan] * count
        self.changes = changes
        self.upcoming = 0
        self.horizon = horizon
        self.busy = 0
        self.running: list[tuple[float, int, int]] = []   # (end, turn, position)
        self.timers: list[tuple[float, int, int]] = []    # (patience out, turn, position)
        self.waiting: list[tuple[int, int, int, int, int]] = []  # priority, joined, position,
        # class, turn
        self.live: set[int] = set()  # positions in the queue (the heap keeps the others)
        self.joined = 0
        self.started: list[int] = []
        self.start_times: list[float] = []
        self.left: dict[int, tuple[float, int]] = {}

    def advance(self, at: float, turn: int) -> None:
        """Play every event before a move at ``at`` in turn ``turn`` (and before the
        horizon): shift changes up to ``at``, services ending and patience running out before
        ``at`` or at ``at`` in a turn not after ``turn``."""
        changes, running, timers, horizon = self.changes, self.running, self.timers, self.horizon
        count = len(changes)
        while True:
            change = changes[self.upcoming][0] if self.upcoming < count else math.inf
            end = running[0][:2] if running else (math.inf, 0)
            out = timers[0][:2] if timers else (math.inf, 0)
            first = end if end <= out else out
            if change <= first[0]:
                if not (change <= at and change < horizon):
                    return
                self._change(change, changes[self.upcoming][1])
                self.upcoming += 1
            elif first[0] < horizon and (first[0] < at or (first[0] == at
                                                           and first[1] <= turn)):
                if first is end:
                    self._finish(end[0])
                else:
                    self._renege(out[0])
            else:
                return

    def arrive(self, at: float, position: int, priority: int, kind: int, turn: int,
               rule: GivingUp | None) -> None:
        """The customer at ``position`` (of class ``kind``) reaches the station at ``at``:
        served at once by a free server, else (by its class's ``rule``) it balks or joins the
        queue with its patience."""
        if self.busy < self.on_duty:
            self.busy += 1
            self._start(at, position, kind, turn)
            return
        if rule is not None and rule.balks(len(self.live)):
            self.left[position] = (at, BALK)
            return
        self.joined += 1
        heappush(self.waiting, (priority, self.joined, position, kind, turn))
        self.live.add(position)
        if rule is not None and rule.patience is not None:
            heappush(self.timers, (at + rule.patience(), turn, position))

    def present(self) -> int:
        return len(self.live) + len(self.running)

    def _start(self, at: float, position: int, kind: int, turn: int) -> None:
        service = self.draws[kind]()
        self.services[position] = service
        self.started.append(position)
        self.start_times.append(at)
        heappush(self.running, (at + service, turn, position))

    def _head(self) -> tuple[int, int, int, int, int]:
        """Take the head of the queue (those who gave up are dropped from the heap here)."""
        while True:
            head = heappop(self.waiting)
            if head[2] in self.live:
                self.live.discard(head[2])
                return head

    def _finish(self, end: float) -> None:
        heappop(self.running)
        if self.live and self.busy <= self.on_duty:
            _, _, position, kind, turn = self._head()
            self._start(end, position, kind, turn)
        else:
            self.busy -= 1

    def _renege(self, out: float) -> None:
        _, _, position = heappop(self.timers)
        if position in self.live:  # else its service started first
            self.live.discard(position)
            self.left[position] = (out, RENEGE)

    def _change(self, at: float, servers: int) -> None:
        self.on_duty = servers
        while self.busy < servers and self.live:
            self.busy += 1
            _, _, position, kind, turn = self._head()
            self._start(at, position, kind, turn)


def impatient_starts(sweep: ImpatientSweep, arrivals: np.ndarray, priorities: np.ndarray,
                     turns: np.ndarray, moves: np.ndarray, kinds: np.ndarray,
                     rules: dict[int, GivingUp]) -> ImpatientSweep:
    """Sweep the customers reaching a station (in the order they move) through ``sweep``
    and to the horizon."""
    for position, (at, priority, turn, move, kind) in enumerate(zip(
            arrivals.tolist(), priorities.tolist(), turns.tolist(), moves.tolist(),
            kinds.tolist(), strict=True)):
        sweep.advance(at, move)
        sweep.arrive(at, position, priority, kind, turn, rules.get(kind))
    sweep.advance(sweep.horizon, -1)
    return sweep


def leave_unserved(entities: Entities, classes: list[ClassState], warmup: float,
                   ids: np.ndarray, keys: np.ndarray, arrived: np.ndarray, left: np.ndarray,
                   reneged: np.ndarray) -> None:
    """Customers ``ids`` (of ``classes``, by index; moving in the turns of ``keys``) left
    the system without service at ``left``: gave up waiting (``reneged``: the wait counts in
    their own and among their class's abandoning waits) or balked on arrival."""
    if not ids.size:
        return
    entities.wait[ids[reneged]] += (left - arrived)[reneged]
    entities.departed[ids] = left
    # who waits for a batch goes on in the turn of its last member out
    entities.left_by[ids] = np.where(reneged, ids, keys)
    measured = left >= warmup
    kinds = entities.kind[ids]
    for index, kind in enumerate(classes):
        mine = measured & (kinds == index)
        if not mine.any():
            continue
        kind.balked += int(np.count_nonzero(mine & ~reneged))
        kind.abandoned += int(np.count_nonzero(mine & reneged))
        kind.abandon_waits.add_many(entities.wait[ids[mine & reneged]])
