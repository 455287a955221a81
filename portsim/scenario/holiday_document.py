"""The holiday calendar file: its fields, what each means, and the limits checked as it is
read (the days, each direction's demand factors and hourly shapes, the shared stations and
the rule that splits their officers). docs/holiday.md describes the file for its writers.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from portsim.document.fields import MAX_COUNT, Name
from portsim.document.parts import StrictModel

#: The two directions, in the order reports show them.
DIRECTIONS = ("outbound", "inbound")
#: The most holiday days a calendar may hold: the engine files waits by day and hour for up
#: to seven measured days (the eve is the warm-up).
MOST_DAYS = 7
#: Environment variable: more folders (``os.pathsep``) a calendar's scenario may be read from.
SCENARIO_FOLDERS_VARIABLE = "PORTSIM_HOLIDAY_DIRS"
BY_DEMAND, BY_HOUR, FIXED = "by_demand", "by_hour", "fixed"
Rule = Literal["by_demand", "by_hour", "fixed"]
HOURS_PER_DAY = 24

Factor = Annotated[float, Field(ge=0.0, le=10.0)]
Weights = Annotated[list[Annotated[float, Field(ge=0.0)]],
                    Field(min_length=HOURS_PER_DAY, max_length=HOURS_PER_DAY)]


class DayDemand(StrictModel):
    """One day's demand in each direction, as factors of the scenario file's day."""

    label: Name | None = None
    """How reports name the day (default: ``day 1``, ``day 2``...)."""
    outbound: Factor
    inbound: Factor


class SharedStation(StrictModel):
    """A station whose officers (lanes, gates) both directions share."""

    per_direction: Annotated[int, Field(ge=0, le=MAX_COUNT)]
    """Each direction's own roster while the station is open (the file's schedule, at most
    this many): the pool is both rosters added, hour by hour."""
    most: Annotated[int, Field(ge=1, le=MAX_COUNT)] | None = None
    """The most one direction may have (its positions: desks, lanes that can be turned);
    default: the station's positions in the file, else ``per_direction``."""


class HourlyShapes(StrictModel):
    """Each direction's own hourly shape of arrivals, where the two differ (at the HZMB the
    inbound peak is 09-12 and the outbound 18-23)."""

    classes: Annotated[list[Name], Field(min_length=1)]
    """The file's classes (arriving by a daily rate profile or Poisson) that take the shape;
    each keeps its day's total, spread over the hours in proportion to the weights."""
    outbound: Weights | None = None
    """24 hourly weights from 00:00 (any scale); none: the file's own shape."""
    inbound: Weights | None = None


class Sharing(StrictModel):
    """How the shared stations' pools are split between the directions."""

    rule: Rule = "by_demand"
    """``by_demand``: every hour, the pool is split in proportion to the two directions'
    demand factors of that day (rounded, each within its ``most`` and keeping ``keep``);
    ``by_hour``: the same with each factor times the direction's hourly shape at that hour
    (the calendar's ``hourly``), so officers follow the peaks hour by hour as a roster
    planned ahead would; ``fixed``: each direction keeps its own roster (nobody moves)."""
    keep: Annotated[int, Field(ge=0, le=MAX_COUNT)] = 1
    """The fewest a direction keeps while its roster has at least that many."""
    stations: Annotated[dict[Name, SharedStation], Field(min_length=1)]


class HolidayVariant(StrictModel):
    """Another way of running the same holiday, compared on the same random numbers."""

    description: str | None = None
    rule: Rule | None = None
    """The sharing rule (default: the calendar's)."""
    variant: Name | None = None
    """The scenario file's variant to run (default: the calendar's)."""


class CalendarDocument(StrictModel):
    """A holiday calendar file."""

    name: Name
    description: str | None = None
    scenario: Name
    """One direction's scenario file (a holiday peak day), relative to the calendar."""
    variant: Name | None = None
    replications: Annotated[int, Field(ge=1, le=MAX_COUNT)] = 5
    seed: Annotated[int, Field(ge=0, le=MAX_COUNT)] | None = None
    eve: DayDemand
    """The day before the holiday: the warm-up, measured by nobody."""
    days: Annotated[list[DayDemand], Field(min_length=1, max_length=MOST_DAYS)]
    hourly: HourlyShapes | None = None
    """Each direction's hourly shape (default: the file's in both)."""
    sharing: Sharing
    variants: dict[Name, HolidayVariant] = Field(default_factory=dict)
