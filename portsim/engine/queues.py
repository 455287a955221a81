"""The waiting line of a station, as a strategy: first come first served, or by priority.

A station only pushes, takes the next, peeks at the head and lists who waits; ``remove`` takes
out one waiting customer wherever it stands (a customer who gives up waiting). Both lines are
builtin containers underneath so that ``len`` and truth tests stay C calls on the hot path.
"""

from __future__ import annotations

from collections import deque
from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from portsim.engine.entity import Entity


class WaitingLine(Protocol):
    """What a station needs from its queue."""

    def __len__(self) -> int: ...
    def push(self, entity: Entity, /) -> None: ...
    def take(self) -> Entity: ...
    def head(self) -> Entity: ...
    def entities(self) -> list[Entity]: ...
    def remove(self, entity: Entity, /) -> None: ...


class FifoLine(deque):  # type: ignore[type-arg]
    """First come, first served.

    NOTE: ``push`` and ``take`` are deque's own C methods under the interface's names, for
    performance reasons: no Python call per customer.
    """

    __slots__ = ()

    push = deque.append
    push_front = deque.appendleft  # an interrupted service goes back to the head
    take = deque.popleft

    def head(self) -> Entity:
        return self[0]  # type: ignore[no-any-return]

    def entities(self) -> list[Entity]:
        """Who waits, in order of arrival."""
        return list(self)

    # ``remove`` is deque.remove: the customer is found by identity (Entity has no __eq__).


class PriorityLine(list):  # type: ignore[type-arg]
    """Lowest ``priority`` first, first come first served within a priority.

    A heap of ``(priority, arrival number, entity)``; ``entities`` lists them in heap order.
    """

    __slots__ = ("_arrivals", "_fronts")

    def __init__(self) -> None:
        super().__init__()
        self._arrivals = 0
        self._fronts = 0  # counts down: the latest customer put back goes first

    def push(self, entity: Entity) -> None:
        self._arrivals += 1
        heappush(self, (entity.priority, self._arrivals, entity))

    def push_front(self, entity: Entity) -> None:
        """Put ``entity`` ahead of everyone of its priority (an interrupted service)."""
        self._fronts -= 1
        heappush(self, (entity.priority, self._fronts, entity))

    def take(self) -> Entity:
        return heappop(self)[2]  # type: ignore[no-any-return]

    def head(self) -> Entity:
        return self[0][2]  # type: ignore[no-any-return]

    def entities(self) -> list[Entity]:
        return [item[2] for item in self]

    def remove(self, entity: Entity) -> None:  # type: ignore[override]
        for index, item in enumerate(self):
            if item[2] is entity:
                self[index] = self[-1]
                self.pop()
                heapify(self)
                return
        raise ValueError("the entity is not waiting here")
