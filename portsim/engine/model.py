"""The plain runtime model the engine runs: small frozen objects, no YAML, no pydantic.

The scenario layer compiles a validated file into a :class:`Model`; Python users may build one
directly. All times are minutes from the start of the run; rates are per minute.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from portsim.engine.distributions import Distribution
from portsim.engine.state import StartState

if TYPE_CHECKING:
    import numpy as np

MINUTES_PER_DAY = 1440.0


@dataclass(frozen=True, slots=True)
class ShiftSchedule:
    """Servers as a step function of time, repeating every ``period`` minutes.

    ``steps`` are ``(offset, servers)`` pairs sorted by offset, the first at offset 0; a step
    holds until the next one. ``period=None`` means the steps do not repeat (the last holds for
    ever).
    """

    steps: tuple[tuple[float, int], ...]
    period: float | None = MINUTES_PER_DAY

    def __post_init__(self) -> None:
        if not self.steps or self.steps[0][0] != 0:
            raise ValueError("a shift schedule needs a step at offset 0")
        offsets = [offset for offset, _ in self.steps]
        if offsets != sorted(offsets) or len(set(offsets)) != len(offsets):
            raise ValueError("shift schedule offsets must be strictly increasing")
        if any(servers < 0 for _, servers in self.steps):
            raise ValueError("servers cannot be negative")
        if self.period is not None and offsets[-1] >= self.period:
            raise ValueError("shift schedule offsets must lie within the period")

    @classmethod
    def constant(cls, servers: int) -> ShiftSchedule:
        return cls(steps=((0.0, servers),), period=None)

    @property
    def is_constant(self) -> bool:
        return len(self.steps) == 1

    @property
    def max_servers(self) -> int:
        return max(servers for _, servers in self.steps)

    def servers_at(self, time: float) -> int:
        offset = time % self.period if self.period is not None else time
        index = bisect.bisect_right([start for start, _ in self.steps], offset) - 1
        return self.steps[index][1]

    def mean_servers(self) -> float:
        """Long-run average servers: over one period, or the last step if it holds for ever."""
        if self.period is None:
            return float(self.steps[-1][1])
        ends = [start for start, _ in self.steps[1:]] + [self.period]
        pairs = zip(self.steps, ends, strict=True)
        return sum((end - start) * n for (start, n), end in pairs) / self.period


@dataclass(frozen=True, slots=True)
class ReactiveStaffing:
    """Open extra servers while the queue's head has waited too long.

    Every ``check_every`` minutes: if the customer at the head of the queue has waited more than
    ``open_above`` minutes, one more server opens (up to ``max_extra`` above the schedule); if it
    has waited less than ``close_below`` (or nobody waits), one extra server closes. Closing never
    preempts a customer in service.
    """

    open_above: float
    close_below: float
    max_extra: int
    check_every: float = 1.0

    def __post_init__(self) -> None:
        if self.close_below > self.open_above:
            raise ValueError("reactive staffing: close_below must not exceed open_above")
        if self.max_extra < 1 or self.check_every <= 0:
            raise ValueError("reactive staffing needs max_extra >= 1 and check_every > 0")


@dataclass(frozen=True, slots=True)
class Impatience:
    """How a customer gives up at a station it would have to queue at.

    ``patience`` (reneging): the longest it waits in the queue; when that runs out before its
    service starts it leaves the queue and the system (never once in service). Balking: when it
    would have to wait, it refuses to join if ``balk_at`` or more customers already wait, else
    with ``balk_probabilities[n]`` when ``n`` wait (the last value holds for longer queues). A
    customer who finds a free server always joins.
    """

    patience: Distribution | None = None
    balk_at: int | None = None
    balk_probabilities: tuple[float, ...] = ()
    retry: float = 0.0
    """Share of those who balk or renege who come back, ``retry_after`` later, to join the
    same queue again (with the same rules: they may give up and come back again)."""
    retry_after: Distribution | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.retry <= 1.0:
            raise ValueError("the retry share must lie in [0, 1]")
        if self.retry > 0 and self.retry_after is None:
            raise ValueError("retrying customers need a time away (retry_after)")
        if self.balk_at is not None and self.balk_at < 0:
            raise ValueError("balk_at cannot be negative")
        if any(not 0.0 <= p <= 1.0 for p in self.balk_probabilities):
            raise ValueError("balking probabilities must lie in [0, 1]")


@dataclass(frozen=True, slots=True)
class Breakdowns:
    """Servers that fail and are repaired, each on its own clock.

    Every server position of the station (as many as it ever has on duty) alternates between
    working for ``between`` and being repaired for ``repair``, in calendar time (idle, busy or
    off duty alike), starting as good as new at time 0: the long-run share of time a server
    is broken is E[repair] / (E[between] + E[repair]). See :mod:`portsim.engine.breakdowns`.
    """

    between: Distribution
    repair: Distribution


@dataclass(frozen=True, slots=True)
class ServerPool:
    """Servers of a station that share a set of skills (see :mod:`portsim.engine.skills`)."""

    name: str
    skills: tuple[str, ...]
    servers: ShiftSchedule

    def __post_init__(self) -> None:
        if not self.skills:
            raise ValueError("a server pool needs skills")


def pooled_servers(pools: tuple[ServerPool, ...]) -> ShiftSchedule:
    """The servers of all pools together, step by step."""
    if all(pool.servers.is_constant for pool in pools):
        return ShiftSchedule.constant(sum(pool.servers.steps[0][1] for pool in pools))
    periods = {pool.servers.period for pool in pools if not pool.servers.is_constant}
    if len(periods) != 1 or None in periods:
        raise ValueError("pools' shift schedules must repeat with one period")
    period = periods.pop()
    assert period is not None
    offsets = sorted({offset for pool in pools for offset, _ in pool.servers.steps})
    steps: list[tuple[float, int]] = []
    for offset in offsets:
        total = sum(pool.servers.servers_at(offset) for pool in pools)
        if not steps or steps[-1][1] != total:
            steps.append((offset, total))
    if len(steps) == 1:
        return ShiftSchedule.constant(steps[0][1])
    return ShiftSchedule(tuple(steps), period)


@dataclass(frozen=True, slots=True)
class StationSpec:
    """A station: servers (possibly by shift), a queue discipline and service times."""

    name: str
    servers: ShiftSchedule
    service: Distribution
    service_by_class: dict[str, Distribution] = field(default_factory=dict)
    discipline: Literal["fifo", "priority"] = "fifo"
    reactive: ReactiveStaffing | None = None
    booking_servers: int = 0
    """Servers that may work on bookings (``Visit.reserve_ahead``) at any hour: when fewer are
    on duty, off-duty ones are called in for bookings only (a team arranged around the clock
    for a declared ship). 0: bookings use the servers on duty only."""
    impatience: Impatience | None = None
    """How every class gives up here (None: customers wait as long as it takes)."""
    impatience_by_class: dict[str, Impatience] = field(default_factory=dict)
    """A class's own impatience here, by class name (overrides ``impatience``)."""
    pools: tuple[ServerPool, ...] = ()
    """Skilled server pools (their servers replace ``servers``, which must be their total:
    :func:`pooled_servers`); empty: interchangeable servers."""
    skill_by_class: dict[str, str] = field(default_factory=dict)
    """The skill each class needs here (with ``pools``)."""
    breakdowns: Breakdowns | None = None
    """Servers that fail and are repaired (None: they never fail)."""
    outages: tuple[tuple[float, float], ...] = ()
    """Windows ``(start, end)`` in minutes from the start of the run in which the whole
    station is out of order, in time order and apart."""
    interrupted: Literal["resume", "restart"] = "resume"
    """What happens to a service a failure or an outage interrupts: the customer goes back to
    the head of the queue and later finishes the rest of its service (``resume``) or starts it
    again from the beginning (``restart``, a fresh service time)."""

    def __post_init__(self) -> None:
        if self.pools and self.servers != pooled_servers(self.pools):
            raise ValueError(f"station {self.name!r}: with pools, servers must be the pools' "
                             "total (pooled_servers)")
        if any(start >= end for start, end in self.outages) or any(
                before[1] > after[0]
                for before, after in itertools.pairwise(self.outages)):
            raise ValueError(f"station {self.name!r}: outage windows must be in time order, "
                             "apart, and end after they start")
        if self.unreliable and (self.pools or self.impatient or self.booking_servers):
            raise ValueError(f"station {self.name!r}: breakdowns and outages are not supported "
                             "together with skill pools, impatience or servers on call")

    @property
    def unreliable(self) -> bool:
        """Whether the station can be out of order (breakdowns or outage windows)."""
        return self.breakdowns is not None or bool(self.outages)

    def service_for(self, class_name: str) -> Distribution:
        return self.service_by_class.get(class_name, self.service)

    def impatience_for(self, class_name: str) -> Impatience | None:
        return self.impatience_by_class.get(class_name, self.impatience)

    @property
    def impatient(self) -> bool:
        """Whether some class may give up here (reneging or balking)."""
        return self.impatience is not None or bool(self.impatience_by_class)

    @property
    def refuses(self) -> bool:
        """Whether the station's own rule turns customers away for good (a queue limit or
        balking by queue length -- a road that holds so many -- with not all of them coming
        back): not only one class's rule, not a callback queue where every one returns."""
        rule = self.impatience
        return rule is not None and rule.retry < 1.0 and (
            rule.balk_at is not None or bool(rule.balk_probabilities))


# ----------------------------------------------------------------------------- arrivals


@dataclass(frozen=True, slots=True)
class Poisson:
    """Poisson arrivals at a constant rate (per minute)."""

    rate: float


@dataclass(frozen=True, slots=True)
class RateProfile:
    """Non-homogeneous Poisson arrivals with a piecewise-constant rate (per minute).

    ``rates[i]`` holds over ``[i*bin_width, (i+1)*bin_width)``; the profile repeats every
    ``len(rates) * bin_width`` minutes (24 hourly rates repeat daily).
    """

    rates: tuple[float, ...]
    bin_width: float = 60.0

    @property
    def period(self) -> float:
        return len(self.rates) * self.bin_width


@dataclass(frozen=True, slots=True)
class Timetable:
    """Batches (flights, trains, buses): at ``times[i]``, ``counts[i]`` entities reach the station
    over ``spreads[i]`` minutes (uniformly at random). Repeats every ``repeat_every`` if set."""

    times: tuple[float, ...]
    counts: tuple[int, ...]
    spreads: tuple[float, ...]
    repeat_every: float | None = None
    #: Each batch is late by a draw of ``delay`` (minutes; a negative draw counts as on time),
    #: so that late batches bunch with later ones; its members keep their spread.
    delay: Distribution | None = None
    #: The probability that a batch does not come at all (cancelled).
    cancelled: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.cancelled <= 1.0:
            raise ValueError("the cancelled share of a timetable must lie in [0, 1]")

    @property
    def disrupted(self) -> bool:
        """Whether batches may be late or cancelled (drawn from a stream of their own)."""
        return self.delay is not None or self.cancelled > 0


@dataclass(frozen=True, slots=True)
class Trace:
    """Recorded arrival timestamps, replayed as they are."""

    times: tuple[float, ...]
    _sorted: Any = field(default=None, init=False, repr=False, compare=False)

    def sorted_array(self) -> np.ndarray:
        """The times in order as a read-only float array, made once (on first use: building
        a model needs no numpy) and shared by every replication of the model."""
        if self._sorted is None:
            import numpy as np

            array = np.fromiter(self.times, dtype=float, count=len(self.times))
            if array.size > 1 and not np.all(array[1:] >= array[:-1]):
                array = np.sort(array)
            array.flags.writeable = False
            object.__setattr__(self, "_sorted", array)
        return self._sorted


@dataclass(frozen=True, slots=True)
class Appointments:
    """Booked slots repeating every ``period``: ``per_slot[i]`` customers booked for
    ``slots[i]`` (minutes into the period).

    Each booked customer stays away with probability ``no_show``; one who comes arrives early
    by a draw of ``early`` with probability ``early_share``, else late by a draw of ``late``
    (an arrival before the start of the run arrives at its start).
    """

    slots: tuple[float, ...]
    per_slot: tuple[int, ...]
    no_show: float = 0.0
    early_share: float = 0.0
    early: Distribution | None = None
    late: Distribution | None = None
    period: float = MINUTES_PER_DAY

    def __post_init__(self) -> None:
        if len(self.slots) != len(self.per_slot):
            raise ValueError("appointments need one count per slot")
        if not 0 <= self.no_show <= 1 or not 0 <= self.early_share <= 1:
            raise ValueError("no_show and early_share are probabilities")
        if any(not 0 <= slot < self.period for slot in self.slots):
            raise ValueError("appointment slots must lie within the period")

    @property
    def booked_per_period(self) -> int:
        return sum(self.per_slot)


Arrivals = Poisson | RateProfile | Timetable | Trace | Appointments


# ----------------------------------------------------------------------------- routes


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


@dataclass(frozen=True, slots=True)
class ClassSpec:
    """An entity class: how its members arrive and the route they follow.

    Lower ``priority`` numbers are served first at stations with the ``priority`` discipline.
    ``due_after`` (minutes after arrival), if set, adds lateness KPIs: how often and by how much
    members leave later than that (e.g. a ship's planned departure).

    ``visit_patience``: how long a member stays in the system before it gives up on the whole
    visit. When that runs out while it waits in a queue (any station's), it leaves the queue and
    the system; while it is in service or between stations it goes on, and gives up at the next
    queue it would have to wait in (at once). Stations' own patience, if any, also holds: the
    earlier of the two expiries counts.
    """

    name: str
    arrivals: Arrivals
    route: Route
    priority: int = 0
    due_after: float | None = None
    visit_patience: Distribution | None = None


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
    #: A warm start: the state the run begins from at its clock time (see engine.warm).
    start: StartState | None = None
    #: Write the state of each replication at this time (minutes from the start) as a warm
    #: start would read it (ReplicationResult.snapshot).
    snapshot_at: float | None = None

    def __post_init__(self) -> None:
        if self.horizon <= 0:
            raise ValueError("horizon must be positive")
        per_day = MINUTES_PER_DAY / self.slot_minutes if self.slot_minutes > 0 else 0.5
        if abs(per_day - round(per_day)) > 1e-9 or per_day < 1:
            raise ValueError("slot_minutes must divide a day")
        if not 0 <= self.warmup < self.horizon:
            raise ValueError("warm-up must be at least 0 and shorter than the horizon")
        names = [s.name for s in self.stations]
        if len(set(names)) != len(names):
            raise ValueError("station names must be unique")
        known = set(names)
        class_names = {cls.name for cls in self.classes}
        for cls in self.classes:
            for station in stations_visited(cls.route):
                if station not in known:
                    raise ValueError(f"class {cls.name!r} visits unknown station {station!r}")
            for index, step in enumerate(steps(cls.route)):
                if isinstance(step, Spawn) and step.class_name not in class_names:
                    raise ValueError(f"class {cls.name!r} spawns unknown class "
                                     f"{step.class_name!r}")
                if isinstance(step, Visit) and step.reserve_ahead is not None and index != 0:
                    raise ValueError(f"class {cls.name!r}: reserve_ahead is only allowed on "
                                     "the first step of a route")
                if isinstance(step, Visit) and step.reserve_error is not None \
                        and not step.reserve_ahead:
                    raise ValueError(f"class {cls.name!r}: reserve_error needs reserve_ahead")
                if isinstance(step, Visit) and step.reserve_ahead is not None \
                        and self.station(step.station).unreliable:
                    raise ValueError(f"class {cls.name!r} books {step.station!r}, whose "
                                     "servers can be out of order: not supported")
                if isinstance(step, Visit) and step.fallback is not None \
                        and not self.station(step.station).unreliable:
                    raise ValueError(f"class {cls.name!r}: a fallback at {step.station!r} "
                                     "needs breakdowns or outages there")
            for station in stations_visited(cls.route):
                spec = self.station(station)
                if not spec.pools:
                    continue
                skill = spec.skill_by_class.get(cls.name)
                if skill is None or not any(skill in pool.skills for pool in spec.pools):
                    raise ValueError(f"class {cls.name!r} visits {station!r}, whose servers "
                                     "have skills, without a skill some pool there has")

        for spec in self.stations:
            if spec.unreliable and self.impatient_at(spec.name):
                raise ValueError(f"station {spec.name!r}: breakdowns and outages are not "
                                 "supported where customers may give up (visit_patience)")
        unreliable = [spec.name for spec in self.stations if spec.unreliable]
        if (self.start is not None or self.snapshot_at is not None) and unreliable:
            raise ValueError("warm starts and snapshots do not support stations with "
                             f"breakdowns or outages yet ({', '.join(map(repr, unreliable))})")

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
