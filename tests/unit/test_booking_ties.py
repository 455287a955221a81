"""Bookings ahead of arrival at the instants they tie, worked out by hand on both engines.

A booked ship enters the system (and is numbered) when its booking reaches the station, in its
class's turn; it lands later in its own turn. A server that takes the booking is held, busy and
serving nobody, until the ship lands and starts at once; an off-duty one may be called in for it
where the station has servers on call. The cases are small (deterministic services, a few
customers at whole minutes), and each engine must give the waits worked out below and the
same KPIs (docs/design.md, "Simultaneous events" and "Two engines").
"""

from __future__ import annotations

from typing import Any

import pytest
from engine_kpis import assert_same_kpis

from portsim.engine import run_replication
from portsim.engine.distributions import Deterministic
from portsim.engine.fast import why_not_fast
from portsim.engine.model import (
    ArrivalError,
    ClassSpec,
    Model,
    ShiftSchedule,
    StationSpec,
    Timetable,
    Visit,
)

SIX = 360.0  # 06:00
TEN = Deterministic(10.0)


def at(*times: float) -> Timetable:
    return Timetable(times, (1,) * len(times), (0.0,) * len(times))


def both(*classes: ClassSpec, stations: tuple[StationSpec, ...]) -> dict[str, Any]:
    """One replication on each engine, their KPIs asserted equal; the fast path's."""
    model = Model(stations=stations, classes=classes, horizon=1440.0)
    assert why_not_fast(model) is None
    events = run_replication(model, seed=1, engine="events").kpis
    fast = run_replication(model, seed=1, engine="fast").kpis
    assert_same_kpis(events, fast)
    return fast


def desk(servers: Any = 1, on_call: int = 0) -> StationSpec:
    schedule = servers if isinstance(servers, ShiftSchedule) else ShiftSchedule.constant(servers)
    return StationSpec("desk", schedule, TEN, booking_servers=on_call)


def ship(declared: float, lead: float = 30.0, error: ArrivalError | None = None) -> ClassSpec:
    return ClassSpec("ship", at(declared), (Visit("desk", reserve_ahead=lead,
                                                 reserve_error=error),))


@pytest.mark.parametrize(("ship_first", "walkin_waits"), [(False, 15.0), (True, 40.0)])
def test_a_booking_and_a_walk_in_at_one_instant_go_in_file_order(
        ship_first: bool, walkin_waits: float) -> None:
    """A ship declared for 06:30 books at 06:00, as a walk-in comes; another walk-in comes at
    06:10. Walk-ins listed first: the first takes the desk at 06:00 (wait 0), the booking
    waits; at 06:10 its service ends before the second walk-in comes (its own turn), so the
    freed desk is held for the ship until it lands at 06:30 (wait 0, done 06:40), and the
    second walk-in waits from 06:10 to 06:40 (mean 15). The ship listed first: its booking
    holds the desk from 06:00, and the walk-ins start at 06:40 and 06:50 (40 each)."""
    walkin = ClassSpec("walkin", at(SIX, SIX + 10.0), (Visit("desk"),))
    classes = (ship(SIX + 30.0), walkin) if ship_first else (walkin, ship(SIX + 30.0))
    kpis = both(*classes, stations=(desk(),))
    assert kpis["classes"]["ship"]["wait_mean"] == 0.0
    assert kpis["classes"]["walkin"]["wait_mean"] == walkin_waits
    # the desk was held (busy) from its booking to its landing: 06:10-06:30 or 06:00-06:30
    held = 20.0 if not ship_first else 30.0
    assert kpis["stations"]["desk"]["utilisation"] == pytest.approx((30.0 + held) / 1440.0)


def test_a_booked_ship_is_numbered_when_it_books() -> None:
    """Two desks; the ship books at 06:00 for 06:30, a walk-in (its class listed first) comes
    at 06:30; both are served 10 minutes and go on to one berth at 06:40. The ship entered the
    system at 06:00, before the walk-in, so its turn comes first at 06:40: it berths at once
    and the walk-in waits 10 minutes (numbered at its landing instead, it would come after
    the walk-in, whose class is listed first)."""
    walkin = ClassSpec("walkin", at(SIX + 30.0), (Visit("desk"), Visit("berth")))
    booked = ClassSpec("ship", at(SIX + 30.0), (Visit("desk", reserve_ahead=30.0),
                                                Visit("berth")))
    berth = StationSpec("berth", ShiftSchedule.constant(1), TEN)
    kpis = both(walkin, booked, stations=(desk(2), berth))
    assert kpis["classes"]["ship"]["wait_mean"] == 0.0
    assert kpis["classes"]["walkin"]["wait_mean"] == 10.0


def test_a_ship_that_comes_early_waits_for_its_booking_then_goes_first() -> None:
    """Declared for 07:00 and booked 30 minutes ahead (06:30), the ship comes 45 minutes
    early (06:15): it enters then and waits 15 minutes for its booking time; at 06:30 it books
    and reaches the desk in its own turn, before the walk-in that comes then (its class's
    turn, although listed first), so it starts at once and the walk-in waits 10."""
    walkin = ClassSpec("walkin", at(SIX + 30.0), (Visit("desk"),))
    early = ship(SIX + 60.0, error=ArrivalError(Deterministic(45.0), early_share=1.0))
    kpis = both(walkin, early, stations=(desk(),))
    assert kpis["classes"]["ship"]["wait_mean"] == 15.0
    assert kpis["stations"]["desk"]["wait_mean"] == 5.0  # the ship 0, the walk-in 10
    assert kpis["classes"]["walkin"]["wait_mean"] == 10.0


def test_a_team_called_in_at_night_is_out_from_the_booking_to_the_end() -> None:
    """No team on duty before 06:00 and one on call: a ship declared for 05:50 books at 05:20
    and a team is called in then, held until it lands and done at 06:00, as the day team
    comes on duty (the model's clock first at 06:00). A walk-in at 05:55 waits for the day
    team (5 minutes): the on-call team serves bookings only. Call-out: 40 minutes a day."""
    night = ShiftSchedule(((0.0, 0), (SIX, 1)), period=1440.0)
    walkin = ClassSpec("walkin", at(SIX - 5.0), (Visit("desk"),))
    kpis = both(ship(SIX - 10.0), walkin, stations=(desk(night, on_call=1),))
    assert kpis["classes"]["ship"]["wait_mean"] == 0.0
    assert kpis["classes"]["walkin"]["wait_mean"] == 5.0
    assert kpis["stations"]["desk"]["on_call_hours"] == pytest.approx(40.0 / 60.0)
