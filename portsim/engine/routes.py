"""A route compiled to linked nodes, one per step: the entity carries only the node it is at.

Each node knows its successor; branches and optional steps link to the sub-routes they choose
between, which continue at the step after the branch. Branches, optional steps, spawns and
delays draw from their own random streams, named by the class and the step's path in the route.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine import model as m
from portsim.engine.streams import Stream, Uniforms, generator
from portsim.stats.accumulators import Tally

if TYPE_CHECKING:
    from portsim.engine.classes import ClassState
    from portsim.engine.station import Station


class VisitNode:
    __slots__ = ("station", "next")

    def __init__(self, station: Station) -> None:
        self.station = station
        self.next: Any = None


class BookedVisitNode(VisitNode):
    """The first visit of a class that books its station ahead of arrival."""

    __slots__ = ()


class FallbackVisitNode(VisitNode):
    """A visit with a route to take instead while the station is out of order: ``fallback``,
    whose last step continues at ``next``."""

    __slots__ = ("fallback",)

    def __init__(self, station: Station, fallback: Any) -> None:
        super().__init__(station)
        self.fallback = fallback


class SpawnNode:
    __slots__ = ("kind", "count", "spread", "uniforms_rng", "wait", "next")

    def __init__(self, kind: ClassState, count: Stream, spread: float,
                 uniforms_rng: np.random.Generator, wait: bool) -> None:
        self.kind = kind
        self.count = count
        self.spread = spread
        self.uniforms_rng = uniforms_rng
        self.wait = wait
        self.next: Any = None


class ChoiceNode:
    """Shortest-queue choice between stations."""

    __slots__ = ("stations", "next")

    def __init__(self, stations: list[Station]) -> None:
        self.stations = stations
        self.next: Any = None


class WaitChoiceNode:
    """Choice by expected wait plus travel (see :class:`portsim.engine.model.ShortestQueue`);
    ``arrivals[i]`` is where an entity that travels to station ``i`` continues (its milestone,
    if any, then the visit)."""

    __slots__ = ("stations", "means", "travel", "arrivals", "next")

    def __init__(self, stations: list[Station], means: list[float], travel: list[float],
                 arrivals: list[Any]) -> None:
        self.stations = stations
        self.means = means
        self.travel = travel
        self.arrivals = arrivals
        self.next: Any = None

    def pick(self) -> int:
        """The index of the station with the least expected wait plus travel."""
        best, best_key = 0, (math.inf, math.inf)
        for index, station in enumerate(self.stations):
            key = (station.expected_wait(self.means[index]) + self.travel[index],
                   station.load())
            if key < best_key:
                best, best_key = index, key
        return best


class BranchNode:
    __slots__ = ("cumulative", "targets", "uniforms", "next")

    def __init__(self, cumulative: list[float], targets: list[Any], uniforms: Uniforms) -> None:
        self.cumulative = cumulative
        self.targets = targets
        self.uniforms = uniforms
        self.next: Any = None


class MilestoneNode:
    __slots__ = ("tally", "next")

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.next: Any = None


class CountFromNode:
    """Before a visit whose wait counts in the class's slot KPIs (``Model.slot_stations``):
    notes the entity's wait so far, so that :class:`CountToNode` adds this visit's wait."""

    __slots__ = ("next",)

    def __init__(self) -> None:
        self.next: Any = None


class CountToNode:
    """After a visit whose wait counts in the class's slot KPIs: adds the visit's wait."""

    __slots__ = ("next",)

    def __init__(self) -> None:
        self.next: Any = None


def counted(node: Any, head: Any) -> Any:
    """``node`` (a visit or a choice of stations continuing at ``head``) between the marks
    that count its wait: CountFrom -> node -> CountTo -> head."""
    end = CountToNode()
    end.next = head
    node.next = end
    start = CountFromNode()
    start.next = node
    return start


class DelayNode:
    __slots__ = ("stream", "next")

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.next: Any = None


class RouteCompiler:
    """Compiles the routes of one replication onto its stations and class states."""

    def __init__(self, stations: dict[str, Station], classes: dict[str, ClassState], seed: int,
                 replication: int, sla: float,
                 service_mean: Callable[[str, str], float] | None = None,
                 counted: tuple[str, ...] | None = None,
                 counted_for: Callable[[str], bool] | None = None) -> None:
        self.stations = stations
        # The stations whose waits count in the slot KPIs of the classes ``counted_for`` says
        # (None: every one, and no marks are compiled at all).
        self.counted = counted
        self.counted_for = counted_for or (lambda _class: True)
        self.classes = classes
        self.service_mean = service_mean or (lambda _station, _class: 1.0)
        self.seed = seed
        self.replication = replication
        self.sla = sla

    def _generator(self, purpose: str, class_name: str, where: str) -> np.random.Generator:
        return generator(self.seed, self.replication, purpose, class_name, where)

    def _wait_choice(self, step: m.ShortestQueue, class_name: str, head: Any) -> WaitChoiceNode:
        arrivals: list[Any] = []
        for name in step.stations:
            visit = VisitNode(self.stations[name])
            visit.next = head
            arrival: Any = self._marked(visit, (name,), head, class_name)
            if step.milestone is not None:
                milestones = self.classes[class_name].milestones
                arrival = MilestoneNode(milestones.setdefault(step.milestone, Tally(self.sla)))
                arrival.next = visit
            arrivals.append(arrival)
        node = WaitChoiceNode([self.stations[name] for name in step.stations],
                              [self.service_mean(name, class_name) for name in step.stations],
                              list(step.travel) or [0.0] * len(step.stations), arrivals)
        node.next = head
        return node

    def compile(self, route: m.Route, class_name: str, path: str = "route",
                after: Any = None) -> Any:
        """Link the steps of ``route`` so the last one continues at ``after``; the first node."""
        head = after
        for index in range(len(route) - 1, -1, -1):
            head = self._node(route[index], class_name, f"{path}/{index}", head)
        return head

    def _node(self, step: m.Step, class_name: str, where: str, head: Any) -> Any:
        """The node of ``step``, at ``where`` in ``class_name``'s route, continuing at ``head``
        (a branch's sub-routes, and an optional step's, rejoin there)."""
        if isinstance(step, m.Branch):
            total = 0.0
            cumulative, targets = [], []
            for option, (probability, sub) in enumerate(step.options):
                total += probability
                cumulative.append(total)
                targets.append(self.compile(sub, class_name, f"{where}/{option}", head))
            cumulative[-1] = math.inf  # rounding must never leave an entity unrouted
            return BranchNode(cumulative, targets,
                              Uniforms(self._generator("branch", class_name, where)))
        if isinstance(step, m.OptionalStep):
            taken = self.compile(step.route, class_name, f"{where}/0", head)
            return BranchNode([step.probability, math.inf], [taken, head],
                              Uniforms(self._generator("branch", class_name, where)))
        if isinstance(step, m.ShortestQueue) and step.by_expected_wait:
            return self._wait_choice(step, class_name, head)
        node: Any
        if isinstance(step, m.Visit) and step.fallback is not None:
            node = FallbackVisitNode(self.stations[step.station], self.compile(
                step.fallback, class_name, f"{where}/fallback", head))
        elif isinstance(step, m.Visit):
            node_type = BookedVisitNode if step.reserve_ahead else VisitNode
            node = node_type(self.stations[step.station])
        elif isinstance(step, m.Milestone):
            milestones = self.classes[class_name].milestones
            node = MilestoneNode(milestones.setdefault(step.name, Tally(self.sla)))
        elif isinstance(step, m.Spawn):
            node = SpawnNode(
                self.classes[step.class_name],
                Stream(step.count, self._generator("spawn", class_name, where)),
                step.spread, self._generator("spawn-spread", class_name, where), step.wait)
        elif isinstance(step, m.ShortestQueue):
            node = ChoiceNode([self.stations[name] for name in step.stations])
        elif isinstance(step, m.Delay):
            node = DelayNode(Stream(step.duration, self._generator("delay", class_name, where)))
        else:  # pragma: no cover - the model's types rule this out
            raise TypeError(f"unknown route step {step!r}")
        node.next = head
        if isinstance(step, m.Visit):
            return self._marked(node, (step.station,), head, class_name)
        if isinstance(step, m.ShortestQueue):
            return self._marked(node, step.stations, head, class_name)
        return node

    def _marked(self, node: Any, stations: tuple[str, ...], head: Any, class_name: str) -> Any:
        """``node`` with the marks that count its wait when its stations are counted (the
        model allows a choice only between counted stations or uncounted ones)."""
        if (self.counted is None or stations[0] not in self.counted
                or not self.counted_for(class_name)):
            return node
        return counted(node, head)
