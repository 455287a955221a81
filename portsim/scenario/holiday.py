"""Holiday calendars: a port's scenario file run over a holiday of several days, both
directions, with daily demand from the calendar and officers shared between the directions.

A calendar names one direction's scenario file (a ``*_peak`` file: a holiday peak day), the
demand factor of each day and direction (1 = the file's day), the eve that warms the port up,
and which stations' officers (or lanes) form one pool for both directions and by which rule
they are split. :func:`holiday_model` builds the model of one continuous run: the file's
stations and classes once per direction (``outbound_`` and ``inbound_`` before their names),
each direction's arrivals scaled day by day, the shared stations' rosters set hour by hour
from the pool. Everything is checked when the calendar loads: a bad calendar or port file is
one message naming the file, the field and its line.
The calendar file's fields are in :mod:`portsim.scenario.holiday_document`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from portsim.document.problems import Loc, line_of, suggest
from portsim.document.sidefiles import SideFileError, named_file
from portsim.engine import distributions as d
from portsim.engine.model import (
    MINUTES_PER_DAY,
    ClassSpec,
    Model,
    Poisson,
    RateProfile,
    ShiftSchedule,
    StationSpec,
    Timetable,
    Trace,
)
from portsim.engine.model.routes import Route, ShortestQueue, Spawn, Step, Visit, rewrite
from portsim.errors import Problem, ScenarioError
from portsim.scenario.holiday_document import (
    BY_DEMAND,
    BY_HOUR,
    DIRECTIONS,
    FIXED,
    HOURS_PER_DAY,
    MOST_DAYS,
    SCENARIO_FOLDERS_VARIABLE,
    CalendarDocument,
    DayDemand,
    HourlyShapes,
    SharedStation,
    Sharing,
)
from portsim.scenario.loader import Scenario, load_scenario, load_side_file


@dataclass(frozen=True)
class Calendar:
    """A loaded calendar: the document, its scenario and where it was read from."""

    document: CalendarDocument
    scenario: Scenario
    source_file: Path
    models: Mapping[str, Model]  # the holiday model of the baseline and of every variant
    rosters: Mapping[str, Mapping[str, Rosters]]  # by run, by shared station

    @property
    def days(self) -> int:
        """Days of the run: the eve and the holiday."""
        return 1 + len(self.document.days)

    @property
    def name(self) -> str:
        return self.document.name

    @property
    def seed(self) -> int:
        seed = self.document.seed
        return seed if seed is not None else self.scenario.seed

    @property
    def labels(self) -> list[str]:
        """The holiday days' names (the eve not among them)."""
        return [day.label or f"day {index + 1}" for index, day in enumerate(self.document.days)]

    def rule(self, variant: str | None) -> str:
        chosen = self.document.variants[variant].rule if variant else None
        return chosen or self.document.sharing.rule


def load_calendar(path: str | os.PathLike[str]) -> Calendar:
    """Load a calendar and its scenario, and build the holiday model of the baseline and of
    each variant; :class:`ScenarioError` (file, field, line) on any problem."""
    document, lines, shown = load_side_file(
        path, CalendarDocument,
        "a holiday calendar must be a mapping with name, scenario, eve, days and sharing")
    source = Path(path)
    problems: list[Problem] = []

    def problem(where: Loc, message: str) -> None:
        problems.append(Problem(path=where, line=line_of(where, lines), message=message))

    scenario = _scenario(document, source.parent, problem)
    models: dict[str, Model] = {}
    rosters: dict[str, dict[str, Rosters]] = {}
    if scenario is not None:
        runs = [(None, document.variant), *((name, entry.variant or document.variant)
                                            for name, entry in document.variants.items())]
        for label, variant in runs:
            where: Loc = ("variants", label, "variant") if label else ("variant",)
            if variant is not None and variant not in scenario.variant_names:
                problem(where, f"{document.scenario} has no variant {variant!r}"
                        + suggest(variant, list(scenario.variant_names)))
                continue
            base = scenario.model(variant)
            if label is None:
                _check_shared(document.sharing, base, problem)
                _check_hourly(document, base, problem)
            if problems:
                continue
            rule = (document.variants[label].rule if label else None) or document.sharing.rule
            try:
                models[label or "baseline"] = holiday_model(base, document, rule)
                rosters[label or "baseline"] = {
                    name: split_rosters(base, base.station(name), entry, document, rule)
                    for name, entry in document.sharing.stations.items()}
            except HolidayError as error:
                problem(error.where, str(error))
    if problems:
        raise ScenarioError(problems, file=shown)
    assert scenario is not None
    return Calendar(document, scenario, source, models, rosters)


def _scenario(document: CalendarDocument, folder: Path,
              problem: Callable[[Loc, str], None]) -> Scenario | None:
    try:
        file = named_file(folder, document.scenario, what="scenario file", owner="calendar",
                          variable=SCENARIO_FOLDERS_VARIABLE)
    except SideFileError as error:
        problem(("scenario",), str(error))
        return None
    scenario = load_scenario(file)  # its own errors name its own file
    if "baseline" in document.variants:
        problem(("variants", "baseline"), "'baseline' names the calendar itself; choose "
                "another name for the variant")
    return scenario


def _check_shared(sharing: Sharing, model: Model,
                  problem: Callable[[Loc, str], None]) -> None:
    names = [spec.name for spec in model.stations]
    for name, shared in sharing.stations.items():
        where: Loc = ("sharing", "stations", name)
        if name not in names:
            problem(where, f"the scenario has no station {name!r}{suggest(name, names)}")
            continue
        spec = model.station(name)
        if spec.pools or spec.reactive is not None:
            problem(where, f"station {name!r} has skill pools or queue-reactive extras; only "
                    "a station staffed by shifts can share its officers between directions")
        if _most(spec, shared) < shared.per_direction:
            problem((*where, "per_direction"), f"{shared.per_direction} a direction is more "
                    f"than the {_most(spec, shared)} one direction may have (most, by default "
                    "the station's positions)")


def _check_hourly(document: CalendarDocument, model: Model,
                  problem: Callable[[Loc, str], None]) -> None:
    rules = {document.sharing.rule, *(v.rule for v in document.variants.values() if v.rule)}
    hourly = document.hourly
    if hourly is None:
        if BY_HOUR in rules:
            problem(("sharing", "rule") if document.sharing.rule == BY_HOUR else ("variants",),
                    "rule by_hour splits officers by each direction's hourly shape; give the "
                    "shapes under hourly (classes, outbound, inbound)")
        return
    names = [spec.name for spec in model.classes]
    for index, name in enumerate(hourly.classes):
        where: Loc = ("hourly", "classes", index)
        if name not in names:
            problem(where, f"the scenario has no class {name!r}{suggest(name, names)}")
        elif _daily_rates(next(c for c in model.classes if c.name == name).arrivals) is None:
            problem(where, f"class {name!r} does not arrive by a daily rate profile or "
                    "Poisson arrivals, so it has no hourly shape to change")
    for direction in DIRECTIONS:
        weights = getattr(hourly, direction)
        if weights is not None and sum(weights) <= 0:
            problem(("hourly", direction), "the weights add up to 0: nobody would arrive")


class HolidayError(ValueError):
    """Something of the scenario a holiday cannot be built from, with where to say it."""

    def __init__(self, where: Loc, message: str) -> None:
        super().__init__(message)
        self.where = where


# ------------------------------------------------------------------------- the model


def prefixed(direction: str, name: str) -> str:
    """A station's or class's name in ``direction``: ``outbound_hall_desks``."""
    return f"{direction}_{name}"


def day_factors(document: CalendarDocument, direction: str) -> list[float]:
    """The demand factor of every day of the run in ``direction``: the eve, then each day."""
    return [getattr(day, direction) for day in (document.eve, *document.days)]


def holiday_model(base: Model, document: CalendarDocument, rule: str) -> Model:
    """The holiday as one continuous run: the eve (the warm-up) and every day, both
    directions, each direction's arrivals scaled day by day, the shared stations' rosters
    split by ``rule``."""
    days = 1 + len(document.days)
    shared = document.sharing.stations
    rosters = {name: split_rosters(base, base.station(name), entry, document, rule)
               for name, entry in shared.items()}
    stations: list[StationSpec] = []
    classes: list[ClassSpec] = []
    for direction in DIRECTIONS:
        factors = day_factors(document, direction)
        for spec in base.stations:
            renamed = replace(spec, name=prefixed(direction, spec.name),
                              service_by_class={prefixed(direction, k): v
                                                for k, v in spec.service_by_class.items()},
                              impatience_by_class={prefixed(direction, k): v for k, v
                                                   in spec.impatience_by_class.items()},
                              skill_by_class={prefixed(direction, k): v
                                              for k, v in spec.skill_by_class.items()})
            if spec.name in rosters:
                most = _most(spec, shared[spec.name])
                renamed = replace(renamed, servers=rosters[spec.name].schedule(direction),
                                  positions=ShiftSchedule.constant(most))
            stations.append(renamed)
        weights = _own_weights(document, direction)
        for kind in base.classes:
            shaped = (replace(kind, arrivals=reshaped(kind.arrivals, weights[1]))
                      if weights is not None and kind.name in weights[0] else kind)
            classes.extend(_classes(shaped, direction, factors))
    counted = base.sla_classes
    return replace(
        base, stations=tuple(stations), classes=tuple(classes),
        horizon=days * MINUTES_PER_DAY, warmup=MINUTES_PER_DAY,
        name=f"{document.name} ({rule})",
        sla_classes=(None if counted is None else
                     tuple(prefixed(t, c) for t in DIRECTIONS for c in counted)),
        slot_stations=(None if base.slot_stations is None else
                       tuple(prefixed(t, s) for t in DIRECTIONS for s in base.slot_stations)),
        start=None, snapshot_at=None)


def _own_weights(document: CalendarDocument,
                 direction: str) -> tuple[list[str], list[float]] | None:
    hourly = document.hourly
    weights = getattr(hourly, direction) if hourly is not None else None
    return None if hourly is None or weights is None else (hourly.classes, weights)


def _daily_rates(arrivals: object) -> list[float] | None:
    """A class's arrival rate (per minute) hour by hour over a day, if it has one."""
    if isinstance(arrivals, Poisson):
        return [arrivals.rate] * HOURS_PER_DAY
    if isinstance(arrivals, RateProfile) and arrivals.period > 0:
        repeats = MINUTES_PER_DAY / arrivals.period
        if abs(repeats - round(repeats)) > 1e-9 or repeats < 1:
            return None
        rates = arrivals.rates * round(repeats)
        per_hour = len(rates) / HOURS_PER_DAY
        if abs(per_hour - round(per_hour)) > 1e-9:
            return None
        width = round(per_hour)
        return [sum(rates[h * width:(h + 1) * width]) / width for h in range(HOURS_PER_DAY)]
    return None


def reshaped(arrivals: object, weights: list[float]) -> RateProfile:
    """A daily rate profile or Poisson rate with the same day's total spread over the hours
    in proportion to ``weights`` (24, from 00:00)."""
    rates = _daily_rates(arrivals)
    if rates is None:
        raise HolidayError(("hourly", "classes"), "only a daily rate profile or Poisson "
                           "arrivals can take another hourly shape")
    day_total, weight_total = sum(rates), sum(weights)
    return RateProfile(tuple(day_total * w / weight_total for w in weights), 60.0)


def hourly_demand(base: Model, document: CalendarDocument, direction: str) -> list[float]:
    """``direction``'s demand hour by hour relative to its day's mean hour (24, mean 1): the
    calendar's shape, else the file's own (the shaped classes' rates added); all ones
    without hourly shapes."""
    hourly = document.hourly
    if hourly is None:
        return [1.0] * HOURS_PER_DAY
    weights = getattr(hourly, direction)
    if weights is None:
        kinds = {spec.name: spec for spec in base.classes}  # a variant may lack one
        weights = [sum(hour) for hour in zip(*(
            _daily_rates(kinds[name].arrivals) or [0.0] * HOURS_PER_DAY
            for name in hourly.classes if name in kinds), [0.0] * HOURS_PER_DAY, strict=True)]
    mean = sum(weights) / HOURS_PER_DAY
    return [w / mean if mean > 0 else 1.0 for w in weights]


def _most(spec: StationSpec, shared: SharedStation) -> int:
    if shared.most is not None:
        return shared.most
    if spec.positions is not None:
        return spec.positions.max_servers
    return shared.per_direction


def own_roster(spec: StationSpec, shared: SharedStation,
               days: int) -> list[tuple[float, int]]:
    """A direction's own roster over ``days`` as ``(start, servers)`` steps (minutes from
    the start of the run): the file's schedule, at most ``per_direction``, cut at every
    hour as well (a split may change hourly)."""
    span = days * MINUTES_PER_DAY
    cuts = {hour * 60.0 for hour in range(days * 24)}
    schedule = spec.servers
    if schedule.period is not None:
        cuts.update(offset + k * schedule.period for offset in schedule.offsets()
                    for k in range(math.ceil(span / schedule.period)))
    else:
        cuts.update(schedule.offsets())
    return [(start, min(schedule.servers_at(start), shared.per_direction))
            for start in sorted(cut for cut in cuts if cut < span)]


def split(pool: int, outbound: float, inbound: float, most: int, keep: int) -> int:
    """The outbound share of a pool of ``pool`` split by demand (``outbound`` against
    ``inbound``): in proportion, rounded, each side at most ``most`` and, while the pool
    allows, at least ``keep``."""
    total = outbound + inbound
    wanted = round(pool * outbound / total) if total > 0 else pool // 2
    fewest = max(pool - most, min(keep, pool // 2))
    largest = min(most, pool - min(keep, pool // 2))
    return max(fewest, min(largest, wanted))


@dataclass(frozen=True)
class Rosters:
    """A shared station's servers in each direction, step by step over the run: its own
    roster (``own``, the same in both) and the outbound servers after the split."""

    starts: tuple[float, ...]
    own: tuple[int, ...]
    outbound: tuple[int, ...]

    @property
    def inbound(self) -> tuple[int, ...]:
        return tuple(2 * n - o for n, o in zip(self.own, self.outbound, strict=True))

    def schedule(self, direction: str) -> ShiftSchedule:
        servers = self.outbound if direction == "outbound" else self.inbound
        steps: list[tuple[float, int]] = []
        for start, count in zip(self.starts, servers, strict=True):
            if not steps or steps[-1][1] != count:
                steps.append((start, count))
        return ShiftSchedule(tuple(steps), period=None)

    def moved_by_day(self, days: int) -> list[tuple[int, float]]:
        """Per day of the run: the most officers working in the other direction's hall than
        their own roster puts them at any time of the day, and the officer-hours they work
        there (both directions' moves: an officer moved out of the inbound hall counts
        once)."""
        ends = (*self.starts[1:], days * MINUTES_PER_DAY)
        found = [(0, 0.0)] * days
        for start, end, own, out in zip(self.starts, ends, self.own, self.outbound,
                                        strict=True):
            day = int(start // MINUTES_PER_DAY)
            most, hours = found[day]
            found[day] = (max(most, abs(out - own)), hours + abs(out - own) * (end - start) / 60)
        return found


def split_rosters(base: Model, spec: StationSpec, shared: SharedStation,
                  document: CalendarDocument, rule: str) -> Rosters:
    """A shared station's servers in each direction over the whole run, split by ``rule``."""
    days = 1 + len(document.days)
    own = own_roster(spec, shared, days)
    if rule == FIXED:
        outbound = [n for _, n in own]
    else:
        factors = {t: day_factors(document, t) for t in DIRECTIONS}
        by_hour = {t: hourly_demand(base, document, t) if rule == BY_HOUR
                   else [1.0] * HOURS_PER_DAY for t in DIRECTIONS}

        def demand(direction: str, start: float) -> float:
            hour = int(start % MINUTES_PER_DAY // 60)
            return (factors[direction][int(start // MINUTES_PER_DAY)]
                    * by_hour[direction][hour])

        outbound = [split(2 * n, demand("outbound", start), demand("inbound", start),
                          _most(spec, shared), document.sharing.keep)
                    for start, n in own]
    return Rosters(tuple(s for s, _ in own), tuple(n for _, n in own), tuple(outbound))


def _classes(spec: ClassSpec, direction: str, factors: list[float]) -> list[ClassSpec]:
    """A class of the file in ``direction``, its arrivals scaled by each day's factor; a
    daily timetable becomes one class a day (its spawned batches scaled)."""
    name = prefixed(direction, spec.name)
    route = _route(spec.route, direction)
    arrivals = spec.arrivals
    where: Loc = ("scenario",)
    if isinstance(arrivals, Poisson):
        return [replace(spec, name=name, route=route, arrivals=RateProfile(
            tuple(arrivals.rate * f for f in factors), MINUTES_PER_DAY))]
    if isinstance(arrivals, RateProfile):
        repeats = MINUTES_PER_DAY / arrivals.period  # (a reshaped class is hourly already)
        if abs(repeats - round(repeats)) > 1e-9 or repeats < 1:
            raise HolidayError(where, f"class {spec.name!r}: its rate profile repeats every "
                               f"{arrivals.period:g} min, which does not divide a day")
        day = arrivals.rates * round(repeats)
        return [replace(spec, name=name, route=route, arrivals=RateProfile(
            tuple(rate * f for f in factors for rate in day), arrivals.bin_width))]
    if isinstance(arrivals, Timetable):
        if arrivals.repeat_every != MINUTES_PER_DAY:
            raise HolidayError(where, f"class {spec.name!r}: a holiday needs its timetable "
                               "to repeat daily (repeat: 1d)")
        return [_timetable_day(spec, name, route, arrivals, day, factor)
                for day, factor in enumerate(factors)]
    if isinstance(arrivals, Trace) and not arrivals.times:
        return [replace(spec, name=name, route=route)]  # arrives only when spawned
    raise HolidayError(where, f"class {spec.name!r}: {type(arrivals).__name__.lower()} "
                       "arrivals cannot be scaled day by day; use a rate profile, Poisson "
                       "arrivals or a daily timetable")


def _timetable_day(spec: ClassSpec, name: str, route: Route, table: Timetable, day: int,
                   factor: float) -> ClassSpec:
    start = day * MINUTES_PER_DAY
    spawns = any(isinstance(step, Spawn) for step in route)
    counts = table.counts if spawns else tuple(round(c * factor) for c in table.counts)
    scaled_route = rewrite(route, lambda step: (
        (replace(step, count=scaled(step.count, factor)),) if isinstance(step, Spawn)
        else None)) if spawns else route
    return replace(spec, name=f"{name}_d{day}", route=scaled_route, arrivals=replace(
        table, times=tuple(t + start for t in table.times), counts=counts,
        repeat_every=None))


def scaled(count: d.Distribution, factor: float) -> d.Distribution:
    """A batch-size distribution with its mean times ``factor`` (its shape kept). A count
    capped by seats (binomial: each seat taken with a chance) keeps its cap: the day has
    ``factor`` of the seats (longer or shorter trains), each filled as on the file's day."""
    if isinstance(count, d.Binomial):
        return count.scaled(factor)
    if isinstance(count, d.Lognormal | d.Gamma):
        return replace(count, mean=count.mean * factor)
    if isinstance(count, d.Deterministic):
        return replace(count, value=count.value * factor)
    if isinstance(count, d.Uniform):
        return replace(count, low=count.low * factor, high=count.high * factor)
    if isinstance(count, d.Triangular):
        return replace(count, low=count.low * factor, mode=count.mode * factor,
                       high=count.high * factor)
    raise HolidayError(("scenario",), f"a batch size drawn from {type(count).__name__} "
                       "cannot be scaled; use lognormal, gamma, uniform, triangular, binomial "
                       "or a fixed count")


def _route(route: Route, direction: str) -> Route:
    def change(step: Step) -> Route | None:
        if isinstance(step, Visit):
            fallback = _route(step.fallback, direction) if step.fallback else None
            return (replace(step, station=prefixed(direction, step.station),
                            fallback=fallback),)
        if isinstance(step, ShortestQueue):
            return (replace(step, stations=tuple(prefixed(direction, s)
                                                 for s in step.stations)),)
        if isinstance(step, Spawn):
            return (replace(step, class_name=prefixed(direction, step.class_name)),)
        return None
    return rewrite(route, change)


__all__ = ["BY_DEMAND", "BY_HOUR", "DIRECTIONS", "FIXED", "MOST_DAYS", "Calendar",
           "CalendarDocument", "DayDemand", "HolidayError", "HourlyShapes", "Rosters",
           "SharedStation", "Sharing", "day_factors", "holiday_model", "hourly_demand",
           "load_calendar", "own_roster", "prefixed", "reshaped", "scaled", "split",
           "split_rosters"]
