"""The whole model: entity classes, and the :class:`Model` with the checks that tie its
stations, classes and routes together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from portsim.engine.distributions import Distribution
from portsim.engine.model.arrivals import Arrivals
from portsim.engine.model.routes import Route, ShortestQueue, Spawn, Visit, stations_visited, steps
from portsim.engine.model.stations import MINUTES_PER_DAY, StationSpec, over_positions
from portsim.engine.state import StartState

__all__ = ["ClassSpec", "Model", "Prices"]


@dataclass(frozen=True, slots=True)
class ClassSpec:
    """An entity class: how its members arrive and the route they follow.

    Lower ``priority`` numbers are served first at stations with the ``priority`` discipline.
    ``due_after`` (minutes after arrival), if set, adds lateness KPIs: how often and by how much
    members leave later than that (e.g. a ship's planned departure).

    ``visit_patience``: how long a member stays in the system before it gives up on the whole
    visit, drawn as it enters (the class's n-th number to its n-th member to enter). When that
    runs out while it waits in a queue (any station's), it leaves the queue and the system;
    while it is in service or between stations it goes on, and gives up at the next queue it
    would have to wait in (at once). Stations' own patience, if any, also holds: the earlier of
    the two expiries counts.
    """

    name: str
    arrivals: Arrivals
    route: Route
    priority: int = 0
    due_after: float | None = None
    visit_patience: Distribution | None = None


@dataclass(frozen=True, slots=True)
class Prices:
    """What resource use costs, by resource (a station's ``resource`` label): a server-hour on
    duty, a call-out hour (an off-duty server called in for a booking) and a position a day.
    A resource not named costs nothing there."""

    per_hour: Mapping[str, float] = field(default_factory=dict)
    per_call_out_hour: Mapping[str, float] = field(default_factory=dict)
    per_position_day: Mapping[str, float] = field(default_factory=dict)

    def cost(self, resource: str, hours: float, call_out_hours: float,
             positions: float) -> float:
        """The cost a day of a station of ``resource`` with this use a day."""
        return (hours * self.per_hour.get(resource, 0.0)
                + call_out_hours * self.per_call_out_hour.get(resource, 0.0)
                + positions * self.per_position_day.get(resource, 0.0))


@dataclass(frozen=True, slots=True)
class Model:
    """Everything one replication needs. Times in minutes."""

    stations: tuple[StationSpec, ...]
    classes: tuple[ClassSpec, ...]
    horizon: float
    warmup: float = 0.0
    sla: float = 30.0
    name: str = "model"
    series_bin: float = 60.0
    #: Waits are also filed by the clock slot of arrival (minutes; a divisor of a day), and
    #: each station's queue length is recorded at these clock times of every day (minutes
    #: after midnight).
    slot_minutes: float = 60.0
    queue_at: tuple[float, ...] = ()
    #: The share of each class that should wait at most ``sla`` in every slot; the engine only
    #: carries it to the results, where verdicts are judged against it.
    sla_share_target: float = 0.95
    #: The classes whose waits the verdicts judge (None: every class; empty: none); carried to
    #: the results.
    sla_classes: tuple[str, ...] | None = None
    #: The stations whose waits the slot KPIs of the ``sla_classes`` count (None: every station
    #: of the route): such a class's ``wait_h0800_*`` is then its members' waits at these
    #: stations alone; other classes' slot KPIs keep their whole waits.
    slot_stations: tuple[str, ...] | None = None
    #: Read the queues of the ``slot_stations`` (or every station) every so many minutes from
    #: midnight: each class's last member in each, and its wait there (see engine.monitor);
    #: the slot KPIs then give the longest reading (``wait_h0800_monitor``).
    monitor_every: float | None = None
    #: Also give each slot's longest wait (``wait_h0800_max``), for verdicts judged on it.
    slot_longest: bool = False
    #: A warm start: the state the run begins from at its clock time (see engine.warm).
    start: StartState | None = None
    #: Write the state of each replication at this time (minutes from the start) as a warm
    #: start would read it (ReplicationResult.snapshot).
    snapshot_at: float | None = None
    #: What resource use costs (the ``cost`` KPIs); None: use is reported, not priced.
    prices: Prices | None = None

    def __post_init__(self) -> None:
        self._check_times()
        names = [s.name for s in self.stations]
        if len(set(names)) != len(names):
            raise ValueError("station names must be unique")
        class_names = {cls.name for cls in self.classes}
        for cls in self.classes:
            self._check_route(cls, set(names), class_names)
        for problem in self.mixed_choices(self.slot_stations or ()):
            raise ValueError(f"slot_stations: {problem}")
        self._check_unreliable()

    def _check_times(self) -> None:
        if self.horizon <= 0:
            raise ValueError("horizon must be positive")
        per_day = MINUTES_PER_DAY / self.slot_minutes if self.slot_minutes > 0 else 0.5
        if abs(per_day - round(per_day)) > 1e-9 or per_day < 1:
            raise ValueError("slot_minutes must divide a day")
        if not 0 <= self.warmup < self.horizon:
            raise ValueError("warm-up must be at least 0 and shorter than the horizon")

    def _check_route(self, cls: ClassSpec, known: set[str], class_names: set[str]) -> None:
        """The stations and classes ``cls``'s route names exist, and its steps fit them."""
        for station in stations_visited(cls.route):
            if station not in known:
                raise ValueError(f"class {cls.name!r} visits unknown station {station!r}")
        for index, step in enumerate(steps(cls.route)):
            if isinstance(step, Spawn) and step.class_name not in class_names:
                raise ValueError(f"class {cls.name!r} spawns unknown class "
                                 f"{step.class_name!r}")
            if isinstance(step, Visit):
                self._check_visit(cls.name, index, step)
        for station in stations_visited(cls.route):
            spec = self.station(station)
            if not spec.pools:
                continue
            skill = spec.skill_by_class.get(cls.name)
            if skill is None or not any(skill in pool.skills for pool in spec.pools):
                raise ValueError(f"class {cls.name!r} visits {station!r}, whose servers "
                                 "have skills, without a skill some pool there has")

    def _check_visit(self, class_name: str, index: int, step: Visit) -> None:
        """A booking only on the first step and not at an unreliable station, a fallback only
        at one (``index``: the step's place in the walk over the route)."""
        if step.reserve_ahead is not None and index != 0:
            raise ValueError(f"class {class_name!r}: reserve_ahead is only allowed on "
                             "the first step of a route")
        if step.reserve_error is not None and not step.reserve_ahead:
            raise ValueError(f"class {class_name!r}: reserve_error needs reserve_ahead")
        if step.reserve_ahead is not None and self.station(step.station).unreliable:
            raise ValueError(f"class {class_name!r} books {step.station!r}, whose "
                             "servers can be out of order: not supported")
        if step.fallback is not None and not self.station(step.station).unreliable:
            raise ValueError(f"class {class_name!r}: a fallback at {step.station!r} "
                             "needs breakdowns or outages there")

    def mixed_choices(self, counted: tuple[str, ...]) -> list[str]:
        """Shortest-queue choices between stations of ``counted`` and others, as messages: the
        wait of a counted visit is counted from the choice to the end of the visit, so all of
        a choice's stations must count or none."""
        found = []
        for cls in self.classes:
            if self.sla_classes is not None and cls.name not in self.sla_classes:
                continue  # its slots file its whole wait: no marks in its route
            for step in steps(cls.route):
                if isinstance(step, ShortestQueue):
                    chosen = [name in counted for name in step.stations]
                    if any(chosen) and not all(chosen):
                        found.append(f"class {cls.name!r} chooses the shortest queue of "
                                     f"{', '.join(map(repr, step.stations))}: name all of "
                                     "them or none")
        return found

    def read_stations(self) -> list[str]:
        """The stations whose queues a monitor reads (``monitor_every``): the
        ``slot_stations``, or every station."""
        counted = self.slot_stations
        return [spec.name for spec in self.stations if counted is None or spec.name in counted]

    def counts_some_stations(self, class_name: str) -> bool:
        """Whether the slot KPIs of ``class_name`` file only its waits at ``slot_stations``."""
        return self.slot_stations is not None and (
            self.sla_classes is None or class_name in self.sla_classes)

    def _check_unreliable(self) -> None:
        """Breakdowns and outages only where nobody gives up, and not with warm starts."""
        for spec in self.stations:
            if spec.unreliable and self.impatient_at(spec.name):
                raise ValueError(f"station {spec.name!r}: breakdowns and outages are not "
                                 "supported where customers may give up (visit_patience)")
        unreliable = [spec.name for spec in self.stations if spec.unreliable]
        if (self.start is not None or self.snapshot_at is not None) and unreliable:
            raise ValueError("warm starts and snapshots do not support stations with "
                             f"breakdowns or outages yet ({', '.join(map(repr, unreliable))})")

    def beyond_positions(self) -> dict[str, list[tuple[float, float, int, int]]]:
        """Stations whose schedule puts more servers on duty than they have positions, with
        the windows where it does (see :func:`over_positions`)."""
        found = {}
        for spec in self.stations:
            if spec.positions is not None:
                windows = over_positions(spec.servers, spec.positions)
                if windows:
                    found[spec.name] = windows
        return found

    def check_positions(self) -> None:
        """Refuse a model whose schedules exceed its stations' positions (a scenario file's
        are refused, located, when it loads)."""
        for name, windows in self.beyond_positions().items():
            start, end, servers, places = windows[0]
            raise ValueError(f"station {name!r}: {servers} servers on duty from minute "
                             f"{start:g} to {end:g} of the schedule's period, more than its "
                             f"{places} positions")

    @property
    def resources(self) -> tuple[str, ...]:
        """The resources of the stations (their ``resource`` labels), in station order."""
        return tuple(dict.fromkeys(spec.resource for spec in self.stations))

    @property
    def impatient(self) -> bool:
        """Whether customers may give up somewhere (the model has abandonment KPIs)."""
        return any(spec.impatient for spec in self.stations) or any(
            spec.visit_patience is not None for spec in self.classes)

    def impatient_at(self, station: str) -> bool:
        """Whether some customer may give up at ``station``: its own impatience, or a class
        visiting it that is patient only for so long over its whole visit."""
        return self.station(station).impatient or any(
            spec.visit_patience is not None and station in stations_visited(spec.route)
            for spec in self.classes)

    def gives_up(self, class_name: str) -> bool:
        """Whether members of ``class_name`` may balk or renege at a station of their route
        (or give up over their whole visit)."""
        for spec in self.classes:
            if spec.name == class_name:
                return spec.visit_patience is not None or any(
                    self.station(name).impatience_for(class_name) is not None
                    for name in stations_visited(spec.route))
        raise KeyError(class_name)

    def station(self, name: str) -> StationSpec:
        for spec in self.stations:
            if spec.name == name:
                return spec
        raise KeyError(name)
