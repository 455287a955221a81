"""The fast path's per-customer loop at a station of skilled server pools, or one whose
customers give up and try again (retrials), or both: :class:`PooledSweep`.

It sweeps the station's events as :class:`~portsim.engine.kernels_giving.ImpatientSweep`
does -- in time order; at one instant first the model's own clock (here the pools' shift
changes), then the customers' own events (services ending, patience running out, customers
coming back) and moves by their turns -- with the event engine's
:class:`~portsim.engine.skills.SkillStation` as the rule of who starts: an arrival takes a free
server of the fewest-skill pool that has its skill, a freed server (or a pool's shift
increase) takes the oldest head of its pool's skill lines. A station without pools is one pool
with every skill, which is first come, first served. A customer who balks or gives up comes
back (with the retry share's chance) after a time away, as a new arrival at the same station
in its own turn: pushed into the sweep's own heap of arrivals, later than the give-up that
caused it, so the station's day still needs no later station.

Every variate is taken at the moment the event engine draws it, from a block drawn ahead from
the engine's own stream: a service when it starts, a patience when its customer joins, a
balking uniform when a chance strictly between 0 and 1 is tried, the retry uniform and the time
away when a customer gives up. Each stream serves one purpose for one class at this station, so
the numbers are the engine's whatever else happens; a block that runs out stops the sweep
(:func:`python_pooled_starts` says so, and the caller runs it again with longer blocks).
The loop is compiled as ``pooled_starts`` (``portsim/_kernels.c``) where the C extension was
built; :func:`python_pooled_starts` is its twin on the same arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from heapq import heappop, heappush
from typing import Any

import numpy as np

from portsim.engine.impatience import Rule
from portsim.engine.kernels import compiled_or

__all__ = ["LEVEL_CAPACITY", "LEVEL_SERVERS", "Left", "PooledSweep", "pooled_starts",
           "python_pooled_starts"]

#: The station levels the sweep sets, as the event engine sets them.
LEVEL_SERVERS, LEVEL_CAPACITY = 0, 1
#: The sweep's heaps of customers' own events.
_RUNNING, _TIMER, _RETURNING = 0, 1, 2


@dataclass
class Left:
    """Who left the station without service, one row a try, in the order they left: the
    customer's position, when that try arrived, when it left, whether it reneged (else it
    balked), and whether for good (else it comes back)."""

    position: list[int] = field(default_factory=list)
    arrived: list[float] = field(default_factory=list)
    left: list[float] = field(default_factory=list)
    reneged: list[bool] = field(default_factory=list)
    final: list[bool] = field(default_factory=list)


class PooledSweep:
    """A station's day at its pools (``pools``: per pool its skills as a set of skill
    numbers and its servers at the start; ``clock``: the pools' changes (time, pool,
    servers) in the order the event engine plays them), its customers of classes ``kinds``
    needing skills ``skill_of[kind]``, served from ``services`` (per class a stream), giving
    up by ``rules`` (per class the event engine's
    :class:`~portsim.engine.impatience.Rule` with its streams, or absent)."""

    def __init__(self, pools: list[tuple[frozenset[int], int]],
                 clock: list[tuple[float, int, int]], horizon: float,
                 services: dict[int, Any], rules: dict[int, Rule],
                 skill_of: list[int], kinds: list[int], turns: list[int]) -> None:
        self.pool_skills = [skills for skills, _ in pools]
        self.pool_servers = [servers for _, servers in pools]
        self.pool_busy = [0] * len(pools)
        self.servers = sum(self.pool_servers)
        self.busy = 0
        skills = max((skill for pool_skills in self.pool_skills for skill in pool_skills),
                     default=-1) + 1
        # per skill: the pools that have it, fewest skills first, then as listed
        self.preferred = [sorted((index for index, pool_skills in enumerate(self.pool_skills)
                                  if skill in pool_skills),
                                 key=lambda index: len(self.pool_skills[index]))
                          for skill in range(skills)]
        self.clock = clock
        self.upcoming = 0
        self.horizon = horizon
        self.services = services
        self.rules = rules
        self.skill_of = skill_of
        self.kinds = kinds
        self.turns = turns
        self.running: list[tuple[float, int, int, int]] = []  # (end, turn, position, pool)
        self.timers: list[tuple[float, int, int, int]] = []   # (out, turn, position, join)
        self.returning: list[tuple[float, int, int]] = []     # (back, turn, position)
        self.lines: list[list[tuple[int, int]]] = [[] for _ in range(skills)]  # (join, pos)
        self.live: dict[int, int] = {}  # position -> its join number, while it queues
        self.tried: dict[int, float] = {}  # position -> when its latest try arrived
        self.joins = 0
        self.started: list[int] = []
        self.start_times: list[float] = []
        self.service_of: dict[int, float] = {}
        self.gone = Left()
        self.came: list[float] = []  # every try's arrival, in the order they came
        self.retries: list[tuple[int, float]] = []  # (position, when it came back)
        self.levels: list[tuple[float, int, int]] = []  # (time, LEVEL_*, value)

    # ------------------------------------------------------------------ the events

    def advance(self, at: float, turn: int) -> None:
        """Play every event before a move at ``at`` in turn ``turn`` (and before the
        horizon): the pools' changes up to ``at``, then the customers' own events before
        ``at`` or at ``at`` in a turn not after ``turn``, by time, then turn (of one time and
        turn, a service ending first, then a patience running out)."""
        clock, horizon = self.clock, self.horizon
        running, timers, returning = self.running, self.timers, self.returning
        count = len(clock)
        while True:
            change = clock[self.upcoming][0] if self.upcoming < count else math.inf
            # NOTE: the earliest of the three heads compared field by field rather than as
            # sliced tuples, for performance reasons (the sweep's hottest lines)
            first, first_turn, which = math.inf, 0, _RUNNING
            if running:
                first, first_turn = running[0][0], running[0][1]
            if timers:
                out = timers[0]
                if out[0] < first or (out[0] == first and out[1] < first_turn):
                    first, first_turn, which = out[0], out[1], _TIMER
            if returning:
                back = returning[0]
                if back[0] < first or (back[0] == first and back[1] < first_turn):
                    first, first_turn, which = back[0], back[1], _RETURNING
            if change <= first:
                if not (change <= at and change < horizon):
                    return
                self._change(change)
            elif not (first < horizon and (first < at or (first == at and first_turn <= turn))):
                return
            elif which == _RUNNING:
                self._finish(first)
            elif which == _TIMER:
                self._renege(first)
            else:
                position = heappop(returning)[2]
                self.retries.append((position, first))
                self.arrive(first, position)

    def arrive(self, at: float, position: int) -> None:
        """A try of the customer at ``position`` reaches the station at ``at``: it starts with
        a free server, else balks or joins its skill's line with its patience
        (:meth:`portsim.engine.impatience.ImpatientStation.arrive`)."""
        self.came.append(at)
        self.tried[position] = at
        kind = self.kinds[position]
        pool = self._free_pool(kind)
        if pool >= 0:
            self.pool_busy[pool] += 1
            self.busy += 1
            self._start(at, position, pool)
            return
        rule = self.rules.get(kind)
        if rule is not None and rule.balks(len(self.live)):
            self._gone(position, at, at, False, rule)
            return
        self.joins += 1
        heappush(self.lines[self.skill_of[kind]], (self.joins, position))
        self.live[position] = self.joins
        if rule is not None and rule.patience is not None:
            heappush(self.timers, (at + rule.patience.draw(), self.turns[position], position,
                                   self.joins))

    def _free_pool(self, kind: int) -> int:
        busy, servers = self.pool_busy, self.pool_servers
        for pool in self.preferred[self.skill_of[kind]]:
            if busy[pool] < servers[pool]:
                return pool
        return -1

    def _start(self, at: float, position: int, pool: int) -> None:
        service = self.services[self.kinds[position]].draw()
        self.service_of[position] = service
        self.started.append(position)
        self.start_times.append(at)
        heappush(self.running, (at + service, self.turns[position], position, pool))

    def _take_for(self, pool: int) -> int:
        """The position of the oldest head of the lines of ``pool``'s skills, taken from its
        line (-1: nobody waits for it); those who gave up are dropped here."""
        best, best_join, live = -1, 0, self.live
        for skill in self.pool_skills[pool]:
            line = self.lines[skill]
            while line and live.get(line[0][1]) != line[0][0]:
                heappop(line)
            if line and (best < 0 or line[0][0] < best_join):
                best, best_join = skill, line[0][0]
        if best < 0:
            return -1
        _, position = heappop(self.lines[best])
        del live[position]
        return position

    def _finish(self, end: float) -> None:
        _, _, _, pool = heappop(self.running)
        position = self._take_for(pool) if self.pool_busy[pool] <= self.pool_servers[pool] else -1
        if position >= 0:
            self._start(end, position, pool)  # the freed server is taken again
            return
        self.pool_busy[pool] -= 1
        self.busy -= 1
        if self.busy >= self.servers:  # servers cut by a shift finish what they began
            self.levels.append((end, LEVEL_CAPACITY, self.busy))

    def _renege(self, out: float) -> None:
        _, _, position, join = heappop(self.timers)
        if self.live.get(position) != join:
            return  # its service started first
        del self.live[position]  # its line drops it when it comes to the head
        self._gone(position, self.tried[position], out, True, self.rules[self.kinds[position]])

    def _gone(self, position: int, arrived: float, at: float, reneged: bool,
              rule: Rule) -> None:
        """The customer balked or gave up at ``at``: it comes back later, or leaves."""
        back = rule.comes_back()
        gone = self.gone
        gone.position.append(position)
        gone.arrived.append(arrived)
        gone.left.append(at)
        gone.reneged.append(reneged)
        gone.final.append(not back)
        if back:
            away = rule.away
            assert away is not None  # comes_back() says so
            heappush(self.returning, (at + away.draw(), self.turns[position], position))

    def _change(self, at: float) -> None:
        """A pool's shift change (:meth:`portsim.engine.skills.SkillStation.set_pool_servers`)."""
        _, pool, servers = self.clock[self.upcoming]
        self.upcoming += 1
        self.pool_servers[pool] = servers
        self.servers = sum(self.pool_servers)
        self.levels.append((at, LEVEL_SERVERS, self.servers))
        self.levels.append((at, LEVEL_CAPACITY, max(self.servers, self.busy)))
        while self.pool_busy[pool] < servers:
            position = self._take_for(pool)
            if position < 0:
                break
            self.pool_busy[pool] += 1
            self.busy += 1
            self._start(at, position, pool)

    def waiting(self) -> list[int]:
        """Who still queues (positions, in the order they joined)."""
        return sorted(self.live, key=self.live.__getitem__)


class _RanOut(Exception):
    """A block of pre-drawn variates (or of outputs) ran out: the caller draws more and runs
    the sweep again."""


class _Block:
    """Pre-drawn variates ``values[start:end]``, handed out in order like a stream's."""

    __slots__ = ("values", "next", "end")

    def __init__(self, values: list[float], start: int, end: int) -> None:
        self.values = values
        self.next = start
        self.end = end

    def draw(self) -> float:
        if self.next >= self.end:
            raise _RanOut
        value = self.values[self.next]
        self.next += 1
        return value


class _Trying(Rule):
    """The event engine's :class:`~portsim.engine.impatience.Rule` on pre-drawn blocks (its
    ``balks`` and ``comes_back`` themselves)."""

    def __init__(self, balk_at: int, chances: tuple[float, ...], patience: _Block | None,
                 uniforms: _Block, retry: float, retry_uniforms: _Block,
                 away: _Block | None) -> None:
        self.visit = self.law = None
        self.balk_at = None if balk_at < 0 else balk_at
        self.balk_probabilities = chances
        self.patience = patience  # type: ignore[assignment]
        self.uniforms = uniforms  # type: ignore[assignment]
        self.retry = retry
        self.retry_uniforms = retry_uniforms  # type: ignore[assignment]
        self.away = away  # type: ignore[assignment]


def python_pooled_starts(arrivals: np.ndarray, kinds: np.ndarray, turns: np.ndarray,
                         moves: np.ndarray, layout: tuple[np.ndarray, ...],
                         clock: tuple[np.ndarray, ...], horizon: float,
                         draws: tuple[np.ndarray, ...], rules: tuple[np.ndarray, ...],
                         outputs: tuple[np.ndarray, ...]) -> tuple[int, int, int, int, int]:
    """A station's day at its pools (see :class:`PooledSweep`), on arrays. The customers reach
    it at ``arrivals`` (in the order they move), of classes ``kinds``, in their own ``turns``,
    moving in the turns ``moves``. ``layout`` = (pool_skill_offsets, pool_skills,
    pool_servers, preferred_offsets, preferred, skill_of): pool ``p``'s skills are
    ``pool_skills[pool_skill_offsets[p]:pool_skill_offsets[p + 1]]``, the pools a customer
    needing skill ``s`` tries (in order) ``preferred[preferred_offsets[s]:...[s + 1]]``, the
    skill of class ``k`` ``skill_of[k]``. ``clock`` = (times, pools, servers): the pools'
    changes in the order they are played. ``draws`` = (service_offsets, services,
    try_offsets, patiences, uniforms, retry_uniforms, aways): class ``k``'s services are
    ``[service_offsets[k], service_offsets[k + 1])`` of ``services``, its variates drawn per
    try ``[try_offsets[k], try_offsets[k + 1])`` of the other four. ``rules`` = (patient,
    balk_at, chance_offsets, chances, retry): per class whether it has a patience, the queue
    it refuses at (-1: none), its balking chances, its retry share. ``outputs`` = (starts,
    order, service_of, latest, joined, gone, gone_arrived, gone_left, gone_how, back,
    back_at, came, level_at, level_which, level_value): who started (positions) and when, in
    the order they did; each position's service (NaN: none) and latest try, and its join
    number if it still queues (0: not); each give-up (position, when its try came, when it
    left, how: 1 balked, 2 reneged, +4 for good); each try back (position, when); every
    try's arrival; each level set (time, LEVEL_*, value). Returns how many started, gave up,
    came back, came, and levels set; (-1, 0, 0, 0, 0) when a block of draws or outputs ran
    out (draw more, make room, run again)."""
    sweep = _pooled_sweep(arrivals, kinds, turns, layout, clock, horizon, draws, rules)
    try:
        for position, (at, move) in enumerate(zip(arrivals.tolist(), moves.tolist(),
                                                   strict=True)):
            sweep.advance(at, move)
            sweep.arrive(at, position)
        sweep.advance(horizon, -1)
    except _RanOut:
        return -1, 0, 0, 0, 0
    return _written(sweep, outputs)


def _pooled_sweep(arrivals: np.ndarray, kinds: np.ndarray, turns: np.ndarray,
                  layout: tuple[np.ndarray, ...], clock: tuple[np.ndarray, ...], horizon: float,
                  draws: tuple[np.ndarray, ...], rules: tuple[np.ndarray, ...]) -> PooledSweep:
    skill_offsets, skill_list, pool_servers, preferred_offsets, preferred, skill_of = (
        array.tolist() for array in layout)
    service_offsets, services, try_offsets, *per_try = (array.tolist() for array in draws)
    patiences, uniforms, retry_uniforms, aways = per_try
    patient, balk_at, chance_offsets, chances, retry = (array.tolist() for array in rules)
    pools = [(frozenset(skill_list[skill_offsets[p]:skill_offsets[p + 1]]), pool_servers[p])
             for p in range(len(pool_servers))]
    classes = len(service_offsets) - 1
    streams = {k: _Block(services, service_offsets[k], service_offsets[k + 1])
               for k in range(classes)}
    trying: dict[int, Rule] = {}
    for k in range(classes):
        low, high = try_offsets[k], try_offsets[k + 1]
        trying[k] = _Trying(
            balk_at[k], tuple(chances[chance_offsets[k]:chance_offsets[k + 1]]),
            _Block(patiences, low, high) if patient[k] else None,
            _Block(uniforms, low, high), retry[k], _Block(retry_uniforms, low, high),
            _Block(aways, low, high) if retry[k] > 0.0 else None)
    times, changed, counts = (array.tolist() for array in clock)
    sweep = PooledSweep(pools, list(zip(times, changed, counts, strict=True)), horizon,
                        streams, trying, skill_of, kinds.tolist(), turns.tolist())
    sweep.preferred = [preferred[preferred_offsets[s]:preferred_offsets[s + 1]]
                       for s in range(len(preferred_offsets) - 1)]
    return sweep


def _written(sweep: PooledSweep, outputs: tuple[np.ndarray, ...]) -> tuple[int, int, int, int,
                                                                            int]:
    (starts, order, service_of, latest, joined, gone, gone_arrived, gone_left, gone_how, back,
     back_at, came, level_at, level_which, level_value) = outputs
    left = sweep.gone
    lost, returned, tries, levels = (len(left.position), len(sweep.retries), len(sweep.came),
                                     len(sweep.levels))
    if max(lost, returned, tries) > gone.size or levels > level_at.size:
        return -1, 0, 0, 0, 0
    started = len(sweep.started)
    starts[:started], order[:started] = sweep.start_times, sweep.started
    service_of[:] = math.nan
    for position, service in sweep.service_of.items():
        service_of[position] = service
    for position, at in sweep.tried.items():
        latest[position] = at
    joined[:] = 0
    for position, join in sweep.live.items():
        joined[position] = join
    gone[:lost], gone_arrived[:lost], gone_left[:lost] = left.position, left.arrived, left.left
    gone_how[:lost] = [(2 if reneged else 1) + (4 if final else 0)
                       for reneged, final in zip(left.reneged, left.final, strict=True)]
    if returned:
        back[:returned], back_at[:returned] = zip(*sweep.retries, strict=True)
    came[:tries] = sweep.came
    if levels:
        level_at[:levels], level_which[:levels], level_value[:levels] = zip(*sweep.levels,
                                                                          strict=True)
    return started, lost, returned, tries, levels


pooled_starts = compiled_or("pooled_starts", python_pooled_starts)
