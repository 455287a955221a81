"""The root of a scenario document (docs/scenario-format.md) and its cross-reference checks.

The document holds stations, entity classes, policy blocks, settings and named variants; field
docstrings become the JSON Schema's descriptions. Its validator checks what no part can check
alone: names that point nowhere (stations, classes, fallbacks, spawned classes), a class's
service time given twice for one station, spawn cycles, and variants changing what variants
share. The policy blocks are checked when the document is compiled.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from portsim.document.calibrate import Calibrate
from portsim.document.classes import EntityClass
from portsim.document.fields import Count, Name, PositiveDuration
from portsim.document.parts import StrictModel
from portsim.document.policy_blocks import Policies
from portsim.document.routes import (
    Loc,
    MilestoneStep,
    QuickestStep,
    ShortestQueueStep,
    SpawnStep,
    StationStep,
    route_steps,
)
from portsim.document.settings import Costs, Inspection, Pledge, PrecisionSettings, TimeSettings
from portsim.document.stations import Station

#: Error type of cross-reference problems; its context holds ``problems``: ``(loc, message)`` pairs.
REFERENCE_ERROR = "scenario_reference"

#: Keys a variant may not change: variants are compared with common random numbers, under the
#: scenario's own name.
FIXED_IN_VARIANTS = ("name", "seed", "replications", "precision", "variants")


VariantPatch = dict[str, Any]


class ScenarioDocument(StrictModel):
    """A portsim scenario: stations, entity classes and named variants."""

    name: Name
    """Scenario name."""
    description: str | None = None
    """Free text."""
    time: TimeSettings
    """Horizon and warm-up."""
    replications: Count = 10
    """Default number of replications."""
    seed: Annotated[int, Field(ge=0)] = 0
    """Default seed."""
    sla: PositiveDuration = 30.0
    """Waiting-time standard for the share-within-SLA KPI (default 30min)."""
    precision: PrecisionSettings | None = None
    """Replications that size themselves (see ``--precision``); none: ``replications`` fixed."""
    pledge: Pledge = Field(default_factory=Pledge)
    """The pledge judged by clock slot: whose queue (classes), the measure (the share within
    ``sla`` required in every slot, or the longest wait), the slot width, and clock times to
    record queue lengths at."""
    inspection: Inspection | None = None
    """Border inspection of vehicles: its stations, and the classes whose delay
    ``compare --attribute-delay`` attributes to them; none: no attribution."""
    costs: Costs | None = None
    """Prices of resource use (officer-hours, call-out hours, positions ...) for the ``cost``
    KPIs; none: use is reported, not priced."""
    stations: Annotated[dict[Name, Station], Field(min_length=1)]
    """Stations by name."""
    classes: Annotated[dict[Name, EntityClass], Field(min_length=1)]
    """Entity classes by name."""
    policies: Policies = Field(default_factory=Policies)
    """Clearance policies (docs/policies.md), applied in a fixed order after the stations and
    classes are compiled."""
    variants: dict[Name, VariantPatch] = Field(default_factory=dict)
    """Named partial documents merged over this one (mappings merge key by key, everything
    else replaces)."""
    calibrate: Calibrate
    """Free parameters ``portsim calibrate`` may change, by name, each with its paths in the
    resolved scenario and its range (docs/calibration.md); no run reads them."""

    @model_validator(mode="after")
    def _references(self) -> ScenarioDocument:
        # The policy blocks are checked when the document is compiled (the loader does both):
        # each against the model the policies before it built.
        problems = list(reference_problems(self))
        if problems:
            summary = "; ".join(
                f"{'.'.join(map(str, loc))}: {message}" for loc, message in problems
            )
            raise PydanticCustomError(
                REFERENCE_ERROR, "{summary}", {"summary": summary, "problems": tuple(problems)}
            )
        return self


def unknown_name(kind: str, name: str, known: list[str], plural: str) -> str:
    """"no station named 'x'; did you mean 'y'? (stations: ...)", for reference problems."""
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"no {kind} named {name!r}{hint} ({plural}: {', '.join(known)})"


def _visits(route: list[Any], loc: Loc) -> Iterator[tuple[Loc, str, Any]]:
    """(loc, station, step-level service or None) for every station named in a route."""
    for here, step in route_steps(route, loc):
        if isinstance(step, str):
            yield here, step, None
        elif isinstance(step, StationStep):
            yield (*here, "station"), step.station, step.service
        elif isinstance(step, ShortestQueueStep):
            for j, station in enumerate(step.shortest_queue):
                yield (*here, "shortest_queue", j), station, None
        elif isinstance(step, QuickestStep):
            for j, station in enumerate(step.quickest.stations):
                yield (*here, "quickest", "stations", j), station, None


def _spawn_problems(doc: ScenarioDocument) -> Iterator[tuple[Loc, str]]:
    """Spawned classes that do not exist, classes nobody brings, and spawn cycles."""
    classes = list(doc.classes)
    spawned: dict[str, set[str]] = {}
    for class_name, entity in doc.classes.items():
        for here, step in route_steps(entity.route, ("classes", class_name, "route")):
            if not isinstance(step, SpawnStep):
                continue
            loc, target = (*here, "spawn", "class"), step.spawn.class_name
            if target not in doc.classes:
                yield loc, unknown_name("class", target, classes, "classes")
            else:
                spawned.setdefault(class_name, set()).add(target)
    brought = set().union(*spawned.values()) if spawned else set()
    for class_name, entity in doc.classes.items():
        if entity.arrivals is None and class_name not in brought:
            yield (("classes", class_name),
                   "has no arrivals and no route spawns it: give it arrivals or spawn it")
    for class_name in doc.classes:
        # A class that spawns itself, directly or through others, would never stop growing.
        reached, frontier = set(), set(spawned.get(class_name, ()))
        while frontier:
            reached |= frontier
            frontier = {t for c in frontier for t in spawned.get(c, ())} - reached
        if class_name in reached:
            yield (("classes", class_name, "route"),
                   "spawns its own class (directly or through other classes): the batch "
                   "would never stop growing")


def reference_problems(doc: ScenarioDocument) -> Iterator[tuple[Loc, str]]:
    """Names that point nowhere, service times given twice for one class at one station, and
    variants changing what variants share."""
    yield from _variant_problems(doc)
    yield from _station_problems(doc)
    for class_name in doc.classes:
        yield from _visit_problems(doc, class_name)
        yield from _visit_patience_problems(doc, class_name)
        yield from _travel_problems(doc, class_name)
    yield from _spawn_problems(doc)
    yield from _pledge_problems(doc)
    yield from _inspection_problems(doc)


def _pledge_problems(doc: ScenarioDocument) -> Iterator[tuple[Loc, str]]:
    """Pledged classes that do not exist, or that are named twice; pledged stations named
    twice (the loader checks that they exist: policies add stations)."""
    known = list(doc.classes)
    seen: set[str] = set()
    for index, name in enumerate(doc.pledge.classes or ()):
        if name not in doc.classes:
            yield ("pledge", "classes", index), unknown_name("class", name, known, "classes")
        elif name in seen:
            yield ("pledge", "classes", index), f"class {name!r} is named twice"
        seen.add(name)
    stations: set[str] = set()
    for index, name in enumerate(doc.pledge.stations or ()):
        if name in stations:
            yield ("pledge", "stations", index), f"station {name!r} is named twice"
        stations.add(name)


def _inspection_problems(doc: ScenarioDocument) -> Iterator[tuple[Loc, str]]:
    """Inspected classes that do not exist or are named twice, stations named twice, and
    milestones (``until``) of classes not named or not on their route (the loader checks
    that the stations exist: policies add stations)."""
    if doc.inspection is None:
        return
    known, seen = list(doc.classes), set()
    for index, name in enumerate(doc.inspection.classes):
        if name not in doc.classes:
            yield ("inspection", "classes", index), unknown_name("class", name, known, "classes")
        elif name in seen:
            yield ("inspection", "classes", index), f"class {name!r} is named twice"
        seen.add(name)
    for index, name in enumerate(doc.inspection.stations):
        if name in doc.inspection.stations[:index]:
            yield ("inspection", "stations", index), f"station {name!r} is named twice"
    for name, milestone in doc.inspection.until.items():
        if name not in doc.inspection.classes:
            yield (("inspection", "until", name),
                   f"class {name!r} is not one of inspection.classes")
        elif name in doc.classes and milestone not in _milestones(doc, name):
            found = ", ".join(_milestones(doc, name)) or "none"
            yield (("inspection", "until", name),
                   f"class {name!r} has no milestone {milestone!r} on its route "
                   f"(its milestones: {found})")


def _milestones(doc: ScenarioDocument, class_name: str) -> list[str]:
    found = []
    for _, step in route_steps(doc.classes[class_name].route):
        if isinstance(step, MilestoneStep):
            found.append(step.milestone)
        elif isinstance(step, QuickestStep) and step.quickest.milestone is not None:
            found.append(step.quickest.milestone)
    return found


def _variant_problems(doc: ScenarioDocument) -> Iterator[tuple[Loc, str]]:
    """Variants changing what variants share."""
    for variant, patch in doc.variants.items():
        for key in FIXED_IN_VARIANTS:
            if key in patch:
                yield (("variants", variant, key),
                       f"a variant cannot change {key!r}: variants share the scenario's name, "
                       "seed and replications, so that they are compared on common random "
                       "numbers" if key != "variants" else "variants cannot be nested")
        if "calibrate" in patch:
            yield (("variants", variant, "calibrate"),
                   "a variant cannot change 'calibrate': the free parameters are the "
                   "scenario's, one set for the baseline and every variant")


def _station_problems(doc: ScenarioDocument) -> Iterator[tuple[Loc, str]]:
    """Fallbacks and per-class settings of stations that name no station or class."""
    stations, classes = list(doc.stations), list(doc.classes)
    for station_name, station in doc.stations.items():
        if station.fallback is not None and station.fallback not in doc.stations:
            yield (("stations", station_name, "fallback"),
                   unknown_name("station", station.fallback, stations, "stations"))
        elif station.fallback == station_name:
            yield (("stations", station_name, "fallback"),
                   "a station cannot be its own fallback")
        for field in ("service_by_class", "impatience_by_class", "skills"):
            for class_name in getattr(station, field):
                if class_name not in doc.classes:
                    yield (("stations", station_name, field, class_name),
                           unknown_name("class", class_name, classes, "classes"))


def _visit_problems(doc: ScenarioDocument, class_name: str) -> Iterator[tuple[Loc, str]]:
    """A class's route visiting unknown stations, pooled stations without the class's skill,
    and the class's service time at one station given in two places that differ."""
    stations = list(doc.stations)
    chosen: dict[str, tuple[Loc, Any]] = {}
    route = doc.classes[class_name].route
    for loc, station_name, service in _visits(route, ("classes", class_name, "route")):
        if station_name not in doc.stations:
            yield loc, unknown_name("station", station_name, stations, "stations")
            continue
        pooled = doc.stations[station_name]
        if pooled.pools is not None and class_name not in pooled.skills:
            yield (loc, f"{station_name!r} serves by skill: give the skill "
                   f"{class_name!r} needs there in stations.{station_name}.skills")
        if service is None:
            continue
        service_loc = (*loc[:-1], "service")
        on_station = doc.stations[station_name].service_by_class.get(class_name)
        if on_station is not None and on_station != service:
            yield (service_loc, f"conflicts with stations.{station_name}.service_by_class."
                   f"{class_name}; give this class's service time at one place")
        elif station_name in chosen and chosen[station_name][1] != service:
            first = ".".join(map(str, chosen[station_name][0]))
            yield (service_loc, f"conflicts with the service time given at {first}; "
                   f"a class has one service time per station")
        else:
            chosen.setdefault(station_name, (service_loc, service))


def _visit_patience_problems(doc: ScenarioDocument, class_name: str
                             ) -> Iterator[tuple[Loc, str]]:
    """Patience over a whole visit on a route through an unreliable station (not supported)."""
    entity = doc.classes[class_name]
    if entity.visit_patience is None:
        return
    for _loc, station_name, _ in _visits(entity.route, ("classes", class_name, "route")):
        visited = doc.stations.get(station_name)
        if visited is not None and (visited.breakdowns is not None or visited.outages):
            yield (("classes", class_name, "visit_patience"),
                   f"not supported with breakdowns or outages at {station_name!r} "
                   "(on this class's route) yet")
            return


def _travel_problems(doc: ScenarioDocument, class_name: str) -> Iterator[tuple[Loc, str]]:
    """Travel times of a quickest choice to stations it does not choose from."""
    for loc, step in route_steps(doc.classes[class_name].route, ("classes", class_name, "route")):
        if isinstance(step, QuickestStep):
            for target in step.quickest.travel:
                if target not in step.quickest.stations:
                    yield ((*loc, "quickest", "travel", target),
                           f"{target!r} is not one of the stations to choose from "
                           f"({', '.join(step.quickest.stations)})")
