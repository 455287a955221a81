"""Rosters by integer programming: coverage, optimality against brute force, bad shift specs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from portsim.experiment.staffing.roster import (
    RosterError,
    Shift,
    allowed_shifts,
    coverage_matrix,
    parse_shifts,
    schedule_steps,
    solve_roster,
)


def test_shifts_wrap_past_midnight() -> None:
    shifts = [Shift(22 * 60, 8 * 60)]
    column = coverage_matrix(shifts, 24)[:, 0]
    assert list(np.flatnonzero(column)) == [0, 1, 2, 3, 4, 5, 22, 23]


def test_patterns_give_every_start_on_the_grid() -> None:
    shifts = allowed_shifts(parse_shifts("8h@1h,12h@6h", 60.0))
    assert len(shifts) == 24 + 4
    assert Shift(18 * 60, 12 * 60) in shifts
    assert parse_shifts("8h", 30.0)[0].grid == 30.0


def test_constant_requirement_with_three_fixed_shifts() -> None:
    shifts = allowed_shifts(parse_shifts("8h@8h", 60.0))
    roster = solve_roster([3] * 24, shifts)
    assert roster.officers == (3, 3, 3)
    assert roster.officer_hours == 72
    assert roster.coverage == (3,) * 24


@pytest.mark.parametrize("seed", range(6))
def test_the_roster_is_as_cheap_as_the_best_of_every_roster(seed: int) -> None:
    """Brute force over every roster of up to 3 officers per shift on a 6-interval day."""
    rng = np.random.default_rng(seed)
    need = [int(v) for v in rng.integers(0, 4, size=6)]
    shifts = [Shift(start * 240.0, 480.0) for start in range(6)]  # 8-h shifts every 4 h
    matrix = coverage_matrix(shifts, 6)
    best = min(sum(x) for x in itertools.product(range(4), repeat=6)
               if np.all(matrix @ np.array(x) >= need))
    roster = solve_roster(need, shifts)
    assert sum(roster.officers) == best
    assert all(c >= n for c, n in zip(roster.coverage, need, strict=True))


def test_counters_cap_the_coverage() -> None:
    shifts = allowed_shifts(parse_shifts("8h@8h", 60.0))
    with pytest.raises(RosterError, match="exceeds the counters"):
        solve_roster([5] * 24, shifts, most=[4] * 24)
    # Coverage at most 4 everywhere but 4 needed in one interval only: still feasible.
    roster = solve_roster([0] * 23 + [4], shifts, most=[4] * 24)
    assert max(roster.coverage) <= 4


@pytest.mark.parametrize(("text", "message"), [
    ("8x@1h", "unknown unit"),
    ("90min@1h", "not a whole number of intervals"),
    ("8h@7h", "must divide a day"),
    ("", "names no shift pattern"),
    ("8h@@1h", "invalid duration"),
    ("8h 1h", "is not LENGTH@GRID"),
])
def test_bad_shift_specs_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(RosterError, match=message):
        parse_shifts(text, 60.0)


def test_schedule_steps_merge_equal_neighbours() -> None:
    assert schedule_steps([2, 2, 3, 3, 3, 2]) == ((0.0, 2), (480.0, 3), (1200.0, 2))


def test_a_break_takes_the_officer_off_duty_mid_shift() -> None:
    shifts = allowed_shifts(parse_shifts("9h@1h/1h", 60.0))
    assert len(shifts) == 24 and shifts[0].label() == "00:00–09:00 (break 1h)"
    on_duty = np.flatnonzero(coverage_matrix(shifts[:1], 24)[:, 0])
    assert list(on_duty) == [0, 1, 2, 3, 5, 6, 7, 8]
    # A constant need of 2: 48 officer-hours on duty, 8 of each 9-hour shift, so at best six
    # shifts (staggered by 4 h so that every break is covered by another shift) and 54 paid.
    roster = solve_roster([2] * 24, shifts)
    assert roster.coverage == (2,) * 24
    assert sum(roster.officers) == 6 and roster.officer_hours == 54


def test_a_break_as_long_as_the_shift_is_refused() -> None:
    with pytest.raises(RosterError, match="break must be shorter"):
        parse_shifts("2h@1h/2h", 60.0)
