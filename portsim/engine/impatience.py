"""Customers who give up: a station whose customers may balk (refuse to join) or renege
(leave the queue when their patience runs out).

Kept apart from :class:`~portsim.engine.station.Station` so that stations without impatience
run the plain hot path unchanged: only a station that some class may give up at is built as an
:class:`ImpatientStation`. A patience expiry is a :class:`~portsim.engine.kernel.Wake` scheduled
when the customer joins the queue; a customer whose service starts first is struck from the
line's timers, and the expiry, when it comes, finds no timer of its own and does nothing (no
search of SimPy's heap to cancel it).

Patience over a whole visit (a class's ``visit_patience``): a :class:`VisitClock` gives each
member a deadline, its arrival in the system plus a patience draw, drawn as it enters the
system (arrives or is spawned), whether or not it will ever queue: the class's stream gives its
n-th number to the n-th member to enter (members entering at one instant in their turns). So a
member's patience does not depend on where it first has to queue, variants compared on common
random numbers give each member the same patience, and the fast path, which evaluates one
station after another, knows every deadline before its first station (drawn lazily at the
first queue, the n-th number would go to the n-th member to queue anywhere, an order only the
event list knows). Every station the class visits is impatient for it: a member who has to
wait gets a timer for the earlier of its station patience (if any) and its deadline, and one
whose deadline has passed (in service, between stations) gives up at once at the first queue
it would have to wait in. Giving up on the visit is final: a station's ``retry`` does not bring
it back. A warm start's placed members draw theirs given the time they have already stayed
(:meth:`VisitClock.resume`).

Accounting: a customer who reneges adds its time in the queue to the queue-length integrals
(as a served one does when its service starts), its wait to the station's tally of abandoning
customers' waits and to its own total wait, and leaves the system (``on_leave``), not its
route's next step. A customer who balks counts as an arrival here and leaves at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine.entity import Entity
from portsim.engine.kernel import Wake
from portsim.engine.state import residual
from portsim.engine.station import Station
from portsim.stats.accumulators import Tally

if TYPE_CHECKING:
    from portsim.engine.distributions import Distribution
    from portsim.engine.model import Impatience
    from portsim.engine.queues import WaitingLine
    from portsim.engine.streams import Stream, Uniforms

#: How an entity left a station without service: refused to join, or gave up waiting; and
#: the trace event of one who comes back to try again.
BALKED, ABANDONED, RETRY = "balk", "abandon", "retry"


class PatientLine:
    """A waiting line that also keeps the patience timer of each customer in it: taking a
    customer for service strikes its timer out, so that the expiry finds it gone."""

    __slots__ = ("line", "timers")

    def __init__(self, line: WaitingLine) -> None:
        self.line = line
        self.timers: dict[Entity, Wake] = {}

    def __len__(self) -> int:
        return len(self.line)

    def push(self, entity: Entity) -> None:
        self.line.push(entity)

    def take(self) -> Entity:
        entity = self.line.take()
        self.timers.pop(entity, None)
        return entity

    def take_for(self, skills: frozenset[str]) -> Entity | None:
        """The longest-waiting customer needing one of ``skills`` (a skill line's own)."""
        entity: Entity | None = self.line.take_for(skills)  # type: ignore[attr-defined]
        if entity is not None:
            self.timers.pop(entity, None)
        return entity

    def head(self) -> Entity:
        return self.line.head()

    def entities(self) -> list[Entity]:
        return self.line.entities()

    def remove(self, entity: Entity) -> None:
        self.line.remove(entity)
        self.timers.pop(entity, None)


class VisitClock:
    """A class's patience over the whole visit: each member's deadline is its arrival in the
    system plus a draw of ``law`` (from ``draws``), drawn as it enters (:meth:`enter`)."""

    __slots__ = ("law", "draws")

    def __init__(self, law: Distribution, draws: Stream) -> None:
        self.law = law
        self.draws = draws

    def enter(self, entity: Entity) -> None:
        """Give ``entity``, entering the system now, its deadline (the class's next draw)."""
        entity.deadline = entity.arrived + self.draws.draw()

    def resume(self, entity: Entity, now: float, rng: np.random.Generator) -> None:
        """Give ``entity``, placed in the system at ``now`` by a warm start, its deadline: it has
        not given up in its ``now - arrived`` minutes so far, so its patience is drawn given
        that it exceeds them (:func:`~portsim.engine.state.residual`)."""
        entity.deadline = now + residual(self.law, now - entity.arrived, rng)


class Rule:
    """One class's impatience at one station, with its random streams (``visit``: the class's
    patience over its whole visit, shared by the stations it visits)."""

    __slots__ = ("patience", "balk_at", "balk_probabilities", "uniforms", "retry", "away",
                 "retry_uniforms", "visit", "law")

    def __init__(self, spec: Impatience, patience: Stream | None, uniforms: Uniforms,
                 away: Stream | None = None, retry_uniforms: Uniforms | None = None,
                 visit: VisitClock | None = None) -> None:
        self.visit = visit
        self.law = spec.patience
        self.patience = patience
        self.balk_at = spec.balk_at
        self.balk_probabilities = spec.balk_probabilities
        self.uniforms = uniforms
        self.retry = spec.retry
        self.away = away
        self.retry_uniforms = retry_uniforms

    def comes_back(self) -> bool:
        """Whether a customer who just balked or gave up will try again."""
        retry = self.retry
        if retry <= 0.0 or self.away is None:
            return False
        return retry >= 1.0 or (self.retry_uniforms is not None
                                and self.retry_uniforms.draw() < retry)

    def balks(self, waiting: int) -> bool:
        """Whether a customer who finds ``waiting`` customers in the queue refuses to join."""
        if self.balk_at is not None and waiting >= self.balk_at:
            return True
        probabilities = self.balk_probabilities
        if not probabilities:
            return False
        chance = probabilities[min(waiting, len(probabilities) - 1)]
        # A uniform is drawn only when the chance is neither 0 nor 1, so that a rule of 0s and
        # 1s (a queue cap written as probabilities) draws nothing.
        return chance >= 1.0 or (chance > 0.0 and self.uniforms.draw() < chance)


class ImpatientStation(Station):
    """A station at which customers may balk or renege (see the module's docstring)."""

    __slots__ = ("rules", "on_leave", "abandoned", "balked", "abandon_waits", "line", "retried",
                 "came_by_slot", "balked_by_slot", "_inv_slot")

    def __init__(self, *args: Any, rules: dict[Any, Rule],
                 on_leave: Callable[[Entity, str], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = PatientLine(self.queue)
        self.queue = self.line
        self.rules = rules
        self.on_leave = on_leave
        self.abandoned = 0
        self.balked = 0
        self.retried = 0
        self.abandon_waits = Tally(self.waits.threshold)
        # Who came and who balked by clock slot of the run (the slots of ``self.slots``), for
        # the balked share hour by hour: a queue cap bites at the peak, not over the day.
        size = self.slots.days * self.slots.slots_per_day
        self.came_by_slot = [0] * size
        self.balked_by_slot = [0] * size
        self._inv_slot = 1.0 / self.slots.slot_minutes

    def arrive(self, entity: Entity) -> None:
        slot = min(int(self.env.now * self._inv_slot), len(self.came_by_slot) - 1)
        self.came_by_slot[slot] += 1
        rule = self.rules.get(entity.kind)
        if rule is None or self.can_start(entity):
            super().arrive(entity)
            return
        line = self.line
        if rule.balks(len(line)):
            self.arrivals += 1
            self.balked += 1
            self.balked_by_slot[slot] += 1
            if self.trace is not None:
                self.trace(self.env.now, entity.id, entity.kind.name, self.name, BALKED)
            self._gone(entity, BALKED, rule)
            return
        super().arrive(entity)  # joins the queue: every server is busy
        timer = rule.patience.draw() if rule.patience is not None else math.inf
        if rule.visit is not None:
            timer = min(timer, max(0.0, entity.deadline - self.env.now))
        if timer < math.inf:
            line.timers[entity] = Wake(self.env, timer, entity, self._renege,
                                        entity.turn)

    def wait_on(self, entity: Entity, waited: float, rng: np.random.Generator) -> None:
        """Give ``entity``, placed in the queue by a warm start after ``waited`` minutes in it,
        its patience timer: its station patience drawn given that it exceeds ``waited`` (it has
        not given up yet), or its visit's deadline if earlier (set before, see
        :meth:`VisitClock.resume`)."""
        rule = self.rules.get(entity.kind)
        if rule is None:
            return
        timer = residual(rule.law, waited, rng) if rule.law is not None else math.inf
        if rule.visit is not None:
            timer = min(timer, max(0.0, entity.deadline - self.env.now))
        if timer < math.inf:
            self.line.timers[entity] = Wake(self.env, timer, entity, self._renege,
                                             entity.turn)

    def _renege(self, event: Any) -> None:
        entity: Entity = event.value
        line = self.line
        if line.timers.get(entity) is not event:
            return  # its service started first (or it waits again, with a new timer)
        line.remove(entity)
        now = self.env.now
        if self._max_at == now:
            self._left(now)
        wait = now - entity.queued
        entity.wait += wait
        self._queue_area += wait
        self._spread(entity.queued, now, self._queue_bins)
        self.abandoned += 1
        self.abandon_waits.add(wait)
        self.abandon_waits.maybe_flush()
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, ABANDONED)
        rule = self.rules[entity.kind]
        if rule.visit is not None and now >= entity.deadline:
            self.on_leave(entity, ABANDONED)  # gave up on the visit: no retry
        else:
            self._gone(entity, ABANDONED, rule)

    def _gone(self, entity: Entity, how: str, rule: Rule) -> None:
        """A customer balked or gave up: it tries again later, or leaves the system."""
        if rule.comes_back():
            assert rule.away is not None
            Wake(self.env, rule.away.draw(), entity, self._come_back, entity.turn)
        else:
            self.on_leave(entity, how)

    def _come_back(self, event: Any) -> None:
        entity: Entity = event.value
        self.retried += 1
        if self.trace is not None:
            self.trace(self.env.now, entity.id, entity.kind.name, self.name, RETRY)
        self.arrive(entity)

    def reset_statistics(self, now: float) -> None:
        super().reset_statistics(now)
        self.abandoned = 0
        self.balked = 0
        self.retried = 0
        self.abandon_waits.reset()

    def close(self, now: float) -> None:
        super().close(now)
        self.abandon_waits.flush()
