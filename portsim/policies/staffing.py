"""``staffing``: servers by shift, and desks that open when the queue's head waits too long.

Mechanisms: the station's shift schedule (engine ``ShiftSchedule``) and a queue-reactive
controller (engine ``ReactiveStaffing``): every ``check_every`` one more desk opens while the
customer at the head of the queue has waited beyond ``open_above`` (the practice of opening
desks at a 15-minute line to keep a 30-minute pledge), up to ``max_extra`` reserve staff, and
one closes when the head's wait falls below ``close_below``.
"""

from __future__ import annotations

import dataclasses

from portsim.document import convert
from portsim.document.policy_blocks import StationStaffing
from portsim.engine import model as m
from portsim.policies.base import (
    Context,
    Policy,
    Problems,
    Purpose,
    Serves,
    creates_nothing,
    with_station,
)

#: Staffing keeps a station's queue within the standard: its share of waits within it.
PURPOSE = Purpose(("wait_sla_share",), ("",))


def check(ctx: Context, block: dict[str, StationStaffing]) -> Problems:
    for station in block:
        yield from ctx.unknown_station(station, (*ctx.loc, station))


def apply(model: m.Model, block: dict[str, StationStaffing]) -> m.Model:
    for name, staffing in block.items():
        spec = model.station(name)
        if staffing.shifts is not None:
            spec = dataclasses.replace(spec, servers=convert.schedule(staffing.shifts))
        if staffing.reactive is not None:
            rule = staffing.reactive
            spec = dataclasses.replace(spec, reactive=m.ReactiveStaffing(
                open_above=rule.open_above, close_below=rule.close_below,
                max_extra=rule.max_extra, check_every=rule.check_every))
        model = with_station(model, spec)
    return model


POLICY: Policy[dict[str, StationStaffing]] = Policy(
    name="staffing", check=check, creates=creates_nothing, apply=apply,
    serves=lambda block: Serves((), tuple(block), PURPOSE))
