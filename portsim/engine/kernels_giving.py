"""The fast path's per-customer loops where customers may give up (balk or renege) and where
servers open and close as the queue's head waits: compiled when the C extension was built,
else Python.

They sweep a station's events as :class:`~portsim.engine.kernels.PrioritySweep` does, with
more kinds of event; as in :mod:`portsim.engine.kernels`, both versions take the same arrays
and give the same floats, so a result never depends on which one ran
(:data:`portsim.engine.kernels.COMPILED` says which one this process uses).
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from heapq import heappop, heappush

import numpy as np

from portsim.engine.kernels import compiled_or

__all__ = ["BALK", "CHECK", "HOLD", "RENEGE", "SHIFT", "GivingUpInputs",
           "ImpatientSweep", "Reaction", "ReactiveSweep", "impatient_starts",
           "python_impatient_starts", "python_reactive_starts", "reactive_starts"]


#: How a customer left a station without service (the ``how`` written by
#: :func:`impatient_starts`).
BALK, RENEGE = 1, 2


class ImpatientSweep:
    """A station's events swept as :class:`~portsim.engine.kernels.PrioritySweep` does, some
    of its customers giving up: one more kind of event, a patience running out (ordered with
    services ending by time, then turn, then position). Every variate is pre-drawn, per class
    in one block of ``blocks`` (class ``k`` owns ``[offsets[k], offsets[k + 1])`` of
    ``services``, ``patiences`` and ``uniforms``) and taken in the order the event engine
    would draw it: a service when it starts, a patience when its customer joins the queue, a
    balking uniform when a chance strictly between 0 and 1 is tried. A customer with a
    deadline over its whole visit (``deadlines``, by position; infinite: none) who joins the
    queue gives up at the earlier of its patience and its deadline (at once if that passed),
    as :class:`~portsim.engine.impatience.ImpatientStation` times it."""

    def __init__(self, servers: int, changes: list[tuple[float, int]], horizon: float,
                 blocks: GivingUpInputs) -> None:
        self.on_duty = servers
        self.changes = changes
        self.upcoming = 0
        self.horizon = horizon
        self.inputs = blocks
        self.next_service = list(blocks.offsets)
        self.next_patience = list(blocks.offsets)
        self.next_uniform = list(blocks.offsets)
        self.busy = 0
        self.running: list[tuple[float, int, int]] = []   # (end, turn, position)
        self.timers: list[tuple[float, int, int]] = []    # (patience out, turn, position)
        # (priority, joined number, position, class, turn)
        self.waiting: list[tuple[int, int, int, int, int]] = []
        self.live: set[int] = set()  # positions in the queue (the heap keeps the others)
        self.joined = 0
        self.started = array("q")  # machine numbers, 8 bytes each, for memory's sake
        self.start_times = array("d")
        self.services: dict[int, float] = {}
        self.left: list[tuple[int, float, int]] = []  # (position, when, BALK or RENEGE)

    def advance(self, at: float, turn: int) -> None:
        """Play every event before a move at ``at`` in turn ``turn`` (and before the
        horizon): shift changes up to ``at``, services ending and patience running out before
        ``at`` or at ``at`` in a turn not after ``turn``."""
        changes, running, timers, horizon = self.changes, self.running, self.timers, self.horizon
        count = len(changes)
        while True:
            change = changes[self.upcoming][0] if self.upcoming < count else math.inf
            end = running[0] if running else (math.inf, 0, 0)
            out = timers[0] if timers else (math.inf, 0, 0)
            # by time, then turn (a service ending before a patience running out in a tie)
            ending = end[0] < out[0] or (end[0] == out[0] and end[1] <= out[1])
            first = end if ending else out
            if change <= first[0]:
                if not (change <= at and change < horizon):
                    return
                self._tick(change)
            elif first[0] < horizon and (first[0] < at or (first[0] == at
                                                           and first[1] <= turn)):
                if ending:
                    self._finish(end[0])
                else:
                    self._renege(out[0])
            else:
                return

    def arrive(self, at: float, position: int, priority: int, kind: int, turn: int) -> None:
        """The customer at ``position`` (of class ``kind``) reaches the station at ``at``:
        served at once by a free server, else it balks or joins the queue with its
        patience."""
        if self.busy < self.on_duty:
            self.busy += 1
            self._start(at, position, kind, turn)
            return
        if self._balks(kind, len(self.live)):
            self.left.append((position, at, BALK))
            return
        self.joined += 1
        heappush(self.waiting, (priority, self.joined, position, kind, turn))
        self.live.add(position)
        timer = math.inf
        if self.inputs.patient[kind]:
            timer = self.inputs.patiences[self.next_patience[kind]]
            self.next_patience[kind] += 1
        deadline = self.inputs.deadlines[position]
        if deadline < math.inf:
            timer = min(timer, max(0.0, deadline - at))
        if timer < math.inf:
            heappush(self.timers, (at + timer, turn, position))

    def _balks(self, kind: int, waiting: int) -> bool:
        """Whether a customer who finds ``waiting`` customers queueing refuses to join."""
        inputs = self.inputs
        limit = inputs.balk_at[kind]
        if limit >= 0 and waiting >= limit:
            return True
        low, high = inputs.chance_offsets[kind], inputs.chance_offsets[kind + 1]
        if low == high:
            return False
        chance = inputs.chances[low + min(waiting, high - low - 1)]
        if chance >= 1.0:
            return True
        if not chance > 0.0:
            return False
        uniform = inputs.uniforms[self.next_uniform[kind]]
        self.next_uniform[kind] += 1
        return uniform < chance

    def _start(self, at: float, position: int, kind: int, turn: int) -> None:
        service = self.inputs.services[self.next_service[kind]]
        self.next_service[kind] += 1
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
            self.left.append((position, out, RENEGE))

    def _tick(self, at: float) -> None:
        """The station's next clock event, at ``at``: here a change of the servers on duty."""
        servers = self.changes[self.upcoming][1]
        self.upcoming += 1
        self._change(at, servers)

    def _change(self, at: float, servers: int) -> None:
        self.on_duty = servers
        while self.busy < servers and self.live:
            self.busy += 1
            _, _, position, kind, turn = self._head()
            self._start(at, position, kind, turn)


#: The kinds of a reactive station's clock events (:class:`ReactiveSweep`): a step of the
#: shift schedule, a check of the queue's head, a step of the positions.
SHIFT, CHECK, HOLD = 0, 1, 2


@dataclass
class Reaction:
    """A rule of queue-reactive staffing: open a server when the head of the queue has
    waited more than ``open_above``, close one when less than ``close_below``, at most
    ``max_extra`` above the schedule."""

    open_above: float
    close_below: float
    max_extra: int


class ReactiveSweep(ImpatientSweep):
    """A station whose servers follow a shift schedule and open and close as its queue's
    head waits (queue-reactive staffing), swept as :class:`ImpatientSweep` does. Its clock is
    the event engine's processes at the station, as events (time, kind, value, positions)
    in the order the engine plays them: a :data:`SHIFT` step to ``value`` scheduled servers
    (extras beyond the positions close), a :data:`CHECK` of the head's wait, a :data:`HOLD`
    (a step of the positions: extras beyond them close); ``positions`` is the station's
    positions then (-1: no limit). ``queued_at[position]``: when each customer joined.
    ``server_changes`` lists (time, servers on duty) at each change."""

    def __init__(self, servers: int, clock: list[tuple[float, int, int, int]], horizon: float,
                 blocks: GivingUpInputs, rule: Reaction, queued_at: list[float]) -> None:
        super().__init__(servers, clock, horizon, blocks)  # type: ignore[arg-type]
        self.base = servers
        self.extra = 0
        self.rule = rule
        self.queued_at = queued_at
        self.server_changes: list[tuple[float, int]] = []

    def _tick(self, at: float) -> None:
        _, kind, value, positions = self.changes[self.upcoming]  # type: ignore[misc]
        self.upcoming += 1
        rule = self.rule
        if kind == SHIFT:
            if value == self.base:
                return
            if positions >= 0:
                self.extra = min(self.extra, max(0, positions - value))
            self.base = value
        elif kind == CHECK:
            most = rule.max_extra
            if positions >= 0:
                most = min(most, max(0, positions - self.base))
            waited = self._head_wait(at)
            if waited > rule.open_above and self.extra < most:
                self.extra += 1
            elif waited < rule.close_below and self.extra > 0:
                self.extra -= 1
            else:
                return
        else:
            room = max(0, positions - self.base)
            if self.extra <= room:
                return
            self.extra = room
        servers = self.base + self.extra
        self.server_changes.append((at, servers))
        self._change(at, servers)

    def _head_wait(self, now: float) -> float:
        """How long the head of the queue has waited (0 if nobody waits); those who gave up
        are dropped from the heap here."""
        waiting, live = self.waiting, self.live
        while waiting and waiting[0][2] not in live:
            heappop(waiting)
        return now - self.queued_at[waiting[0][2]] if waiting else 0.0

    def servers(self) -> int:
        """Servers on duty now (scheduled and extra)."""
        return self.on_duty

    def present(self) -> int:
        """Customers queueing or in service."""
        return len(self.live) + len(self.running)


@dataclass
class GivingUpInputs:
    """The per-class inputs of :class:`ImpatientSweep` as lists (see
    :func:`python_impatient_starts` for what each holds)."""

    offsets: list[int]
    services: list[float]
    patiences: list[float]
    uniforms: list[float]
    patient: list[int]
    balk_at: list[int]
    chance_offsets: list[int]
    chances: list[float]
    deadlines: list[float]


def python_impatient_starts(arrivals: np.ndarray, priorities: np.ndarray, kinds: np.ndarray,
                            turns: np.ndarray, moves: np.ndarray, servers: int,
                            change_times: np.ndarray, change_servers: np.ndarray,
                            horizon: float, draws: tuple[np.ndarray, ...],
                            rules: tuple[np.ndarray, ...], outputs: tuple[np.ndarray, ...]
                            ) -> tuple[int, int]:
    """Service starts at a station where customers may give up (see
    :class:`ImpatientSweep`). The customers reach it at ``arrivals`` (in the order they
    move), of ``priorities`` and classes ``kinds``, in their own ``turns``, moving in the
    turns ``moves``. ``draws`` = (offsets, services, patiences, uniforms, deadlines): class
    ``k``'s pre-drawn variates are ``[offsets[k], offsets[k + 1])`` of each of the first
    three; ``deadlines[i]``, when customer ``i`` gives up on its whole visit (infinite:
    never), drawn as it entered the system. ``rules`` = (patient,
    balk_at, chance_offsets, chances): per class whether it has a patience, the queue length
    it refuses at (-1: none), and its balking chances by queue length
    (``chances[chance_offsets[k]:chance_offsets[k + 1]]``). ``outputs`` = (starts, order,
    services, gone, left, how): who started (positions) and when, in the order they did; each
    position's service (NaN: none started); who left without service, when and how
    (:data:`BALK` or :data:`RENEGE`), in the order they left. Returns how many started and
    how many left."""
    changes = list(zip(change_times.tolist(), [int(n) for n in change_servers.tolist()],
                       strict=True))
    sweep = ImpatientSweep(servers, changes, horizon, _inputs(draws, rules))
    _sweep(sweep, arrivals, priorities, kinds, turns, moves)
    return _written(sweep, outputs)


def python_reactive_starts(arrivals: np.ndarray, priorities: np.ndarray, kinds: np.ndarray,
                           turns: np.ndarray, moves: np.ndarray, servers: int,
                           clock: tuple[np.ndarray, ...], rule: tuple[float, float, int],
                           horizon: float, draws: tuple[np.ndarray, ...],
                           rules: tuple[np.ndarray, ...], outputs: tuple[np.ndarray, ...]
                           ) -> tuple[int, int, int]:
    """Service starts at a station with queue-reactive staffing (see
    :class:`ReactiveSweep`), its customers as :func:`python_impatient_starts` takes them
    (some may give up). ``clock`` = (times, kinds, values, positions): the station's clock
    events in the order they are played; ``rule`` = (open_above, close_below, max_extra).
    ``outputs``: those of :func:`python_impatient_starts`, then (server_times,
    server_counts): each change of the servers on duty, when and to how many (as many
    entries as clock events). Returns how many started, how many left, how many changes."""
    events = list(zip(clock[0].tolist(), clock[1].tolist(), clock[2].tolist(),
                      clock[3].tolist(), strict=True))
    sweep = ReactiveSweep(servers, events, horizon, _inputs(draws, rules),
                          Reaction(float(rule[0]), float(rule[1]), int(rule[2])),
                          arrivals.tolist())
    _sweep(sweep, arrivals, priorities, kinds, turns, moves)
    started, lost = _written(sweep, outputs[:6])
    server_times, server_counts = outputs[6:]
    changed = len(sweep.server_changes)
    for index, (when, count) in enumerate(sweep.server_changes):
        server_times[index], server_counts[index] = when, count
    return started, lost, changed


def _inputs(draws: tuple[np.ndarray, ...], rules: tuple[np.ndarray, ...]) -> GivingUpInputs:
    """The sweep's inputs from the arrays of :func:`python_impatient_starts`."""
    offsets, services, patiences, uniforms, deadlines = draws
    patient, balk_at, chance_offsets, chances = rules
    return GivingUpInputs(offsets.tolist(), services.tolist(), patiences.tolist(),
                          uniforms.tolist(), patient.tolist(), balk_at.tolist(),
                          chance_offsets.tolist(), chances.tolist(), deadlines.tolist())


def _sweep(sweep: ImpatientSweep, arrivals: np.ndarray, priorities: np.ndarray,
           kinds: np.ndarray, turns: np.ndarray, moves: np.ndarray) -> None:
    """Bring each customer to ``sweep`` in the order they move, then sweep to the horizon."""
    for position, (at, priority, kind, turn, move) in enumerate(zip(
            arrivals.tolist(), priorities.tolist(), kinds.tolist(), turns.tolist(),
            moves.tolist(), strict=True)):
        sweep.advance(at, move)
        sweep.arrive(at, position, priority, kind, turn)
    sweep.advance(sweep.horizon, -1)


def _written(sweep: ImpatientSweep, outputs: tuple[np.ndarray, ...]) -> tuple[int, int]:
    starts, order, services, gone, left, how = outputs
    started, lost = len(sweep.started), len(sweep.left)
    starts[:started] = sweep.start_times
    order[:started] = sweep.started
    services[:] = math.nan
    for position, service in sweep.services.items():
        services[position] = service
    for index, (position, when, way) in enumerate(sweep.left):
        gone[index], left[index], how[index] = position, when, way
    return started, lost


impatient_starts = compiled_or("impatient_starts", python_impatient_starts)
reactive_starts = compiled_or("reactive_starts", python_reactive_starts)
