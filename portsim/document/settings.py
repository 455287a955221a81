"""Run settings of a scenario document: simulated time and warm-up, the hour-by-hour pledge,
the precision that sizes the replications, and the prices of resource use.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from portsim.document.fields import (
    MAX_COUNT,
    Duration,
    PositiveDuration,
    Probability,
    Share,
    TimeOfDay,
)
from portsim.document.parts import ResourceName, StrictModel
from portsim.wording import format_duration

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


#: How the pledge is measured in each slot: the share waiting at most the standard, or the
#: longest wait.
PLEDGE_MEASURES = ("share", "longest", "monitor")
#: How often the monitor reads the queues (``measure: monitor``), from midnight.
MONITOR_EVERY = 15.0


class Pledge(StrictModel):
    """The waiting-time pledge judged slot by slot: at least ``share`` of the travellers of
    ``classes`` wait at most the scenario's ``sla`` (``measure: longest``: nobody waits longer),
    in every ``slot`` of the day."""

    share: Annotated[Probability, Field(gt=0)] = 0.95
    """Share that must wait at most ``sla`` in each slot (default 95%)."""
    classes: list[Annotated[str, Field(min_length=1)]] | None = None
    """Whose queue the pledge is about, e.g. the citizens (default: every class; ``[]``: no
    class, for a file whose customers the pledge does not cover, such as ships)."""
    stations: list[Annotated[str, Field(min_length=1)]] | None = None
    """Whose waits count: the stations whose queues the pledge is about, e.g. border
    inspection's desks and gates, not customs or secondary inspection (default: every station
    of a class's route). Stations a policy adds (``egates``) may be named."""
    measure: Literal["share", "longest", "monitor"] = "share"
    """``share``: at least ``share`` wait at most ``sla`` in each slot; ``longest``: the
    longest wait of each slot is at most ``sla``; ``monitor``: the queue as a monitor reads it
    every 15 minutes (the wait of the last in line) is at most ``sla`` in each slot."""
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

    @model_validator(mode="after")
    def _monitor_slot(self) -> Pledge:
        every = MONITOR_EVERY
        if self.measure == "monitor" and abs(self.slot / every - round(self.slot / every)) > 1e-9:
            raise ValueError(f"measure: monitor reads the queues every {format_duration(every)}: "
                             f"a slot of {format_duration(self.slot)} is not a whole number of "
                             "readings (e.g. 15min, 30min, 1h)")
        return self


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


#: A price: a number >= 0 in the scenario's currency.
Price = Annotated[float, Field(ge=0, le=1e12)]
#: A price for every resource, or one by resource name (a resource not named costs nothing).
Prices = Price | dict[ResourceName, Price]


class Costs(StrictModel):
    """What resource use costs, to price the ledger of every run and comparison (``cost`` KPIs,
    and the cost beside each variant's benefit). Each price is one number for every resource or
    a mapping by resource (a station's ``resource``: officer, lane, gate ...)."""

    currency: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    """What the prices are in, as a label for reports (CNY, EUR, hours of pay...)."""
    per_hour: Prices = Field(default_factory=dict)
    """A server-hour on duty (an officer-hour, a lane-hour ...)."""
    per_call_out_hour: Prices = Field(default_factory=dict)
    """An hour of an off-duty server called in for a booking (zero wait, zero-delay
    departure)."""
    per_position_day: Prices = Field(default_factory=dict)
    """A position (desk, booth, lane, gate) a day: what it costs to have, used or not."""

    def named_resources(self) -> list[tuple[str, str]]:
        """(field, resource) for each price given by resource name."""
        return [(field, name) for field in ("per_hour", "per_call_out_hour", "per_position_day")
                for name in (getattr(self, field) if isinstance(getattr(self, field), dict)
                             else {})]


class Inspection(StrictModel):
    """Which stations are border inspection of vehicles (ships, trains, cargo flights), and
    whose delay ``compare --attribute-delay`` attributes to them: each class's time in port
    (or until a milestone) less its time in a counterfactual run in which these stations take
    no time and have no queue, on common random numbers. Customs steps are not border
    inspection: leave them out."""

    stations: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    """The border inspection stations (stations a policy adds from them, such as a green
    channel's dedicated team ``STATION.green_channel``, count with them)."""
    classes: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    """The vehicle classes whose delay is attributed (ships, trains, cargo flights)."""
    until: dict[str, Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")]] = Field(
        default_factory=dict)
    """Per class, a milestone of its route: its delay is measured from arrival to that
    milestone (a ship cleared to berth) rather than until it leaves the port."""
