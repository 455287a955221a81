"""``staffing``: servers by shift, and desks that open when the queue's head waits too long.

Mechanisms: the station's shift schedule (engine ``ShiftSchedule``) and a queue-reactive
controller (engine ``ReactiveStaffing``): every ``check_every`` one more desk opens while the
customer at the head of the queue has waited beyond ``open_above`` (the practice of opening
desks at a 15-minute line to keep a 30-minute pledge), up to ``max_extra`` reserve staff, and
one closes when the head's wait falls below ``close_below``.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from pydantic import Field, model_validator

from portsim.engine import model as m
from portsim.policies.base import Context, Policy, Problems, creates_nothing, with_station
from portsim.scenario import compile as compiling
from portsim.scenario.schema import ShiftWindows, StrictModel
from portsim.scenario.units import Count, Duration, Name, PositiveDuration, format_duration


class Reactive(StrictModel):
    """Open a desk while the head of the queue has waited past a line; close one below another."""

    open_above: PositiveDuration
    """Head-of-queue wait beyond which one more desk opens (at each check)."""
    close_below: Duration
    """Head-of-queue wait below which one extra desk closes (at most open_above)."""
    max_extra: Count
    """Reserve staff: desks that may open beyond the shift schedule."""
    check_every: PositiveDuration = 1.0
    """How often the line is checked (default 1min)."""

    @model_validator(mode="after")
    def _lines_ordered(self) -> Reactive:
        if self.close_below > self.open_above:
            raise ValueError(f"close_below ({format_duration(self.close_below)}) must not exceed "
                             f"open_above ({format_duration(self.open_above)})")
        return self


class StationStaffing(StrictModel):
    """Staffing of one station: a new shift schedule, reactive desks, or both."""

    shifts: ShiftWindows | None = None
    """Daily shift windows {start, end, servers} replacing the station's servers and opening
    hours (time outside every window has 0 servers)."""
    reactive: Reactive | None = None
    """Queue-reactive desks on top of the shifts."""

    @model_validator(mode="after")
    def _something(self) -> StationStaffing:
        if self.shifts is None and self.reactive is None:
            raise ValueError("give shifts, reactive or both")
        return self


StaffingBlock = Annotated[dict[Name, StationStaffing], Field(min_length=1)]


def check(ctx: Context, block: dict[str, StationStaffing]) -> Problems:
    for station in block:
        yield from ctx.unknown_station(station, (*ctx.loc, station))


def apply(model: m.Model, block: dict[str, StationStaffing]) -> m.Model:
    for name, staffing in block.items():
        spec = model.station(name)
        if staffing.shifts is not None:
            spec = dataclasses.replace(spec, servers=compiling.schedule(staffing.shifts))
        if staffing.reactive is not None:
            rule = staffing.reactive
            spec = dataclasses.replace(spec, reactive=m.ReactiveStaffing(
                open_above=rule.open_above, close_below=rule.close_below,
                max_extra=rule.max_extra, check_every=rule.check_every))
        model = with_station(model, spec)
    return model


POLICY: Policy[dict[str, StationStaffing]] = Policy(
    name="staffing", block=StaffingBlock, check=check, creates=creates_nothing, apply=apply)
