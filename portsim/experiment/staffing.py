"""Staffing solved backwards from a waiting-time target: the officers needed per interval, the
cheapest roster of allowed shifts that covers them, and a proof run with fresh seeds.

1. **Requirement curve.** An interval *meets* the target when the 95 % interval (over
   replications) of its KPI — the waits of the customers who joined the station in that clock
   interval, every measured day pooled — lies within the target at its unfavourable end (the
   pledge verdict's "met", :func:`portsim.experiment.pledge.judge`). The search starts from
   the Erlang C staffing of each interval's own offered load (arrival rate and service time
   measured in a pilot run of the scenario as written) and corrects it by simulation, in the
   spirit of the iterative staffing algorithm of Feldman, Mandelbaum, Massey and Whitt (2008):
   every round simulates the whole day with the current staffing (so that a deficit in one
   interval shows up as waits in the next), on common random numbers (the same seed every
   round); intervals that do not meet the target get one officer more; once all meet it,
   officers are taken away where an interval has room, and a removal that makes an interval
   fail is put back (in that interval, or the nearest interval before it that lost one) and
   not tried again.
2. **Roster.** Per station, the cheapest integer roster of allowed shifts whose coverage is at
   least the requirement in every interval (:mod:`.roster`, SciPy's ``milp``).
3. **Proof.** The rostered staffing simulated again with fresh seeds; an interval that does
   not meet the target there raises its requirement by one and the roster is solved and checked
   again (a repair round), up to a cap; the number of rounds is reported.

The engine knows nothing of this: a staffing is a :class:`~portsim.engine.model.ShiftSchedule`
per station, swapped into the compiled model.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from portsim.engine.model import (
    MINUTES_PER_DAY,
    Model,
    ShiftSchedule,
    pooled_servers,
    stations_visited,
)
from portsim.engine.skills import preferred
from portsim.errors import PortsimError
from portsim.experiment.pledge import BROKEN, MET, THIN, UNCERTAIN, judge
from portsim.experiment.results import Results
from portsim.experiment.roster import (
    Roster,
    RosterError,
    ShiftPattern,
    allowed_shifts,
    schedule_steps,
    solve_roster,
)
from portsim.scenario.units import parse_duration
from portsim.stats.kpis import slot_name
from portsim.stats.summary import Interval
from portsim.theory import erlang as theory


class StaffingError(PortsimError):
    """A staffing request that cannot be answered as asked."""


# ----------------------------------------------------------------------------- the target

_TARGET = re.compile(r"^\s*(?:(?P<classes>[^:<>=]+?)\s*:\s*)?"
                     r"(?P<kpi>wait_p95|wait_mean|wait_sla_share)\s*(?P<op><=|>=)\s*"
                     r"(?P<value>\S.*?)\s*$")


@dataclass(frozen=True)
class Target:
    """What every interval must meet: a bound on a slot KPI of the staffed stations."""

    text: str
    slot_kpi: str
    """``p95``, ``mean`` or ``beyond_share`` (of ``wait_{slot}_...``)."""
    bound: float
    """Minutes, or the largest allowed share waiting longer than the standard."""
    sla: float | None = None
    """For a share target: the standard (minutes) it counts within."""
    classes: tuple[str, ...] = ()
    """Judge these classes' waits (their whole queue wait, by hour of arrival at the port)
    instead of each station's over all its classes."""

    def key(self, slot: str) -> str:
        return f"wait_{slot}_{self.slot_kpi}"

    def judge(self, value: Interval) -> str:
        return judge(value, self.bound)

    def met_by(self, arrival_rate: float, service_mean: float, servers: int) -> bool:
        """Whether a stationary M/M/c with these figures meets the target (Erlang C)."""
        if arrival_rate <= 0:
            return True
        if arrival_rate * service_mean >= servers:
            return False
        if self.slot_kpi == "mean":
            return theory.mmc(arrival_rate, service_mean, servers).wait_mean <= self.bound
        if self.slot_kpi == "p95":
            return theory.mmc_wait_quantile(arrival_rate, service_mean, servers,
                                            0.95) <= self.bound
        assert self.sla is not None
        return theory.mmc_wait_tail(arrival_rate, service_mean, servers,
                                    self.sla) <= self.bound


def parse_target(text: str, sla: float) -> Target:
    """``wait_p95<=30min``, ``wait_mean<=10min`` or ``wait_sla_share>=0.95`` (or ``95%``; the
    share within the scenario's standard ``sla``), for the stations' customers; with
    ``CLASS[,CLASS]:`` in front, for those classes' waits."""
    match = _TARGET.match(text)
    if match is None:
        raise StaffingError(f"--target {text!r}: expected [CLASS,...:]wait_p95<=DURATION, "
                            "wait_mean<=DURATION or wait_sla_share>=SHARE")
    classes = tuple(name.strip() for name in (match.group("classes") or "").split(",")
                    if name.strip())
    target = _parse_bound(text, match.group("kpi"), match.group("op"), match.group("value"),
                          sla)
    return replace(target, classes=classes)


def _parse_bound(text: str, kpi: str, op: str, value: str, sla: float) -> Target:
    if kpi == "wait_sla_share":
        if op != ">=":
            raise StaffingError(f"--target {text!r}: a share target is a floor (>=)")
        try:
            share = float(value[:-1]) / 100 if value.endswith("%") else float(value)
        except ValueError:
            raise StaffingError(f"--target {text!r}: {value!r} is not a share "
                                "(0.95 or 95%)") from None
        if not 0 < share < 1:
            raise StaffingError(f"--target {text!r}: the share must lie between 0 and 1")
        return Target(text.strip(), "beyond_share", 1.0 - share, sla)
    if op != "<=":
        raise StaffingError(f"--target {text!r}: a waiting-time target is a ceiling (<=)")
    try:
        minutes = parse_duration(value)
    except ValueError as error:
        raise StaffingError(f"--target {text!r}: {error}") from None
    if minutes <= 0:
        raise StaffingError(f"--target {text!r}: the bound must be positive")
    return Target(text.strip(), "p95" if kpi == "wait_p95" else "mean", minutes)


# ----------------------------------------------------------------------------- the problem

#: Runs a model with a seed; returns its results. The solver counts what it costs.
Runner = Callable[[Model, int], Results]
Staffing = dict[str, list[int]]


def replicating(replications: int, options: Any = None) -> Runner:
    """A :data:`Runner` that replicates a model ``replications`` times with ``options``'
    workers or Dask scheduler (the streams of replication ``i`` depend only on the seed and
    ``i``, so every round of the search sees the same random numbers: common random numbers)."""
    from portsim.experiment.options import RunOptions
    from portsim.experiment.runner import Job, results_of, run_jobs

    settings = options if options is not None else RunOptions()
    settings = settings.replace(store=None, resume=False, trace=None, precision=None)

    def run(model: Model, seed: int) -> Results:
        runs = run_jobs([Job("staffing", model, seed, replications)], settings)["staffing"]
        provenance = {"scenario": {"name": model.name}}
        return results_of(model, provenance, None, seed, runs)

    return run


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
    """Counters physically available, by station."""
    least: int = 1
    """Officers kept on duty in every interval (a 24-hour port keeps a desk open)."""
    hour_cost: float = 1.0
    callout_cost: float = 0.0
    """Cost of a call-out hour: servers called in for bookings (zero wait, zero-delay
    departure) outside the roster."""
    max_rounds: int = 30
    max_repairs: int = 5

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


def _visited(model: Model, class_name: str) -> list[str]:
    spec = next(c for c in model.classes if c.name == class_name)
    return stations_visited(spec.route)


def target_classes(problem: Problem, unit: str) -> tuple[str, ...]:
    """The target's classes that queue at ``unit``'s station (for a pool, the caller keeps
    those the pool serves)."""
    station = unit.partition("/")[0]
    return tuple(name for name in problem.target.classes
                 if station in _visited(problem.model, name))


def staffed(model: Model, staffing: Mapping[str, Sequence[int]]) -> Model:
    """``model`` with these units' servers (stations, or ``station/pool``) replaced by a
    daily schedule per interval."""
    stations = []
    for spec in model.stations:
        changed = spec
        if spec.name in staffing:
            changed = replace(spec, servers=ShiftSchedule(schedule_steps(staffing[spec.name])))
        elif spec.pools and any(f"{spec.name}/{p.name}" in staffing for p in spec.pools):
            pools = tuple(
                replace(p, servers=ShiftSchedule(schedule_steps(staffing[unit])))
                if (unit := f"{spec.name}/{p.name}") in staffing else p
                for p in spec.pools)
            changed = replace(spec, pools=pools, servers=pooled_servers(pools))
        stations.append(changed)
    return replace(model, stations=tuple(stations))


# ----------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Evaluation:
    """One simulated staffing: per station and interval, the KPI's interval and verdict."""

    staffing: dict[str, tuple[int, ...]]
    values: dict[str, tuple[Interval | None, ...]]
    statuses: dict[str, tuple[str, ...]]
    results: Results
    clear: dict[str, tuple[bool, ...]] = field(default_factory=dict)
    """Per unit and interval: whether every class it serves meets the target there (room to
    take an officer away); for a plain station, its own status is met or not judged."""

    def has_room(self, unit: str, h: int) -> bool:
        if unit in self.clear:
            return self.clear[unit][h]
        return self.statuses[unit][h] in (MET, THIN)

    def failing(self) -> list[tuple[str, int]]:
        return [(name, h) for name, row in self.statuses.items()
                for h, status in enumerate(row) if status in (BROKEN, UNCERTAIN)]

    @property
    def met(self) -> bool:
        return not self.failing()


class _Evaluator:
    """Runs staffings on the problem's model and keeps count of the replications spent."""

    def __init__(self, problem: Problem, run: Runner) -> None:
        self.problem = problem
        self.model = replace(problem.model, slot_minutes=problem.interval,
                             sla=problem.target.sla if problem.target.sla is not None
                             else problem.model.sla)
        self.run = run
        self.replications = 0
        self.rounds = 0
        self.seconds = 0.0

    def results(self, staffing: Mapping[str, Sequence[int]] | None, seed: int) -> Results:
        model = self.model if staffing is None else staffed(self.model, staffing)
        began = time.perf_counter()
        results = self.run(model, seed)
        self.seconds += time.perf_counter() - began
        self.replications += len(results.replications)
        self.rounds += 1
        return results

    def _judged(self, results: Results, scope: str,
                name: str) -> tuple[tuple[Interval | None, ...], tuple[str, ...]]:
        target = self.problem.target
        row_values: list[Interval | None] = []
        row_status: list[str] = []
        for slot in self.problem.slots():
            key = target.key(slot)
            if not results.has(scope, name, key) or results.summary(
                    scope, name, f"wait_{slot}_count").mean <= 0:
                row_values.append(None)
                row_status.append(THIN)
                continue
            value = results.summary(scope, name, key)
            row_values.append(value)
            row_status.append(target.judge(value))
        return tuple(row_values), tuple(row_status)

    def evaluate(self, staffing: Mapping[str, Sequence[int]], seed: int) -> Evaluation:
        """Judge every unit: a station on its own waits; a skill pool on the waits of the
        classes it is the first choice for (the worst of them), with room to lose an officer
        only where every class it can serve meets the target."""
        results = self.results(staffing, seed)
        problem = self.problem
        values: dict[str, tuple[Interval | None, ...]] = {}
        statuses: dict[str, tuple[str, ...]] = {}
        clear: dict[str, tuple[bool, ...]] = {}
        classes: dict[str, tuple[tuple[Interval | None, ...], tuple[str, ...]]] = {}
        named = problem.target.classes
        for unit in problem.units:
            owned, served = problem.pool_classes(unit)
            if named:  # a per-class target: judge the named classes this unit serves
                wanted = target_classes(problem, unit)
                if "/" in unit:
                    owned = tuple(name for name in owned if name in wanted)
                    served = tuple(name for name in served if name in wanted)
                else:
                    owned = served = wanted
            elif "/" not in unit:
                values[unit], statuses[unit] = self._judged(results, "stations", unit)
                continue
            for name in served:
                if name not in classes:
                    classes[name] = self._judged(results, "classes", name)
            rows = [classes[name] for name in owned]
            statuses[unit] = tuple(_worst([row[1][h] for row in rows])
                                   for h in range(problem.intervals))
            values[unit] = tuple(_worst_value(rows, h) for h in range(problem.intervals))
            clear[unit] = tuple(all(classes[name][1][h] in (MET, THIN) for name in served)
                                for h in range(problem.intervals))
        return Evaluation({unit: tuple(staffing[unit]) for unit in problem.units},
                          values, statuses, results, clear)


_SEVERITY = {THIN: 0, MET: 1, UNCERTAIN: 2, BROKEN: 3}


def _worst(statuses: Sequence[str]) -> str:
    return max(statuses, key=_SEVERITY.__getitem__, default=THIN)


def _worst_value(rows: Sequence[tuple[tuple[Interval | None, ...], tuple[str, ...]]],
                 h: int) -> Interval | None:
    """The interval of the class judged worst in interval ``h`` (the one the unit answers for)."""
    judged = [(row[1][h], row[0][h]) for row in rows if row[0][h] is not None]
    if not judged:
        return None
    return max(judged, key=lambda item: (_SEVERITY[item[0]], item[1].high))[1]  # type: ignore[union-attr]


# ----------------------------------------------------------------------------- the search


@dataclass(frozen=True)
class Load:
    """A station's offered load per interval, from the pilot run."""

    arrival_rates: tuple[float, ...]
    """Customers joining per minute, per interval."""
    service_mean: float
    """Minutes of service per customer (busy server time over completions)."""


def offered_loads(problem: Problem, pilot: Results) -> dict[str, Load]:
    """Arrival rate per interval and mean service time per station, from the pilot."""
    model = problem.model
    days = (model.horizon - model.warmup) / MINUTES_PER_DAY
    def rates_of(scope: str, name: str) -> list[float]:
        rates = []
        for slot in problem.slots():
            key = f"wait_{slot}_count"
            count = pilot.summary(scope, name, key).mean if pilot.has(scope, name, key) else 0.0
            rates.append(max(count, 0.0) / (days * problem.interval))
        return rates

    loads = {}
    for unit in problem.units:
        station, _, pool = unit.partition("/")
        if pool:
            # A pool's first-choice classes: their arrivals, and their mean service there.
            owned, _ = problem.pool_classes(unit)
            spec = model.station(station)
            per_class = {name: rates_of("classes", name) for name in owned}
            totals = [sum(values) for values in zip(*per_class.values(), strict=True)] \
                if per_class else [0.0] * problem.intervals
            weight = sum(sum(values) for values in per_class.values())
            service_mean = (sum(sum(values) * spec.service_for(name).mean
                                for name, values in per_class.items()) / weight
                            if weight > 0 else spec.service.mean)
            loads[unit] = Load(tuple(totals), service_mean)
            continue
        busy = (pilot.summary("stations", unit, "utilisation").mean
                * pilot.summary("stations", unit, "servers_mean").mean)
        served = pilot.summary("stations", unit, "throughput_per_hour").mean / 60.0
        service_mean = busy / served if served > 0 and math.isfinite(busy) else 0.0
        loads[unit] = Load(tuple(rates_of("stations", unit)), service_mean)
    return loads


def erlang_start(problem: Problem, loads: Mapping[str, Load]) -> Staffing:
    """Per interval, the fewest servers with which a stationary M/M/c at that interval's load
    meets the target (at least ``problem.least``; at most the counters available)."""
    start: Staffing = {}
    for name in problem.units:
        load, most = loads[name], problem.most.get(name)
        row = []
        for rate in load.arrival_rates:
            servers = max(problem.least, 1 if rate > 0 else 0)
            while not problem.target.met_by(rate, load.service_mean, servers) and (
                    most is None or servers < most):
                servers += 1
            row.append(servers if most is None else min(servers, most))
        start[name] = row
    return start


@dataclass
class Requirement:
    """The requirement curve and how it was found."""

    staffing: Staffing
    start: Staffing
    evaluation: Evaluation
    rounds: int
    capped: list[tuple[str, int]]
    """Intervals that fail even with every counter open."""


def _previous(decreased: set[tuple[str, int]], name: str, h: int,
              count: int) -> tuple[str, int] | None:
    """The removal most likely to have made ``name`` fail in interval ``h``: its own in ``h``
    or the nearest interval before, else (skill pools of one station share their customers)
    another pool's of the same station, nearest first."""
    station = name.partition("/")[0]
    for back in range(count):
        candidate = (h - back) % count
        if (name, candidate) in decreased:
            return name, candidate
        for unit, when in sorted(decreased):
            if when == candidate and unit.partition("/")[0] == station:
                return unit, when
    return None


def find_requirement(problem: Problem, evaluator: _Evaluator, start: Staffing,
                     progress: Callable[[str], None] | None = None) -> Requirement:
    """Correct ``start`` by simulation until every interval meets the target with the fewest
    officers the search can show are needed (see the module's docstring)."""
    count = problem.intervals
    staffing = {name: list(row) for name, row in start.items()}
    frozen: set[tuple[str, int]] = set()
    capped: set[tuple[str, int]] = set()
    say = progress or (lambda _text: None)

    def most(name: str) -> int | None:
        return problem.most.get(name)

    evaluation = evaluator.evaluate(staffing, problem.seed)
    rounds = 1
    decreased: set[tuple[str, int]] = set()
    while rounds < problem.max_rounds:
        failing = [(name, h) for name, h in evaluation.failing() if (name, h) not in capped]
        if failing:
            for name, h in failing:
                back = _previous(decreased, name, h, count)
                if back is not None:  # a removal made it fail: put it back, never again
                    staffing[back[0]][back[1]] += 1
                    decreased.discard(back)
                    frozen.add(back)
                elif most(name) is not None and staffing[name][h] >= most(name):  # type: ignore[operator]
                    capped.add((name, h))
                else:
                    staffing[name][h] += 1
                    frozen.add((name, h))
            say(f"round {rounds}: {len(failing)} interval(s) short, adding officers")
        else:
            decreased = set()
            for name in problem.units:
                for h in range(count):
                    if (evaluation.has_room(name, h)
                            and (name, h) not in frozen
                            and staffing[name][h] > problem.least):
                        staffing[name][h] -= 1
                        decreased.add((name, h))
            if not decreased:
                break
            say(f"round {rounds}: every interval meets the target; trying "
                f"{len(decreased)} officer(s) fewer")
        evaluation = evaluator.evaluate(staffing, problem.seed)
        rounds += 1
    if evaluation.failing() and not set(evaluation.failing()) <= capped:
        raise StaffingError(f"the requirement search did not settle in {problem.max_rounds} "
                            "rounds; raise --max-rounds or widen the interval")
    return Requirement(staffing, start, evaluation, rounds, sorted(capped))


# ----------------------------------------------------------------------------- roster & proof


@dataclass
class Solution:
    """Everything ``portsim staff`` reports."""

    problem: Problem
    baseline: dict[str, tuple[int, ...]]
    """Servers per interval in the scenario as written (the most within each interval)."""
    loads: dict[str, Load]
    requirement: Requirement
    rosters: dict[str, Roster]
    proof: Evaluation
    repairs: int
    """Repair rounds after the first proof run (0: the first roster passed)."""
    replications: int
    simulation_seconds: float
    rounds: int
    tightness: dict[str, list[tuple[str, str]]] | None = None
    baseline_callout_hours: float = 0.0
    """Call-out hours a day in the scenario as written (the pilot run)."""
    """Per station, for each shift used: the first interval that fails with one officer fewer
    (``""`` if none does) — filled when asked for."""

    @property
    def officer_hours(self) -> float:
        return sum(roster.officer_hours for roster in self.rosters.values())

    @property
    def callout_hours(self) -> float:
        """Call-out hours a day under the roster (the proof run)."""
        return callout_hours(self.proof.results)

    @property
    def cost(self) -> float:
        return (self.officer_hours * self.problem.hour_cost
                + self.callout_hours * self.problem.callout_cost)

    @property
    def baseline_cost(self) -> float:
        return (self.baseline_officer_hours * self.problem.hour_cost
                + self.baseline_callout_hours * self.problem.callout_cost)

    @property
    def baseline_officer_hours(self) -> float:
        hours = self.problem.interval / 60.0
        return sum(sum(row) * hours for row in self.baseline.values())

    @property
    def passed(self) -> bool:
        return self.proof.met or set(self.proof.failing()) <= set(self.requirement.capped)


def callout_hours(results: Results) -> float:
    """Hours a day that servers called in for bookings work, over every station that has
    them (its ``on_call_mean`` times 24 h)."""
    return sum(results.summary("stations", name, "on_call_mean").mean * 24.0
               for name in results.names("stations")
               if results.has("stations", name, "on_call_mean"))


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


def _rosters(problem: Problem, requirement: Mapping[str, Sequence[int]]) -> dict[str, Roster]:
    shifts = allowed_shifts(problem.patterns)
    rosters = {}
    for name in problem.units:
        most = problem.most.get(name)
        try:
            rosters[name] = solve_roster(requirement[name], shifts,
                                         None if most is None else [most] * problem.intervals,
                                         problem.hour_cost)
        except RosterError as error:
            raise StaffingError(f"station {name!r}: {error}") from None
    return rosters


def solve(problem: Problem, run: Runner, *, tightness: bool = False,
          progress: Callable[[str], None] | None = None) -> Solution:
    """Requirement curve, roster and proof (with repairs) for ``problem``."""
    check_problem(problem)
    say = progress or (lambda _text: None)
    evaluator = _Evaluator(problem, run)
    say("pilot run of the scenario as written")
    pilot = evaluator.results(None, problem.seed)
    loads = offered_loads(problem, pilot)
    start = erlang_start(problem, loads)
    requirement = find_requirement(problem, evaluator, start, progress)
    need = {name: list(row) for name, row in requirement.staffing.items()}
    repairs = 0
    while True:
        rosters = _rosters(problem, need)
        coverage = {name: list(roster.coverage) for name, roster in rosters.items()}
        say("proof run of the roster with fresh seeds"
            + (f" (repair {repairs})" if repairs else ""))
        proof = evaluator.evaluate(coverage, problem.proof_seed)
        failing = [item for item in proof.failing() if item not in requirement.capped]
        if not failing or repairs >= problem.max_repairs:
            break
        for name, h in failing:
            most = problem.most.get(name)
            if most is None or need[name][h] < most:
                need[name][h] = max(need[name][h], coverage[name][h]) + 1
        repairs += 1
    solution = Solution(problem, baseline_staffing(problem), loads, requirement, rosters, proof,
                        repairs, 0, 0.0, 0, baseline_callout_hours=callout_hours(pilot))
    if tightness:
        solution.tightness = _tightness(problem, evaluator, rosters)
    solution.replications = evaluator.replications
    solution.simulation_seconds = evaluator.seconds
    solution.rounds = evaluator.rounds
    return solution


def _tightness(problem: Problem, evaluator: _Evaluator,
               rosters: Mapping[str, Roster]) -> dict[str, list[tuple[str, str]]]:
    """For every shift in use: run the roster with one officer fewer in it (proof seeds) and
    name the first interval that fails."""
    from portsim.experiment.roster import coverage_matrix

    found: dict[str, list[tuple[str, str]]] = {}
    for name, roster in rosters.items():
        matrix = coverage_matrix(roster.shifts, problem.intervals)
        found[name] = []
        for k, (shift, officers) in enumerate(zip(roster.shifts, roster.officers, strict=True)):
            if not officers:
                continue
            fewer = [int(c) - int(matrix[h, k]) for h, c in enumerate(roster.coverage)]
            staffing = {other: list(r.coverage) for other, r in rosters.items()}
            staffing[name] = fewer
            failing = [h for station, h in evaluator.evaluate(staffing,
                                                              problem.proof_seed).failing()
                       if station == name]
            found[name].append((shift.label(),
                                problem.clock(failing[0]) if failing else ""))
    return found


def requirement_rows(solution: Solution) -> list[dict[str, Any]]:
    """One row per station and interval: requirement, roster, baseline and the proof's KPI."""
    problem = solution.problem
    rows = []
    for name in problem.units:
        for h, slot in enumerate(problem.slots()):
            value = solution.proof.values[name][h]
            rows.append({
                "station": name,
                "interval": f"{slot[1:3]}:{slot[3:5]}",
                "erlang_start": solution.requirement.start[name][h],
                "requirement": solution.requirement.staffing[name][h],
                "rostered": solution.rosters[name].coverage[h],
                "baseline": solution.baseline[name][h],
                "arrivals_per_hour": round(solution.loads[name].arrival_rates[h] * 60, 3),
                "kpi": problem.target.key("{slot}").replace("_{slot}", ""),
                "mean": None if value is None else _finite(value.mean),
                "ci_low": None if value is None else _finite(value.low),
                "ci_high": None if value is None else _finite(value.high),
                "status": solution.proof.statuses[name][h],
            })
    return rows


def roster_rows(solution: Solution) -> list[dict[str, Any]]:
    return [{"station": name, "shift": shift.label(), "start": shift.label()[:5],
             "hours": shift.hours, "break_hours": shift.rest / 60.0, "officers": officers}
            for name, roster in solution.rosters.items()
            for shift, officers in roster.used()]


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def summary(solution: Solution) -> dict[str, Any]:
    """The solution as JSON-ready data (staffing.json)."""
    problem = solution.problem
    per_replication = (solution.simulation_seconds / solution.replications
                       if solution.replications else math.nan)
    return {
        "target": problem.target.text,
        "stations": list(problem.stations),
        "units": list(problem.units),
        "interval_minutes": problem.interval,
        "shifts": [pattern.text for pattern in problem.patterns],
        "seed": problem.seed,
        "proof_seed": problem.proof_seed,
        "hour_cost": problem.hour_cost,
        "officer_hours": solution.officer_hours,
        "baseline_officer_hours": solution.baseline_officer_hours,
        "callout_cost": problem.callout_cost,
        "callout_hours": _finite(solution.callout_hours),
        "baseline_callout_hours": _finite(solution.baseline_callout_hours),
        "cost": _finite(solution.cost),
        "baseline_cost": _finite(solution.baseline_cost),
        "passed": solution.passed,
        "search_rounds": solution.requirement.rounds,
        "repair_rounds": solution.repairs,
        "simulation_rounds": solution.rounds,
        "replications_simulated": solution.replications,
        "wall_seconds_per_replication": _finite(per_replication),
        "capped_intervals": [f"{name} {problem.clock(h)}"
                             for name, h in solution.requirement.capped],
        "service_mean_minutes": {name: load.service_mean
                                 for name, load in solution.loads.items()},
        "roster": roster_rows(solution),
        "intervals": requirement_rows(solution),
        "tightness": solution.tightness,
    }


__all__ = [
    "Evaluation",
    "Load",
    "Problem",
    "Requirement",
    "Runner",
    "Solution",
    "StaffingError",
    "Target",
    "baseline_staffing",
    "check_problem",
    "erlang_start",
    "find_requirement",
    "offered_loads",
    "parse_target",
    "replicating",
    "requirement_rows",
    "roster_rows",
    "solve",
    "staffed",
    "summary",
]
