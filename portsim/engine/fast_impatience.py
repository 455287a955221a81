"""Customers who give up, on the fast path: a station where some class may balk (a queue limit
or balking by queue length) or renege (a patience in the queue), swept over its own events as
:class:`~portsim.engine.kernels.PrioritySweep` does, with one more kind of event, a patience
running out (the loop is :func:`~portsim.engine.kernels_giving.impatient_starts`, compiled
when the C extension was built).

The event engine's :class:`~portsim.engine.impatience.ImpatientStation` decides at arrival: a
customer who finds a server free starts; one who would have to queue balks or joins, and a
joining one draws its patience then (its class's stream at this station, in the order its
members join). A patience that runs out in the customer's own turn takes it out of the queue
unless its service started first. The sweep takes the same decisions in the same order: it
plays every event before each move (shift changes first at an instant, then services ending
and patience running out by their customers' turns), so each customer finds the queue and the
servers as the event engine's would. Each class's services, patiences and balking uniforms
come from its own streams, one variate per use, in the order of use; so they are drawn here
ahead, as many of each as the class has customers at the station (no more can be used), and
the sweep takes them in that order: the numbers it uses are the event engine's.

Patience over a whole visit (a class's ``visit_patience``) makes every station the class
visits such a station for it. The event engine draws a member's deadline as it enters the
system (:class:`~portsim.engine.impatience.VisitClock`), the class's n-th number to its n-th
member to enter; here :class:`VisitDeadlines` draws them in that order (the entities' order of
entry) before the class's first station is evaluated, and the sweep gives a member who must
queue the earlier of its patience and its deadline, as the event engine's timer does. Without
retrials (here) one who reneges leaves the system whichever ran out. Retrials and monitors of
such a station stay with the event engine (see ``fast_plan.unsupported_part``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from portsim.engine import kernels_giving
from portsim.engine import model as m
from portsim.engine.kernels_giving import BALK, RENEGE, Reaction
from portsim.engine.streams import Stream, Uniforms, generator

if TYPE_CHECKING:
    from collections.abc import Mapping

    from portsim.engine.classes import ClassState
    from portsim.engine.fast_entities import Entities
    from portsim.engine.impatience import Rule

__all__ = ["BALK", "RENEGE", "GivingUp", "Reacting", "Swept", "VisitDeadlines",
           "giving_up_rules", "impatient_starts", "leave_unserved", "rule_arrays",
           "visit_deadlines"]


@dataclass
class GivingUp:
    """One class's rule at one station, with its streams: the queue length it refuses at,
    the chances of balking by queue length, and its patience (None: it waits for good)."""

    balk_at: int | None
    balk_probabilities: tuple[float, ...]
    uniforms: Uniforms
    patience: Stream | None


def giving_up_rules(model: m.Model, spec: m.StationSpec, class_index: dict[str, int],
                    seed: int, replication: int) -> dict[int, GivingUp]:
    """The rule of each class (by index) that may give up at station ``spec``, on the event
    engine's streams (``station_parts.impatience_rules``): a class with visit patience that
    visits it has one, if only the visit's."""
    rules = {}
    for cls in model.classes:
        rule = spec.impatience_for(cls.name)
        if rule is None and cls.visit_patience is not None and (
                spec.name in m.stations_visited(cls.route)):
            rule = m.Impatience()  # its deadline only
        if rule is None:
            continue
        patience = None if rule.patience is None else Stream(
            rule.patience, generator(seed, replication, "patience", spec.name, cls.name))
        uniforms = Uniforms(generator(seed, replication, "balk", spec.name, cls.name))
        rules[class_index[cls.name]] = GivingUp(rule.balk_at, rule.balk_probabilities,
                                                uniforms, patience)
    return rules


@dataclass
class Swept:
    """What became of the customers at a station where some give up, by their positions in
    the order they moved: who started (``started``, in the order they did) and when
    (``starts``); each one's service (``services``, NaN for those who started none); who
    left without service (``gone``, in the order they left), when (``left``) and whether by
    reneging (``reneged``; else they balked)."""

    started: np.ndarray
    starts: np.ndarray
    services: np.ndarray
    gone: np.ndarray
    left: np.ndarray
    reneged: np.ndarray
    server_changes: list[tuple[float, int]] | None = None


@dataclass
class Reacting:
    """A station's queue-reactive staffing as the sweep takes it: its clock events
    (:func:`~portsim.engine.fast_reactive.server_clock`) and its rule."""

    clock: tuple[np.ndarray, ...]
    rule: Reaction


def impatient_starts(servers: int, change_times: np.ndarray, change_servers: np.ndarray,
                     horizon: float, streams: dict[int, Stream], rules: dict[int, GivingUp],
                     arrivals: np.ndarray, priorities: np.ndarray, turns: np.ndarray,
                     moves: np.ndarray, kinds: np.ndarray, reacting: Reacting | None = None,
                     deadlines: np.ndarray | None = None) -> Swept:
    """Sweep the customers reaching a station (in the order they move, of classes ``kinds``
    served from ``streams``, some with ``deadlines`` over their whole visit) to the horizon,
    ``servers`` on duty at first and ``change_servers[k]`` from ``change_times[k]``; or, with
    ``reacting``, its servers following its clock and rule of queue-reactive staffing (the
    changes then listed in ``server_changes``)."""
    count = arrivals.size
    classes = 1 + max([*streams, *rules, int(kinds.max()) if count else -1])
    sizes = np.bincount(kinds, minlength=classes) if count else np.zeros(classes, np.int64)
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    if deadlines is None:
        deadlines = np.full(count, math.inf)
    draws = (offsets, *_ahead(streams, rules, sizes, offsets), _floats(deadlines))
    outputs = (np.empty(count), np.empty(count, np.int64), np.empty(count),
               np.empty(count, np.int64), np.empty(count), np.empty(count, np.int64))
    customers = (_floats(arrivals), _ints(priorities), _ints(kinds), _ints(turns),
                 _ints(moves), servers)
    changes = None
    if reacting is None:
        started, lost = kernels_giving.impatient_starts(
            *customers, _floats(change_times), _floats(change_servers), horizon, draws,
            rule_arrays(rules, classes), outputs)
    else:
        clock = reacting.clock
        server_times, server_counts = np.empty(clock[0].size), np.empty(clock[0].size, np.int64)
        rule = reacting.rule
        started, lost, changed = kernels_giving.reactive_starts(
            *customers, clock, (rule.open_above, rule.close_below, rule.max_extra), horizon,
            draws, rule_arrays(rules, classes), (*outputs, server_times, server_counts))
        changes = list(zip(server_times[:changed].tolist(), server_counts[:changed].tolist(),
                           strict=True))
    starts, order, services, gone, left, how = outputs
    return Swept(order[:started], starts[:started], services, gone[:lost], left[:lost],
                 how[:lost] == RENEGE, changes)


def _ahead(streams: dict[int, Stream], rules: dict[int, GivingUp], sizes: np.ndarray,
           offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each class's services, patiences and balking uniforms, as many as it has customers
    here, in blocks at ``offsets`` (NaN where a class has no such stream)."""
    total = int(offsets[-1])
    services, patiences, uniforms = np.full(total, np.nan), np.full(total, np.nan), \
        np.full(total, np.nan)
    for index, size in enumerate(sizes.tolist()):
        if not size:
            continue
        block = slice(int(offsets[index]), int(offsets[index]) + size)
        if index in streams:
            services[block] = streams[index].take(size)
        rule = rules.get(index)
        if rule is None:
            continue
        if rule.patience is not None:
            patiences[block] = rule.patience.take(size)
        # a uniform is drawn only to try a chance strictly between 0 and 1
        if any(0.0 < chance < 1.0 for chance in rule.balk_probabilities):
            uniforms[block] = rule.uniforms.take(size)
    return services, patiences, uniforms


class VisitDeadlines:
    """Each member's deadline over its whole visit, for the classes with visit patience, as
    the event engine draws them: its arrival plus the class's next draw as it enters the system,
    the class's members in their order of entry (:meth:`Entities.entry_order`). A class's are
    drawn when a station first asks for them: every member exists by then (its own arrivals
    from the start, spawned ones when the spawn steps, units before any of its route's, ran)."""

    def __init__(self, streams: dict[int, Stream]) -> None:
        self.streams = streams
        #: Class index -> its members' ids (ascending) and their deadlines.
        self.drawn: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def of(self, entities: Entities, ids: np.ndarray, kinds: np.ndarray) -> np.ndarray:
        """The deadlines of customers ``ids`` (of classes ``kinds``); infinite: none."""
        deadlines = np.full(ids.size, math.inf)
        for index, stream in self.streams.items():
            mine = kinds == index
            if not mine.any():
                continue
            if index not in self.drawn:
                members = np.flatnonzero(entities.kind[:entities.size] == index)
                first = entities.entry_order(members)
                drawn = np.empty(members.size)
                drawn[first] = entities.arrived[members[first]] + stream.take(members.size)
                self.drawn[index] = (members, drawn)
            members, drawn = self.drawn[index]
            at = np.minimum(np.searchsorted(members, ids[mine]), members.size - 1)
            # (a member made after its class's deadlines were drawn would have none)
            assert np.array_equal(members[at], ids[mine])
            deadlines[mine] = drawn[at]
        return deadlines


def visit_deadlines(model: m.Model, class_index: dict[str, int], seed: int,
                    replication: int) -> VisitDeadlines | None:
    """The deadlines of the classes with visit patience, on the event engine's streams
    (``station_parts.visit_clocks``); None if no class has one."""
    streams = {class_index[spec.name]: Stream(spec.visit_patience, generator(
        seed, replication, "visit-patience", spec.name))
        for spec in model.classes if spec.visit_patience is not None}
    return VisitDeadlines(streams) if streams else None


def rule_arrays(rules: Mapping[int, GivingUp | Rule], classes: int) -> tuple[np.ndarray, ...]:
    """(patient, balk_at, chance_offsets, chances) of :func:`kernels_giving.impatient_starts`
    (and of :func:`kernels_pools.pooled_starts`, whose rules are the event engine's)."""
    patient = np.zeros(classes, np.int64)
    balk_at = np.full(classes, -1, np.int64)
    chances: list[float] = []
    chance_offsets = [0]
    for index in range(classes):
        rule = rules.get(index)
        if rule is not None:
            patient[index] = rule.patience is not None
            if rule.balk_at is not None:
                balk_at[index] = rule.balk_at
            chances.extend(rule.balk_probabilities)
        chance_offsets.append(len(chances))
    return (patient, balk_at, np.asarray(chance_offsets, np.int64),
            np.asarray(chances, dtype=float))


def _floats(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=float)


def _ints(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.int64)


def leave_unserved(entities: Entities, classes: list[ClassState], warmup: float,
                   ids: np.ndarray, keys: np.ndarray, arrived: np.ndarray, left: np.ndarray,
                   reneged: np.ndarray, final: np.ndarray | None = None) -> None:
    """Customers ``ids`` (of ``classes``, by index; moving in the turns of ``keys``) left
    a station without service at ``left``: gave up waiting (``reneged``: the wait counts in
    their own and among their class's abandoning waits) or balked on arrival; and the
    system, unless ``final`` says they come back to try again (an id then appears once per
    try, in the order they left)."""
    if not ids.size:
        return
    if final is None:
        entities.wait[ids[reneged]] += (left - arrived)[reneged]
    else:  # tries of one customer add up, in the order they gave up
        np.add.at(entities.wait, ids[reneged], (left - arrived)[reneged])
        ids, keys, left, reneged = ids[final], keys[final], left[final], reneged[final]
    entities.departed[ids] = left
    if entities.left_by is not None:  # who waits for a batch goes on in the turn of its last
        entities.left_by[ids] = np.where(reneged, ids, keys)  # member out
    measured = left >= warmup
    kinds = entities.kind[ids]
    for index, kind in enumerate(classes):
        mine = measured & (kinds == index)
        if not mine.any():
            continue
        kind.balked += int(np.count_nonzero(mine & ~reneged))
        kind.abandoned += int(np.count_nonzero(mine & reneged))
        kind.abandon_waits.add_many(entities.wait[ids[mine & reneged]])
