"""The customer as the event engine moves it: an :class:`Entity`, and its reservation states.

Below the stations and their waiting lines, which both hold entities: a station serves them, a
line (``engine/queues.py``) orders them, and neither needs the other to know what one is.
"""

from __future__ import annotations

from typing import Any

from portsim.engine.kernel import SERVERS, Activity

__all__ = ["BOOKED", "BOOKED_HERE", "HELD", "HELD_ON_CALL", "NO_BOOKING", "Entity"]

# Reservation states of an entity at the station it booked.
NO_BOOKING, BOOKED, HELD, BOOKED_HERE, HELD_ON_CALL = 0, 1, 2, 3, 4


class Entity(Activity):
    """One passenger, vehicle, ship...: what a station needs to know about a customer.

    NOTE: an entity is also its own SimPy event (an :class:`Activity`) while it is in service or
    in a delay, for performance reasons: a separate event per service completion cost an object
    and an ``__init__`` call.
    """

    # ``deadline``: when a member of a class with visit patience gives up on its visit; set
    # as it enters, only for those (see engine.impatience.VisitClock), so that other entities
    # cost nothing.
    # ``turn``: its events' place among the events of one instant (kernel.turn of its number,
    # kept rather than computed at every event it schedules). ``mark`` and ``counted``: the
    # wait so far before a visit, and the waits at the stations that count in the slot KPIs
    # (see engine.routes.CountFromNode); set only where some do.
    __slots__ = ("id", "kind", "arrived", "wait", "node", "queued", "priority", "booking",
                 "parent", "deadline", "turn", "mark", "counted")
    deadline: float
    mark: float
    counted: float

    def __init__(self, ident: int, kind: Any, arrived: float, priority: int) -> None:
        self.id = ident
        self.turn = ident + SERVERS  # kernel.turn(ident), inlined: one per customer
        self.kind = kind
        self.arrived = arrived
        self.wait = 0.0
        self.node: Any = None
        self.queued = 0.0
        self.priority = priority
        self.booking = NO_BOOKING
        self.parent: Entity | None = None  # who waits for this entity to leave (Spawn.wait)
