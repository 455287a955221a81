"""The parts that scenario models and policy blocks share: the strict base model, distributions,
servers (a count or daily shift windows) and opening hours.

They sit below both the document's own parts (stations, classes, routes, settings, the root)
and :mod:`portsim.document.policy_blocks`, so that the document can hold the policy blocks and
the blocks can use these parts without either importing the other.
"""

from __future__ import annotations

from itertools import combinations, pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from portsim.document.fields import (
    MAX_COUNT,
    Count,
    Duration,
    PositiveDuration,
    Probability,
    TimeOfDay,
)
from portsim.wording import format_duration

#: Coefficient of variation of a service or delay time. Observed clearance times have CVs
#: around 0.3-1.5; 100 is far beyond any real process and keeps cv² finite.
CoefficientOfVariation = Annotated[float, Field(ge=0, le=100)]


class StrictModel(BaseModel):
    """Base of every scenario model: unknown keys are errors, values are not coerced."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        allow_inf_nan=False,
        # NOTE: no use_attribute_docstrings, for performance reasons: reading the source of
        # every model costs ~30 ms at each start-up; the JSON schema reads the attribute
        # docstrings when asked for (portsim.document.json_schema).
    )


def give_some(model: BaseModel, *fields: str) -> None:
    """Refuse a block in which every one of ``fields`` is left out (all optional, none given)."""
    if all(getattr(model, name) is None for name in fields):
        raise ValueError(f"give {', '.join(fields)} or both" if len(fields) == 2
                         else f"give one of {', '.join(fields)}")


def clock(minutes: float) -> str:
    """Minutes after midnight as ``HH:MM`` (for messages)."""
    whole = round(minutes)
    return f"{whole // 60:02d}:{whole % 60:02d}" if abs(whole - minutes) < 1e-9 else f"{minutes}"


# ----------------------------------------------------------------------------- distributions


class Exponential(StrictModel):
    """Exponential distribution (memoryless service or inter-arrival times)."""

    dist: Literal["exponential"]
    mean: PositiveDuration
    """Mean."""


class Deterministic(StrictModel):
    """Always the same value."""

    dist: Literal["deterministic"]
    value: Duration
    """The value."""


class Uniform(StrictModel):
    """Uniform between low and high."""

    dist: Literal["uniform"]
    low: Duration
    """Lower bound."""
    high: Duration
    """Upper bound (at least low)."""

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({format_duration(self.high)}) must be at least low "
                             f"({format_duration(self.low)})")
        return self


class Triangular(StrictModel):
    """Triangular distribution with low <= mode <= high."""

    dist: Literal["triangular"]
    low: Duration
    """Lower bound."""
    mode: Duration
    """Most likely value."""
    high: Duration
    """Upper bound."""

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                "need low <= mode <= high (got "
                + ", ".join(format_duration(x) for x in (self.low, self.mode, self.high)) + ")"
            )
        return self


class Lognormal(StrictModel):
    """Lognormal given by its own mean and coefficient of variation."""

    dist: Literal["lognormal"]
    mean: PositiveDuration
    """Mean."""
    cv: CoefficientOfVariation
    """Coefficient of variation (standard deviation / mean)."""


class Gamma(StrictModel):
    """Gamma given by its mean and coefficient of variation."""

    dist: Literal["gamma"]
    mean: PositiveDuration
    """Mean."""
    cv: CoefficientOfVariation
    """Coefficient of variation (standard deviation / mean)."""


class Weibull(StrictModel):
    """Weibull given by its shape and scale (``portsim fit`` writes it where it fits best)."""

    dist: Literal["weibull"]
    shape: Annotated[float, Field(gt=0.05, le=1000)]
    """Shape k (1: exponential; larger: less variable). Below 0.05 the variance is beyond
    any service time."""
    scale: PositiveDuration
    """Scale (about the 63rd percentile)."""


class Binomial(StrictModel):
    """How many of ``n`` trials succeed, each with probability ``p``: a count capped at ``n``
    (a flight's passengers: its seats, each taken at the load factor)."""

    dist: Literal["binomial"]
    n: Annotated[int, Field(ge=0, le=1_000_000)]
    """Trials (seats)."""
    p: Probability
    """Chance of each (the load factor)."""


class Empirical(StrictModel):
    """Observed values, resampled with replacement."""

    dist: Literal["empirical"]
    values: Annotated[list[Duration], Field(min_length=1)]
    """The observed values."""


Distribution = Annotated[
    Exponential | Deterministic | Uniform | Triangular | Lognormal | Gamma | Weibull
    | Binomial | Empirical,
    Field(discriminator="dist"),
]


# ----------------------------------------------------------------------------- stations


class ShiftWindow(StrictModel):
    """Servers on duty during one daily window."""

    start: TimeOfDay
    """Start, time of day (HH:MM)."""
    end: TimeOfDay
    """End, time of day (HH:MM, up to 24:00), after start."""
    servers: Annotated[int, Field(ge=0, le=MAX_COUNT)]
    """Servers on duty in the window."""

    @model_validator(mode="after")
    def _ends_after_start(self) -> ShiftWindow:
        ends_after_start(self.start, self.end, "a window")
        return self


def ends_after_start(start: float, end: float, what: str) -> None:
    """Refuse a daily window (``what``: "a window", "an outage") that does not end after it
    starts."""
    if end <= start:
        raise ValueError(f"{what} must end after it starts (got {clock(start)}-{clock(end)})")


def _windows_apart(windows: list[ShiftWindow]) -> list[ShiftWindow]:
    ordered = sorted(windows, key=lambda w: w.start)
    for before, after in pairwise(ordered):
        if after.start < before.end:
            raise ValueError(
                f"shift windows overlap: {clock(before.start)}-{clock(before.end)} and "
                f"{clock(after.start)}-{clock(after.end)}"
            )
    if all(window.servers == 0 for window in windows):
        raise ValueError("every shift window has 0 servers: the station would never serve")
    return windows


ShiftWindows = Annotated[list[ShiftWindow], Field(min_length=1), AfterValidator(_windows_apart)]


def _servers_tag(value: Any) -> str:
    return "servers-windows" if isinstance(value, list | tuple) else "servers-count"


Servers = Annotated[
    Annotated[Count, Tag("servers-count")] | Annotated[ShiftWindows, Tag("servers-windows")],
    Discriminator(_servers_tag),
]


class PositionWindow(StrictModel):
    """The positions there are during one daily window (a lane open to this direction only
    part of the day)."""

    start: TimeOfDay
    """Start, time of day (HH:MM)."""
    end: TimeOfDay
    """End, time of day (HH:MM, up to 24:00), after start."""
    positions: Annotated[int, Field(ge=0, le=MAX_COUNT)]
    """Positions in the window."""

    @model_validator(mode="after")
    def _ends_after_start(self) -> PositionWindow:
        ends_after_start(self.start, self.end, "a window")
        return self


def _position_windows_apart(windows: list[PositionWindow]) -> list[PositionWindow]:
    ordered = sorted(windows, key=lambda w: w.start)
    for before, after in pairwise(ordered):
        if after.start < before.end:
            raise ValueError(
                f"position windows overlap: {clock(before.start)}-{clock(before.end)} and "
                f"{clock(after.start)}-{clock(after.end)}")
    return windows


def _positions_tag(value: Any) -> str:
    return "positions-windows" if isinstance(value, list | tuple) else "positions-count"


Positions = Annotated[
    Annotated[int, Field(ge=0, le=MAX_COUNT), Tag("positions-count")]
    | Annotated[list[PositionWindow], Field(min_length=1),
                AfterValidator(_position_windows_apart), Tag("positions-windows")],
    Discriminator(_positions_tag),
]


#: Resource names that would make the whole port's ledger KPIs (``<resource>_hours``) another
#: KPI's name (``on_call_hours``, ``waiting_hours``; see portsim.stats.kpis).
RESERVED_RESOURCES = ("on_call", "waiting")


def _not_reserved(name: str) -> str:
    if name in RESERVED_RESOURCES:
        raise ValueError(f"{name!r} is reserved (the whole port's {name}_hours is another "
                         "KPI); choose another name")
    return name


#: What a station's servers are unless it says (its ``resource``).
DEFAULT_RESOURCE = "officer"

#: A resource's name (what a station's servers are, for the ledger): a word in lower case.
ResourceName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40),
                         AfterValidator(_not_reserved)]


class OpeningHours(StrictModel):
    """Daily opening hours: outside them no server starts."""

    start: TimeOfDay
    """Opening time (HH:MM)."""
    end: TimeOfDay
    """Closing time (HH:MM, up to 24:00), after the opening time."""

    @model_validator(mode="after")
    def _ends_after_start(self) -> OpeningHours:
        if self.end <= self.start:
            raise ValueError(
                f"closing time must be after opening time (got {clock(self.start)}-"
                f"{clock(self.end)})"
            )
        return self


# ----------------------------------------------------------------------------- reliability


class Breakdowns(StrictModel):
    """Servers that fail and are repaired, each on its own clock (calendar time: idle, busy or
    off duty alike)."""

    between: Distribution
    """How long a server works between failures."""
    repair: Distribution
    """How long a repair takes."""


class OutageWindow(StrictModel):
    """A window in which the whole station is out of order."""

    start: TimeOfDay
    """Start, time of day (HH:MM)."""
    end: TimeOfDay
    """End, time of day (HH:MM, up to 24:00), after start."""
    day: Annotated[int, Field(ge=1)] | None = None
    """Day of the run (1 = the first); leave out for every day."""

    @model_validator(mode="after")
    def _ends_after_start(self) -> OutageWindow:
        ends_after_start(self.start, self.end, "an outage")
        return self


def _outages_apart(windows: list[OutageWindow]) -> list[OutageWindow]:
    for before, after in combinations(windows, 2):
        same_days = before.day is None or after.day is None or before.day == after.day
        if same_days and before.start < after.end and after.start < before.end:
            raise ValueError(
                f"outage windows overlap: {clock(before.start)}-{clock(before.end)} and "
                f"{clock(after.start)}-{clock(after.end)}"
            )
    return windows


OutageWindows = Annotated[list[OutageWindow], AfterValidator(_outages_apart)]


# ----------------------------------------------------------------------------- impatience


class Balk(StrictModel):
    """Refusing to join a queue: at a length, or with a probability by length. A customer who
    finds a free server always joins."""

    queue_limit: Annotated[int, Field(ge=0, le=MAX_COUNT)] | None = None
    """Joining is refused when this many customers already wait (0: whenever it would wait)."""
    probabilities: Annotated[list[Probability], Field(min_length=1)] | None = None
    """The probability of refusing when 0, 1, 2 ... customers wait; the last value holds for
    longer queues."""

    @model_validator(mode="after")
    def _something(self) -> Balk:
        give_some(self, "queue_limit", "probabilities")
        return self


class SkillPool(StrictModel):
    """Servers of a station who share a set of skills (languages, document types)."""

    servers: Servers
    """How many: an integer >= 1, or a daily shift schedule of {start, end, servers} windows."""
    skills: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    """What they can serve."""


class Retry(StrictModel):
    """Customers who balk or give up and come back later to the same queue."""

    share: Probability
    """Share of those who balk or give up who try again (each time they give up)."""
    after: Distribution
    """How long they stay away before they try again."""


class Impatience(StrictModel):
    """How a class gives up at a station: reneging (patience) and balking."""

    patience: Distribution | None = None
    """The longest a customer waits in the queue; it then leaves the port (never once its
    service has started)."""
    balk: Balk | None = None
    """Refusing to join a long queue."""
    retry: Retry | None = None
    """Those who balk or give up and try again later (default: they are gone)."""

    @model_validator(mode="after")
    def _something(self) -> Impatience:
        give_some(self, "patience", "balk")
        return self
