"""Inspection booked ahead of arrival: what ``zero_wait`` and ``zero_delay_departure`` share.

Mechanism: engine ``Visit.reserve_ahead`` on the first step of the classes' routes. The request
reaches the station ``ahead`` minutes before the ship; it is served before the station's ordinary
queue, and the team that takes it is held (committed, not serving anyone else) until the ship
arrives and starts at once. With ``arrival_error`` ships come off their declared time (engine
``Visit.reserve_error``): the booking is still made for the declared time. ``around_the_clock``
lets off-duty teams be called in for bookings (engine ``StationSpec.booking_servers``, up to the
station's largest shift): a declared ship is not left waiting for the next shift, while walk-ins
still wait for the teams on duty.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from portsim.document import convert
from portsim.document.policy_blocks import Booking
from portsim.engine import model as m
from portsim.policies.base import (
    Context,
    Loc,
    Problems,
    Purpose,
    Serves,
    with_route,
    with_station,
)


def check_booking(ctx: Context, block: Booking) -> Problems:
    yield from booking_problems(ctx, block.classes, block.station, ctx.loc)


def apply_booking(model: m.Model, block: Booking) -> m.Model:
    error = None if block.arrival_error is None else m.ArrivalError(
        convert.distribution(block.arrival_error.off_by), block.arrival_error.early_share)
    return book_ahead(model, block.classes, block.station, block.declared_ahead,
                      block.around_the_clock, error)


def booking_problems(ctx: Context, classes: list[str], station: str, loc: Loc) -> Problems:
    """Known classes whose route starts at ``station`` (only a first step can be booked)."""
    yield from ctx.unknown_classes(classes, (*loc, "classes"))
    if not ctx.has_station(station):
        yield from ctx.unknown_station(station, (*loc, "station"))
        return
    for index, name in enumerate(classes):
        spec = ctx.spec(name)
        if spec is None:
            continue
        first = spec.route[0]
        if not (isinstance(first, m.Visit) and first.station == station):
            yield ((*loc, "classes", index),
                   f"class {name!r} must start its route at station {station!r}: only the "
                   "first step can be booked ahead of arrival")
        elif first.reserve_ahead:
            yield ((*loc, "classes", index),
                   f"class {name!r} already books {station!r} ahead (by another policy)")


def book_ahead(model: m.Model, classes: Iterable[str], station: str, ahead: float,
               around_the_clock: bool, error: m.ArrivalError | None = None) -> m.Model:
    """The classes book their first step, ``station``, ``ahead`` minutes before their declared
    arrival; with ``error`` they come off that time."""

    def booked(route: m.Route) -> m.Route:
        first = route[0]
        assert isinstance(first, m.Visit)  # checked by booking_problems
        return (dataclasses.replace(first, reserve_ahead=ahead, reserve_error=error),
                *route[1:])

    model = with_route(model, classes, booked)
    if around_the_clock:
        # Off-duty teams are called in for the booked entities only, up to the station's
        # largest shift; everyone else still waits for the teams on duty.
        spec = model.station(station)
        model = with_station(model, dataclasses.replace(
            spec, booking_servers=max(spec.booking_servers, spec.servers.max_servers)))
    return model


#: A ship booked on arrival: its time until its milestone (e.g. cleared to berth), or else its
#: wait for the boarding team (at anchorage).
ON_ARRIVAL = Purpose(("until_*_mean", "wait_mean"), ("time until {milestone}", "wait at anchorage"))
#: A ship booked on departure: how late it leaves against its planned departure.
ON_DEPARTURE = Purpose(("late_share", "lateness_mean", "wait_mean"),
                       ("share leaving late", "delay past the planned departure",
                        "wait for the departure inspection"))


def serves_booking(block: Booking, purpose: Purpose = ON_ARRIVAL) -> Serves:
    """The booked classes and their inspection station, and what booking them is for."""
    return Serves(tuple(block.classes), (block.station,), purpose)
