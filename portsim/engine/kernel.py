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

Events at one instant run in the order of the heap's second field, the *turn* (SimPy's
priority, compared before the id), which portsim sets so that a tie is settled by one rule
(docs/design.md, "Simultaneous events"; the fast path keeps the same order without an event
list):

1. ``SERVERS`` (SimPy's ``NORMAL``): the model's own clock -- shift changes, reactive staffing,
   failures and outages, the end of the warm-up;
2. a customer's own events (a service or a delay ending, its patience running out) at its
   turn :func:`turn`, its number plus one: customers already in the system, in the order they
   entered it (entity numbers are drawn in that order);
3. ``ARRIVALS + k``: the arrivals of the ``k``-th class of the model (file order), each class's
   arrivals at that instant one after another in their order (a batch's members in turn);
4. ``SPAWNS``: members of batches spawned at that instant or landing then, in the order they
   were spawned;
5. ``AFTER``: what reads the state once the instant is over (queue lengths at clock times).

SimPy's own ``URGENT`` events (a process starting) come before all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL, Event

__all__ = ["AFTER", "ARRIVALS", "NORMAL", "SERVERS", "SPAWNS", "Activity", "Environment",
           "Wake", "events_scheduled", "scheduled_events", "scheduler", "turn"]

#: The turn of the model's own clock at an instant: shift changes (SimPy timeouts), failures,
#: the end of the warm-up.
SERVERS = NORMAL
#: The turn of the first class's arrivals; the k-th class (file order) arrives at ARRIVALS + k.
#: Above every customer's own turn (entity numbers stay far below it).
ARRIVALS = 1 << 62
#: The turn of spawned members entering the system: after every class's own arrivals.
SPAWNS = ARRIVALS + (1 << 32)
#: The turn of what reads the state after everything else at that instant.
AFTER = SPAWNS + 1


def turn(number: int) -> int:
    """The turn of the events of the customer numbered ``number`` (from 1, in the order the
    customers entered the system): after the model's own clock, in number order."""
    return number + SERVERS


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
    """A timeout with its one callback fixed at creation; ``value`` is what it was given;
    ``at`` its turn among the events of its instant (the model's own clock unless told).

    NOTE: inlines ``Timeout.__init__`` and ``Environment.schedule`` for performance reasons; the
    event is an ordinary SimPy event in the ordinary heap.
    """

    def __init__(self, env: simpy.Environment, delay: float, value: Any,
                 callback: Callable[[Any], None], at: int = SERVERS) -> None:
        self.env = env
        self.callbacks = [callback]
        self._value = value
        self._ok = True
        heappush(env._queue, (env._now + delay, at, next(env._eid), self))  # type: ignore[attr-defined,misc]



def scheduler(env: simpy.Environment) -> tuple[list[Any], Iterator[int]]:
    """SimPy's heap and event-id counter, for code that schedules inline.

    An entry is ``(time, turn, next(ids), event)`` pushed with ``heapq.heappush``: what
    ``Environment.schedule`` does, without its call, at a turn of the module's order.
    """
    return env._queue, env._eid  # type: ignore[attr-defined]


def scheduled_events(env: simpy.Environment) -> list[tuple[float, Any]]:
    """What is scheduled: ``(time, event)`` for every event on SimPy's schedule not yet
    processed, in the heap's own order (not sorted by time; a snapshot lists them that way)."""
    return [(when, event) for when, _, _, event in env._queue]  # type: ignore[attr-defined]


def events_scheduled(env: simpy.Environment) -> int:
    """How many events were scheduled so far (draws one id: call it once, at the end)."""
    return next(env._eid)  # type: ignore[attr-defined]
