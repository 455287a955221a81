"""Entity classes of a scenario document: how members arrive (Poisson, a rate profile, a
timetable, a recorded trace, booked appointments) and the route they follow.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from portsim.document.fields import (
    Count,
    Duration,
    PositiveDuration,
    PositiveRate,
    Probability,
    Rate,
    TimeOfDay,
)
from portsim.document.parts import Distribution, StrictModel
from portsim.document.routes import Route
from portsim.wording import format_duration

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


# ----------------------------------------------------------------------------- classes


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
