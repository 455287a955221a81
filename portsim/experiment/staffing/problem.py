"""The staffing problem: what is staffed (stations, or a station's skill pools), against which
target, on which interval grid and shifts, with which seeds, counters and costs; the checks a
problem must pass before anything runs, and the scenario's own staffing per interval."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from portsim.engine.model import MINUTES_PER_DAY, Model, stations_visited
from portsim.engine.skills import preferred
from portsim.experiment.staffing.roster import ShiftPattern
from portsim.experiment.staffing.target import StaffingError, Target
from portsim.stats.kpis import slot_name

#: Officers per interval, by unit (a station, or ``station/pool``).
Staffing = dict[str, list[int]]


@dataclass(frozen=True)
class Problem:
    """What to staff and how."""

    model: Model
    stations: tuple[str, ...]
    target: Target
    interval: float
    """Interval width in minutes (divides a day)."""
    patterns: tuple[ShiftPattern, ...]
    seed: int
    proof_seed: int
    most: Mapping[str, int] = field(default_factory=dict)
    """Counters physically available, by station: ``--most``, by default the station's
    positions (:func:`most_within_positions`)."""
    least: int = 1
    """Officers kept on duty in every interval (a 24-hour port keeps a desk open)."""
    hour_cost: float = 1.0
    callout_cost: float = 0.0
    """Cost of a call-out hour: servers called in for bookings (zero wait, zero-delay
    departure) outside the roster."""
    max_rounds: int = 30
    max_repairs: int = 5
    variant: str | None = None
    """The scenario's variant the model is (None: the base): what the roster is proved under."""

    @property
    def intervals(self) -> int:
        return round(MINUTES_PER_DAY / self.interval)

    @property
    def units(self) -> tuple[str, ...]:
        """What is staffed: each named station, or each pool (``station/pool``) of a station
        whose servers come in skilled pools."""
        found: list[str] = []
        for name in self.stations:
            pools = self.model.station(name).pools
            if pools:
                found.extend(f"{name}/{pool.name}" for pool in pools)
            else:
                found.append(name)
        return tuple(found)

    def pool_classes(self, unit: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """For a pool unit: the classes it is the first choice for (the least-skilled pool
        with their skill) and every class it can serve; empty for a plain station."""
        station, _, pool_name = unit.partition("/")
        if not pool_name:
            return (), ()
        spec = self.model.station(station)
        pool = next(p for p in spec.pools if p.name == pool_name)
        served, owned = [], []
        for class_name, skill in spec.skill_by_class.items():
            if skill not in pool.skills:
                continue
            served.append(class_name)
            if preferred(spec.pools, skill)[0].name == pool.name:
                owned.append(class_name)
        return tuple(owned), tuple(served)

    def slots(self) -> list[str]:
        return [slot_name(h * self.interval) for h in range(self.intervals)]

    def clock(self, h: int) -> str:
        """Interval ``h`` as people read it: ``09:00``."""
        slot = slot_name(h * self.interval)
        return f"{slot[1:3]}:{slot[3:5]}"


def check_problem(problem: Problem) -> None:
    """The stations exist, the interval divides a day and the model repeats daily."""
    known = [spec.name for spec in problem.model.stations]
    for name in problem.stations:
        if name not in known:
            raise StaffingError(f"--stations: no station named {name!r} "
                                f"(stations: {', '.join(known)})")
    class_names = [spec.name for spec in problem.model.classes]
    for name in problem.target.classes:
        if name not in class_names:
            raise StaffingError(f"--target: no class named {name!r} "
                                f"(classes: {', '.join(class_names)})")
        if not set(_visited(problem.model, name)) & set(problem.stations):
            raise StaffingError(f"--target: class {name!r} visits none of the stations "
                                "staffed")
    for name in problem.most:
        if name not in problem.units:
            raise StaffingError(f"--most: {name!r} is not one of the stations (or pools) "
                                f"staffed: {', '.join(problem.units)}")
    per_day = MINUTES_PER_DAY / problem.interval
    if problem.interval <= 0 or abs(per_day - round(per_day)) > 1e-9:
        raise StaffingError("--interval must divide a day (e.g. 30min, 1h, 2h)")
    if problem.model.horizon - problem.model.warmup < MINUTES_PER_DAY - 1e-9:
        raise StaffingError("the scenario measures less than a day after its warm-up; a daily "
                            "roster needs at least one whole measured day")
    for name in problem.stations:
        if problem.model.station(name).reactive is not None:
            raise StaffingError(f"station {name!r} has queue-reactive staffing: staff the "
                                "baseline (or a variant) without it")


def most_within_positions(model: Model, stations: tuple[str, ...],
                          given: Mapping[str, int]) -> dict[str, int]:
    """The counters each unit may have at the most (``--most``): as given, else the fewest
    positions its station has at any hour (a pool: its station's); a count given beyond the
    positions is refused, since a roster beyond them would not load."""
    most = dict(given)
    for name in stations:
        spec = model.station(name) if name in {s.name for s in model.stations} else None
        if spec is None or spec.positions is None:
            continue
        places = min(count for _, count in spec.positions.steps)
        units = [f"{name}/{pool.name}" for pool in spec.pools] or [name]
        for unit in units:
            if unit in given and given[unit] > places:
                raise StaffingError(
                    f"--most {unit}={given[unit]}: station {name!r} has {places} positions "
                    f"(stations.{name}.positions); a roster beyond them would not load: add "
                    "positions to the scenario first (a capital change)")
            most.setdefault(unit, places)
    return most


def _visited(model: Model, class_name: str) -> list[str]:
    spec = next(c for c in model.classes if c.name == class_name)
    return stations_visited(spec.route)


def target_classes(problem: Problem, unit: str) -> tuple[str, ...]:
    """The target's classes that queue at ``unit``'s station (for a pool, the caller keeps
    those the pool serves)."""
    station = unit.partition("/")[0]
    return tuple(name for name in problem.target.classes
                 if station in _visited(problem.model, name))


def baseline_staffing(problem: Problem) -> dict[str, tuple[int, ...]]:
    """The scenario's own servers per interval (the most on duty at any time within it)."""
    rows = {}
    for name in problem.units:
        station, _, pool_name = name.partition("/")
        spec = problem.model.station(station)
        schedule = (next(p for p in spec.pools if p.name == pool_name).servers if pool_name
                    else spec.servers)
        row = []
        for h in range(problem.intervals):
            low, high = h * problem.interval, (h + 1) * problem.interval
            inside = [servers for offset, servers in schedule.steps if low < offset < high]
            row.append(max([schedule.servers_at(low), *inside]))
        rows[name] = tuple(row)
    return rows


__all__ = ["Problem", "Staffing", "baseline_staffing", "check_problem", "most_within_positions",
           "target_classes"]
