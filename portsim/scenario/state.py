"""State files: the state of now, read for a warm start and written by a snapshot.

A state file is YAML (read with the project's safe reader, validated with pydantic like a
scenario, checked against the scenario's station and class names)::

    clock: "14:00"            # time of day; day: 2 for the run's second day (default 1)
    stations:
      desks:
        waiting:
          citizen: 12                   # a count: 12 who have just joined
          visitor: [3min, 7.5, 12min]   # or how long each has waited (minutes)
          crew: [{waited: 5min, waited_before: 2min, in_system: 20min}]
        in_service:
          citizen: 3                    # a count: services just begun
          visitor: [{elapsed: 1min}, {remaining: 30s}]
    announced:
      - {class: passenger, after: 20min, count: 180, spread: 20min}
    replace_arrivals: [flight]

See docs/forecast.md for what each field means and how the run treats it.
"""

from __future__ import annotations

import os
from typing import Annotated, Any, TypeGuard

from pydantic import BeforeValidator, Field

from portsim import limits as limits_
from portsim.document.fields import MAX_COUNT, Duration, Name, TimeOfDay
from portsim.document.parts import StrictModel
from portsim.document.problems import Loc, line_of
from portsim.engine import model as m
from portsim.engine.simulation import Replication
from portsim.engine.state import (
    Announced,
    InService,
    InTransit,
    StartState,
    StationState,
    Waiting,
)
from portsim.engine.warm import route_nodes
from portsim.errors import Problem, ScenarioError
from portsim.scenario.loader import load_side_file

Customers = Annotated[int, Field(ge=0, le=MAX_COUNT)]
#: The ``not_recorded`` entry of entities waiting for their batch's members (engine.warm): a
#: state that has some is refused, not run without them.
AWAITING_BATCH = "awaiting_batch"
#: The most customers one count in a state file may stand for (each becomes an entity).
MOST_COUNTED = 1_000_000


def _count_or_list(value: object) -> object:
    """A count ``n`` stands for ``n`` customers given with defaults only."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= MOST_COUNTED:
            raise ValueError(f"a count of customers must be from 0 to {MOST_COUNTED:,} "
                             f"(got {value})")
        return [{}] * value
    return value


def _waited_or_mapping(value: object) -> object:
    """A bare duration is how long the customer has waited."""
    return value if isinstance(value, dict) else {"waited": value}


class WaitingCustomer(StrictModel):
    """A customer in a queue."""

    waited: Duration = 0.0
    """Time in this queue so far."""
    waited_before: Duration = 0.0
    """Time waited at earlier stations of the visit (counts in the class's wait)."""
    in_system: Duration | None = None
    """Time since the customer entered the port (default: the waits given)."""


class ServedCustomer(StrictModel):
    """A customer in service."""

    elapsed: Duration = 0.0
    """Service time done; the rest is drawn from the service time given this much."""
    remaining: Duration | None = None
    """Service time still to run, if known (then ``elapsed`` is not used)."""
    waited: Duration = 0.0
    """Time the customer waited before this service (counts in the class's wait)."""
    in_system: Duration | None = None
    """Time since the customer entered the port (default: waited + elapsed)."""


class StationNow(StrictModel):
    """The customers of one station, by class."""

    waiting: dict[Name, Annotated[
        list[Annotated[WaitingCustomer, BeforeValidator(_waited_or_mapping)]],
        BeforeValidator(_count_or_list)]] = Field(default_factory=dict)
    """Customers in the queue by class: a count, or each one's wait so far (or details)."""
    in_service: dict[Name, Annotated[list[ServedCustomer], BeforeValidator(_count_or_list)]] = (
        Field(default_factory=dict))
    """Customers in service by class: a count (services just begun), or each one's details."""


class AnnouncedBatch(StrictModel):
    """A batch known to arrive (a flight, a ship, a train)."""

    class_: Name = Field(alias="class")
    """The class its members belong to."""
    after: Duration
    """When it arrives, after the clock time."""
    count: Customers
    spread: Duration = 0.0
    """Its members arrive uniformly over this long."""


class MovingCustomer(StrictModel):
    """A customer between stations (in a delay), as a snapshot writes it."""

    class_: Name = Field(alias="class")
    step: Annotated[int, Field(ge=0, le=MAX_COUNT)]
    """Where it goes on: the node of its class's route (numbered by portsim; a snapshot's
    numbers hold for the same scenario)."""
    remaining: Duration
    """Time left in its delay."""
    waited: Duration = 0.0
    in_system: Duration = 0.0


class StateDocument(StrictModel):
    """A state file."""

    clock: TimeOfDay
    """The time of day of the state."""
    day: Annotated[int, Field(ge=1, le=MAX_COUNT)] = 1
    """The day of the run (1: the first) the clock time falls on."""
    stations: dict[Name, StationNow] = Field(default_factory=dict)
    announced: list[AnnouncedBatch] = Field(default_factory=list)
    replace_arrivals: list[Name] = Field(default_factory=list)
    """Classes whose own arrivals are not generated from the clock time on (only their
    announced batches come)."""
    in_transit: list[MovingCustomer] = Field(default_factory=list)
    """Written by snapshots: customers between stations."""
    not_recorded: dict[Name, Customers] = Field(default_factory=dict)
    """Written by snapshots and state-from-log: customers the state could not hold (between
    stations in a log; informational). ``awaiting_batch`` (entities waiting for the members
    of their batch) makes the state refused: a warm start would lose them."""


def load_state(path: str | os.PathLike[str], model: m.Model) -> StartState:
    """The start state in the file at ``path``, checked against ``model``'s names and held to
    the limits (its customers and announced members to ``PORTSIM_MAX_ENTITIES``, its clock
    time to ``PORTSIM_MAX_HORIZON``) before anything is built for them;
    :class:`ScenarioError` (file, field, line) on any problem."""
    counts = _Counts(limits_.current())
    doc, lines, shown = load_side_file(
        path, StateDocument, "a state file must be a mapping with clock and stations", counts)
    problems = counts.clock_problems(doc, lines) + _name_problems(doc, model, lines)
    if problems:
        raise ScenarioError(problems, file=shown)
    return _start_state(doc, counts.given)


class _Counts:
    """Holds a state file's plain data to the limits before validation, and takes its counts
    out of it: a count of customers becomes that many references to one record, not as many
    validated models (a count of a million would otherwise cost hundreds of MB)."""

    def __init__(self, limits: limits_.Limits) -> None:
        self.limits = limits
        self.given: dict[tuple[str, str, str], int] = {}
        self.problems: list[Problem] = []
        self.total = 0

    def __call__(self, raw: dict[str, Any], lines: dict[Loc, int]) -> list[Problem]:
        stations = raw.get("stations")
        for name, station in (stations.items() if isinstance(stations, dict) else ()):
            for part in ("waiting", "in_service"):
                by_class = station.get(part) if isinstance(station, dict) else None
                if not isinstance(by_class, dict):
                    continue  # not customers by class: validation says so
                for class_name, value in by_class.items():
                    path = ("stations", name, part, class_name)
                    if _is_count(value) and 0 <= value <= MOST_COUNTED:
                        self.given[(name, part, class_name)] = value
                        by_class[class_name] = []  # validated as no one; counted here
                    self._add(value, path, lines)
        moving = raw.get("in_transit")
        self._add(moving, ("in_transit",), lines)
        announced = raw.get("announced")
        for index, batch in enumerate(announced if isinstance(announced, list) else ()):
            if isinstance(batch, dict):
                self._add(batch.get("count"), ("announced", index, "count"), lines)
        return self.problems

    def _add(self, value: object, path: Loc, lines: dict[Loc, int]) -> None:
        """Count the customers ``value`` stands for; past the limit, say so once."""
        if isinstance(value, list):
            value = len(value)
        if not _is_count(value) or value < 0 or self.total > self.limits.max_entities:
            return  # not a count: validation says so
        self.total += value
        if self.total > self.limits.max_entities:
            self.problems.append(Problem(path=path, line=line_of(path, lines), message=(
                f"the state holds {self.total:,} customers and announced members up to here, "
                f"more than the limit of {self.limits.max_entities:,} entities of one "
                f"replication (set {limits_.describe('max_entities')} to allow more)")))

    def clock_problems(self, doc: StateDocument, lines: dict[Loc, int]) -> list[Problem]:
        """The state's clock time beyond the simulated time one replication may reach."""
        clock = (doc.day - 1) * m.MINUTES_PER_DAY + doc.clock
        if clock <= self.limits.max_horizon:
            return []
        path = ("day",) if doc.day > 1 else ("clock",)
        return [Problem(path=path, line=line_of(path, lines), message=(
            f"day {doc.day:,} at {doc.clock / 60:g} h is {limits_.format_horizon(clock)} "
            f"after the start of the run, beyond the limit of "
            f"{limits_.format_horizon(self.limits.max_horizon)} of simulated time (set "
            f"{limits_.describe('max_horizon')} to allow more)"))]


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _name_problems(doc: StateDocument, model: m.Model, lines: dict[Loc, int]) -> list[Problem]:
    stations = {spec.name: spec for spec in model.stations}
    visits = {spec.name: set(m.stations_visited(spec.route)) for spec in model.classes}
    problems: list[Problem] = []

    def problem(path: Loc, message: str) -> None:
        problems.append(Problem(path=path, line=line_of(path, lines), message=message))

    for name, station in doc.stations.items():
        if name not in stations:
            problem(("stations", name), f"unknown station {name!r} (the scenario's: "
                                        f"{', '.join(stations)})")
            continue
        for part in ("waiting", "in_service"):
            for class_name in getattr(station, part):
                path = ("stations", name, part, class_name)
                if class_name not in visits:
                    problem(path, f"unknown class {class_name!r} (the scenario's: "
                                  f"{', '.join(visits)})")
                elif name not in visits[class_name]:
                    problem(path, f"class {class_name!r} does not visit station {name!r}")
    for index, batch in enumerate(doc.announced):
        if batch.class_ not in visits:
            problem(("announced", index, "class"), f"unknown class {batch.class_!r}")
    steps = route_steps(model)
    for index, moving in enumerate(doc.in_transit):
        if moving.class_ not in visits:
            problem(("in_transit", index, "class"), f"unknown class {moving.class_!r}")
        elif moving.step > steps[moving.class_]:
            problem(("in_transit", index, "step"),
                    f"class {moving.class_!r} has route steps 0 to {steps[moving.class_]} "
                    f"(got {moving.step}): this state was written for another scenario")
    for index, class_name in enumerate(doc.replace_arrivals):
        if class_name not in visits:
            problem(("replace_arrivals", index), f"unknown class {class_name!r}")
    awaiting = doc.not_recorded.get(AWAITING_BATCH, 0)
    if awaiting:
        problem(("not_recorded", AWAITING_BATCH),
                f"{awaiting} {'entity was' if awaiting == 1 else 'entities were'} waiting for "
                "the members of their batch (a spawn step with wait: a train or ship held "
                "until its passengers or crew are cleared); a warm start cannot restore them "
                "and would run as if they had never come: take the state at another time, or "
                "delete this entry to start without them")
    return problems


def route_steps(model: m.Model) -> dict[str, int]:
    """How many nodes each class's compiled route has: a state's steps run from 0 to that
    number (the route's end)."""
    built = Replication(model, 0, 0, None, None)
    return {name: len(route_nodes(kind)) for name, kind in built.classes.items()}


def _start_state(doc: StateDocument,
                 counted: dict[tuple[str, str, str], int] | None = None) -> StartState:
    """The engine's state of a validated state file; ``counted``: the customers given as
    counts, by (station, part, class), each count as references to one frozen record."""
    counted = counted or {}
    clock = (doc.day - 1) * m.MINUTES_PER_DAY + doc.clock
    stations = []
    for name, station in doc.stations.items():
        waiting: list[Waiting] = []
        for class_name, given in station.waiting.items():
            waiting.extend([Waiting(class_name)] * counted.get((name, "waiting", class_name), 0))
            waiting.extend(Waiting(class_name, c.waited, c.waited_before, c.in_system)
                           for c in given)
        serving: list[InService] = []
        for class_name, served in station.in_service.items():
            serving.extend([InService(class_name)]
                           * counted.get((name, "in_service", class_name), 0))
            serving.extend(InService(class_name, c.elapsed, c.remaining, c.waited, c.in_system)
                           for c in served)
        stations.append(StationState(name, tuple(waiting), tuple(serving)))
    announced = tuple(Announced(b.class_, clock + b.after, b.count, b.spread)
                      for b in doc.announced)
    moving = tuple(InTransit(t.class_, t.step, t.remaining, t.waited, t.in_system)
                   for t in doc.in_transit)
    return StartState(clock, tuple(stations), announced, frozenset(doc.replace_arrivals),
                      in_transit=moving, not_recorded=tuple(doc.not_recorded.items()))


def state_document(state: StartState) -> dict[str, Any]:
    """``state`` as a state file's data (what :func:`load_state` reads back)."""
    day = int(state.clock // m.MINUTES_PER_DAY)
    stations: dict[str, Any] = {}
    for station in state.stations:
        entry: dict[str, Any] = {}
        waiting: dict[str, list[dict[str, float]]] = {}
        for w in station.waiting:
            waiting.setdefault(w.class_name, []).append(_written(
                waited=w.waited, waited_before=w.waited_before, in_system=w.in_system))
        serving: dict[str, list[dict[str, float]]] = {}
        for s in station.in_service:
            serving.setdefault(s.class_name, []).append(_written(
                elapsed=s.elapsed, remaining=s.remaining, waited=s.waited,
                in_system=s.in_system))
        if waiting:
            entry["waiting"] = waiting
        if serving:
            entry["in_service"] = serving
        stations[station.name] = entry
    doc: dict[str, Any] = {"clock": state.clock - day * m.MINUTES_PER_DAY, "day": day + 1,
                           "stations": stations}
    if state.announced:
        doc["announced"] = [_written(**{"class": a.class_name}, after=a.at - state.clock,
                                     count=a.count, spread=a.spread) for a in state.announced]
    if state.in_transit:
        doc["in_transit"] = [_written(**{"class": t.class_name}, step=t.step,
                                      remaining=t.remaining, waited=t.waited,
                                      in_system=t.in_system) for t in state.in_transit]
    if state.replace_arrivals:
        doc["replace_arrivals"] = sorted(state.replace_arrivals)
    if state.not_recorded:
        doc["not_recorded"] = dict(state.not_recorded)
    return doc


def _written(**values: Any) -> dict[str, Any]:
    """The fields worth writing: no None, no zero defaults."""
    return {key: value for key, value in values.items()
            if value is not None and (value != 0 or key in ("after", "count", "step",
                                                            "remaining"))}


__all__ = ["StateDocument", "load_state", "route_steps", "state_document"]
