"""Positions in the engine: servers on duty never exceed them (schedules are refused, queue-
reactive extras stop at them), and the ledger's server-hours are the schedule actually run,
hand-counted on small deterministic models, on both engines."""

from __future__ import annotations

import math

import pytest

from portsim.engine import run_replication
from portsim.engine.distributions import Deterministic
from portsim.engine.model import (
    ClassSpec,
    Model,
    Prices,
    ReactiveStaffing,
    ShiftSchedule,
    StationSpec,
    Trace,
    Visit,
    over_positions,
)

#: Ten customers at once, ten minutes each: the head of the queue waits from 0 on.
CROWD = ClassSpec("pax", Trace(tuple([0.0] * 10)), (Visit("desk"),))
RULE = ReactiveStaffing(open_above=5.0, close_below=1.0, max_extra=3, check_every=1.0)
#: 1 server, 2 from 00:30, 1 from 01:00 (a daily schedule).
SHIFTS = ShiftSchedule(((0.0, 1), (30.0, 2), (60.0, 1)))


def desk(servers: ShiftSchedule, *, positions: int | None = None,
         reactive: ReactiveStaffing | None = None) -> StationSpec:
    return StationSpec("desk", servers, Deterministic(10.0), reactive=reactive,
                       positions=None if positions is None else ShiftSchedule.constant(positions))


def day_hours(minutes_on_duty: float, measured: float) -> float:
    """Server-minutes on duty over ``measured`` minutes, as hours a day."""
    return minutes_on_duty / 60.0 * 1440.0 / measured


def test_over_positions_names_the_windows_and_numbers() -> None:
    positions = ShiftSchedule(((0.0, 30), (1080.0, 22), (1380.0, 30)))
    assert over_positions(ShiftSchedule.constant(25), positions) == [(1080.0, 1380.0, 25, 22)]
    assert over_positions(ShiftSchedule.constant(22), positions) == []
    assert over_positions(ShiftSchedule(((0.0, 3), (360.0, 9))),
                          ShiftSchedule.constant(7)) == [(360.0, 1440.0, 9, 7)]
    assert over_positions(ShiftSchedule.constant(9), ShiftSchedule.constant(7)) == [
        (0.0, math.inf, 9, 7)]


def test_a_model_beyond_its_positions_does_not_run() -> None:
    model = Model((desk(SHIFTS, positions=1),), (CROWD,), horizon=120.0)
    assert model.beyond_positions() == {"desk": [(30.0, 60.0, 2, 1)]}
    with pytest.raises(ValueError, match="2 servers on duty from minute 30 to 60"):
        run_replication(model)


def test_reactive_extras_stop_at_the_positions() -> None:
    """Without positions the rule opens 3 extras (4 desks); with 2 positions one: at minute 6
    (the head has waited 6 > 5), closed when the queue is empty at a check: minute 47 (at 46
    the 10th customer is still waiting: the model's own clock, its checks among them, moves
    before the completion that starts it at that instant; docs/design.md, Simultaneous
    events)."""
    free = run_replication(Model((desk(ShiftSchedule.constant(1), reactive=RULE),), (CROWD,),
                                 horizon=120.0))
    capped = run_replication(Model((desk(ShiftSchedule.constant(1), positions=2,
                                         reactive=RULE),), (CROWD,), horizon=120.0))
    assert free.kpis["stations"]["desk"]["server_hours"] > capped.kpis["stations"]["desk"][
        "server_hours"]
    row = capped.kpis["stations"]["desk"]
    assert row["server_hours"] == pytest.approx(day_hours(1 * 6 + 2 * 41 + 1 * 73, 120.0))
    assert row["positions"] == 2.0
    assert capped.kpis["system"]["all"]["server_hours"] == row["server_hours"]


def test_a_shift_takes_back_the_position_of_a_reactive_extra() -> None:
    """Shifts and a reactive opening, hand-counted: 1 desk, an extra at minute 6 (2 in all,
    the positions), the shift's second desk at 30 takes the extra's position (still 2), 1 desk
    from 60 (nobody waits by then): 1 x 6 + 2 x 54 + 1 x 60 server-minutes."""
    result = run_replication(Model((desk(SHIFTS, positions=2, reactive=RULE),), (CROWD,),
                                   horizon=120.0))
    assert result.kpis["stations"]["desk"]["server_hours"] == pytest.approx(
        day_hours(6 + 2 * 54 + 60, 120.0))


def test_positions_that_shrink_close_the_extras_they_leave_no_room_for() -> None:
    """Two positions until minute 20, one after (a lane handed back): the extra opened at 6
    closes at 20, whatever the queue."""
    shrinking = StationSpec("desk", ShiftSchedule.constant(1), Deterministic(10.0),
                            reactive=RULE, positions=ShiftSchedule(((0.0, 2), (20.0, 1))))
    result = run_replication(Model((shrinking,), (CROWD,), horizon=120.0))
    assert result.kpis["stations"]["desk"]["server_hours"] == pytest.approx(
        day_hours(1 * 6 + 2 * 14 + 1 * 100, 120.0))


@pytest.mark.parametrize("engine", ["fast", "events"])
def test_the_ledger_counts_the_shift_schedule_on_both_engines(engine: str) -> None:
    """Measured from minute 20 to 120: 1 x 10 + 2 x 30 + 1 x 60 server-minutes; the prices
    give the cost a day."""
    prices = Prices(per_hour={"officer": 50.0}, per_position_day={"officer": 100.0})
    spec = StationSpec("desk", SHIFTS, Deterministic(10.0), resource="officer",
                       positions=ShiftSchedule.constant(3))
    model = Model((spec,), (CROWD,), horizon=120.0, warmup=20.0, prices=prices)
    result = run_replication(model, engine=engine)  # type: ignore[arg-type]
    assert result.engine == engine
    hours = day_hours(10 + 2 * 30 + 60, 100.0)
    system = result.kpis["system"]["all"]
    assert system["officer_hours"] == pytest.approx(hours)
    assert system["officer_positions"] == 3.0
    assert system["cost"] == pytest.approx(hours * 50.0 + 3 * 100.0)
    assert result.kpis["stations"]["desk"]["cost"] == pytest.approx(system["cost"])
