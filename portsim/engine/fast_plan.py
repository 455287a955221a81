"""The fast path's plan of a replication: which models it runs at all, and its routes compiled
into a graph of *units* -- a station (all its visit steps; stations joined by shortest-queue
choices as one group), a route step, a class's departure, a join after a waiting spawn -- in an
order where every unit comes after all units that can send it entities.
"""

from __future__ import annotations

from typing import Any, Literal, cast

import numpy as np

from portsim.engine import model as m
from portsim.engine.distributions import can_be_zero
from portsim.engine.fast_bookings import booking_unsupported, books_at
from portsim.engine.fast_breakdowns import reliability_of, unreliable_unsupported
from portsim.engine.fast_choices import choice_groups
from portsim.engine.fast_impatience import giving_up_rules
from portsim.engine.fast_loops import collapsed, explain_loop, strong_loops
from portsim.engine.fast_pools import needs_pool_sweep, pool_rules, pooled_unsupported
from portsim.engine.fast_stations import FastStation
from portsim.engine.loop_sweep import loop_unsupported
from portsim.engine.routes import (
    BookedVisitNode,
    BranchNode,
    ChoiceNode,
    FallbackVisitNode,
    RouteCompiler,
    SpawnNode,
    VisitNode,
    WaitChoiceNode,
)
from portsim.engine.setup import class_states, series_bins, service_streams
from portsim.errors import PortsimError

__all__ = ["ENGINES", "Engine", "FastPathUnavailable", "Plan", "Unit", "choose_engine",
           "unsupported_part", "why_not_fast"]

Engine = Literal["auto", "events", "fast"]
#: The engines a run may ask for: chosen by the model, or forced.
ENGINES: tuple[str, ...] = ("auto", "events", "fast")


class FastPathUnavailable(PortsimError):
    """The fast path was asked for a model it cannot run (the reason says which part)."""


def why_not_fast(model: m.Model) -> str | None:
    """Why ``model`` needs the event engine, or None when the fast path runs it exactly."""
    reason = unsupported_part(model)
    if reason is not None:
        return reason
    try:
        Plan(model, 0, 0)
    except FastPathUnavailable as error:
        return str(error)
    return None


def choose_engine(model: m.Model, requested: str = "auto") -> Literal["events", "fast"]:
    """The engine that runs ``model``: ``requested`` unless it is ``"auto"``, which picks the
    fast path when the model qualifies. Asking for ``"fast"`` when the model does not
    qualify raises :class:`FastPathUnavailable` naming why."""
    if requested == "events":
        return "events"
    if requested not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {requested!r}")
    reason = why_not_fast(model)
    if reason is None:
        return "fast"
    if requested == "fast":
        raise FastPathUnavailable(f"the fast engine cannot run this model: {reason}")
    return "events"


def unsupported_part(model: m.Model) -> str | None:
    """The first station or step the fast path has no rule for (routes not yet checked)."""
    booked = books_at(model)
    for spec in model.stations:
        if spec.booking_servers or spec.name in booked:
            reason = booking_unsupported(model, spec)
            if reason is not None:
                return reason
        if model.impatient_at(spec.name):
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
        for step in m.steps(cls.route):
            if isinstance(step, m.ShortestQueue) and step.by_expected_wait:
                reason = _wait_choice_unsupported(model, cls.name, step)
                if reason is not None:
                    return reason
            if not isinstance(step, (m.Visit, m.Branch, m.OptionalStep, m.Delay, m.Spawn,
                                     m.Milestone, m.ShortestQueue)):
                return f"class {cls.name!r} has a {type(step).__name__} step"
    return None


def _wait_choice_unsupported(model: m.Model, class_name: str,
                             step: m.ShortestQueue) -> str | None:
    """Why the fast path cannot run class ``class_name``'s choice by expected wait ``step``:
    it covers stations first come first served with constant servers or shifts (every
    station the choice is evaluated with, through choices that share a station)."""
    stations = {spec.name: spec for spec in model.stations}
    for name in choice_groups(model)[step.stations[0]]:
        spec = stations[name]
        if spec.discipline != "fifo" or spec.reactive is not None:
            how = "serves by priority" if spec.discipline != "fifo" else "reacts to its queue"
            return (f"class {class_name!r} chooses a station by its expected wait among "
                    f"stations where {name!r} {how}")
    return None


def _giving_up_unsupported(model: m.Model, spec: m.StationSpec) -> str | None:
    """Why the fast path cannot run the customers who may give up at station ``spec``."""
    for cls in model.classes:
        if cls.visit_patience is not None and needs_pool_sweep(model, spec) and (
                spec.name in m.stations_visited(cls.route)):
            what = "serves by skill (server pools)" if spec.pools else (
                "has customers who give up and try again (retrials)")
            return (f"class {cls.name!r} may give up over its whole visit (visit patience) "
                    f"at station {spec.name!r}, which {what}")
    if spec.name in choice_groups(model):
        return (f"station {spec.name!r} has customers who may give up and is one of a "
                "shortest-queue choice")
    if model.monitor_every is not None and spec.name in model.read_stations():
        return (f"station {spec.name!r} has customers who may give up and a monitor reads "
                "its queue")
    return None


#: A unit of the plan: ("station", name), ("group", names), ("step", node), ("depart",
#: class name), ("join", the last spawn of a waiting chain) or ("loop", the units of a loop,
#: swept together).
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
            elif model.impatient_at(spec.name):
                self.stations[spec.name].giving_up = giving_up_rules(
                    model, spec, self.class_index, seed, replication)
            if spec.unreliable:
                self.stations[spec.name].reliability = reliability_of(spec, seed, replication)
        #: The classes that book each station ahead of arrival, and all such classes.
        self.booked = books_at(model)
        self.booking_classes = {name for names in self.booked.values() for name in names}
        #: The bookings made at each station in the replication: (who, when) per class.
        self.bookings: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        #: Stations joined by shortest-queue choices (transitively), evaluated as one unit.
        self.group_of = choice_groups(model)
        # the service means weigh a choice by expected wait, as the event engine's do
        compiler = RouteCompiler(cast(Any, self.stations), self.classes, seed, replication,
                                 model.sla, lambda station, kind: model.station(station)
                                 .service_for(kind).mean)
        for cls in model.classes:
            self.classes[cls.name].first_node = compiler.compile(cls.route, cls.name)
        self.owner: dict[int, str] = {}   # id(node) -> class whose route holds it
        self.edges: dict[Unit, list[Unit]] = {}
        self.carried: dict[tuple[Unit, Unit], str] = {}  # who goes along each edge, and how
        self.joins: dict[int, tuple[Unit, set[str]]] = {}  # id(last spawn) -> join, classes
        #: The loop each unit of a loop belongs to (see _collapse_loops).
        self.loop_of: dict[Unit, Unit] = {}
        for name, kind in self.classes.items():
            self._walk(kind.first_node, name)
            self._edge(("depart", name), None)
        self._collapse_loops()
        self.order = self._sorted()

    def _collapse_loops(self) -> None:
        """Each loop of units made one unit, swept in time order
        (:mod:`~portsim.engine.loop_sweep`), where the sweep covers its parts."""
        for members in strong_loops(self.edges):
            reason = loop_unsupported(self, members)
            if reason is not None:
                raise FastPathUnavailable("the routes are not feed-forward: " + explain_loop(
                    self.edges, self.carried, set(members),
                    [spec.name for spec in self.model.stations]) + f"; {reason}")
            self.loop_of.update(dict.fromkeys(members, ("loop", tuple(members))))
        if self.loop_of:
            self.edges, self.carried = collapsed(self.edges, self.carried, self.loop_of)

    def unit(self, node: Any, class_name: str) -> Unit:
        """The unit a node belongs to (``None``: the class's departure), a loop's for a unit of
        a loop."""
        unit = self.raw_unit(node, class_name)
        return self.loop_of.get(unit, unit) if self.loop_of else unit

    def raw_unit(self, node: Any, class_name: str) -> Unit:
        """The unit a node belongs to, loops apart."""
        if node is None:
            return ("depart", class_name)
        if type(node) in (VisitNode, FallbackVisitNode, BookedVisitNode):
            name = node.station.name
            return ("group", self.group_of[name]) if name in self.group_of else ("station", name)
        if type(node) in (ChoiceNode, WaitChoiceNode):
            return ("group", self.group_of[node.stations[0].name])
        return ("step", node)

    def after_spawns(self, node: SpawnNode, class_name: str) -> Unit:
        """Where an entity goes after the spawn ``node``: the next spawn, the join of a chain
        of spawns that waits for its members, or the next step."""
        if type(node.next) is SpawnNode:
            return self.unit(node.next, class_name)
        join = self.joins.get(id(node))
        return join[0] if join is not None else self.unit(node.next, class_name)

    def _edge(self, source: Unit, target: Unit | None, how: str = "") -> None:
        """Entities go from ``source`` to ``target``; ``how`` says who and by what (a class on
        its route, a spawn, a spawner waiting for its batch), for a loop's explanation."""
        targets = self.edges.setdefault(source, [])
        if target is not None and target not in targets:
            targets.append(target)
            self.edges.setdefault(target, [])
            self.carried[(source, target)] = how

    def _walk(self, node: Any, class_name: str, waited: frozenset[str] = frozenset()) -> None:
        """Add the edges out of ``node`` and of everything after it on the route."""
        while node is not None:
            if id(node) in self.owner:
                return
            self.owner[id(node)] = class_name
            here = self.unit(node, class_name)
            self.edges.setdefault(here, [])
            moves = f"class {class_name!r}"
            if type(node) is FallbackVisitNode:  # while the station is down: its fallback
                self._edge(here, self.unit(node.fallback, class_name),
                           f"{moves} on its fallback route")
                self._walk(node.fallback, class_name, waited)
            if type(node) is BranchNode:
                for target in node.targets:
                    self._edge(here, self.unit(target, class_name), moves)
                    self._walk(target, class_name)
                return
            if type(node) is SpawnNode:
                spawned = node.kind.name
                self._edge(here, self.unit(node.kind.first_node, spawned),
                           f"{moves} spawning {spawned!r}")
                if node.wait:
                    waited = waited | {spawned}
                if type(node.next) is not SpawnNode and waited:
                    join: Unit = ("join", node)
                    self.joins[id(node)] = (join, set(waited))
                    for kind in waited:
                        self._edge(("depart", kind), join,
                                   f"{moves} waiting for its batch of {kind!r}")
                    self._edge(here, join, moves)
                    self._edge(join, self.unit(node.next, class_name), moves)
                    waited = frozenset()
                else:
                    self._edge(here, self.unit(node.next, class_name), moves)
            else:
                self._edge(here, self.unit(node.next, class_name), moves)
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
            stuck = {unit for unit, count in incoming.items() if count}
            raise FastPathUnavailable("the routes are not feed-forward: " + explain_loop(
                self.edges, self.carried, stuck, [spec.name for spec in self.model.stations]))
        return order
