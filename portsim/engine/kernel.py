"""The one module that relies on SimPy's private state.

portsim keeps SimPy as its scheduler but skips SimPy's event objects on the hot path: an entity
is its own completion event, a :class:`Wake` is a timeout with its callback fixed, and both are
pushed on SimPy's heap directly. That rests on what ``Environment.step`` reads, which is private
to SimPy; everything it assumes is here, and ``tests/unit/test_kernel_contract.py`` pins it
against the installed SimPy (pyproject bounds SimPy to the versions that test passed on):

- the schedule is the list ``env._queue``, a heap of ``(time, priority, event id, event)``;
  ``env._eid`` is the ``itertools.count`` that draws the ids (ties at one time and priority run
  in id order); ``NORMAL`` is the priority of timeouts;
- ``step`` pops the heap, stores the time in ``env._now`` (what ``env.now`` returns), sets
  ``event.callbacks`` to ``None``, calls each callback with the event, then reads
  ``event._ok`` (and only for a failed event ``_defused`` and ``_value``).

Other modules read the clock as ``env.now`` on an :class:`Environment` (an attribute read, no
call) and schedule through :class:`Wake` or, on the hot path, by pushing on the heap and id
counter that :func:`scheduler` hands out (bound once); what is scheduled (a warm start's
snapshot) they ask of :func:`scheduled_events`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL, Event

__all__ = ["LATE", "NORMAL", "Activity", "Environment", "LateWake", "Wake", "events_scheduled",
           "scheduled_events", "scheduler"]

#: The priority of a :class:`LateWake`: after every ordinary event at its time, those scheduled
#: at that time while it waits included (SimPy orders by time, then priority, then id).
LATE = NORMAL + 1


class Environment(simpy.Environment):
    """SimPy's environment with the clock in a slot that ``now`` reads directly.

    NOTE: ``step`` writes the time to ``_now``; here ``_now`` is a slot and ``now`` the same
    slot under a public name, so reading the clock costs an attribute read instead of a property
    call, for performance reasons (the hot path reads it at every event).
    """

    __slots__ = ("_now",)
    now: float  # the slot ``_now`` under its public name (bound below)


Environment.now = Environment.__dict__["_now"]  # type: ignore[assignment,misc]


class Activity:
    """Base of runtime objects that are their own SimPy event (see ``Entity``).

    ``Environment.step`` needs only ``callbacks`` (set just before the object is scheduled) and
    ``_ok``; the callbacks receive the object itself. An object is in at most one timed activity
    at a time, so it is never on the heap twice.
    """

    __slots__ = ("callbacks",)

    _ok = True  # read by Environment.step: the "event" never fails
    callbacks: list[Any]


class Wake(Event):
    """A timeout with its one callback fixed at creation; ``value`` is what it was given.

    NOTE: inlines ``Timeout.__init__`` and ``Environment.schedule`` for performance reasons; the
    event is an ordinary SimPy event in the ordinary heap.
    """

    def __init__(self, env: simpy.Environment, delay: float, value: Any,
                 callback: Callable[[Any], None]) -> None:
        self.env = env
        self.callbacks = [callback]
        self._value = value
        self._ok = True
        heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), self))  # type: ignore[attr-defined]


class LateWake(Wake):
    """A :class:`Wake` that runs after everything else happening at its time: a reading of
    the state at ``delay`` sees every arrival, start and completion at that instant."""

    def __init__(self, env: simpy.Environment, delay: float, value: Any,
                 callback: Callable[[Any], None]) -> None:
        self.env = env
        self.callbacks = [callback]
        self._value = value
        self._ok = True
        heappush(env._queue, (env._now + delay, LATE, next(env._eid), self))  # type: ignore[attr-defined,misc]


def scheduler(env: simpy.Environment) -> tuple[list[Any], Iterator[int]]:
    """SimPy's heap and event-id counter, for code that schedules inline.

    An entry is ``(time, NORMAL, next(ids), event)`` pushed with ``heapq.heappush``: exactly
    what ``Environment.schedule`` does, without its call.
    """
    return env._queue, env._eid  # type: ignore[attr-defined]


def scheduled_events(env: simpy.Environment) -> list[tuple[float, Any]]:
    """What is scheduled: ``(time, event)`` for every event on SimPy's schedule not yet
    processed, in the heap's own order (not sorted by time; a snapshot lists them that way)."""
    return [(when, event) for when, _, _, event in env._queue]  # type: ignore[attr-defined]


def events_scheduled(env: simpy.Environment) -> int:
    """How many events were scheduled so far (draws one id: call it once, at the end)."""
    return next(env._eid)  # type: ignore[attr-defined]
