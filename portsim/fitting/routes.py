"""Where a class goes, who gives up, and how many servers a station had on duty.

- **Paths**: the stations an entity reached, in order, over the entities that left the port or
  gave up (those still inside when the log ends are not counted). Written as a branch over the
  paths seen, each with its share; the shares' Wilson 95 % intervals are in the comments. One
  who gave up before its last station counts with the stations it reached: with much giving
  up early in a route the later stations' shares are low.
- **Steps**: which station follows which (``arrival`` first, ``departure`` last), each share
  of the entities served at a station (or arriving) that went on to the next, with its Wilson
  interval: the e-gate fallback share, the secondary referral share. Every entity counts for
  the steps it was seen to take, so giving up does not bias them.
- **Giving up**: per station and class, the shares of visits that balked and that abandoned
  the queue (Wilson intervals); patience is written as exponential with the maximum-likelihood
  mean (waiting time of every visit that queued, over the abandonments), balking only as a
  comment (a rule needs the queue lengths each arrival saw).
- **Servers**: the most services in progress at once in each hour of the day, over all days
  (a lower bound of those on duty: a server who served nobody is not seen).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from portsim.fitting.records import Entity

ARRIVAL, DEPARTURE = "arrival", "departure"
#: Slot of the servers on duty, minutes.
SERVER_SLOT = 60.0


@dataclass(frozen=True)
class Share:
    """``count`` of ``total``, with the Wilson 95 % interval."""

    count: int
    total: int
    low: float
    high: float

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0


def share(count: int, total: int) -> Share:
    """``count`` of ``total`` with its Wilson interval (scipy's binomtest)."""
    from scipy import stats

    if total == 0:
        return Share(0, 0, 0.0, 1.0)
    interval = stats.binomtest(count, total).proportion_ci(0.95, method="wilson")
    return Share(count, total, float(interval.low), float(interval.high))


@dataclass(frozen=True)
class RouteFit:
    """A class's paths and steps, and how many entities they were read from."""

    paths: tuple[tuple[tuple[str, ...], Share], ...]
    steps: tuple[tuple[str, str, Share], ...]
    completed: int
    inside: int
    gave_up: int


def reached_path(entity: Entity) -> tuple[str, ...] | None:
    """The stations an entity reached, in order, or None if it had not left the port (nor
    given up) when the log ends."""
    gave_up = any(v.outcome in ("balk", "abandon") for v in entity.visits)
    if not (entity.departed or gave_up):
        return None
    return tuple(v.station for v in entity.visits)


def fit_route(entities: list[Entity]) -> RouteFit:
    """The paths and steps of one class's entities."""
    paths = [reached_path(e) for e in entities]
    done = [p for p in paths if p is not None]
    counted = Counter(done)
    ordered = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    moves: Counter[tuple[str, str]] = Counter()
    leaving: Counter[str] = Counter()
    for entity in entities:
        for here, there in _moves(entity):
            moves[here, there] += 1
            leaving[here] += 1
    steps = tuple((here, there, share(n, leaving[here]))
                  for (here, there), n in sorted(moves.items()))
    gave_up = sum(1 for e in entities if any(v.outcome in ("balk", "abandon") for v in e.visits))
    return RouteFit(tuple((p, share(n, len(done))) for p, n in ordered), steps, len(done),
                    len(entities) - len(done), gave_up)


def _moves(entity: Entity) -> list[tuple[str, str]]:
    """Where an entity went from arrival and from each station it was served at: not from a
    station it gave up at, nor from its last one while it is still inside."""
    places = [ARRIVAL, *(v.station for v in entity.visits)]
    moves = []
    for index, visit in enumerate(entity.visits):
        moves.append((places[index], visit.station))
        if visit.outcome != "served":
            return moves
    if entity.departed:
        moves.append((places[-1], DEPARTURE))
    return moves


@dataclass(frozen=True)
class GivingUp:
    """Balking and abandonment of one class at one station."""

    balked: Share
    abandoned: Share
    waited: float  # minutes in the queue, over every visit that queued

    @property
    def patience_mean(self) -> float | None:
        """The exponential patience's maximum-likelihood mean (None: nobody abandoned)."""
        return self.waited / self.abandoned.count if self.abandoned.count else None

    @property
    def patience_interval(self) -> tuple[float, float] | None:
        """The exact 95 % interval of the exponential patience's mean (time on test over
        abandonments: 2W/mean is chi-square with 2k degrees of freedom)."""
        from scipy import stats

        k = self.abandoned.count
        if not k:
            return None
        return (2 * self.waited / float(stats.chi2.ppf(0.975, 2 * k)),
                2 * self.waited / float(stats.chi2.ppf(0.025, 2 * k)))


def fit_giving_up(entities: list[Entity], station: str) -> GivingUp | None:
    """Balking and abandonment at ``station`` of a class's ``entities`` (None: none seen)."""
    visits = [v for e in entities for v in e.visits if v.station == station]
    balked = sum(v.outcome == "balk" for v in visits)
    abandoned = sum(v.outcome == "abandon" for v in visits)
    if not balked and not abandoned:
        return None
    queued = [v for v in visits if v.outcome != "balk"]
    waited = sum((v.start if v.start is not None else v.finish or v.queued) - v.queued
                 for v in queued)
    return GivingUp(share(balked, len(visits)), share(abandoned, len(queued)), waited)


def servers_on_duty(services: list[tuple[float, float]], end: float) -> list[int]:
    """The most services in progress at once in each hour of the day (24 values), over every
    day of a log ending at ``end`` (hours it never reached: the busiest hour's); ``services``
    are (start, finish) pairs."""
    import numpy as np

    slots = max(1, int(np.ceil(end / SERVER_SLOT)))
    if not services:
        return [0] * 24
    times = np.array([t for s, f in services for t in (s, f)])
    steps = np.array([d for _ in services for d in (1, -1)])
    order = np.lexsort((steps, times))  # a finish before a start at the same instant
    times, levels = times[order], np.cumsum(steps[order])
    most = np.zeros(slots, dtype=int)
    index = np.minimum((times // SERVER_SLOT).astype(int), slots - 1)
    np.maximum.at(most, index, levels)
    before = np.searchsorted(times, np.arange(slots) * SERVER_SLOT, side="left") - 1
    carried = np.where(before >= 0, levels[np.maximum(before, 0)], 0)
    most = np.maximum(most, carried)  # services running since before the slot began
    by_hour = np.full(24, -1)
    np.maximum.at(by_hour, np.arange(slots) % 24, most)
    # Hours of the day a log shorter than a day never reached: as the busiest hour seen.
    return [int(v) if v >= 0 else int(most.max()) for v in by_hour]


__all__ = ["ARRIVAL", "DEPARTURE", "GivingUp", "RouteFit", "Share", "fit_giving_up",
           "fit_route", "reached_path", "servers_on_duty", "share"]
