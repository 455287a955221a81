"""Delay attributed to border inspection: each vehicle class's time in port less its time in a
counterfactual run in which the inspection stations take no time and have no queue.

``compare FILE --attribute-delay`` runs, beside the baseline and every variant, the same model
with the stations the scenario's ``inspection:`` block names made *instant* (service of no
time, more servers than could ever be busy, no breakdowns, no giving up). Nothing else
changes: the routes keep every step, so the arrivals, the other stations' service times, the
branches and the spawned members draw exactly the numbers they draw in the run with inspection
(streams are keyed by class, station and route position, not by the order of draws; see
:mod:`portsim.engine.streams`). Replication ``i`` of a run and of its counterfactual are
therefore paired, and the delay attributed to inspection in replication ``i`` is

    delay_i = mean time of the class in the run − the same in its counterfactual,

the time being from arrival until the vehicle leaves the port (``sojourn_mean``) or until a
milestone the block names (``until_<milestone>_mean``, a ship cleared to berth). Its share is
``delay_i`` over the run's own mean time; for a class with a due time, the lateness attributed
is the run's ``lateness_mean`` less the counterfactual's. These become class KPIs of the run
(``inspection_delay_mean``, ``inspection_delay_share``, ``inspection_lateness_mean``), so a
comparison pairs them across variants like any KPI: a variant's difference to the baseline is
the inspection delay it removes.

Who is counted: the vehicles of the class that left (or passed the milestone) after the
warm-up, in each run; near the horizon a vehicle that inspection held past the end is counted
in the counterfactual only, so keep the horizon well beyond a vehicle's stay.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from portsim.engine.distributions import Deterministic
from portsim.engine.model import Model, ShiftSchedule, StationSpec
from portsim.errors import PortsimError
from portsim.experiment.results import Results
from portsim.experiment.runner import Prepared
from portsim.stats.summary import Interval, t_interval

FORMAT = "portsim-inspection-delay/1"
#: What a counterfactual run's label adds to the label of the run it belongs to.
SUFFIX = " (no inspection)"
#: Servers of an instant station: more than could ever be busy at once.
UNLIMITED = 1_000_000
DELAY, SHARE, LATENESS = ("inspection_delay_mean", "inspection_delay_share",
                          "inspection_lateness_mean")


class AttributionError(PortsimError):
    """A scenario whose delay cannot be attributed (it names no inspection)."""


@dataclass(frozen=True)
class Inspection:
    """One run's border inspection: its stations (those of its model), the vehicle classes
    whose delay is attributed and, per class, the milestone its time is measured until."""

    stations: tuple[str, ...]
    classes: tuple[str, ...]
    until: Mapping[str, str]

    def measured(self, class_name: str) -> str:
        """The KPI of the time the delay is the difference of."""
        milestone = self.until.get(class_name)
        return "sojourn_mean" if milestone is None else f"until_{milestone}_mean"


def inspection_of(document: Any, model: Model) -> Inspection | None:
    """The ``inspection:`` block of a scenario document, with the stations of ``model`` it
    names (and those a policy split off them, ``STATION.SUFFIX``); None without a block."""
    block = document.inspection
    if block is None:
        return None
    named = set(block.stations)
    stations = tuple(spec.name for spec in model.stations
                     if spec.name in named or spec.name.split(".", 1)[0] in named)
    classes = tuple(spec.name for spec in model.classes if spec.name in block.classes)
    return Inspection(stations, classes, dict(block.until))


def inspections(scenario: Any, prepared: Sequence[Prepared]) -> dict[str, Inspection]:
    """Per prepared run (by label), its inspection; raises :class:`AttributionError` when the
    scenario names none."""
    found = {}
    for item in prepared:
        inspection = inspection_of(scenario.document(item.variant), item.model)
        if inspection is not None and inspection.classes:
            found[item.label] = inspection
    if not found:
        _none_named(scenario)
    return found


def inspected_runs(scenario: Any, variants: Sequence[str | None]) -> int:
    """How many of the runs of ``variants`` (None: the baseline) have an inspection to run
    without; raises :class:`AttributionError` when none has (before anything runs)."""
    count = 0
    for variant in variants:
        inspection = inspection_of(scenario.document(variant), scenario.model(variant))
        count += inspection is not None and bool(inspection.classes)
    if not count:
        _none_named(scenario)
    return count


def _none_named(scenario: Any) -> None:
    where = scenario.source_file or scenario.name
    raise AttributionError(f"{where}: --attribute-delay needs the scenario to say which "
                           "stations are border inspection and whose delay to attribute: add "
                           "an `inspection:` block with `stations:` and `classes:` "
                           "(docs/scenario-format.md)")


def instant(model: Model, stations: Iterable[str]) -> Model:
    """``model`` with ``stations`` taking no time and having no queue: every class served at
    once by one of more servers than could ever be busy, which never break down, and nobody
    giving up there. Routes, classes and the other stations are unchanged."""
    chosen = set(stations)
    none = Deterministic(0.0)

    def made_instant(spec: StationSpec) -> StationSpec:
        return dataclasses.replace(
            spec, servers=ShiftSchedule.constant(UNLIMITED), service=none,
            service_by_class={}, discipline="fifo", reactive=None, booking_servers=0,
            impatience=None, impatience_by_class={}, pools=(), skill_by_class={},
            breakdowns=None, outages=(), positions=None)

    return dataclasses.replace(model, stations=tuple(
        made_instant(spec) if spec.name in chosen else spec for spec in model.stations))


def counterfactuals(prepared: Sequence[Prepared], inspections: Mapping[str, Inspection],
                    engine: str = "auto") -> list[Prepared]:
    """Per prepared run with an inspection, its counterfactual: the same model with the
    inspection stations instant, under the run's label and :data:`SUFFIX`. ``engine``: the
    run's engine choice (the fast engine cannot serve in no time)."""
    if inspections and engine == "fast":
        raise AttributionError("--attribute-delay runs each variant again with its inspection "
                               "taking no time, which the fast engine cannot run: leave out "
                               "--engine fast (auto takes the fast path wherever it can)")
    taken = {item.label for item in prepared}
    made = []
    for item in prepared:
        inspection = inspections.get(item.label)
        if inspection is None:
            continue
        label = item.label + SUFFIX
        if label in taken:
            raise AttributionError(f"a variant is named {label!r}, the name the counterfactual "
                                   f"run of {item.label!r} takes; rename it")
        provenance = {**item.provenance,
                      "counterfactual": {"of": item.label, "instant": list(inspection.stations)}}
        made.append(dataclasses.replace(item, label=label, provenance=provenance,
                                        model=instant(item.model, inspection.stations)))
    return made


@dataclass(frozen=True)
class Attributed:
    """One class's delay attributed to inspection in one run, with the times it is the
    difference of (means over replications, 95% intervals)."""

    label: str
    class_name: str
    measured: str
    delay: Interval
    share: Interval
    lateness: Interval | None
    with_inspection: Interval
    without: Interval

    def to_dict(self) -> dict[str, Any]:
        return {"variant": self.label, "class": self.class_name, "measured": self.measured,
                "delay": self.delay.as_dict(), "share": self.share.as_dict(),
                "lateness": None if self.lateness is None else self.lateness.as_dict(),
                "with_inspection": self.with_inspection.as_dict(),
                "without_inspection": self.without.as_dict()}


@dataclass
class Attribution:
    """The delay attributed to inspection in every run of a comparison that has one."""

    inspections: dict[str, Inspection]
    attributed: list[Attributed]

    def for_class(self, class_name: str) -> list[Attributed]:
        return [item for item in self.attributed if item.class_name == class_name]

    @property
    def classes(self) -> list[str]:
        return list(dict.fromkeys(item.class_name for item in self.attributed))

    def to_dict(self) -> dict[str, Any]:
        """What results.json holds under ``inspection_delay``."""
        return {
            "format": FORMAT,
            "counterfactual": "the same run with the inspection stations taking no time and "
                              "having no queue, on the same random numbers",
            "stations": {label: list(item.stations)
                         for label, item in self.inspections.items()},
            "attributed": [item.to_dict() for item in self.attributed],
        }


def attribute(results: dict[str, Results], inspections: Mapping[str, Inspection],
              level: float = 0.95) -> Attribution:
    """Take each counterfactual run out of ``results`` and give its run the inspection KPIs
    of every inspected class, replication by replication (see the module docstring)."""
    found = []
    for label, inspection in inspections.items():
        run, without = results[label], results.pop(label + SUFFIX)
        for class_name in inspection.classes:
            found.append(_attribute(run, without, label, class_name,
                                    inspection.measured(class_name), level))
    return Attribution(dict(inspections), found)


def _attribute(run: Results, without: Results, label: str, class_name: str, measured: str,
               level: float) -> Attributed:
    """Add the class's inspection KPIs to every replication of ``run``."""
    if not (run.has("classes", class_name, measured)
            and without.has("classes", class_name, measured)):
        raise AttributionError(f"{label}: class {class_name!r} has no {measured} to measure "
                               "its delay by")
    times = run.per_replication("classes", class_name, measured)
    base = without.per_replication("classes", class_name, measured)
    delay = times - base
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(times > 0, delay / times, np.nan)
    late = None
    if run.has("classes", class_name, "lateness_mean"):
        late = (run.per_replication("classes", class_name, "lateness_mean")
                - without.per_replication("classes", class_name, "lateness_mean"))
    for index, replication in enumerate(run.replications):
        kpis = replication.kpis["classes"][class_name]
        kpis[DELAY], kpis[SHARE] = float(delay[index]), float(share[index])
        if late is not None:
            kpis[LATENESS] = float(late[index])
    return Attributed(label, class_name, measured, t_interval(delay, level),
                      t_interval(share, level),
                      None if late is None else t_interval(late, level),
                      t_interval(times, level), t_interval(base, level))


__all__ = [
    "DELAY",
    "LATENESS",
    "SHARE",
    "SUFFIX",
    "Attributed",
    "Attribution",
    "AttributionError",
    "Inspection",
    "attribute",
    "counterfactuals",
    "inspected_runs",
    "inspection_of",
    "inspections",
    "instant",
]
