"""The route steps of a model (a visit, a branch, a shortest-queue choice, an optional step, a
delay, a spawn of a batch, a milestone) and the walks over routes: every step with the
probability of reaching it, the milestones and stations a route names, and a route rewritten.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from portsim.engine.distributions import Distribution

__all__ = ["ArrivalError", "Branch", "Delay", "Milestone", "OptionalStep", "Route",
           "ShortestQueue", "Spawn", "Step", "Visit", "milestone_names", "rewrite",
           "stations_visited", "steps", "weighted_steps"]


@dataclass(frozen=True, slots=True)
class ArrivalError:
    """An entity's actual arrival against its declared one: off by a draw of ``size``
    (minutes, at least 0), early with probability ``early_share`` and late otherwise."""

    size: Distribution
    early_share: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.early_share <= 1.0:
            raise ValueError("early_share must lie in [0, 1]")


@dataclass(frozen=True, slots=True)
class Visit:
    """Queue for and receive service at a station.

    ``reserve_ahead`` (first step of a route only): the entity's request reaches the station
    that many minutes before the entity does, and is served ahead of the ordinary queue; a
    server that takes it is held for the entity, which then starts on arrival (a reservation).
    The reservation is made for the arrival time the arrival process gives (the declared one);
    with ``reserve_error`` the entity comes earlier or later than that (see
    :class:`ArrivalError`): a late one keeps its server idle longer, an early one waits until
    its reservation is made and then for its server.
    """

    station: str
    reserve_ahead: float | None = None
    #: With ``reserve_ahead``: how far the entity's actual arrival is off the time its
    #: reservation was made for (None: it arrives exactly then).
    reserve_error: ArrivalError | None = None
    #: What the entity does instead while the station is out of order (an outage, or every
    #: server on duty broken; see engine.breakdowns): arriving then, or queueing when it
    #: happens, it takes this route and then goes on after this step. None: it waits.
    fallback: Route | None = None


@dataclass(frozen=True, slots=True)
class Branch:
    """Take one of several sub-routes with the given probabilities (summing to 1)."""

    options: tuple[tuple[float, Route], ...]


@dataclass(frozen=True, slots=True)
class ShortestQueue:
    """Join one of several stations: by default the one with the fewest customers per open
    server (ties: first listed).

    With ``by_expected_wait``: the one where the expected wait on arrival plus the travel time
    to it is least — the expected wait is ``(customers ahead - servers + 1) * mean service /
    servers`` when every server is taken, else 0, with the mean service of the entity's class
    there (ties: the fewest customers per open server, then first listed). The entity then
    travels ``travel[i]`` minutes (not counted as waiting) before it joins; ``milestone`` names
    the moment it arrives there (``until_<milestone>`` KPIs).
    """

    stations: tuple[str, ...]
    travel: tuple[float, ...] = ()
    by_expected_wait: bool = False
    milestone: str | None = None

    def __post_init__(self) -> None:
        if self.travel and len(self.travel) != len(self.stations):
            raise ValueError("a choice needs one travel time per station")
        if any(t < 0 or not math.isfinite(t) for t in self.travel):
            raise ValueError("travel times must be finite and >= 0")

    def dropping(self, keep: Callable[[str], bool]) -> ShortestQueue | None:
        """The same choice among the stations ``keep`` accepts (None if none is left)."""
        kept = [i for i, name in enumerate(self.stations) if keep(name)]
        if not kept:
            return None
        return replace(self, stations=tuple(self.stations[i] for i in kept),
                       travel=tuple(self.travel[i] for i in kept) if self.travel else ())

    def adding(self, station: str) -> ShortestQueue:
        """The same choice with ``station`` first (no travel to it)."""
        return replace(self, stations=(station, *self.stations),
                       travel=(0.0, *self.travel) if self.travel else ())


@dataclass(frozen=True, slots=True)
class OptionalStep:
    """Take a sub-route with a probability, else skip it."""

    probability: float
    route: Route


@dataclass(frozen=True, slots=True)
class Delay:
    """Spend a random time without queueing (walking, deplaning, a fixed process)."""

    duration: Distribution


@dataclass(frozen=True, slots=True)
class Spawn:
    """Create ``count`` (rounded) new entities of another class here and now, spread uniformly
    over ``spread`` minutes: the passengers a bus or a train brings to the hall.

    With ``wait``, the spawning entity does not take its next step (other than another spawn)
    until every member of the batch has left the system: a train that departs only when all
    its passengers are cleared, a ship released when its crew is. Consecutive waiting spawns
    join: the entity goes on when the last member of any of them has left.
    """

    class_name: str
    count: Distribution
    spread: float = 0.0
    wait: bool = False


@dataclass(frozen=True, slots=True)
class Milestone:
    """Record the time since the entity's arrival when it reaches this point of its route
    (e.g. cleared to berth): class KPIs ``until_<name>_mean``, ``_p50`` ... ``_max``."""

    name: str

    def __post_init__(self) -> None:
        if not self.name.replace("_", "").isalnum():
            raise ValueError(f"milestone name {self.name!r}: use letters, digits and '_'")


Step = Visit | Branch | ShortestQueue | OptionalStep | Delay | Spawn | Milestone
Route = tuple[Step, ...]


def weighted_steps(route: Route, weight: float = 1.0) -> Iterator[tuple[float, Step]]:
    """(probability of reaching it, step) for every step of ``route``, those inside branches and
    optional steps too (depth first, each container before its sub-routes): the one walk over
    routes. ``weight`` is the probability of reaching the route itself."""
    for step in route:
        yield weight, step
        if isinstance(step, Branch):
            for p, sub in step.options:
                yield from weighted_steps(sub, weight * p)
        elif isinstance(step, OptionalStep):
            yield from weighted_steps(step.route, weight * step.probability)
        elif isinstance(step, Visit) and step.fallback is not None:
            # Taken only while the station is out of order: weight 0 in load estimates.
            yield from weighted_steps(step.fallback, 0.0)


def steps(route: Route) -> Iterator[Step]:
    """Every step of ``route``, those inside branches and optional steps too (depth first)."""
    return (step for _, step in weighted_steps(route))


def milestone_names(route: Route) -> list[str]:
    """The milestones of ``route`` in the order its steps name them (once each)."""
    names = []
    for step in steps(route):
        if isinstance(step, Milestone):
            names.append(step.name)
        elif isinstance(step, ShortestQueue) and step.milestone is not None:
            names.append(step.milestone)
    return list(dict.fromkeys(names))


def stations_visited(route: Route) -> list[str]:
    """Every station ``route`` may visit (by a station step or a shortest-queue choice)."""
    found: list[str] = []
    for step in steps(route):
        if isinstance(step, Visit):
            found.append(step.station)
        elif isinstance(step, ShortestQueue):
            found.extend(step.stations)
    return found


def rewrite(route: Route, change: Callable[[Step], Route | None]) -> Route:
    """``route`` with every step for which ``change`` returns steps replaced by them (``()``
    removes it); other steps are kept, and branches and optional steps are rewritten inside. An
    optional step left with an empty route is dropped: it would do nothing."""
    out: list[Step] = []
    for step in route:
        replaced = change(step)
        if replaced is not None:
            out.extend(replaced)
            continue
        kept: Step = step
        if isinstance(step, Branch):
            kept = replace(step, options=tuple((p, rewrite(sub, change))
                                               for p, sub in step.options))
        elif isinstance(step, OptionalStep):
            sub = rewrite(step.route, change)
            if not sub:
                continue
            kept = replace(step, route=sub)
        elif isinstance(step, Visit) and step.fallback is not None:
            kept = replace(step, fallback=rewrite(step.fallback, change))
        out.append(kept)
    return tuple(out)
