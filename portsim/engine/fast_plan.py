"""The fast path's plan of a replication: which models it runs at all, and its routes compiled
into a graph of *units* -- a station (all its visit steps; stations joined by shortest-queue
choices as one group), a route step, a class's departure, a join after a waiting spawn -- in an
order where every unit comes after all units that can send it entities.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from portsim.engine import model as m
from portsim.engine.distributions import can_be_zero
from portsim.engine.fast_breakdowns import reliability_of, unreliable_unsupported
from portsim.engine.fast_choices import choice_groups
from portsim.engine.fast_impatience import giving_up_rules
from portsim.engine.fast_pools import needs_pool_sweep, pool_rules, pooled_unsupported
from portsim.engine.fast_stations import FastStation
from portsim.engine.routes import (
    BranchNode,
    ChoiceNode,
    FallbackVisitNode,
    RouteCompiler,
    SpawnNode,
    VisitNode,
)
from portsim.engine.setup import class_states, series_bins, service_streams
from portsim.errors import PortsimError

__all__ = ["FastPathUnavailable", "Plan", "Unit", "unsupported_part"]


class FastPathUnavailable(PortsimError):
    """The fast path was asked for a model it cannot run (the reason says which part)."""


def unsupported_part(model: m.Model) -> str | None:
    """The first station or step the fast path has no rule for (routes not yet checked)."""
    for spec in model.stations:
        if spec.booking_servers:
            return f"station {spec.name!r} has servers on call for bookings"
        if spec.impatient:
            reason = _giving_up_unsupported(model, spec)
            if reason is not None:
                return reason
        if needs_pool_sweep(model, spec):
            reason = pooled_unsupported(model, spec)
            if reason is not None:
                return reason
        if spec.unreliable:
            reason = unreliable_unsupported(model, spec)
            if reason is not None:
                return reason
        for cls in model.classes:
            if can_be_zero(spec.service_for(cls.name)):
                # A service that takes no time ends in the instant it starts, in the turn of
                # whatever started it: the order of that instant needs the event engine.
                return f"station {spec.name!r} may serve class {cls.name!r} in no time"
    if model.start is not None or model.snapshot_at is not None:
        return "the run starts from a state or takes a snapshot (warm start)"
    for cls in model.classes:
        if cls.visit_patience is not None:
            return f"class {cls.name!r} may give up over its whole visit (visit patience)"
        for step in m.steps(cls.route):
            if isinstance(step, m.ShortestQueue) and step.by_expected_wait:
                return f"class {cls.name!r} chooses a station by its expected wait"
            if isinstance(step, m.Visit) and step.reserve_ahead:
                return f"class {cls.name!r} books station {step.station!r} ahead of arrival"
            if not isinstance(step, (m.Visit, m.Branch, m.OptionalStep, m.Delay, m.Spawn,
                                     m.Milestone, m.ShortestQueue)):
                return f"class {cls.name!r} has a {type(step).__name__} step"
    return None


def _giving_up_unsupported(model: m.Model, spec: m.StationSpec) -> str | None:
    """Why the fast path cannot run the customers who may give up at station ``spec``."""
    if spec.name in choice_groups(model):
        return (f"station {spec.name!r} has customers who may give up and is one of a "
                "shortest-queue choice")
    if model.monitor_every is not None and spec.name in model.read_stations():
        return (f"station {spec.name!r} has customers who may give up and a monitor reads "
                "its queue")
    return None


#: A unit of the plan: ("station", name), ("group", names), ("step", node), ("depart",
#: class name) or ("join", the last spawn of a waiting chain).
Unit = tuple[str, Any]


class Plan:
    """The replication's compiled routes and the units they form, in an order where every unit
    comes after all units that can send it entities. Raises :class:`FastPathUnavailable` when
    no such order exists (a route that is not feed-forward)."""

    def __init__(self, model: m.Model, seed: int, replication: int) -> None:
        self.model = model
        self.bin_width, self.bin_count = series_bins(model)
        self.classes = class_states(model, self.bin_count)
        self.class_index = {name: index for index, name in enumerate(self.classes)}
        #: Each class's priority (lower first at stations that serve by priority), by index.
        self.priority_of = np.asarray([kind.priority for kind in self.classes.values()],
                                      dtype=np.int64)
        self.stations: dict[str, FastStation] = {}
        for spec in model.stations:
            services = {self.class_index[name]: stream for name, stream
                        in service_streams(model, spec, seed, replication).items()}
            self.stations[spec.name] = FastStation(spec, model, services, self.bin_width,
                                                   self.bin_count)
            if needs_pool_sweep(model, spec):
                self.stations[spec.name].trying = pool_rules(model, spec, self.classes, seed,
                                                             replication)
            elif spec.impatient:
                self.stations[spec.name].giving_up = giving_up_rules(
                    model, spec, self.class_index, seed, replication)
            if spec.unreliable:
                self.stations[spec.name].reliability = reliability_of(spec, seed, replication)
        #: Stations joined by shortest-queue choices (transitively), evaluated as one unit.
        self.group_of = choice_groups(model)
        compiler = RouteCompiler(cast(Any, self.stations), self.classes, seed, replication,
                                 model.sla)
        for cls in model.classes:
            self.classes[cls.name].first_node = compiler.compile(cls.route, cls.name)
        self.owner: dict[int, str] = {}   # id(node) -> class whose route holds it
        self.edges: dict[Unit, list[Unit]] = {}
        self.joins: dict[int, tuple[Unit, set[str]]] = {}  # id(last spawn) -> join, classes
        for name, kind in self.classes.items():
            self._walk(kind.first_node, name)
            self._edge(("depart", name), None)
        self.order = self._sorted()

    def unit(self, node: Any, class_name: str) -> Unit:
        """The unit a node belongs to (``None``: the class's departure)."""
        if node is None:
            return ("depart", class_name)
        if type(node) is VisitNode or type(node) is FallbackVisitNode:
            name = node.station.name
            return ("group", self.group_of[name]) if name in self.group_of else ("station", name)
        if type(node) is ChoiceNode:
            return ("group", self.group_of[node.stations[0].name])
        return ("step", node)

    def after_spawns(self, node: SpawnNode, class_name: str) -> Unit:
        """Where an entity goes after the spawn ``node``: the next spawn, the join of a chain
        of spawns that waits for its members, or the next step."""
        if type(node.next) is SpawnNode:
            return self.unit(node.next, class_name)
        join = self.joins.get(id(node))
        return join[0] if join is not None else self.unit(node.next, class_name)

    def _edge(self, source: Unit, target: Unit | None) -> None:
        targets = self.edges.setdefault(source, [])
        if target is not None and target not in targets:
            targets.append(target)
            self.edges.setdefault(target, [])

    def _walk(self, node: Any, class_name: str, waited: frozenset[str] = frozenset()) -> None:
        """Add the edges out of ``node`` and of everything after it on the route."""
        while node is not None:
            if id(node) in self.owner:
                return
            self.owner[id(node)] = class_name
            here = self.unit(node, class_name)
            self.edges.setdefault(here, [])
            if type(node) is FallbackVisitNode:  # while the station is down: its fallback
                self._edge(here, self.unit(node.fallback, class_name))
                self._walk(node.fallback, class_name, waited)
            if type(node) is BranchNode:
                for target in node.targets:
                    self._edge(here, self.unit(target, class_name))
                    self._walk(target, class_name)
                return
            if type(node) is SpawnNode:
                spawned = node.kind.name
                self._edge(here, self.unit(node.kind.first_node, spawned))
                if node.wait:
                    waited = waited | {spawned}
                if type(node.next) is not SpawnNode and waited:
                    join: Unit = ("join", node)
                    self.joins[id(node)] = (join, set(waited))
                    for kind in waited:
                        self._edge(("depart", kind), join)
                    self._edge(here, join)
                    self._edge(join, self.unit(node.next, class_name))
                    waited = frozenset()
                else:
                    self._edge(here, self.unit(node.next, class_name))
            else:
                self._edge(here, self.unit(node.next, class_name))
            node = node.next
        self._edge(("depart", class_name), None)

    def _sorted(self) -> list[Unit]:
        incoming = dict.fromkeys(self.edges, 0)
        for targets in self.edges.values():
            for target in targets:
                incoming[target] += 1
        ready = [unit for unit, count in incoming.items() if count == 0]
        order: list[Unit] = []
        while ready:
            unit = ready.pop(0)
            order.append(unit)
            for target in self.edges[unit]:
                incoming[target] -= 1
                if incoming[target] == 0:
                    ready.append(target)
        if len(order) < len(incoming):
            stuck = sorted({name for unit, count in incoming.items() if count
                            for name in ((unit[1],) if unit[0] == "station"
                                         else unit[1] if unit[0] == "group" else ())})
            where = f" (stations {', '.join(map(repr, stuck))})" if stuck else ""
            raise FastPathUnavailable(
                "the routes are not feed-forward: an entity can reach a station again after "
                f"a later step, or a waiting spawn depends on its own route{where}")
        return order
