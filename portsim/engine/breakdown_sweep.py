"""The fast path's loop for a station that can be out of order (breakdowns, outage windows):
compiled when the C extension was built (``portsim._kernels.unreliable_starts``), else the
Python twin here, which gives the same numbers bit for bit (both only compare, count and
subtract doubles, in the same order).

The sweep plays a first-come-first-served station's events in the event engine's order
(docs/design.md, "Simultaneous events"): at an instant, first the model's own clock -- the
station's failures, repairs, outage edges, shift changes and the end of the warm-up, in the
order :func:`portsim.engine.fast_breakdowns.clock_events` worked out (SimPy's order of
scheduling) -- then the customers' own events and moves by their turns. Each event does what
:class:`~portsim.engine.breakdowns.UnreliableStation` does on it. Everything random is drawn
ahead and taken in the event engine's order: each class's services from the front of its block
(a service when it starts, a fresh one at a restart), and the station's choices of which
service a failure hits from ``choices``. A block that runs out is reported (-1) so that the
caller draws more of the same streams and sweeps again.
"""

from __future__ import annotations

import math
from collections import deque
from heapq import heappop, heappush
from typing import Any

import numpy as np

from portsim.engine.kernels import COMPILED, compiled_or

__all__ = [
    "CLOCK_FAIL",
    "CLOCK_OUTAGE_END",
    "CLOCK_OUTAGE_START",
    "CLOCK_REPAIR",
    "CLOCK_SHIFT",
    "CLOCK_WARMUP",
    "COMPILED",
    "LEVEL_BROKEN",
    "LEVEL_CAPACITY",
    "LEVEL_OUT_OF_ORDER",
    "LEVEL_RESET",
    "LEVEL_SERVERS",
    "BreakdownSweep",
    "python_unreliable_starts",
    "unreliable_starts",
]

#: The clock's events (code; value): a position fails or is repaired (its index), an outage
#: starts or ends, the shift sets the servers on duty (their number), the warm-up ends.
CLOCK_FAIL, CLOCK_REPAIR, CLOCK_OUTAGE_START, CLOCK_OUTAGE_END, CLOCK_SHIFT, CLOCK_WARMUP = (
    range(6))
#: The levels the station sets (servers on duty, capacity, broken, out of order), and the
#: warm-up's reset of them all, logged in the order the event engine sets them.
LEVEL_SERVERS, LEVEL_CAPACITY, LEVEL_BROKEN, LEVEL_OUT_OF_ORDER, LEVEL_RESET = range(5)
#: How a segment of service ends; how a stay in the queue ends.
DONE, CUT, RUNNING = 0, 1, 2
STARTED, DIVERTED, WAITING = 0, 1, 2


class BreakdownSweep:
    """The station's state, event by event (see the module's docstring)."""

    def __init__(self, servers: int, positions: int, resumes: bool, horizon: float,
                 measured: bool, offsets: list[int], services: list[float],
                 choices: list[float], kinds: list[int], turns: list[int]) -> None:
        self.kinds = kinds
        self.turns = turns
        self.on_duty = servers
        self.servers = servers
        self.down = [False] * positions
        self.in_outage = False
        self.resumes = resumes
        self.horizon = horizon
        self.measured = measured  # the warm-up is over (or there is none)
        self.next_service = list(offsets)
        self.ends = offsets[1:]
        self.services = services
        self.choices = choices
        self.next_choice = 0
        self.short = False  # a block of draws ran out
        self.busy = 0
        self.queue: deque[int] = deque()  # positions, head first
        self.in_service: dict[int, tuple[float, int]] = {}  # position -> (end, segment)
        self.running: list[tuple[float, int, int]] = []  # (end, turn, segment)
        self.rest: dict[int, float] = {}  # put back by an interruption: rest (NaN: restart)
        self.started: set[int] = set()
        # outputs: segments of service, stays in the queue, diversions, level changes
        # [position, start, end, how, first, measured, waited, the turn it ends in]
        self.segments: list[list[float]] = []
        self.stays: list[list[float]] = []  # [position, joined, left, how]
        self.stay_of: dict[int, int] = {}
        self.diverted: list[tuple[int, float, int, int]] = []  # position, when, queued, measured
        self.levels: list[tuple[float, int, float]] = []
        self.interrupted = 0

    # ------------------------------------------------------------------ events

    def follow(self, times: list[float], codes: list[int], values: list[int]) -> None:
        """The station's clock events to play, in the order they happen."""
        self.clock_times, self.clock_codes, self.clock_values = times, codes, values
        self.upcoming = 0

    def advance(self, at: float, turn: int, fallback: list[int]) -> None:
        """Play every event before a move at ``at`` in turn ``turn`` (and before the
        horizon): the clock up to ``at`` (first at an instant), services ending before ``at``
        or at ``at`` in a turn not after ``turn``."""
        times, running, horizon = self.clock_times, self.running, self.horizon
        while True:
            change = times[self.upcoming] if self.upcoming < len(times) else math.inf
            end = running[0] if running else (math.inf, 0, 0)
            if change <= end[0]:
                if not (change <= at and change < horizon):
                    return
                self.clock(change, self.clock_codes[self.upcoming],
                           self.clock_values[self.upcoming], fallback)
                self.upcoming += 1
            elif end[0] < horizon and (end[0] < at or (end[0] == at and end[1] <= turn)):
                self.finish(end[0])
            else:
                return

    def clock(self, at: float, code: int, value: int, fallback: list[int]) -> None:
        if code == CLOCK_FAIL:
            self._fail(at, value, fallback)
        elif code == CLOCK_REPAIR:
            self.down[value] = False
            if value < self.on_duty:
                self._apply(at, fallback)
        elif code == CLOCK_OUTAGE_START:
            self.in_outage = True
            for position in list(self.in_service):
                self._interrupt(at, position)
            self._apply(at, fallback)
        elif code == CLOCK_OUTAGE_END:
            self.in_outage = False
            self._apply(at, fallback)
        elif code == CLOCK_SHIFT:
            self.on_duty = value
            self._apply(at, fallback)
        else:
            self.measured = True
            self.interrupted = 0
            self.levels.append((at, LEVEL_RESET, 0.0))

    def arrive(self, at: float, position: int, kind: int, turn: int, fallback: int,
               move: int) -> None:
        if fallback and self._out_of_order():
            self.diverted.append((position, at, 0, int(self.measured)))
            return
        if self.busy < self.servers:
            self.busy += 1
            self._serve(at, position, kind, turn, 0.0, move)
            return
        self._join(at, position)
        self.queue.append(position)

    def finish(self, at: float) -> None:
        end, by, segment = heappop(self.running)
        record = self.segments[segment]
        position = int(record[0])
        if self.in_service.get(position, (0.0, -1))[1] != segment:
            return  # interrupted: its completion does nothing
        del self.in_service[position]
        record[2], record[3] = end, DONE
        if self.queue and self.busy <= self.servers:
            self._serve_next(at, by)
        else:
            self.busy -= 1
            if self.busy >= self.servers:
                self.levels.append((at, LEVEL_CAPACITY, float(self.busy)))

    # ------------------------------------------------------------------ the station

    def _out_of_order(self) -> bool:
        return self.in_outage or (self.servers == 0 and self.on_duty > 0)

    def _join(self, at: float, position: int) -> None:
        self.stay_of[position] = len(self.stays)
        self.stays.append([float(position), at, math.inf, WAITING])

    def _serve_next(self, at: float, by: int) -> None:
        position = self.queue.popleft()
        stay = self.stays[self.stay_of.pop(position)]
        stay[2], stay[3] = at, STARTED
        self._serve(at, position, self.kinds[position], self.turns[position], at - stay[1], by)

    def _serve(self, at: float, position: int, kind: int, turn: int, waited: float,
               by: int) -> None:
        """Start a service of the customer at ``position`` in the turn ``by`` (-1: the
        clock's). One that takes no time (the rest of a service a failure cut at its very
        end) ends at once: in the turn it started in if that comes after its own (SimPy
        takes it next), so that turn orders its end and the customer's next move."""
        first = position not in self.started
        rest = self.rest.pop(position, math.nan) if not first else math.nan
        if first or math.isnan(rest):
            index = self.next_service[kind]
            if index >= self.ends[kind]:
                self.short = True
                duration = 0.0
            else:
                duration = self.services[index]
                self.next_service[kind] = index + 1
        else:
            duration = rest
        self.started.add(position)
        end = at + duration
        segment = len(self.segments)
        ends_in = by if duration == 0.0 and by > turn else turn
        self.segments.append([float(position), at, end, RUNNING, float(first),
                              float(self.measured), waited, float(ends_in)])
        self.in_service[position] = (end, segment)
        heappush(self.running, (end, ends_in, segment))

    def _interrupt(self, at: float, position: int) -> None:
        end, segment = self.in_service.pop(position)
        self.busy -= 1
        record = self.segments[segment]
        record[2], record[3] = at, CUT
        self.interrupted += 1
        self.rest[position] = end - at if self.resumes else math.nan
        self._join(at, position)
        self.queue.appendleft(position)

    def _take(self) -> float:
        if self.next_choice >= len(self.choices):
            self.short = True
            return 0.0
        value = self.choices[self.next_choice]
        self.next_choice += 1
        return value

    def _fail(self, at: float, position: int, fallback: list[int]) -> None:
        self.down[position] = True
        if position < self.on_duty and not self.in_outage:
            working, busy = self.servers, min(self.busy, self.servers)
            if busy and (busy >= working or self._take() * working < busy):
                services = list(self.in_service)
                index = 0 if len(services) == 1 else int(self._take() * len(services))
                self._interrupt(at, services[index])
            self._apply(at, fallback)

    def _apply(self, at: float, fallback: list[int]) -> None:
        on_duty = self.on_duty
        broken = on_duty if self.in_outage else sum(self.down[:on_duty])
        self.servers = on_duty - broken
        levels = self.levels
        levels.append((at, LEVEL_SERVERS, float(on_duty)))
        levels.append((at, LEVEL_CAPACITY, float(max(self.servers, self.busy))))
        levels.append((at, LEVEL_BROKEN, float(broken)))
        out_of_order = self._out_of_order()
        levels.append((at, LEVEL_OUT_OF_ORDER, float(out_of_order)))
        if out_of_order:
            self._divert_queue(at, fallback)
        while self.busy < self.servers and self.queue:
            self.busy += 1
            self._serve_next(at, -1)

    def _divert_queue(self, at: float, fallback: list[int]) -> None:
        staying: deque[int] = deque()
        for position in self.queue:
            if fallback[position]:
                stay = self.stays[self.stay_of.pop(position)]
                stay[2], stay[3] = at, DIVERTED
                self.rest.pop(position, None)
                self.diverted.append((position, at, 1, int(self.measured)))
            else:
                staying.append(position)
        self.queue = staying


def python_unreliable_starts(arrivals: np.ndarray, kinds: np.ndarray, turns: np.ndarray,
                             moves: np.ndarray, fallback: np.ndarray, servers: int,
                             positions: int, resumes: int, horizon: float, warmup: float,
                             clock: tuple[np.ndarray, np.ndarray, np.ndarray],
                             draws: tuple[np.ndarray, np.ndarray, np.ndarray],
                             outputs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
                             ) -> tuple[int, int, int, int, int] | None:
    """Sweep the customers reaching an unreliable station (at ``arrivals``, in the order they
    move; of classes ``kinds``; in their own ``turns``, moving in the turns ``moves``; with a
    fallback route where ``fallback``) to the horizon. ``clock`` = (times, codes, values) of
    the station's clock events in the order they happen; ``draws`` = (offsets, services,
    choices): class ``k``'s services are ``services[offsets[k]:offsets[k + 1]]``.

    ``outputs`` = (segments, stays, diverted, levels), rows written from the top: segments of
    service (position, start, end, how, first, measured, waited: the stay in the queue that
    ended at the start, and the turn its end comes in), in the order they started; stays in
    the queue (position, joined, left, how); the diverted (position, when, from the queue,
    measured), in the order they left; the level changes (time, level, value). Returns how
    many rows of each were written and the interruptions counted since the warm-up, or None
    when a block of draws ran out (nothing useful is written then)."""
    offsets, services, choices = draws
    kind_list, turn_list = kinds.tolist(), turns.tolist()
    sweep = BreakdownSweep(servers, positions, bool(resumes), horizon, warmup <= 0,
                           offsets.tolist(), services.tolist(), choices.tolist(), kind_list,
                           turn_list)
    sweep.follow(*(column.tolist() for column in clock))
    flags = fallback.tolist()
    for position, (at, kind, turn, move) in enumerate(zip(
            arrivals.tolist(), kind_list, turn_list, moves.tolist(), strict=True)):
        sweep.advance(at, move, flags)
        sweep.arrive(at, position, kind, turn, flags[position], move)
    sweep.advance(horizon, -1, flags)
    if sweep.short:
        return None
    rows: tuple[list[Any], ...] = (sweep.segments, sweep.stays, sweep.diverted, sweep.levels)
    for out, written in zip(outputs, rows, strict=True):
        if written:
            out[:len(written)] = written
    return (len(sweep.segments), len(sweep.stays), len(sweep.diverted), len(sweep.levels),
            sweep.interrupted)


def unreliable_starts(arrivals: np.ndarray, kinds: np.ndarray, turns: np.ndarray,
                      moves: np.ndarray, fallback: np.ndarray, servers: int, positions: int,
                      resumes: bool, horizon: float, warmup: float,
                      clock: tuple[np.ndarray, np.ndarray, np.ndarray],
                      draws: tuple[np.ndarray, np.ndarray, np.ndarray], most_servers: int,
                      ) -> tuple[np.ndarray, ...] | None:
    """The sweep (compiled where built) with its outputs allocated: (segments, stays,
    diverted, levels, interrupted) as in :func:`python_unreliable_starts`, the rows written,
    or None when a block of draws ran out. ``most_servers``: the most the station ever has
    on duty (no more services run at once, so an outage interrupts no more)."""
    count = arrivals.size
    codes = clock[1]
    cuts = (int(np.count_nonzero(codes == CLOCK_FAIL))
            + int(np.count_nonzero(codes == CLOCK_OUTAGE_START)) * max(1, most_servers))
    starts = count + cuts
    outputs = (np.empty((starts, 8)), np.empty((starts, 4)), np.empty((count, 4)),
               np.empty((4 * codes.size + starts + 1, 3)))
    written = _sweep(arrivals, kinds, turns, moves, fallback, servers, positions,
                     int(resumes), horizon, warmup, clock, draws, outputs)
    if written is None:
        return None
    segments, stays, diverted, levels, interrupted = written
    return (outputs[0][:segments], outputs[1][:stays], outputs[2][:diverted],
            outputs[3][:levels], np.asarray([float(interrupted)]))


_sweep = compiled_or("unreliable_starts", python_unreliable_starts)
