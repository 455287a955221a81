"""Pydantic models of the scenario file format (docs/scenario-format.md).

One strict, frozen base model; bounds and choices live in the types; field docstrings become the
JSON Schema's descriptions. Validators check only what types cannot say: sums, orderings and
cross-references. Durations are minutes and rates per minute once validated.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    Tag,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from portsim.scenario.parts import (
    Balk,
    Breakdowns,
    Distribution,
    Impatience,
    OpeningHours,
    OutageWindows,
    Retry,
    Servers,
    SkillPool,
    StrictModel,
)
from portsim.scenario.policy_blocks import Policies
from portsim.scenario.units import (
    MAX_COUNT,
    Count,
    Duration,
    Name,
    PositiveDuration,
    PositiveRate,
    Probability,
    Rate,
    Share,
    TimeOfDay,
    format_duration,
)

#: Tolerance for "probabilities sum to 1".
SUM_TOLERANCE = 1e-9

#: Error type of cross-reference problems; its context holds ``problems``: ``(loc, message)`` pairs.
REFERENCE_ERROR = "scenario_reference"

#: Keys a variant may not change: variants are compared with common random numbers, under the
#: scenario's own name.
FIXED_IN_VARIANTS = ("name", "seed", "replications", "precision", "variants")


# ----------------------------------------------------------------------------- stations


class Station(StrictModel):
    """A station: servers (constant or by daily shift), a queue discipline, service times."""

    servers: Servers | None = None
    """An integer >= 1, or a daily shift schedule: a list of {start, end, servers} windows
    (time not covered by a window has 0 servers). Required unless ``pools`` are given."""
    pools: dict[Name, SkillPool] | None = None
    """Servers with skills, by pool name, instead of ``servers``: a customer is served by a
    pool that has the skill its class needs here (``skills``)."""
    skills: dict[Name, Annotated[str, Field(min_length=1)]] = Field(default_factory=dict)
    """With ``pools``: the skill each class needs here, by class name."""
    discipline: Literal["fifo", "priority"] = "fifo"
    """fifo, or priority (by class priority, non-preemptive)."""
    service: Distribution
    """Service time."""
    service_by_class: dict[Name, Distribution] = Field(default_factory=dict)
    """A class's own service time here, by class name."""
    opening_hours: OpeningHours | None = None
    """Daily opening hours (default: always open)."""
    patience: Distribution | None = None
    """How long a customer waits in this queue before it gives up and leaves the port
    (default: as long as it takes)."""
    balk: Balk | None = None
    """When customers refuse to join this queue (default: they always join)."""
    retry: Retry | None = None
    """Customers who balk or give up here and come back to try again (default: they are
    gone)."""
    impatience_by_class: dict[Name, Impatience] = Field(default_factory=dict)
    """A class's own patience and balking here, by class name (instead of the station's)."""
    breakdowns: Breakdowns | None = None
    """Servers that fail and are repaired (default: they never fail)."""
    outages: OutageWindows = Field(default_factory=list)
    """Windows in which the whole station is out of order, e.g. [{start: "08:00", end:
    "09:30", day: 1}] (default: none)."""
    interrupted: Literal["resume", "restart"] = "resume"
    """A service cut short by a failure or an outage: its customer goes back to the head of
    the queue and finishes the rest of its service (resume) or starts it again (restart)."""
    fallback: Name | None = None
    """Where customers who come to this station go while it is out of order (an outage, or
    every server on duty broken), before going on with their route (default: they wait)."""

    @model_validator(mode="after")
    def _reliability(self) -> Station:
        unreliable = self.breakdowns is not None or bool(self.outages)
        if not unreliable and (self.fallback is not None or self.interrupted != "resume"):
            raise ValueError("fallback and interrupted need breakdowns or outages")
        if unreliable and (self.pools is not None or self.patience is not None
                           or self.balk is not None or self.impatience_by_class):
            raise ValueError("breakdowns and outages are not supported together with pools, "
                             "patience or balking at one station (yet)")
        return self

    @model_validator(mode="after")
    def _servers_or_pools(self) -> Station:
        if (self.servers is None) == (self.pools is None):
            raise ValueError("give servers or pools (exactly one of them)")
        if self.pools is not None:
            if not self.pools:
                raise ValueError("pools: give at least one pool")
            if self.opening_hours is not None:
                raise ValueError("pools give their own shifts: no opening_hours")
            known = {skill for pool in self.pools.values() for skill in pool.skills}
            for class_name, skill in self.skills.items():
                if skill not in known:
                    raise ValueError(f"skills.{class_name}: no pool has the skill {skill!r} "
                                     f"(pools' skills: {', '.join(sorted(known))})")
        elif self.skills:
            raise ValueError("skills need pools: servers without pools have no skills")
        return self

    @model_validator(mode="after")
    def _retry_needs_giving_up(self) -> Station:
        if self.retry is not None and self.patience is None and self.balk is None:
            raise ValueError("retry needs patience or balk: nobody gives up to try again")
        return self

    @model_serializer(mode="wrap")
    def _without_unused_impatience(self, handler: SerializerFunctionWrapHandler) -> Any:
        # The resolved document (results' provenance and its hash) names impatience only where
        # it is used, so that scenarios written before it keep their documents and hashes.
        data = handler(self)
        for key in ("patience", "balk", "retry", "impatience_by_class", "pools", "skills",
                    "breakdowns", "outages", "fallback"):
            if isinstance(data, dict) and not data.get(key):
                data.pop(key, None)
        if isinstance(data, dict) and data.get("interrupted") == "resume":
            data.pop("interrupted")
        return data


# ----------------------------------------------------------------------------- arrivals


class PoissonArrivals(StrictModel):
    """Poisson arrivals at a constant rate."""

    kind: Literal["poisson"]
    rate: PositiveRate
    """Arrival rate."""


class ProfileArrivals(StrictModel):
    """Poisson arrivals with a piecewise-constant rate, repeating every len(rates) * bin."""

    kind: Literal["profile"]
    rates: Annotated[list[Rate], Field(min_length=1)]
    """Rate in each bin (24 hourly values repeat daily)."""
    bin: PositiveDuration = 60.0
    """Width of each bin (default 1h)."""

    @field_validator("rates")
    @classmethod
    def _some_positive(cls, rates: list[float]) -> list[float]:
        if not any(rate > 0 for rate in rates):
            raise ValueError("every rate is 0: nobody would arrive")
        return rates


class Batch(StrictModel):
    """A batch of arrivals (a flight, a train, a bus)."""

    time: Duration
    """When the batch arrives (HH:MM or a duration from the start)."""
    count: Count
    """How many arrive."""
    spread: Duration = 0.0
    """Members reach the first step uniformly over this time (default 0)."""


class TimetableArrivals(StrictModel):
    """Batches at set times, given in the file or in a CSV file (columns time,count[,spread])."""

    kind: Literal["timetable"]
    batches: Annotated[list[Batch], Field(min_length=1)] | None = None
    """The batches (give either batches or file)."""
    file: Annotated[str, Field(min_length=1)] | None = None
    """CSV file with a header and columns time,count[,spread], relative to the scenario file.
    The loader replaces it by its batches."""
    repeat: PositiveDuration | None = None
    """Period after which the timetable repeats (default: no repeat)."""
    # Left out of the resolved document when not given, so that a timetable without them is
    # written (and hashed) exactly as before they existed.
    delay: Distribution | None = Field(None, exclude_if=lambda value: value is None)
    """How late each batch is (a delayed flight or train; default: on time). Late batches bunch
    with later ones; each batch's members keep its spread."""
    cancelled: Probability = Field(0.0, exclude_if=lambda value: value == 0)
    """Share of batches that do not come at all (default 0)."""

    @model_validator(mode="after")
    def _one_source(self) -> TimetableArrivals:
        if (self.batches is None) == (self.file is None):
            raise ValueError("give either batches or file (exactly one of them)")
        if self.repeat is not None and self.batches is not None:
            late = [b.time for b in self.batches if b.time >= self.repeat]
            if late:
                raise ValueError(
                    f"batch time {format_duration(late[0])} is not within the repeat period "
                    f"({format_duration(self.repeat)})"
                )
        return self


class TraceArrivals(StrictModel):
    """Recorded arrival times, replayed as they are."""

    kind: Literal["trace"]
    times: Annotated[list[Duration], Field(min_length=1)]
    """Arrival times from the start of the run."""


class AppointmentWindow(StrictModel):
    """Slots every ``every`` from ``start`` (included) to ``end`` (excluded), each booked
    ``per_slot`` times, every day."""

    start: TimeOfDay
    """First slot (HH:MM)."""
    end: TimeOfDay
    """No slot at or after this time (HH:MM)."""
    every: PositiveDuration
    """Slot length."""
    per_slot: Count = 1
    """Customers booked per slot."""

    @model_validator(mode="after")
    def _ordered(self) -> AppointmentWindow:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Punctuality(StrictModel):
    """When booked customers come, relative to their slot."""

    early_share: Probability = 0.0
    """Share who come early (the others come on time or late)."""
    early: Distribution | None = None
    """How early the early ones come (default: exactly on time)."""
    late: Distribution | None = None
    """How late the others come (default: exactly on time)."""


class AppointmentArrivals(StrictModel):
    """Customers booked into daily slots, with no-shows and early and late comers."""

    kind: Literal["appointments"]
    slots: Annotated[list[AppointmentWindow], Field(min_length=1)]
    """Booking windows of the day."""
    no_show: Probability = 0.0
    """Share of booked customers who do not come."""
    punctuality: Punctuality = Field(default_factory=Punctuality)
    """Early and late arrival around the slot time."""


Arrivals = Annotated[
    PoissonArrivals | ProfileArrivals | TimetableArrivals | TraceArrivals | AppointmentArrivals,
    Field(discriminator="kind"),
]


# ----------------------------------------------------------------------------- routes


class StationStep(StrictModel):
    """Queue for and be served at a station."""

    station: Name
    """Station name."""
    service: Distribution | None = None
    """This class's own service time at the station (default: the station's)."""


class BranchOption(StrictModel):
    """One sub-route of a branch."""

    p: Probability
    """Probability of taking this sub-route."""
    route: Route
    """The sub-route."""


def _sums_to_one(options: list[BranchOption]) -> list[BranchOption]:
    total = sum(option.p for option in options)
    if abs(total - 1) > SUM_TOLERANCE:
        raise ValueError(f"branch probabilities must sum to 1 (got {total:.12g})")
    return options


class BranchStep(StrictModel):
    """Take one of several sub-routes at random."""

    branch: Annotated[list[BranchOption], Field(min_length=1), AfterValidator(_sums_to_one)]
    """The sub-routes with their probabilities (summing to 1)."""


class ShortestQueueStep(StrictModel):
    """Join the station with the fewest customers per open server (ties: first listed)."""

    shortest_queue: Annotated[list[Name], Field(min_length=1)]
    """Station names to choose from."""


class QuickestSpec(StrictModel):
    """Where a customer may go and how long it takes to get there."""

    stations: Annotated[list[Name], Field(min_length=1)]
    """Station names to choose from."""
    travel: dict[Name, Duration] = Field(default_factory=dict)
    """Travel time to a station (default 0), counted in the time in system, not the wait."""
    milestone: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")] | None = None
    """Name the moment the customer reaches the chosen station (``until_<name>`` KPIs)."""


class QuickestStep(StrictModel):
    """Join the station where the expected wait on arrival plus the travel time to it is
    least: the wait expected from the customers ahead, the servers on duty and the class's mean
    service time there (ties: the fewest customers per open server, then first listed)."""

    quickest: QuickestSpec


class OptionalRoute(StrictModel):
    """A sub-route taken with a probability."""

    p: Probability
    """Probability of taking the sub-route."""
    route: Route
    """The sub-route."""


class OptionalStep(StrictModel):
    """A sub-route taken with a probability, else skipped."""

    optional: OptionalRoute
    """Probability and sub-route."""


class DelayStep(StrictModel):
    """Spend a random time without queueing (walking, deplaning)."""

    delay: Distribution
    """How long."""


def _count_tag(value: Any) -> str:
    return "count-dist" if isinstance(value, dict | BaseModel) else "count-number"


SpawnCount = Annotated[
    Annotated[Count, Tag("count-number")] | Annotated[Distribution, Tag("count-dist")],
    Discriminator(_count_tag),
]
"""A whole number, or a distribution of counts (its numbers are counts: write them without
units; draws are rounded to whole numbers)."""


class SpawnSpec(StrictModel):
    """A batch of another class created here: the passengers a bus or a train brings."""

    # ``class`` is a Python keyword: the field has another name and is read and written as
    # ``class`` (serialising by alias keeps the resolved document loadable).
    model_config = ConfigDict(serialize_by_alias=True)

    class_name: Name = Field(alias="class")
    """The class whose members are created (they start its route)."""
    count: SpawnCount
    """How many: a whole number or a distribution of counts (rounded)."""
    spread: Duration = 0.0
    """The members enter uniformly over this time (default 0)."""
    wait: bool = False
    """Hold this entity before its next step (other than another spawn) until every member of
    the batch has left: a train that departs when all its passengers are cleared."""


class SpawnStep(StrictModel):
    """Create a batch of members of another class, then go on (no queue, no time)."""

    spawn: SpawnSpec
    """Which class, how many, over how long."""


class MilestoneStep(StrictModel):
    """Record the time since arrival when an entity reaches this point of its route (no queue,
    no time): class KPIs ``until_<name>_mean``, ``_p50``, ``_p90``, ``_p95``, ``_p99``, ``_max``.
    E.g. a ship's time from arrival until it is cleared to berth."""

    milestone: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")]
    """The milestone's name (letters, digits and _: it becomes part of KPI names)."""


STEP_KEYS: dict[str, type[StrictModel]] = {
    "station": StationStep,
    "branch": BranchStep,
    "shortest_queue": ShortestQueueStep,
    "quickest": QuickestStep,
    "optional": OptionalStep,
    "delay": DelayStep,
    "spawn": SpawnStep,
    "milestone": MilestoneStep,
}
STEP_ERROR = "route_step"
STEP_HELP = (
    "a route step is a station name or a mapping with exactly one of the keys "
    + ", ".join(STEP_KEYS)
)


def _step_tag(value: Any) -> str | None:
    # Tags are "step-..." rather than the keys themselves so that error paths can tell the
    # union's tag apart from the step's own key.
    if isinstance(value, str):
        return "step-name"
    if isinstance(value, dict):
        keys = [key for key in STEP_KEYS if key in value]
        return f"step-{keys[0]}" if len(keys) == 1 else None
    for key, model in STEP_KEYS.items():
        if isinstance(value, model):
            return f"step-{key}"
    return None


Step = Annotated[
    Annotated[Name, Tag("step-name")]
    | Annotated[StationStep, Tag("step-station")]
    | Annotated[BranchStep, Tag("step-branch")]
    | Annotated[ShortestQueueStep, Tag("step-shortest_queue")]
    | Annotated[QuickestStep, Tag("step-quickest")]
    | Annotated[OptionalStep, Tag("step-optional")]
    | Annotated[DelayStep, Tag("step-delay")]
    | Annotated[SpawnStep, Tag("step-spawn")]
    | Annotated[MilestoneStep, Tag("step-milestone")],
    Discriminator(_step_tag, custom_error_type=STEP_ERROR, custom_error_message=STEP_HELP),
]

Route = Annotated[list[Step], Field(min_length=1)]


# ----------------------------------------------------------------------------- classes, top level


class EntityClass(StrictModel):
    """An entity class: how its members arrive and the route they follow."""

    priority: int = 0
    """Lower numbers are served first at priority stations (default 0)."""
    arrivals: Arrivals | None = None
    """How members arrive (leave out for a class whose members only enter by a spawn step)."""
    route: Route
    """Steps followed from arrival to departure."""
    due_after: PositiveDuration | None = None
    """Members are due to leave this long after they arrive (a ship's planned departure);
    adds the lateness KPIs late_share, lateness_mean and lateness_max."""
    # Left out of the resolved document when not given (scenarios keep their hashes).
    visit_patience: Distribution | None = Field(None, exclude_if=lambda value: value is None)
    """How long a member stays before it gives up on the whole visit: when that runs out while
    it waits in any queue of its route, it leaves the port from there (in service or between
    stations it goes on, and gives up at the next queue it would have to wait in). Counted as
    abandoned at that station and for the class (default: as long as it takes)."""


#: ``time.warmup`` when the warm-up is chosen from a pilot round (see portsim.experiment.warmup).
AUTO_WARMUP = "auto"


class TimeSettings(StrictModel):
    """Simulated time of one replication."""

    horizon: PositiveDuration
    """Simulated time of one replication."""
    warmup: Literal["auto"] | Duration = 0.0
    """Statistics are reset at this time (default 0, shorter than the horizon); ``auto``: chosen
    by MSER-5 on a pilot round's queue lengths (whole days for a scenario that repeats daily)."""

    @field_validator("warmup")
    @classmethod
    def _before_horizon(cls, warmup: float | str, info: ValidationInfo) -> float | str:
        horizon = info.data.get("horizon")
        if isinstance(warmup, float) and horizon is not None and warmup >= horizon:
            raise ValueError(
                f"warm-up ({format_duration(warmup)}) must be shorter than the horizon "
                f"({format_duration(horizon)})"
            )
        return warmup


class Pledge(StrictModel):
    """The waiting-time pledge judged hour by hour: at least ``share`` of each class's
    travellers wait at most the scenario's ``sla``, in every ``slot`` of the day."""

    share: Annotated[Probability, Field(gt=0)] = 0.95
    """Share that must wait at most ``sla`` in each slot (default 95%)."""
    slot: PositiveDuration = 60.0
    """Width of the clock slots waits are filed under by arrival time (default 1h; must
    divide a day)."""
    queue_at: list[TimeOfDay] = Field(default_factory=list)
    """Clock times at which each station's queue length is recorded every day (HH:MM)."""

    @field_validator("slot")
    @classmethod
    def _divides_a_day(cls, slot: float) -> float:
        count = 1440.0 / slot
        if slot > 1440.0 or abs(count - round(count)) > 1e-9:
            raise ValueError(f"a slot of {format_duration(slot)} does not divide a day "
                             "(e.g. 15min, 30min, 1h, 2h)")
        return slot


class PrecisionSettings(StrictModel):
    """Replications added in rounds until every watched KPI's 95 % half-width is within
    ``target`` of its mean (shares: within ``target`` percentage points); ``--precision``
    overrides it. ``precision: 5%`` is short for ``precision: {target: 5%}``."""

    target: Share
    """Allowed half-width: 5% (relative; absolute for shares)."""
    kpis: list[Annotated[str, Field(pattern=r"^[^.]+\.[^.]+\.[^.]+$")]] = Field(
        default_factory=list)
    """KPIs to watch as SCOPE.NAME.KPI (default: every class's wait_mean and wait_sla_share)."""
    max_replications: Annotated[int, Field(ge=2, le=MAX_COUNT)] = 200
    """The most replications per variant."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"target": value} if isinstance(value, str | int | float) else value


VariantPatch = dict[str, Any]


class ScenarioDocument(StrictModel):
    """A portsim scenario: stations, entity classes and named variants."""

    name: Name
    """Scenario name."""
    description: str | None = None
    """Free text."""
    time: TimeSettings
    """Horizon and warm-up."""
    replications: Count = 10
    """Default number of replications."""
    seed: Annotated[int, Field(ge=0)] = 0
    """Default seed."""
    sla: PositiveDuration = 30.0
    """Waiting-time standard for the share-within-SLA KPI (default 30min)."""
    precision: PrecisionSettings | None = None
    """Replications that size themselves (see ``--precision``); none: ``replications`` fixed."""
    pledge: Pledge = Field(default_factory=Pledge)
    """The pledge judged by clock slot: the share within ``sla`` required in every hour, the
    slot width, and clock times to record queue lengths at."""
    stations: Annotated[dict[Name, Station], Field(min_length=1)]
    """Stations by name."""
    classes: Annotated[dict[Name, EntityClass], Field(min_length=1)]
    """Entity classes by name."""
    policies: Policies = Field(default_factory=Policies)
    """Clearance policies (docs/policies.md), applied in a fixed order after the stations and
    classes are compiled."""
    variants: dict[Name, VariantPatch] = Field(default_factory=dict)
    """Named partial documents merged over this one (mappings merge key by key, everything
    else replaces)."""

    @model_validator(mode="after")
    def _references(self) -> ScenarioDocument:
        # The policy blocks are checked when the document is compiled (the loader does both):
        # each against the model the policies before it built.
        problems = list(reference_problems(self))
        if problems:
            summary = "; ".join(
                f"{'.'.join(map(str, loc))}: {message}" for loc, message in problems
            )
            raise PydanticCustomError(
                REFERENCE_ERROR, "{summary}", {"summary": summary, "problems": tuple(problems)}
            )
        return self


Loc = tuple[str | int, ...]


def unknown_name(kind: str, name: str, known: list[str], plural: str) -> str:
    """"no station named 'x'; did you mean 'y'? (stations: ...)", for reference problems."""
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"no {kind} named {name!r}{hint} ({plural}: {', '.join(known)})"


def route_steps(route: list[Any], loc: Loc = ()) -> Iterator[tuple[Loc, Any]]:
    """(loc, step) for every step of a route, those inside branches and optional steps too
    (depth first, each container before its sub-routes): the one walk over written routes."""
    for index, step in enumerate(route):
        here = (*loc, index)
        yield here, step
        if isinstance(step, BranchStep):
            for j, option in enumerate(step.branch):
                yield from route_steps(option.route, (*here, "branch", j, "route"))
        elif isinstance(step, OptionalStep):
            yield from route_steps(step.optional.route, (*here, "optional", "route"))


def _visits(route: list[Any], loc: Loc) -> Iterator[tuple[Loc, str, Any]]:
    """(loc, station, step-level service or None) for every station named in a route."""
    for here, step in route_steps(route, loc):
        if isinstance(step, str):
            yield here, step, None
        elif isinstance(step, StationStep):
            yield (*here, "station"), step.station, step.service
        elif isinstance(step, ShortestQueueStep):
            for j, station in enumerate(step.shortest_queue):
                yield (*here, "shortest_queue", j), station, None
        elif isinstance(step, QuickestStep):
            for j, station in enumerate(step.quickest.stations):
                yield (*here, "quickest", "stations", j), station, None


def _spawn_problems(doc: ScenarioDocument) -> Iterator[tuple[Loc, str]]:
    """Spawned classes that do not exist, classes nobody brings, and spawn cycles."""
    classes = list(doc.classes)
    spawned: dict[str, set[str]] = {}
    for class_name, entity in doc.classes.items():
        for here, step in route_steps(entity.route, ("classes", class_name, "route")):
            if not isinstance(step, SpawnStep):
                continue
            loc, target = (*here, "spawn", "class"), step.spawn.class_name
            if target not in doc.classes:
                yield loc, unknown_name("class", target, classes, "classes")
            else:
                spawned.setdefault(class_name, set()).add(target)
    brought = set().union(*spawned.values()) if spawned else set()
    for class_name, entity in doc.classes.items():
        if entity.arrivals is None and class_name not in brought:
            yield (("classes", class_name),
                   "has no arrivals and no route spawns it: give it arrivals or spawn it")
    for class_name in doc.classes:
        # A class that spawns itself, directly or through others, would never stop growing.
        reached, frontier = set(), set(spawned.get(class_name, ()))
        while frontier:
            reached |= frontier
            frontier = {t for c in frontier for t in spawned.get(c, ())} - reached
        if class_name in reached:
            yield (("classes", class_name, "route"),
                   "spawns its own class (directly or through other classes): the batch "
                   "would never stop growing")


def reference_problems(doc: ScenarioDocument) -> Iterator[tuple[Loc, str]]:
    """Names that point nowhere, service times given twice for one class at one station, and
    variants changing what variants share."""
    for variant, patch in doc.variants.items():
        for key in FIXED_IN_VARIANTS:
            if key in patch:
                yield (("variants", variant, key),
                       f"a variant cannot change {key!r}: variants share the scenario's name, "
                       "seed and replications, so that they are compared on common random "
                       "numbers" if key != "variants" else "variants cannot be nested")
    stations, classes = list(doc.stations), list(doc.classes)
    for station_name, station in doc.stations.items():
        if station.fallback is not None and station.fallback not in doc.stations:
            yield (("stations", station_name, "fallback"),
                   unknown_name("station", station.fallback, stations, "stations"))
        elif station.fallback == station_name:
            yield (("stations", station_name, "fallback"),
                   "a station cannot be its own fallback")
        for field in ("service_by_class", "impatience_by_class", "skills"):
            for class_name in getattr(station, field):
                if class_name not in doc.classes:
                    yield (("stations", station_name, field, class_name),
                           unknown_name("class", class_name, classes, "classes"))
    for class_name, entity in doc.classes.items():
        chosen: dict[str, tuple[Loc, Any]] = {}
        for loc, station_name, service in _visits(entity.route, ("classes", class_name, "route")):
            if station_name not in doc.stations:
                yield loc, unknown_name("station", station_name, stations, "stations")
                continue
            pooled = doc.stations[station_name]
            if pooled.pools is not None and class_name not in pooled.skills:
                yield (loc, f"{station_name!r} serves by skill: give the skill "
                       f"{class_name!r} needs there in stations.{station_name}.skills")
            if service is None:
                continue
            service_loc = (*loc[:-1], "service")
            on_station = doc.stations[station_name].service_by_class.get(class_name)
            if on_station is not None and on_station != service:
                yield (service_loc, f"conflicts with stations.{station_name}.service_by_class."
                       f"{class_name}; give this class's service time at one place")
            elif station_name in chosen and chosen[station_name][1] != service:
                first = ".".join(map(str, chosen[station_name][0]))
                yield (service_loc, f"conflicts with the service time given at {first}; "
                       f"a class has one service time per station")
            else:
                chosen.setdefault(station_name, (service_loc, service))
        if entity.visit_patience is not None:
            for _loc, station_name, _ in _visits(entity.route, ("classes", class_name, "route")):
                visited = doc.stations.get(station_name)
                if visited is not None and (visited.breakdowns is not None or visited.outages):
                    yield (("classes", class_name, "visit_patience"),
                           f"not supported with breakdowns or outages at {station_name!r} "
                           "(on this class's route) yet")
                    break
        for loc, step in route_steps(entity.route, ("classes", class_name, "route")):
            if isinstance(step, QuickestStep):
                for target in step.quickest.travel:
                    if target not in step.quickest.stations:
                        yield ((*loc, "quickest", "travel", target),
                               f"{target!r} is not one of the stations to choose from "
                               f"({', '.join(step.quickest.stations)})")
    yield from _spawn_problems(doc)


# The sub-routes refer to Route, defined after them.
for _model in (BranchOption, OptionalRoute, OptionalStep, BranchStep, EntityClass,
               ScenarioDocument):
    _model.model_rebuild()
