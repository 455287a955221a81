"""Compile a validated scenario into the engine's plain runtime model (``engine.model.Model``).

Everything here is a direct translation: validation has already checked names, sums and
bounds, so compiling cannot fail on a document that loaded. Times stay in minutes. The base
model (stations and classes) is compiled first; the ``policies:`` block is then applied to it
in a fixed order (:mod:`portsim.policies.registry`).
"""

from __future__ import annotations

from portsim.engine import distributions as dists
from portsim.engine import model as m
from portsim.scenario import schema as s
from portsim.scenario.loader import Scenario

DAY = m.MINUTES_PER_DAY
#: Arrivals of a class whose members only enter when another class spawns them.
NO_ARRIVALS = m.Trace(times=())


def compile_model(scenario: Scenario, variant: str | None = None) -> m.Model:
    """The engine model of the base scenario (``variant=None``) or of one variant."""
    doc = scenario.document(variant)
    name = doc.name if variant is None else f"{doc.name} [{variant}]"
    return compile_document(doc, name=name)


def compile_document(doc: s.ScenarioDocument, *, name: str | None = None) -> m.Model:
    """The engine model of one validated document, its policies applied."""
    # Imported here: the policy blocks are part of the schema this module builds on, so the
    # policies package cannot be imported before the scenario layer is.
    from portsim.policies.registry import apply_policies

    return apply_policies(base_model(doc, name=name), doc.policies)


def base_model(doc: s.ScenarioDocument, *, name: str | None = None,
               arrivals: bool = True) -> m.Model:
    """The engine model of a document's stations and classes, before its policies.

    ``arrivals=False`` leaves every class without arrivals: enough to check the names in the
    policy blocks while validating, before timetable files are read.
    """
    step_services = _step_services(doc)
    stations = tuple(
        _station(station_name, station, step_services.get(station_name, {}))
        for station_name, station in doc.stations.items()
    )
    classes = tuple(
        m.ClassSpec(name=class_name,
                    arrivals=_arrivals(entity.arrivals) if arrivals else NO_ARRIVALS,
                    route=_route(entity.route), priority=entity.priority,
                    due_after=entity.due_after)
        for class_name, entity in doc.classes.items()
    )
    return m.Model(stations=stations, classes=classes, horizon=doc.time.horizon,
                   warmup=doc.time.warmup, sla=doc.sla, name=name or doc.name)


# ----------------------------------------------------------------------------- distributions


def distribution(spec: s.Distribution) -> dists.Distribution:
    """The engine distribution for a validated ``dist`` mapping (all times in minutes)."""
    match spec:
        case s.Exponential(mean=mean):
            return dists.Exponential(mean=mean)
        case s.Deterministic(value=value):
            return dists.Deterministic(value=value)
        case s.Uniform(low=low, high=high):
            return dists.Uniform(low=low, high=high)
        case s.Triangular(low=low, mode=mode, high=high):
            return dists.Triangular(low=low, mode=mode, high=high)
        case s.Lognormal(mean=mean, cv=cv):
            return dists.Lognormal(mean=mean, cv=cv)
        case s.Gamma(mean=mean, cv=cv):
            return dists.Gamma(mean=mean, cv=cv)
        case s.Empirical(values=values):
            return dists.Empirical(values=tuple(values))
    raise TypeError(f"not a distribution: {spec!r}")


# ----------------------------------------------------------------------------- stations


Steps = list[tuple[float, int]]


def _window_steps(windows: list[s.ShiftWindow]) -> Steps:
    """Daily steps of a shift schedule; time outside every window has 0 servers."""
    steps: Steps = []
    cursor = 0.0
    for window in sorted(windows, key=lambda w: w.start):
        if window.start > cursor:
            steps.append((cursor, 0))
        steps.append((window.start, window.servers))
        cursor = window.end
    if cursor < DAY:
        steps.append((cursor, 0))
    return steps


def _servers_at(steps: Steps, offset: float) -> int:
    return [servers for start, servers in steps if start <= offset][-1]


def _within_hours(steps: Steps, hours: s.OpeningHours) -> Steps:
    """Servers as in ``steps`` while open, 0 while closed."""
    cuts = sorted(({start for start, _ in steps} | {0.0, hours.start, hours.end}) - {DAY})
    return [(cut, _servers_at(steps, cut) if hours.start <= cut < hours.end else 0)
            for cut in cuts]


def schedule(servers: int | list[s.ShiftWindow],
             opening_hours: s.OpeningHours | None = None) -> m.ShiftSchedule:
    """The shift schedule of a server count or daily windows, closed outside opening hours."""
    steps = [(0.0, servers)] if isinstance(servers, int) else _window_steps(servers)
    if opening_hours is not None:
        steps = _within_hours(steps, opening_hours)
    # Drop steps that do not change the number of servers.
    steps = [step for i, step in enumerate(steps) if i == 0 or step[1] != steps[i - 1][1]]
    if len(steps) == 1:
        return m.ShiftSchedule.constant(steps[0][1])
    return m.ShiftSchedule(steps=tuple(steps), period=DAY)


def _step_services(doc: s.ScenarioDocument) -> dict[str, dict[str, s.Distribution]]:
    """Service times given on route steps: station -> class -> distribution."""
    found: dict[str, dict[str, s.Distribution]] = {}

    def visit(route: list[s.Step], class_name: str) -> None:
        for step in route:
            if isinstance(step, s.StationStep) and step.service is not None:
                # Validation guarantees one service time per (station, class).
                found.setdefault(step.station, {})[class_name] = step.service
            elif isinstance(step, s.BranchStep):
                for option in step.branch:
                    visit(option.route, class_name)
            elif isinstance(step, s.OptionalStep):
                visit(step.optional.route, class_name)

    for class_name, entity in doc.classes.items():
        visit(entity.route, class_name)
    return found


def _station(name: str, station: s.Station,
             step_services: dict[str, s.Distribution]) -> m.StationSpec:
    by_class = {**station.service_by_class, **step_services}
    return m.StationSpec(
        name=name,
        servers=schedule(station.servers, station.opening_hours),
        service=distribution(station.service),
        service_by_class={cls: distribution(spec) for cls, spec in by_class.items()},
        discipline=station.discipline,
    )


# ----------------------------------------------------------------------------- arrivals, routes


def _arrivals(spec: s.PoissonArrivals | s.ProfileArrivals | s.TimetableArrivals
              | s.TraceArrivals | None) -> m.Arrivals:
    match spec:
        case None:
            return NO_ARRIVALS
        case s.PoissonArrivals(rate=rate):
            return m.Poisson(rate=rate)
        case s.ProfileArrivals(rates=rates, bin=width):
            return m.RateProfile(rates=tuple(rates), bin_width=width)
        case s.TimetableArrivals(batches=batches, repeat=repeat):
            if batches is None:
                raise ValueError("timetable file not inlined: load scenarios with load_scenario")
            ordered = sorted(batches, key=lambda b: b.time)
            return m.Timetable(times=tuple(b.time for b in ordered),
                               counts=tuple(b.count for b in ordered),
                               spreads=tuple(b.spread for b in ordered), repeat_every=repeat)
        case s.TraceArrivals(times=times):
            return m.Trace(times=tuple(sorted(times)))
    raise TypeError(f"not an arrivals spec: {spec!r}")


def _step(step: s.Step) -> m.Step:
    match step:
        case str():
            return m.Visit(station=step)
        case s.StationStep(station=station):
            return m.Visit(station=station)
        case s.BranchStep(branch=options):
            return m.Branch(options=tuple((o.p, _route(o.route)) for o in options))
        case s.ShortestQueueStep(shortest_queue=stations):
            return m.ShortestQueue(stations=tuple(stations))
        case s.OptionalStep(optional=optional):
            return m.OptionalStep(probability=optional.p, route=_route(optional.route))
        case s.DelayStep(delay=spec):
            return m.Delay(duration=distribution(spec))
        case s.MilestoneStep(milestone=name):
            return m.Milestone(name=name)
        case s.SpawnStep(spawn=spawn):
            count = spawn.count
            return m.Spawn(class_name=spawn.class_name,
                           count=(dists.Deterministic(value=float(count))
                                  if isinstance(count, int) else distribution(count)),
                           spread=spawn.spread, wait=spawn.wait)
    raise TypeError(f"not a route step: {step!r}")


def _route(route: list[s.Step]) -> m.Route:
    return tuple(_step(step) for step in route)
