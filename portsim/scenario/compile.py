"""Compile a validated scenario into the engine's plain runtime model (``engine.model.Model``).

Everything here is a direct translation: validation has already checked names, sums and
bounds. Times stay in minutes. The base model (stations and classes) is compiled first; the
``policies:`` block is then checked and applied to it in a fixed order
(:mod:`portsim.policies.registry`), each policy against the model the ones before it built. The
loader compiles every document once and keeps the model (:meth:`Scenario.model`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from portsim.document import convert
from portsim.document.classes import (
    AppointmentArrivals,
    PoissonArrivals,
    ProfileArrivals,
    TimetableArrivals,
    TraceArrivals,
)
from portsim.document.parts import Distribution
from portsim.document.root import ScenarioDocument
from portsim.document.routes import (
    BranchStep,
    DelayStep,
    Loc,
    MilestoneStep,
    OptionalStep,
    QuickestStep,
    ShortestQueueStep,
    SpawnStep,
    StationStep,
    Step,
    route_steps,
)
from portsim.document.settings import MONITOR_EVERY
from portsim.document.stations import Station
from portsim.engine import distributions as dists
from portsim.engine import model as m
from portsim.policies.registry import apply_policies
from portsim.scenario.positions import positions_problems, prices

#: Arrivals of a class whose members only enter when another class spawns them.
NO_ARRIVALS = m.Trace(times=())


@dataclass(frozen=True)
class Compiled:
    """A document's engine model, or the problems found in its policy blocks (then no model)."""

    model: m.Model | None
    problems: list[tuple[Loc, str]]


def compile_document(doc: ScenarioDocument, *, name: str | None = None) -> Compiled:
    """The engine model of one validated document, its policies checked and applied, its
    schedules checked against its positions, its resource use priced."""
    model, problems = apply_policies(base_model(doc, name=name), doc.policies)
    if not problems:
        problems = list(positions_problems(doc, model))
    if problems:
        return Compiled(model=None, problems=problems)
    # after the policies: they add stations (e-gates) the pledge may count
    counted = None if doc.pledge.stations is None else tuple(doc.pledge.stations)
    problems = [(("pledge", "stations"), problem)
                for problem in model.mixed_choices(counted or ())]
    monitored = doc.pledge.measure == "monitor"
    if monitored:
        problems += [(("pledge", "measure"), problem)
                     for problem in _unreadable_queues(model, counted)]
    if problems:
        return Compiled(model=None, problems=problems)
    return Compiled(model=replace(model, prices=prices(doc.costs, model.resources),
                                  slot_stations=counted,
                                  monitor_every=MONITOR_EVERY if monitored else None),
                    problems=[])


def _unreadable_queues(model: m.Model, counted: tuple[str, ...] | None) -> list[str]:
    """Queues the monitor cannot read: where customers may give up, a member read at the back
    may leave the line without a wait there to report (not supported)."""
    return [f"the monitor cannot read the queue at {name!r}, where customers may give up: "
            "judge this pledge by share or longest, or leave the station out of "
            "pledge.stations"
            for name in replace(model, slot_stations=counted).read_stations()
            if model.impatient_at(name)]


def base_model(doc: ScenarioDocument, *, name: str | None = None) -> m.Model:
    """The engine model of a document's stations and classes, before its policies."""
    step_services = _step_services(doc)
    stations = tuple(
        replace(_station(station_name, station, step_services.get(station_name, {})),
                **convert.reliability(station.breakdowns, station.outages,
                                      station.interrupted, doc.time.horizon))
        for station_name, station in doc.stations.items()
    )
    # Outage windows all after the horizon leave a station that cannot be out of order.
    unreliable = {spec.name for spec in stations if spec.unreliable}
    fallbacks = {name: station.fallback for name, station in doc.stations.items()
                 if station.fallback is not None and name in unreliable}
    classes = tuple(
        m.ClassSpec(name=class_name,
                    arrivals=_arrivals(entity.arrivals),
                    route=_with_fallbacks(_route(entity.route), fallbacks),
                    priority=entity.priority, due_after=entity.due_after,
                    visit_patience=(None if entity.visit_patience is None
                                    else convert.distribution(entity.visit_patience)))
        for class_name, entity in doc.classes.items()
    )
    return m.Model(stations=stations, classes=classes, horizon=doc.time.horizon,
                   warmup=doc.time.warmup if isinstance(doc.time.warmup, float) else 0.0,
                   sla=doc.sla, name=name or doc.name,
                   slot_minutes=doc.pledge.slot, queue_at=tuple(doc.pledge.queue_at),
                   sla_share_target=doc.pledge.share,
                   sla_classes=(None if doc.pledge.classes is None
                                else tuple(doc.pledge.classes)),
                   slot_longest=doc.pledge.measure == "longest")


def _with_fallbacks(route: m.Route, fallbacks: dict[str, str]) -> m.Route:
    """``route`` with a station's ``fallback`` on every visit of it: the fallback station's
    visit, taken while the station is out of order."""
    if not fallbacks:
        return route

    def change(step: m.Step) -> m.Route | None:
        if isinstance(step, m.Visit) and step.station in fallbacks and step.fallback is None:
            return (replace(step, fallback=(m.Visit(fallbacks[step.station]),)),)
        return None

    return m.rewrite(route, change)


# ----------------------------------------------------------------------------- stations


def _step_services(doc: ScenarioDocument) -> dict[str, dict[str, Distribution]]:
    """Service times given on route steps: station -> class -> distribution."""
    found: dict[str, dict[str, Distribution]] = {}
    for class_name, entity in doc.classes.items():
        for _, step in route_steps(entity.route):
            if isinstance(step, StationStep) and step.service is not None:
                # Validation guarantees one service time per (station, class).
                found.setdefault(step.station, {})[class_name] = step.service
    return found


def _station(name: str, station: Station,
             step_services: dict[str, Distribution]) -> m.StationSpec:
    return replace(_servers(name, station, step_services),
                   positions=convert.positions(station.positions), resource=station.resource)


def _servers(name: str, station: Station,
             step_services: dict[str, Distribution]) -> m.StationSpec:
    if station.pools is not None:
        return convert.pooled_station(name, station.pools, station.skills, station.service,
                                      service_by_class={**station.service_by_class,
                                                        **step_services},
                                      discipline=station.discipline,
                                      impatience=convert.impatience(station.patience,
                                                                    station.balk,
                                                                    station.retry),
                                      impatience_by_class=station.impatience_by_class)
    assert station.servers is not None  # the schema requires servers or pools
    return convert.station(name, station.servers, station.service,
                           opening_hours=station.opening_hours,
                           service_by_class={**station.service_by_class, **step_services},
                           discipline=station.discipline, patience=station.patience,
                           balk=station.balk, retry=station.retry,
                           impatience_by_class=station.impatience_by_class)


# ----------------------------------------------------------------------------- arrivals, routes


def _arrivals(spec: PoissonArrivals | ProfileArrivals | TimetableArrivals
              | TraceArrivals | AppointmentArrivals | None) -> m.Arrivals:
    match spec:
        case None:
            return NO_ARRIVALS
        case PoissonArrivals(rate=rate):
            return m.Poisson(rate=rate)
        case ProfileArrivals(rates=rates, bin=width):
            return m.RateProfile(rates=tuple(rates), bin_width=width)
        case TimetableArrivals(batches=batches, repeat=repeat, delay=delay,
                                 cancelled=cancelled):
            if batches is None:
                raise ValueError("timetable file not inlined: load scenarios with load_scenario")
            ordered = sorted(batches, key=lambda b: b.time)
            return m.Timetable(times=tuple(b.time for b in ordered),
                               counts=tuple(b.count for b in ordered),
                               spreads=tuple(b.spread for b in ordered), repeat_every=repeat,
                               delay=None if delay is None else convert.distribution(delay),
                               cancelled=cancelled)
        case TraceArrivals(times=times):
            return m.Trace(times=tuple(sorted(times)))
        case AppointmentArrivals(slots=windows, no_show=no_show, punctuality=on_time):
            slots: list[tuple[float, int]] = []
            for window in windows:
                at = window.start
                while at < window.end - 1e-9:
                    slots.append((at, window.per_slot))
                    at += window.every
            slots.sort()
            return m.Appointments(
                slots=tuple(at for at, _ in slots), per_slot=tuple(n for _, n in slots),
                no_show=no_show, early_share=on_time.early_share,
                early=None if on_time.early is None else convert.distribution(on_time.early),
                late=None if on_time.late is None else convert.distribution(on_time.late))
    raise TypeError(f"not an arrivals spec: {spec!r}")


def _step(step: Step) -> m.Step:
    match step:
        case str():
            return m.Visit(station=step)
        case StationStep(station=station):
            return m.Visit(station=station)
        case BranchStep(branch=options):
            return m.Branch(options=tuple((o.p, _route(o.route)) for o in options))
        case ShortestQueueStep(shortest_queue=stations):
            return m.ShortestQueue(stations=tuple(stations))
        case QuickestStep(quickest=spec):
            travel = tuple(spec.travel.get(name, 0.0) for name in spec.stations)
            return m.ShortestQueue(stations=tuple(spec.stations),
                                   travel=travel if any(travel) else (),
                                   by_expected_wait=True, milestone=spec.milestone)
        case OptionalStep(optional=optional):
            return m.OptionalStep(probability=optional.p, route=_route(optional.route))
        case DelayStep(delay=spec):
            return m.Delay(duration=convert.distribution(spec))
        case MilestoneStep(milestone=name):
            return m.Milestone(name=name)
        case SpawnStep(spawn=spawn):
            count = spawn.count
            return m.Spawn(class_name=spawn.class_name,
                           count=(dists.Deterministic(value=float(count))
                                  if isinstance(count, int) else convert.distribution(count)),
                           spread=spawn.spread, wait=spawn.wait)
    raise TypeError(f"not a route step: {step!r}")


def _route(route: list[Step]) -> m.Route:
    return tuple(_step(step) for step in route)
