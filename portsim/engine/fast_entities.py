"""The entities of a replication on the fast path, as columns (arrival, wait so far, departure,
class, parent), and what the class and system statistics take from them: the departures, and
the number in system over the run.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from portsim.engine import model as m
    from portsim.engine.classes import ClassState
    from portsim.stats.accumulators import Tally

__all__ = ["CLOCK_KEY", "Entities", "Flow", "Turns", "add_counts", "gather", "overlap",
           "positions", "record_departures", "sorted_batches"]

#: Keys below this one are moves in the model's own turn (customers an outage sends along their
#: fallback route, one after another): before every customer's turn at their instant, and
#: among themselves in the order of their keys, lowest first.
CLOCK_KEY = 0

#: Entities reaching a unit of the plan: (the node reached, entity ids, times, keys: in whose
#: turn each got there)
Flow = tuple[Any, np.ndarray, np.ndarray, np.ndarray]

_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_TIMES = np.zeros(0, dtype=float)


class Entities:
    """Every entity of the replication as columns, indexed by creation order.

    Ids are the fast path's own (a class's arrivals first, spawned members as their spawn
    steps are evaluated); :meth:`entry_order` gives the order the event engine numbers them in,
    the order in which ties at one instant are settled (docs/design.md, "Simultaneous
    events"). A *key* is the entity in whose turn another one moves: its own, or for a spawner
    released by the last member of its batch to leave, that member's.
    """

    def __init__(self, classes: int = 1, joins: bool = False) -> None:
        self.size = 0
        capacity = 1024
        self.arrived = np.empty(capacity)
        self.wait = np.zeros(capacity)
        self.departed = np.full(capacity, math.inf)
        # NOTE: the narrowest integers that hold a class index, and the columns below only
        # where the model needs them, for memory's sake: a national port-day has ~450k
        # entities, and each column of 8 bytes costs 3.6 MB at the day's peak
        self.kind = np.empty(capacity, dtype=np.min_scalar_type(-max(classes, 1)))
        # Who waits for each entity to leave (-1: nobody) and the turn each left the system
        # in: read by joins only, so kept only where the model has some.
        self.parent: np.ndarray | None = None
        self.left_by: np.ndarray | None = None
        if joins:
            self.parent = np.full(capacity, -1, dtype=np.int64)
            self.left_by = np.full(capacity, -1, dtype=np.int64)
        # A spawned member: when its batch was spawned, and in whose turn (-1: an arrival of
        # its class's own); made when the first member is spawned.
        self.spawned_at: np.ndarray | None = None
        self.spawned_by: np.ndarray | None = None
        #: When each entity entered the system (was numbered), where some did before they
        #: arrived (bookings ahead of arrival: see entered_at); None: all as they arrived.
        self.entered: np.ndarray | None = None
        #: The waits at the stations whose waits count in the classes' slot KPIs
        #: (``Model.slot_stations``); kept only where some do (see count_some_stations).
        self.counted: np.ndarray | None = None

    def count_some_stations(self) -> None:
        """Keep :attr:`counted` too: what the classes' slots file instead of whole waits (NaN
        until an entity queues at a station that counts: those who never do are not filed)."""
        self.counted = np.full(self.arrived.size, math.nan)

    def add_counted(self, at: np.ndarray | slice, waits: np.ndarray) -> None:
        """Waits at a station that counts in the slots, of the entities ``at``."""
        assert self.counted is not None
        # NOTE: in the one array read out of the column (or, for a slice, in the column
        # itself), not in three new ones, for memory's sake
        total = np.nan_to_num(self.counted[at], copy=False, nan=0.0)
        total += waits
        self.counted[at] = total

    def entered_at(self, ids: np.ndarray, times: np.ndarray) -> None:
        """Entities ``ids`` entered the system at ``times``, before (or as) they arrived."""
        if self.entered is None:
            self.entered = self.arrived.copy()
        self.entered[ids] = times

    def add(self, times: np.ndarray, kind: int, parent: np.ndarray | None = None,
            spawned: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """New entities arriving at ``times``; their ids. Spawned ones come with ``spawned``:
        when their batches were spawned, and the key of the turn each was spawned in."""
        count = times.size
        end = self.size + count
        if end > self.arrived.size:
            # NOTE: a quarter more, not double, for memory's sake: the columns cost ~72 bytes
            # an entity, and a national port-day's 450k entities left ~200k slots unused
            self._grow(max(end, self.arrived.size + self.arrived.size // 4))
        self.arrived[self.size:end] = times
        if self.entered is not None:
            self.entered[self.size:end] = times
        self.kind[self.size:end] = kind
        if parent is not None and self.parent is not None:
            self.parent[self.size:end] = parent
        if spawned is not None:
            if self.spawned_at is None or self.spawned_by is None:
                self.spawned_at = np.zeros(self.arrived.size)
                self.spawned_by = np.full(self.arrived.size, -1, dtype=np.int64)
            self.spawned_at[self.size:end], self.spawned_by[self.size:end] = spawned
        ids = np.arange(self.size, end, dtype=np.int64)
        self.size = end
        return ids

    def _grow(self, capacity: int) -> None:
        def grown(old: np.ndarray, fill: float) -> np.ndarray:
            new = np.full(capacity, fill, dtype=old.dtype)
            new[:old.size] = old
            return new

        def grown_if_kept(old: np.ndarray | None, fill: float) -> np.ndarray | None:
            return None if old is None else grown(old, fill)
        self.arrived = grown(self.arrived, 0.0)
        self.wait = grown(self.wait, 0.0)
        self.departed = grown(self.departed, math.inf)
        self.kind = grown(self.kind, 0)
        self.parent = grown_if_kept(self.parent, -1)
        self.spawned_at = grown_if_kept(self.spawned_at, 0.0)
        self.spawned_by = grown_if_kept(self.spawned_by, -1)
        self.left_by = grown_if_kept(self.left_by, -1)
        self.counted = grown_if_kept(self.counted, math.nan)
        self.entered = grown_if_kept(self.entered, 0.0)

    def entry_order(self, ids: np.ndarray) -> np.ndarray:
        """The positions of ``ids`` (distinct) sorted in the order the entities entered the
        system, the event engine's numbering: by arrival time; at one instant the classes' own
        arrivals by class (file order), each class's in turn, then spawned members in the order
        their batches were spawned (by when, then by the turn that spawned them), each batch's
        in turn. A member that booked ahead entered when it booked."""
        arrived = (self.arrived if self.entered is None else self.entered)[ids]
        if self.spawned_by is None or self.spawned_at is None:
            return np.lexsort((ids, self.kind[ids], arrived))
        by = self.spawned_by[ids]
        spawned = by >= 0
        if not spawned.any():
            return np.lexsort((ids, self.kind[ids], arrived))
        kind = np.where(spawned, 0, self.kind[ids])
        when = np.where(spawned, self.spawned_at[ids], 0.0)
        spawner = np.zeros(ids.size, dtype=np.int64)
        # the turns that spawned them were taken by entities that entered before them
        spawner[spawned] = self.turns(by[spawned])
        return np.lexsort((ids, spawner, when, kind, spawned, arrived))

    def turns(self, keys: np.ndarray) -> np.ndarray:
        """Where each of ``keys`` (entity ids, repeats allowed) stands among them in the order of
        entry: equal keys get equal numbers, earlier entrants smaller ones; moves in the model's
        own turn (keys below :data:`CLOCK_KEY`) negative numbers, in the order of their keys."""
        unique, inverse = np.unique(keys, return_inverse=True)
        place = np.empty(unique.size, dtype=np.int64)
        clock = int(np.searchsorted(unique, CLOCK_KEY))  # the model's own turn: first
        place[:clock] = np.arange(-clock, 0)
        place[clock + self.entry_order(unique[clock:])] = np.arange(unique.size - clock)
        return place[inverse.reshape(-1)]

    def in_turn(self, times: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """The order of moves at ``times`` in the turns of ``keys``: by time, and at one instant
        by the key's entry (see :meth:`entry_order`)."""
        order = np.argsort(times, kind="stable")
        at = times[order]
        same = at[1:] == at[:-1]
        if not same.any():
            return order
        tied = np.flatnonzero(np.concatenate(([False], same)) | np.concatenate((same, [False])))
        moved = order[tied]
        order[tied] = moved[np.lexsort((self.turns(keys[moved]), at[tied]))]
        return order

    def in_system(self, model: m.Model) -> tuple[int, int, float]:
        """The number in system at the end of the warm-up (0 without one) and at the horizon,
        and its integral over [warmup, horizon] less ``horizon`` times the number at the horizon
        (the event engine's ``in_area``, which collect adds ``horizon * in_count`` to)."""
        size = self.size
        arrived = self.arrived[:size]
        departed = self.departed[:size]
        entered = arrived < model.horizon
        arrived, departed = arrived[entered], departed[entered]
        warmup = model.warmup
        at_warmup = 0
        if warmup > 0:
            at_warmup = int(np.count_nonzero(arrived < warmup)
                            - np.count_nonzero(departed < warmup))
        horizon = model.horizon
        at_horizon = int(arrived.size - np.count_nonzero(departed < horizon))
        # The integral over [warmup, horizon] is the sum of each entity's time in the system
        # within it (not arrivals subtracted from departures: that sum would cancel).
        return at_warmup, at_horizon, overlap(arrived, departed, warmup, horizon) - (
            horizon * at_horizon)


class Turns:
    """The turns of the customers reaching a unit (``ids``, in the order they move, each in the
    turn of ``keys``), compared only where a tie needs them: worked out on the first call."""

    def __init__(self, entities: Entities, ids: np.ndarray, keys: np.ndarray) -> None:
        self.entities = entities
        self.ids = ids
        self.keys = keys
        self.own: memoryview | None = None
        self.moves: memoryview | None = None

    def before(self, customer: int, mover: int) -> bool:
        """Whether an event of the customer at position ``customer`` (its own: a service that
        ends) comes before the move of the one at position ``mover``, at the same instant."""
        own, moves = self.ranks()
        return own[customer] < moves[mover]

    def ranks(self) -> tuple[memoryview, memoryview]:
        """Each customer's own turn and the turn it moves in, as ranks in one order (read one
        by one as Python ints; 8 bytes each)."""
        if self.own is None or self.moves is None:
            count = self.ids.size
            turns = np.ascontiguousarray(
                self.entities.turns(np.concatenate((self.ids, self.keys))), dtype=np.int64)
            self.own, self.moves = turns[:count].data, turns[count:].data
        return self.own, self.moves


def sorted_batches(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``values`` in batches of ``counts`` (one after the other), each batch sorted.

    NOTE: as rows of a grid padded with infinity, one row per batch, where the padding costs
    little, for performance reasons (a sort along rows is several times faster than lexsort
    by batch and value); the same floats either way.
    """
    width = int(counts.max(initial=0))
    if counts.size * width > 4 * values.size + 1024:
        batch = np.repeat(np.arange(counts.size), counts)
        return values[np.lexsort((values, batch))]
    grid = np.full((counts.size, width), np.inf)
    grid[np.arange(width) < counts[:, None]] = values
    grid.sort(axis=1)
    return grid[np.arange(width) < counts[:, None]]


def positions(ids: np.ndarray) -> np.ndarray | slice:
    """Where ``ids`` are in the entity columns: a slice when they are consecutive and in order
    (all the customers of a class at its first station, say), else the ids themselves.

    NOTE: a slice reads and writes a column in place, where indexing by an array gathers and
    scatters element by element, for performance reasons; the same elements either way.
    """
    if ids.size and ids[-1] - ids[0] == ids.size - 1 and bool(np.all(ids[1:] > ids[:-1])):
        return slice(int(ids[0]), int(ids[-1]) + 1)
    return ids


def gather(flows: list[Flow], entities: Entities, horizon: float, ordered: bool = True,
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The entities of ``flows`` that got there before the horizon, with their times and
    keys, in the order the event engine moves them (time, then turn; any order unless
    ``ordered``: where no stream is drawn from), and for each the index of its flow."""
    if not flows:
        return _EMPTY_IDS, _EMPTY_TIMES, _EMPTY_IDS, _EMPTY_IDS
    # NOTE: the flows keep only their nodes (all the callers read after this), and the
    # columns are joined, filtered and reordered one at a time, so that each old array
    # dies before the next copy is made rather than beside it, for memory's sake
    # a flow of entities that each move in their own turn holds one array as ids and keys:
    # so do the gathered ones
    own_turns = all(flow[3] is flow[1] for flow in flows)
    columns = [[flow[at] for flow in flows] for at in ((1, 2) if own_turns else (1, 2, 3))]
    sizes = [flow[1].size for flow in flows]
    flows[:] = [(flow[0], _EMPTY_IDS, _EMPTY_TIMES, _EMPTY_IDS) for flow in flows]
    gathered = [_joined(columns.pop(0)) for _ in range(len(columns))]
    gathered.append(np.repeat(np.arange(len(sizes), dtype=np.min_scalar_type(len(sizes))),
                              sizes))
    keep = gathered[1] < horizon
    if not keep.all():
        _pick(gathered, keep)
    times = gathered[1]
    if ordered and times.size > 1 and not (np.all(times[1:] > times[:-1])):
        order = entities.in_turn(times, gathered[0] if own_turns else gathered[2])
        del times
        _pick(gathered, order)
    if own_turns:
        gathered.insert(2, gathered[0])
    ids, times, keys, source = gathered
    return ids, times, keys, source

def _joined(arrays: list[np.ndarray]) -> np.ndarray:
    """``arrays`` in one, in order (the array itself when there is one)."""
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def _pick(columns: list[np.ndarray], at: np.ndarray) -> None:
    """Each of ``columns`` replaced by its elements ``at``, one at a time."""
    for index in range(len(columns)):
        columns[index] = columns[index][at]


def overlap(starts: np.ndarray, ends: np.ndarray, span_start: float, span_end: float) -> float:
    """The total length of the intervals [starts[i], ends[i]] within [span_start, span_end].

    NOTE: worked in one array, in place, rather than in a new array per operation, for
    memory's sake (the same operations in the same order: the same sum)."""
    inside = np.minimum(ends, span_end)
    inside -= np.maximum(starts, span_start)
    np.clip(inside, 0.0, None, out=inside)
    return float(np.sum(inside))


def add_counts(series: list[int], times: np.ndarray, width: float) -> None:
    """Add a count per time to the per-bin ``series`` (bins of ``width`` from 0)."""
    if not times.size:
        return
    bins = (times * (1.0 / width)).astype(np.int64)
    counts = np.bincount(bins, minlength=len(series))[:len(series)]
    series[:] = (np.asarray(series, dtype=np.int64) + counts).tolist()


def record_departures(kind: ClassState, entities: Entities, ids: np.ndarray, times: np.ndarray,
                      warmup: float, bin_width: float,
                      system: tuple[Tally, Tally] | None, counted: bool = False) -> None:
    """Members ``ids`` of class ``kind`` leave the system at ``times``: their departures, and
    the class's (and with ``system``, the system's) waits and times in system after the
    warm-up (with ``counted``, its slots file the waits at the counted stations alone)."""
    entities.departed[positions(ids)] = times
    add_counts(kind.completion_series, times, bin_width)
    measured = times >= warmup
    if not measured.all():
        ids, times = ids[measured], times[measured]
    kind.completions += ids.size
    at = positions(ids)
    arrived = entities.arrived[at]
    waits = entities.wait[at]
    sojourns = times - arrived
    if not counted or entities.counted is None:
        kind.slots.add_many(waits, arrived)
    else:
        at_counted = entities.counted[at]
        visited = ~np.isnan(at_counted)
        kind.slots.add_many(at_counted[visited], arrived[visited])
    kind.waits.add_many(waits)
    kind.sojourns.add_many(sojourns)
    if kind.lateness is not None:
        assert kind.due_after is not None
        kind.lateness.add_many(np.maximum(0.0, sojourns - kind.due_after))
    if system is not None:
        system[0].add_many(waits)
        system[1].add_many(sojourns)
