"""A station whose servers have skills: pools of servers, each pool with a set of skills, and
customers who each need one skill (by class).

A customer who arrives starts at once with a free server of a pool that has its skill — of
the pools that can, the one with the fewest skills (generalists are kept free for customers
only they can serve), ties to the first listed — or waits in its skill's FIFO line. A server
that finishes takes, of the lines of its pool's skills, the customer who has waited longest,
or goes idle. Statistics (waits, queue length, utilisation, servers) are the station's over
all pools, as for any station; each class's waits give the waits by skill.

Each pool may follow its own daily shift schedule: a cut never preempts a service, an
increase serves the longest-waiting customers the pool can. Kept apart from
:class:`~portsim.engine.station.Station` so that other stations run the plain hot path.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from portsim.engine.entity import Entity
from portsim.engine.impatience import ImpatientStation
from portsim.engine.station import Station


class _Skilled(Protocol):
    @property
    def skills(self) -> Collection[str]: ...


PoolT = TypeVar("PoolT", bound=_Skilled)


def preferred(pools: Iterable[PoolT], skill: str) -> list[PoolT]:
    """The pools that have ``skill``, in the order a customer needing it is served: fewest
    skills first (generalists are kept for those only they can serve), then as listed."""
    return sorted((pool for pool in pools if skill in pool.skills),
                  key=lambda pool: len(pool.skills))


class Pool:
    """Servers that share a set of skills."""

    __slots__ = ("name", "skills", "servers", "busy")

    def __init__(self, name: str, skills: frozenset[str], servers: int) -> None:
        self.name = name
        self.skills = skills
        self.servers = servers
        self.busy = 0


class SkillLine:
    """FIFO lines by skill; taken by a set of skills, oldest head first, and of heads that
    joined at the same instant the one that joined first (a count of joins, so that the
    choice never depends on the order a set of skills happens to iterate in)."""

    __slots__ = ("lines", "skill_of", "_count", "_joins")

    def __init__(self, skill_of: Mapping[Any, str]) -> None:
        self.skill_of = skill_of
        self.lines: dict[str, deque[tuple[int, Entity]]] = {
            skill: deque() for skill in dict.fromkeys(skill_of.values())}
        self._count = 0
        self._joins = 0

    def __len__(self) -> int:
        return self._count

    def push(self, entity: Entity) -> None:
        self._joins += 1
        self.lines[self.skill_of[entity.kind]].append((self._joins, entity))
        self._count += 1

    def take_for(self, skills: frozenset[str]) -> Entity | None:
        oldest: deque[tuple[int, Entity]] | None = None
        for skill in skills:
            line = self.lines.get(skill)
            if line and (oldest is None or _older(line[0], oldest[0])):
                oldest = line
        if oldest is None:
            return None
        self._count -= 1
        return oldest.popleft()[1]

    def take(self) -> Entity:
        entity = self.take_for(frozenset(self.lines))
        if entity is None:
            raise IndexError("take from an empty line")
        return entity

    def head(self) -> Entity:
        heads = [line[0] for line in self.lines.values() if line]
        if not heads:
            raise IndexError("head of an empty line")
        return min(heads, key=lambda head: (head[1].queued, head[0]))[1]

    def entities(self) -> list[Entity]:
        return [entity for line in self.lines.values() for _, entity in line]

    def remove(self, entity: Entity) -> None:
        line = self.lines[self.skill_of[entity.kind]]
        for index, (_, waiting) in enumerate(line):
            if waiting is entity:
                del line[index]
                self._count -= 1
                return
        raise ValueError("remove of a customer not in the line")


def _older(head: tuple[int, Entity], other: tuple[int, Entity]) -> bool:
    """Whether ``head`` joined before ``other``: earlier, or at the same instant but first."""
    queued, other_queued = head[1].queued, other[1].queued
    return queued < other_queued or (queued == other_queued and head[0] < other[0])


class SkillStation(Station):
    """A station of skilled server pools (see the module's docstring).

    No ``__slots__`` of its own: a station whose customers may also give up combines it with
    :class:`~portsim.engine.impatience.ImpatientStation`, and two bases cannot both add slots.
    """

    def __init__(self, *args: Any, pools: Sequence[Pool], skill_of: Mapping[Any, str],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pools = list(pools)
        self.skill_of = skill_of
        self.queue = SkillLine(skill_of)
        self.serving: dict[Entity, Pool] = {}
        self._by_skill = {skill: preferred(self.pools, skill)
                          for skill in dict.fromkeys(skill_of.values())}

    def _free_pool(self, entity: Entity) -> Pool | None:
        for pool in self._by_skill[self.skill_of[entity.kind]]:
            if pool.busy < pool.servers:
                return pool
        return None

    def can_start(self, entity: Entity) -> bool:
        return self._free_pool(entity) is not None

    def arrive(self, entity: Entity) -> None:
        now = self.env.now
        self.arrivals += 1
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, "queue")
        pool = self._free_pool(entity)
        if pool is not None:
            pool.busy += 1
            self.busy += 1
            self.serving[entity] = pool
            self._serve(entity, now, 0.0, True)
            return
        entity.queued = now
        self.queue.push(entity)
        if len(self.queue) > self._queue_max:
            self._joined(len(self.queue), now)

    def _finish(self, entity: Entity) -> None:
        now = self.env.now
        self.completions += 1
        self._end_sum -= now
        if self.trace is not None:
            self.trace(now, entity.id, entity.kind.name, self.name, "finish")
        pool = self.serving.pop(entity)
        # The server just freed is free if the pool's servers were not cut below its busy.
        nxt = (self.queue.take_for(pool.skills)  # type: ignore[attr-defined]
               if pool.busy <= pool.servers else None)
        if nxt is not None:
            self.serving[nxt] = pool  # the freed server is taken again: busy unchanged
            self._serve_waiting(nxt, now)
        else:
            pool.busy -= 1
            self.busy -= 1
            if self.busy >= self.servers:
                self.capacity_level.set(now, self.busy)
        self.on_done(entity)

    def set_pool_servers(self, pool: Pool, servers: int) -> None:
        """A shift change of one pool: the station's servers are the pools' total; a cut never
        preempts (busy servers finish), an increase serves the longest-waiting customers the
        pool can."""
        now = self.env.now
        pool.servers = servers
        self.base_servers = sum(p.servers for p in self.pools)
        self.servers = self.base_servers
        self.servers_level.set(now, self.servers)
        self.capacity_level.set(now, max(self.servers, self.busy))
        while pool.busy < pool.servers:
            nxt = self.queue.take_for(pool.skills)  # type: ignore[attr-defined]
            if nxt is None:
                break
            pool.busy += 1
            self.busy += 1
            self.serving[nxt] = pool
            self._serve_waiting(nxt, now)


class ImpatientSkillStation(ImpatientStation, SkillStation):
    """Skilled pools, and customers who may give up (see both bases)."""


__all__ = ["ImpatientSkillStation", "Pool", "SkillLine", "SkillStation", "preferred"]
