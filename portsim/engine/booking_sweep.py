"""The loop of a station that takes bookings ahead of arrival on the fast path: its events
swept in the event engine's order (docs/design.md, "Two engines").

A booking reaches the station before its customer and goes ahead of the ordinary queue; the
server that takes it is held (busy, serving nobody) until the customer arrives and starts at
once. Where the station has servers on call for bookings, an off-duty one is called in for a
booking when no server on duty is free. Each handler below does what the event engine's
:class:`~portsim.engine.station.Station` does on the same event (``book``, ``arrive_booked``,
``arrive``, ``_finish``, ``_finish_on_call``, ``_apply_servers``).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from heapq import heappop, heappush

import numpy as np

from portsim.engine.kernels import compiled_or

__all__ = ["BOOK", "CHANGE", "COME", "BookedDay", "BookingSweep", "booked_day", "booking_starts",
           "python_booking_starts"]

#: Kinds of the station's events known before the sweep, in the order they are taken at one
#: instant and turn: a shift change (the model's own turn, first), a booking, a customer who
#: comes (an ordinary arrival, a booked one landing, or one that came early and books as it
#: reaches the station, listed just after its booking at the same instant and turn).
CHANGE, BOOK, COME = 0, 1, 2

# where a booking stands (the event engine's Entity.booking)
_WAITING, _HELD, _HELD_ON_CALL, _HERE = 1, 2, 4, 3


@dataclass
class BookedDay:
    """What the sweep found: who started (customer positions) in the order they did and when;
    each customer's service, whether an on-duty server served it and since when that server
    was committed to it (its hold, else its start); and the holds of bookings whose customer
    never came before the horizon (start of the hold, on call or not)."""

    started: np.ndarray
    starts: np.ndarray
    services: np.ndarray
    on_duty: np.ndarray
    since: np.ndarray
    held_since: np.ndarray
    held_on_call: np.ndarray


class BookingSweep:
    """The state of the station between events: servers on duty, busy ones (holds included),
    the ordinary queue, the bookings not yet taken, the on-call servers at work."""

    def __init__(self, servers: int, on_call_total: int, horizon: float,
                 services: list[float], offsets: list[int], kinds: list[int],
                 ranks: list[int], booker: list[int]) -> None:
        self.servers = servers
        self.on_call_total = on_call_total
        self.horizon = horizon
        # each class's services, from offsets[class] on, taken in the order its customers start
        self.services = services
        self.taken = list(offsets)
        self.kinds = kinds
        self.ranks = ranks  # each customer's own turn (rank)
        self.booker = booker  # each booking's customer position (-1: never comes)
        self.booking_of: dict[int, int] = {who: j for j, who in enumerate(booker) if who >= 0}
        self.busy = 0
        self.on_call_busy = 0
        self.queue: deque[int] = deque()
        self.bookings: deque[int] = deque()
        self.state = [0] * len(booker)
        self.held_at = [math.nan] * len(booker)
        self.running: list[tuple[float, int, int]] = []  # (end, customer's rank, position)
        count = len(kinds)
        self.starts: list[float] = []
        self.service = [math.nan] * count
        self.on_duty = [1] * count
        self.since = [math.nan] * count
        self.started: list[int] = []

    # ------------------------------------------------------------------ the clock

    def advance(self, at: float, rank: int) -> None:
        """Play the services ending before ``at``, or at ``at`` in a turn not after ``rank``
        (and before the horizon)."""
        running = self.running
        while running:
            end, turn, position = running[0]
            if not (end < self.horizon and (end < at or (end == at and turn <= rank))):
                return
            heappop(running)
            if self.on_duty[position]:
                self._finish(end)
            else:
                self._finish_on_call(end)

    def change(self, at: float, servers: int) -> None:
        """A shift change: more servers take bookings (on call first) and the queue."""
        self.servers = servers
        while self.bookings and self._on_call_free():
            self._take_booking(at, on_duty=False)
        while self.busy < self.servers and (self.bookings or self.queue):
            if self.bookings:
                self._take_booking(at)
            else:
                self.busy += 1
                self._serve_queued(at)

    # ------------------------------------------------------------------ the customers

    def book(self, booking: int, at: float) -> None:
        """A booking reaches the station."""
        self.state[booking] = _WAITING
        first = not self.bookings
        self.bookings.append(booking)
        if first and self.busy < self.servers:
            self._take_booking(at)
        elif first and self._on_call_free():
            self._take_booking(at, on_duty=False)

    def come(self, position: int, at: float) -> None:
        """A customer reaches the station: booked (held for it, or its booking still waits)
        or not (served by a free server, else queued)."""
        booking = self.booking_of.get(position, -1)
        if booking < 0:
            if self.busy < self.servers:
                self.busy += 1
                self._serve(position, at, True)
            else:
                self.queue.append(position)
            return
        state = self.state[booking]
        if state == _WAITING:
            self.state[booking] = _HERE
            return
        # by the held server (counted busy already), or the one called in for it
        self._serve(position, at, state == _HELD)
        self.since[position] = self.held_at[booking]

    # ------------------------------------------------------------------ the event engine's steps

    def _serve(self, position: int, at: float, on_duty: bool) -> None:
        kind = self.kinds[position]
        service = self.services[self.taken[kind]]
        self.taken[kind] += 1
        self.starts.append(at)
        self.service[position] = service
        self.on_duty[position] = int(on_duty)
        self.since[position] = at
        self.started.append(position)
        heappush(self.running, (at + service, self.ranks[position], position))

    def _serve_queued(self, at: float) -> None:
        self._serve(self.queue.popleft(), at, True)

    def _finish(self, end: float) -> None:
        if self.bookings and self.busy <= self.servers:
            self.busy -= 1
            self._take_booking(end)  # the freed server takes it (counted busy again)
        elif self.queue and self.busy <= self.servers:
            self._serve_queued(end)  # the freed server is taken again at once
        else:
            self.busy -= 1

    def _finish_on_call(self, end: float) -> None:
        self.on_call_busy -= 1
        if self.bookings and self._on_call_free():
            self._take_booking(end, on_duty=False)

    def _take_booking(self, at: float, on_duty: bool = True) -> None:
        """The first booking waiting, taken by a server on duty (counted busy) or one called
        in: its customer served at once if it is here, else the server held for it."""
        booking = self.bookings.popleft()
        if on_duty:
            self.busy += 1
        else:
            self.on_call_busy += 1
        if self.state[booking] == _HERE:
            self._serve(self.booker[booking], at, on_duty)
        else:
            self.state[booking] = _HELD if on_duty else _HELD_ON_CALL
            self.held_at[booking] = at

    def _on_call_free(self) -> bool:
        return self.on_call_busy < self.on_call_total - self.servers



def python_booking_starts(times: np.ndarray, ranks: np.ndarray, what: np.ndarray,
                          which: np.ndarray, kinds: np.ndarray, own: np.ndarray,
                          booker: np.ndarray, services: np.ndarray, offsets: np.ndarray,
                          servers: int, on_call_total: int, horizon: float,
                          order: np.ndarray, starts: np.ndarray, service: np.ndarray,
                          on_duty: np.ndarray, since: np.ndarray, state: np.ndarray,
                          held_at: np.ndarray) -> int:
    """Sweep a booked station's known events -- at ``times``, in the turns ``ranks`` (int64),
    of kinds ``what`` (:data:`CHANGE`: ``which`` is the servers on duty from then;
    :data:`BOOK`: ``which`` is the booking; :data:`COME`: the customer's position), sorted by
    time, turn and kind -- with the services that end between them, up to ``horizon``. The
    customers are of classes ``kinds`` with their own turns ``own``; booking ``j`` is the
    customer at ``booker[j]`` (-1: it never comes); class ``k``'s services are
    ``services[offsets[k]:]``, taken as its customers start. Writes who started (positions) to
    ``order`` and when to ``starts``, in the order they did; per customer its ``service``, 1 in
    ``on_duty`` if a server on duty served it (else one on call), and ``since`` when that
    server was committed to it; per booking its ``state`` (2 held on duty, 4 held on call, ...)
    and ``held_at``. Returns how many started."""
    sweep = BookingSweep(servers, on_call_total, horizon, services.tolist(), offsets.tolist(),
                         kinds.tolist(), own.tolist(), booker.tolist())
    for at, rank, kind, index in zip(times.tolist(), ranks.tolist(), what.tolist(),
                                     which.tolist(), strict=True):
        if not at < horizon:
            break
        sweep.advance(at, rank)
        if kind == CHANGE:
            sweep.change(at, index)
        elif kind == BOOK:
            sweep.book(index, at)
        else:
            sweep.come(index, at)
    sweep.advance(horizon, -1)
    count = len(sweep.started)
    order[:count] = sweep.started
    starts[:count] = sweep.starts
    service[:] = sweep.service
    on_duty[:] = sweep.on_duty
    since[:] = sweep.since
    state[:] = sweep.state
    held_at[:] = sweep.held_at
    return count


booking_starts = compiled_or("booking_starts", python_booking_starts)


def booked_day(times: np.ndarray, ranks: np.ndarray, what: np.ndarray, which: np.ndarray,
               kinds: np.ndarray, own: np.ndarray, booker: np.ndarray,
               services: tuple[np.ndarray, np.ndarray], servers: int, on_call_total: int,
               horizon: float) -> BookedDay:
    """:func:`booking_starts` (compiled where it was built) on the station's events, its
    results as a :class:`BookedDay`."""
    count, bookings = kinds.size, booker.size
    order = np.empty(count, dtype=np.int64)
    starts = np.empty(count)
    service = np.empty(count)
    on_duty = np.empty(count, dtype=np.int64)
    since = np.empty(count)
    state = np.empty(bookings, dtype=np.int64)
    held_at = np.empty(bookings)
    started = booking_starts(times, ranks, what, which, kinds, own, booker, services[0],
                             services[1], servers, on_call_total, horizon, order, starts,
                             service, on_duty, since, state, held_at)
    never = (booker < 0) & ((state == _HELD) | (state == _HELD_ON_CALL))
    return BookedDay(order[:started], starts[:started], service, on_duty.astype(bool), since,
                     held_at[never], state[never] == _HELD_ON_CALL)
