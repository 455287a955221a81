"""What every policy shares: the signature, the check context, and route and station surgery.

A policy is a pydantic block (its settings, on the strict scenario base) and three functions
with one signature each: ``check(ctx, block)`` yields ``(loc, message)`` problems for names that
point nowhere, ``creates(block)`` names the stations it adds, and ``apply(model, block)`` returns
a new engine model. The engine's objects are frozen: every change is a ``dataclasses.replace``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from portsim.document.root import unknown_name
from portsim.engine import distributions as dists
from portsim.engine import model as m

Loc = tuple[str | int, ...]
Problems = Iterator[tuple[Loc, str]]
Block = TypeVar("Block")


@dataclass(frozen=True)
class Context:
    """What a policy block is checked against: the model as the policies before it left it.

    ``pending`` holds stations that earlier policies would have created had their blocks been
    sound: naming one is not reported again (its policy's own problems already are).
    """

    model: m.Model
    loc: Loc
    pending: frozenset[str] = frozenset()

    @property
    def class_names(self) -> list[str]:
        return [spec.name for spec in self.model.classes]

    @property
    def station_names(self) -> list[str]:
        return [spec.name for spec in self.model.stations]

    def has_station(self, name: str) -> bool:
        return name in self.station_names

    def spec(self, name: str) -> m.ClassSpec | None:
        """The class named ``name``, if any."""
        return next((spec for spec in self.model.classes if spec.name == name), None)

    def unknown_classes(self, names: Iterable[str], loc: Loc) -> Problems:
        """A problem for each name in ``names`` (written at ``loc + (index or key,)``) that
        names no class."""
        known = self.class_names
        for key, name in _keyed(names):
            if name not in known:
                yield (*loc, key), unknown_name("class", name, known, "classes")

    def unknown_station(self, name: str, loc: Loc) -> Problems:
        """A problem if ``name`` names no station (nor one an earlier policy would create)."""
        if name not in self.station_names and name not in self.pending:
            yield loc, unknown_name("station", name, self.station_names, "stations")

    def new_station(self, name: str, loc: Loc) -> Problems:
        """A problem if a station the policy creates already exists."""
        if self.has_station(name) or name in self.pending:
            yield loc, (f"station {name!r} already exists; this policy creates it: "
                        "choose another name")


def _keyed(names: Iterable[str]) -> Iterator[tuple[str | int, str]]:
    """(index, name) for a list; (name, name) for a mapping's keys (its loc is the key)."""
    if isinstance(names, dict):
        return ((name, name) for name in names)
    return enumerate(names)


@dataclass(frozen=True)
class Purpose:
    """The KPI a policy exists for, read for each class it serves (for a policy that names no
    class: each station it serves): the first of ``kpis`` that the compared models have (a key,
    or a pattern such as ``until_*_mean`` for a class's milestone), said in the matching
    ``words`` (empty: the KPI's own words say it). A comparison's headline shows it whether or
    not it changed."""

    kpis: tuple[str, ...]
    words: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.kpis) != len(self.words):
            raise ValueError("a purpose needs words for each of its KPIs")


@dataclass(frozen=True)
class Serves:
    """Whom a policy is for: the classes it names and the stations it changes or creates, and
    what it is for. A comparison's headline shows these first."""

    classes: tuple[str, ...] = ()
    stations: tuple[str, ...] = ()
    purpose: Purpose | None = None


@dataclass(frozen=True)
class Policy(Generic[Block]):
    """One policy: its functions, chosen by name in the registry."""

    name: str
    check: Callable[[Context, Block], Problems]
    creates: Callable[[Block], tuple[str, ...]]
    apply: Callable[[m.Model, Block], m.Model]
    serves: Callable[[Block], Serves]


def creates_nothing(block: Any) -> tuple[str, ...]:
    """``creates`` of policies that add no station."""
    return ()


# ----------------------------------------------------------------------------- routes


def step_stations(step: m.Step) -> list[str]:
    """Stations a step may visit, looking inside branches and optional steps."""
    return m.stations_visited((step,))


def route_stations(route: m.Route) -> set[str]:
    """Every station a route may visit."""
    return set(m.stations_visited(route))


def visits_directly(step: m.Step, station: str) -> bool:
    """A station step or a shortest-queue choice that includes ``station``."""
    return ((isinstance(step, m.Visit) and step.station == station)
            or (isinstance(step, m.ShortestQueue) and station in step.stations))


def with_route(model: m.Model, classes: Iterable[str],
               change: Callable[[m.Route], m.Route]) -> m.Model:
    """``model`` with ``change`` applied to the routes of ``classes``."""
    chosen = set(classes)
    return dataclasses.replace(model, classes=tuple(
        dataclasses.replace(spec, route=change(spec.route)) if spec.name in chosen else spec
        for spec in model.classes))


def with_classes(model: m.Model, classes: Iterable[str], **changes: Any) -> m.Model:
    """``model`` with the given fields of ``classes`` replaced."""
    chosen = set(classes)
    return dataclasses.replace(model, classes=tuple(
        dataclasses.replace(spec, **changes) if spec.name in chosen else spec
        for spec in model.classes))


# ----------------------------------------------------------------------------- stations


def with_station(model: m.Model, station: m.StationSpec) -> m.Model:
    """``model`` with ``station`` replacing the one of that name, or added at the end."""
    names = [spec.name for spec in model.stations]
    if station.name in names:
        stations = tuple(station if spec.name == station.name else spec
                         for spec in model.stations)
    else:
        stations = (*model.stations, station)
    return dataclasses.replace(model, stations=stations)


def treated_like(station: m.StationSpec, name: str, new: Iterable[str]) -> m.StationSpec:
    """``station`` treating the classes ``new`` as it treats class ``name`` (its own service
    time, patience and skill there, if it has any)."""
    def extended(table: dict[str, Any]) -> dict[str, Any]:
        return {**table, **dict.fromkeys(new, table[name])} if name in table else table

    return dataclasses.replace(
        station, service_by_class=extended(station.service_by_class),
        impatience_by_class=extended(station.impatience_by_class),
        skill_by_class=extended(station.skill_by_class))


#: Distribution parameters that are not times: they keep their value when times are scaled.
SHAPE_PARAMETERS = frozenset({"cv"})


def scaled(dist: dists.Distribution, factor: float) -> dists.Distribution:
    """``dist`` with every value multiplied by ``factor`` (same shape, same CV); a
    distribution that knows how it scales (a count: :class:`~dists.Binomial`) says so."""
    if isinstance(dist, dists.Binomial):
        return dist.scaled(factor)
    if not dataclasses.is_dataclass(dist):
        raise TypeError(f"cannot scale {dist!r}")
    times: dict[str, Any] = {}
    for parameter in dataclasses.fields(dist):
        if not parameter.init or parameter.name in SHAPE_PARAMETERS:
            continue
        value = getattr(dist, parameter.name)
        times[parameter.name] = (tuple(v * factor for v in value) if isinstance(value, tuple)
                                 else value * factor)
    return dataclasses.replace(dist, **times)


def split_schedule(schedule: m.ShiftSchedule, taken: int) -> tuple[m.ShiftSchedule,
                                                                   m.ShiftSchedule]:
    """(rest, dedicated): ``taken`` servers of every shift step go to the dedicated part, as
    many as the step has."""
    rest = tuple((at, n - min(n, taken)) for at, n in schedule.steps)
    dedicated = tuple((at, min(n, taken)) for at, n in schedule.steps)
    return (dataclasses.replace(schedule, steps=rest),
            dataclasses.replace(schedule, steps=dedicated))


def dedicate(model: m.Model, station: str, servers: int, classes: Iterable[str],
             suffix: str) -> m.Model:
    """Take ``servers`` of ``station`` into a new station ``STATION.SUFFIX`` that only
    ``classes`` use; they join the shorter of the two (the dedicated one on a tie)."""
    spec = model.station(station)
    rest, dedicated = split_schedule(spec.servers, servers)
    # The dedicated servers keep their positions: the station's are split the same way.
    places: tuple[m.ShiftSchedule | None, m.ShiftSchedule | None] = (None, None)
    if spec.positions is not None:
        places = split_schedule(spec.positions, servers)
    lane = f"{station}.{suffix}"
    # Reactive desks stay with the shared station: the reserve staff serves the general queue.
    model = with_station(model, dataclasses.replace(spec, servers=rest, positions=places[0]))
    model = with_station(model, dataclasses.replace(spec, name=lane, servers=dedicated,
                                                    reactive=None, positions=places[1]))

    def to_either(step: m.Step) -> m.Route | None:
        if isinstance(step, m.Visit) and step.station == station and not step.reserve_ahead:
            return (m.ShortestQueue((lane, station)),)
        if isinstance(step, m.ShortestQueue) and station in step.stations:
            return (step.adding(lane),)
        return None

    return with_route(model, classes, lambda route: m.rewrite(route, to_either))


def dedicated_problems(ctx: Context, lanes: dict[str, int], classes: Iterable[str],
                       loc: Loc) -> Problems:
    """Dedicated servers must come from a known station the classes visit, and leave at least
    one server there for everyone else."""
    for station, servers in lanes.items():
        here = (*loc, station)
        if not ctx.has_station(station):
            yield from ctx.unknown_station(station, here)
            continue
        most = ctx.model.station(station).servers.max_servers
        if servers >= most:
            yield here, (f"dedicating {servers} of the {most} servers of {station!r} would "
                         "leave none for the other classes")
        for name in classes:
            spec = ctx.spec(name)
            if spec is not None and station not in route_stations(spec.route):
                yield here, f"class {name!r} does not visit station {station!r}"
