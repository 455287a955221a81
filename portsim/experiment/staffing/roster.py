"""Rosters: how many officers start each allowed shift so that every interval of the day is
covered, at the least cost — an integer program solved by SciPy's ``milp`` (HiGHS).

The day is cut into ``intervals`` equal intervals; a shift pattern is a length and a grid of
start times (``8h@1h``: eight-hour shifts starting on every hour), optionally with a break in
the middle (``9h@1h/1h``: nine hours with one hour off duty in the middle, the break starting
at the interval nearest before the shift's midpoint minus half the break). Shifts wrap past
midnight (a 22:00 shift of 8 hours covers 22:00–06:00), since the staffing repeats every day.
A shift's cost counts its whole length: breaks are paid.

The covering program: minimise ``Σ cost_k x_k`` subject to ``Σ_k a_hk x_k ≥ r_h`` for every
interval ``h`` (``a_hk = 1`` when shift ``k`` is on duty in interval ``h``), optionally
``Σ_k a_hk x_k ≤ m_h`` (counters physically available), ``x_k`` a non-negative integer.

This is the staffing solver's roster step, and its lowest module: it knows nothing of models or
simulation (:mod:`.proof` solves it per unit for a requirement curve).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from portsim.errors import PortsimError
from portsim.units import parse_duration

MINUTES_PER_DAY = 1440.0


class RosterError(PortsimError):
    """A shift specification that does not fit the day, or a roster that cannot exist."""


@dataclass(frozen=True)
class ShiftPattern:
    """Shifts of ``length`` minutes starting every ``grid`` minutes from midnight, with a break
    of ``rest`` minutes in the middle."""

    length: float
    grid: float
    rest: float = 0.0

    @property
    def text(self) -> str:
        rest = f"/{_short(self.rest)}" if self.rest else ""
        return f"{_short(self.length)}@{_short(self.grid)}{rest}"


@dataclass(frozen=True)
class Shift:
    """One allowed shift: its start (minutes after midnight), length and break (minutes)."""

    start: float
    length: float
    rest: float = 0.0

    def rest_start(self, interval: float) -> float:
        """Minutes after the shift's start when its break begins (on the interval grid)."""
        middle = (self.length - self.rest) / 2
        return math.floor(middle / interval + 1e-9) * interval

    @property
    def hours(self) -> float:
        return self.length / 60.0

    def label(self) -> str:
        end = (self.start + self.length) % MINUTES_PER_DAY
        rest = f" (break {_short(self.rest)})" if self.rest else ""
        return f"{_clock(self.start)}–{_clock(end)}{rest}"


def _clock(minutes: float) -> str:
    whole = round(minutes)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def _short(minutes: float) -> str:
    if minutes % 60 == 0:
        return f"{minutes / 60:g}h"
    return f"{minutes:g}min"


_PATTERN = re.compile(
    r"^\s*(?P<length>[^@/\s]+)\s*(?:@\s*(?P<grid>[^/\s]+))?\s*(?:/\s*(?P<rest>\S+))?\s*$")


def parse_shifts(text: str, interval: float) -> tuple[ShiftPattern, ...]:
    """``8h@1h``, ``9h@1h/1h`` or ``8h@1h,6h@30min``: lengths, start grids (default: the
    interval) and breaks. All must be whole multiples of ``interval`` minutes."""
    if interval <= 0 or not _multiple(MINUTES_PER_DAY, interval):
        raise RosterError(f"--interval {_short(interval)}: the interval must divide a day "
                          "(e.g. 30min, 1h, 2h)")
    patterns = []
    for item in (part for part in text.split(",") if part.strip()):
        match = _PATTERN.match(item)
        if match is None:
            raise RosterError(f"--shifts {text!r}: {item.strip()!r} is not LENGTH@GRID[/BREAK] "
                              "(e.g. 8h@1h: 8-hour shifts starting on every hour)")
        try:
            length = parse_duration(match.group("length"))
            grid = parse_duration(match.group("grid")) if match.group("grid") else interval
            rest = parse_duration(match.group("rest")) if match.group("rest") else 0.0
        except ValueError as error:
            raise RosterError(f"--shifts {text!r}: {error}") from None
        if rest and rest >= length:
            raise RosterError(f"--shifts {text!r}: the break must be shorter than the shift")
        for what, value in (("length", length), ("start grid", grid), ("break", rest)):
            if (value <= 0 and what != "break") or not _multiple(value, interval):
                raise RosterError(
                    f"--shifts {text!r}: the {what} {_short(value)} is not a whole number of "
                    f"intervals ({_short(interval)})")
        if length > MINUTES_PER_DAY or not _multiple(MINUTES_PER_DAY, grid):
            raise RosterError(f"--shifts {text!r}: a shift lasts at most a day and the start "
                              "grid must divide a day")
        patterns.append(ShiftPattern(length, grid, rest))
    if not patterns:
        raise RosterError(f"--shifts {text!r} names no shift pattern (e.g. 8h@1h)")
    return tuple(patterns)


def _multiple(value: float, unit: float) -> bool:
    ratio = value / unit
    return abs(ratio - round(ratio)) < 1e-9


def allowed_shifts(patterns: Sequence[ShiftPattern]) -> list[Shift]:
    """Every shift the patterns allow, by start time then length (duplicates once)."""
    shifts = {Shift(float(start), pattern.length, pattern.rest)
              for pattern in patterns
              for start in np.arange(0.0, MINUTES_PER_DAY, pattern.grid)}
    return sorted(shifts, key=lambda shift: (shift.start, shift.length, shift.rest))


def coverage_matrix(shifts: Sequence[Shift], intervals: int) -> np.ndarray:
    """``a[h, k] = 1`` when shift ``k`` is on duty during interval ``h`` (wrapping midnight)."""
    width = MINUTES_PER_DAY / intervals
    matrix = np.zeros((intervals, len(shifts)), dtype=np.int64)
    for k, shift in enumerate(shifts):
        first = round(shift.start / width)
        rest_from = round(shift.rest_start(width) / width)
        rest_to = rest_from + round(shift.rest / width)
        for step in range(round(shift.length / width)):
            if not rest_from <= step < rest_to:
                matrix[(first + step) % intervals, k] = 1
    return matrix


@dataclass(frozen=True)
class Roster:
    """Officers per allowed shift, and the coverage they give per interval."""

    shifts: tuple[Shift, ...]
    officers: tuple[int, ...]
    coverage: tuple[int, ...]

    @property
    def officer_hours(self) -> float:
        return sum(shift.hours * n for shift, n in zip(self.shifts, self.officers, strict=True))

    def used(self) -> list[tuple[Shift, int]]:
        return [(shift, n) for shift, n in zip(self.shifts, self.officers, strict=True) if n]


def solve_roster(requirement: Sequence[int], shifts: Sequence[Shift],
                 most: Sequence[int] | None = None,
                 hour_cost: float = 1.0) -> Roster:
    """The cheapest integer roster covering ``requirement`` (officers per interval).

    ``most`` caps the coverage per interval (counters available). The cost of a shift is its
    paid hours times ``hour_cost``; among rosters of equal cost HiGHS returns one of them.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    need = np.asarray(requirement, dtype=float)
    matrix = coverage_matrix(shifts, len(need))
    if not np.all(matrix.sum(axis=1) > 0):
        raise RosterError("some interval is covered by no allowed shift")
    upper = np.full(len(need), np.inf) if most is None else np.asarray(most, dtype=float)
    if np.any(need > upper):
        raise RosterError("the requirement exceeds the counters available in some interval")
    costs = np.array([shift.hours * hour_cost for shift in shifts])
    result = milp(costs, constraints=LinearConstraint(matrix, need, upper),
                  integrality=np.ones(len(shifts)), bounds=Bounds(0, np.inf))
    if result.x is None:
        raise RosterError(f"no roster covers the requirement with these shifts "
                          f"({result.message})")
    officers = tuple(round(value) for value in result.x)
    coverage = tuple(int(value) for value in matrix @ np.array(officers))
    return Roster(tuple(shifts), officers, coverage)


def schedule_steps(coverage: Sequence[int]) -> tuple[tuple[float, int], ...]:
    """Officers per interval as ``(offset, servers)`` steps (equal neighbours merged)."""
    width = MINUTES_PER_DAY / len(coverage)
    steps: list[tuple[float, int]] = []
    for index, servers in enumerate(coverage):
        if not steps or steps[-1][1] != servers:
            steps.append((index * width, int(servers)))
    return tuple(steps)


__all__ = ["Roster", "RosterError", "Shift", "ShiftPattern", "allowed_shifts",
           "coverage_matrix", "parse_shifts", "schedule_steps", "solve_roster"]
