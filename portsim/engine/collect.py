"""Collection: the KPIs, series and histograms of one finished replication.

The KPIs are those of the catalogue (:mod:`portsim.stats.kpis`), in its order: each row is
built by asking the catalogue which keys a class, station or the whole port has and computing
each here, in one place. Adding a KPI means adding it to the catalogue and to the table of
values below.

Waits still in progress at the end (customers in a queue) count, with their wait so far, in the
wait quantiles, the maximum, the share within the standard and the slot KPIs; ``waiting_end``
says how many they are. The mean wait is that of the waits that ended. Times in system still in
progress (everyone in the system at the end: queueing, in service, on the way) count likewise,
with their time so far, in the time-in-system quantiles, maximum and share within the standard;
the mean is that of the visits that ended.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

import numpy as np

from portsim.engine import model as m
from portsim.engine.breakdowns import UnreliableStation
from portsim.engine.impatience import ImpatientStation
from portsim.engine.resource_use import (
    NO_LEDGER,
    Ledger,
    ledger_values,
    system_ledger,
    waited_minutes,
)
from portsim.engine.result import Histogram, ReplicationResult, Series
from portsim.stats import kpis as catalogue
from portsim.stats.accumulators import Tally
from portsim.stats.slots import SlotSummary, SlotTally

if TYPE_CHECKING:
    from portsim.engine.classes import ClassState
    from portsim.engine.station import Station


class FinishedReplication(Protocol):
    """What collection reads of a replication run to its horizon: the event engine's
    (:class:`~portsim.engine.simulation.Replication`) or the fast path's, which fills the same
    accumulators and gives its stations the same statistics."""

    model: m.Model
    seed: int
    replication: int
    bin_width: float
    classes: dict[str, ClassState]
    #: The system's tallies, kept only with more than one class (else the class's are read).
    system_tallies: bool
    system_waits: Tally
    system_sojourns: Tally
    #: The number in system: at the start of the statistics (``in_start``), and its integral
    #: by parts (the area over [in_start, t] is ``in_area + t * in_count``).
    in_start: float
    in_system_start: int
    in_area: float

    @property
    def stations(self) -> Mapping[str, Station]: ...
    @property
    def arrivals(self) -> int: ...
    @property
    def completions(self) -> int: ...
    @property
    def in_count(self) -> int: ...
    def still_inside(self) -> dict[str, np.ndarray]:
        """When each entity still in the system at the horizon arrived, by class."""


# ----------------------------------------------------------------------------- what is measured

#: Slot and clock KPIs are given day by day only for runs of a few measured days (a week): a
#: long steady-state run would otherwise report thousands of them; all days are pooled always.
MOST_DAYS_BY_DAY = 7


@dataclass(frozen=True)
class Layout:
    """The clock slots and clock times a model's KPIs cover, after the warm-up."""

    slots: tuple[str, ...]          # pooled slot names, in clock order
    day_slots: tuple[str, ...]      # per-day slot names (when more than one day is measured)
    clocks: tuple[str, ...]         # queue_at names, pooled then per day
    slot_index: dict[str, tuple[int, ...]]  # name -> indices into the run's slots
    clock_samples: dict[str, tuple[tuple[int, float], ...]]  # name -> (day, minute) samples
    longest: bool = False           # each slot's longest wait too (model.slot_longest)
    monitor: bool = False           # each class slot's monitor reading (model.monitor_every)


def layout(model: m.Model) -> Layout:
    """Which slots and clock times ``model``'s KPIs report."""
    width, day = model.slot_minutes, m.MINUTES_PER_DAY
    per_day = round(day / width)
    days = max(1, math.ceil(model.horizon / day))
    starts = np.arange(days * per_day) * width
    measured = (starts >= model.warmup - 1e-9) & (starts < model.horizon)
    pooled: dict[str, list[int]] = {}
    by_day: dict[str, list[int]] = {}
    measured_days = sorted({int(i // per_day) for i in np.flatnonzero(measured)})
    by_days = 1 < len(measured_days) <= MOST_DAYS_BY_DAY
    for index in np.flatnonzero(measured):
        start = float(starts[index])
        pooled.setdefault(catalogue.slot_name(start % day), []).append(int(index))
        if by_days:
            by_day[catalogue.slot_name(start % day, int(index // per_day) + 1)] = [int(index)]
    samples = clock_samples(model)
    clocks: dict[str, list[tuple[int, float]]] = {}
    for minute in sorted(set(model.queue_at)):
        clocks[catalogue.clock_name(minute)] = [s for s in samples if s[1] == minute]
    sample_days = sorted({d for d, _ in samples})
    if 1 < len(sample_days) <= MOST_DAYS_BY_DAY:
        for sample in samples:
            clocks[catalogue.clock_name(sample[1], sample[0] + 1)] = [sample]
    ordered = sorted(pooled, key=lambda name: name[1:])
    return Layout(tuple(ordered), tuple(by_day),
                  tuple(name for name in clocks if clocks[name]),
                  {**{k: tuple(v) for k, v in pooled.items()},
                   **{k: tuple(v) for k, v in by_day.items()}},
                  {k: tuple(v) for k, v in clocks.items() if v}, model.slot_longest,
                  model.monitor_every is not None)


def clock_samples(model: m.Model) -> list[tuple[int, float]]:
    """Every (day, minute of the day) at which queues are recorded: the ``queue_at`` clock
    times of each day that fall after the warm-up and before the horizon."""
    samples = []
    for day in range(math.ceil(model.horizon / m.MINUTES_PER_DAY)):
        for minute in sorted(set(model.queue_at)):
            when = day * m.MINUTES_PER_DAY + minute
            if model.warmup <= when < model.horizon:
                samples.append((day, minute))
    return samples


def kpi_names(model: m.Model) -> dict[str, dict[str, list[str]]]:
    """The KPIs a run of ``model`` reports, by scope and name, without running it."""
    plan = layout(model)
    slots = plan.slots + plan.day_slots
    return {
        "classes": {spec.name: [kpi.key for kpi in catalogue.class_kpis(
            m.milestone_names(spec.route), spec.due_after is not None, slots,
            model.gives_up(spec.name), plan.longest, plan.monitor)]
            for spec in model.classes},
        "stations": {spec.name: [kpi.key for kpi in catalogue.station_kpis(
            slots, plan.clocks, model.impatient_at(spec.name), spec.booking_servers > 0,
            spec.refuses, spec.unreliable, model.prices is not None, plan.longest)]
            for spec in model.stations},
        "system": {"all": [kpi.key for kpi in _system_kpis(model)]},
    }


def _system_kpis(model: m.Model) -> Iterator[catalogue.Kpi]:
    return catalogue.system_kpis(model.resources,
                                 any(spec.booking_servers > 0 for spec in model.stations),
                                 model.prices is not None)


# ----------------------------------------------------------------------------- collection


def collect(state: FinishedReplication, events: int, wall_seconds: float) -> ReplicationResult:
    """The KPIs of a replication run to its horizon; closes its stations' statistics."""
    model = state.model
    end = model.horizon
    hours = (end - model.warmup) / 60.0
    plan = layout(model)
    waiting = _still_waiting(state, end)
    inside = {name: end - arrived for name, arrived in state.still_inside().items()}
    kpis: dict[str, dict[str, dict[str, float]]] = {"classes": {}, "stations": {}}
    histograms: dict[str, dict[str, Histogram]] = {"classes": {}, "stations": {}}
    for name, kind in state.classes.items():
        kpis["classes"][name] = _class_row(kind, hours, waiting.classes.get(name),
                                           waiting.slot_classes.get(name), inside.get(name),
                                           plan, model.gives_up(name))
        histograms["classes"][name] = _histogram(kind.waits)
    for name, station in state.stations.items():
        station.close(end)
        spec = model.station(name)
        kpis["stations"][name] = _station_row(station, hours, waiting.stations[name], plan,
                                              model.impatient_at(name),
                                              spec.booking_servers > 0, spec.refuses,
                                              spec.unreliable, Ledger(spec, model.prices))
        histograms["stations"][name] = _histogram(station.waits)
    waited = waited_minutes(state.stations.values(), waiting.stations.values())
    kpis["system"] = {"all": _system_row(state, end, hours, waiting,
                                         system_ledger(model, kpis["stations"], waited))}
    return ReplicationResult(state.replication, state.seed, kpis, _series(state), histograms,
                             events, wall_seconds)


@dataclass
class _Waiting:
    """Waits in progress at the end: per class (wait so far, arrival at the port) and per
    station (time in its queue, time it joined)."""

    classes: dict[str, tuple[np.ndarray, np.ndarray]]
    stations: dict[str, tuple[np.ndarray, np.ndarray]]
    #: What the classes' slot KPIs file: ``classes``, or with ``Model.slot_stations`` only
    #: the waits at those stations (the wait so far where one of them is the queue).
    slot_classes: dict[str, tuple[np.ndarray, np.ndarray]]

    def all_class_waits(self) -> np.ndarray:
        parts = [waits for waits, _ in self.classes.values()]
        return np.concatenate(parts) if parts else np.zeros(0)


def _still_waiting(state: FinishedReplication, end: float) -> _Waiting:
    by_class: dict[str, tuple[list[float], list[float], list[float]]] = {}
    stations = {}
    counted = state.model.slot_stations
    for name, station in state.stations.items():
        entities = station.queue.entities()
        queued = np.array([entity.queued for entity in entities], dtype=float)
        stations[name] = (end - queued, queued)
        counts_here = counted is not None and name in counted
        for entity in entities:
            waits, arrived, slot_waits = by_class.setdefault(entity.kind.name, ([], [], []))
            waits.append(entity.wait + end - entity.queued)
            arrived.append(entity.arrived)
            if not state.model.counts_some_stations(entity.kind.name):
                slot_waits.append(waits[-1])
            else:  # only the waits at the stations that count
                so_far = getattr(entity, "counted", math.nan)
                if counts_here:
                    so_far = (0.0 if math.isnan(so_far) else so_far) + end - entity.queued
                slot_waits.append(so_far)
    classes = {name: (np.asarray(w, dtype=float), np.asarray(a, dtype=float))
               for name, (w, a, _) in by_class.items()}
    slot_classes = classes if counted is None else {
        name: _visited(np.asarray(c, dtype=float), classes[name][1])
        for name, (_, _, c) in by_class.items()}
    return _Waiting(classes, stations, slot_classes)


def _visited(waits: np.ndarray, arrived: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Those who queued at a station that counts in the slots (NaN: none yet)."""
    visited = ~np.isnan(waits)
    return waits[visited], arrived[visited]


Values = dict[str, Callable[[], float]]


def _row(kpis: Iterator[catalogue.Kpi], scalars: Values,
         families: dict[str, tuple[Tally, np.ndarray | None]],
         slots: dict[str, SlotSummary], clocks: dict[str, float]) -> dict[str, float]:
    """One row: each catalogue KPI computed from the scalars, the tally families, the slot
    summaries or the clock samples."""
    row: dict[str, float] = {}
    with_censored: dict[str, Tally] = {}
    for kpi in kpis:
        key = kpi.key
        if key in scalars:
            row[key] = scalars[key]()
        elif kpi.family is not None:
            tally, censored = families[kpi.family]
            suffix = key[len(kpi.family) + 1:]
            if suffix != "mean" and censored is not None and censored.size:
                if kpi.family not in with_censored:
                    with_censored[kpi.family] = tally.with_values(censored)
                tally = with_censored[kpi.family]
            row[key] = _tally_value(tally, suffix)
        elif key.startswith("queue_at_"):
            row[key] = clocks[key.removeprefix("queue_at_")]
        else:
            parsed = catalogue.parse_slot_key(key)
            assert parsed is not None, key
            row[key] = _slot_value(slots[parsed[0]], parsed[1])
    return row


def _tally_value(tally: Tally, suffix: str) -> float:
    if suffix == "mean":
        return tally.mean
    if suffix == "max":
        return tally.maximum if tally.count else math.nan
    if suffix == "sla_share":
        return tally.share_within()
    return tally.quantile(int(suffix[1:]) / 100.0)


def _slot_value(summary: SlotSummary, stat: str) -> float:
    if stat == "count":
        return float(summary.count)
    if stat == "mean":
        return summary.mean
    if stat == "p95":
        return summary.p95
    if stat == "max":
        return summary.longest
    return summary.beyond_share


def _slot_summaries(tally: SlotTally, waiting: tuple[np.ndarray, np.ndarray] | None,
                    plan: Layout) -> dict[str, SlotSummary]:
    """The slot summaries a row reports (pooled over measured days, and per day)."""
    if not plan.slots:
        return {}
    if waiting is not None and waiting[0].size:
        tally.add_many(*waiting)
    pooled = tally.pooled()
    per_day = tally.slots_per_day
    found = {name: pooled[plan.slot_index[name][0] % per_day] for name in plan.slots}
    if plan.day_slots:
        days = tally.by_day()
        for name in plan.day_slots:
            (index,) = plan.slot_index[name]
            found[name] = days[index // per_day][index % per_day]
    return found


def _flow_values(counts: ClassState | Station, waits: Tally, hours: float,
                 waiting: int) -> Values:
    """The values a class and a station share: arrivals, completions, their rates, the share
    who waited and how many still wait."""
    return {
        "arrivals": lambda: float(counts.arrivals),
        "completions": lambda: float(counts.completions),
        "arrival_rate_per_hour": lambda: counts.arrivals / hours,
        "throughput_per_hour": lambda: counts.completions / hours,
        "prob_wait": waits.share_positive,
        "waiting_end": lambda: float(waiting),
    }


def _gave_up_values(counts: ClassState | Station, balked: int, abandoned: int) -> Values:
    """Balking and reneging of a class or a station (over its arrivals)."""
    return {
        "balked": lambda: float(balked),
        "abandoned": lambda: float(abandoned),
        "balked_share": lambda: balked / counts.arrivals if counts.arrivals else math.nan,
        "abandoned_share": lambda: abandoned / counts.arrivals if counts.arrivals else math.nan,
    }


def _class_row(kind: ClassState, hours: float,
               waiting: tuple[np.ndarray, np.ndarray] | None,
               slot_waiting: tuple[np.ndarray, np.ndarray] | None, inside: np.ndarray | None,
               plan: Layout, impatient: bool) -> dict[str, float]:
    censored = waiting[0] if waiting is not None else np.zeros(0)
    kind.waits.flush()  # its last chunk reaches the slots (the tally's on_flush) first
    scalars = _flow_values(kind, kind.waits, hours, censored.size)
    lateness = kind.lateness
    if lateness is not None:
        scalars.update({
            "late_share": lambda: 1.0 - lateness.share_within(),
            "lateness_mean": lambda: lateness.mean,
            "lateness_max": lambda: lateness.maximum if lateness.count else math.nan,
        })
    families: dict[str, tuple[Tally, np.ndarray | None]] = {
        "wait": (kind.waits, censored), "sojourn": (kind.sojourns, inside),
        **{f"until_{name}": (tally, None) for name, tally in kind.milestones.items()}}
    if impatient:
        scalars.update(_gave_up_values(kind, kind.balked, kind.abandoned))
        families["abandoned_wait"] = (kind.abandon_waits, None)
    slots = plan.slots + plan.day_slots
    if plan.monitor and kind.monitor is not None:
        scalars.update(_monitor_values(kind.monitor, plan))
    kpis = catalogue.class_kpis(list(kind.milestones), lateness is not None, slots, impatient,
                                plan.longest, plan.monitor)
    return _row(kpis, scalars, families, _slot_summaries(kind.slots, slot_waiting, plan), {})


def _monitor_values(readings: np.ndarray, plan: Layout) -> Values:
    """Each slot's longest monitor reading: over the measured days for a pooled slot (NaN
    where no reading fell in it)."""
    values: Values = {}
    for name in plan.slots + plan.day_slots:
        chosen = readings[list(plan.slot_index[name])]
        longest = float(np.nanmax(chosen)) if np.any(~np.isnan(chosen)) else math.nan
        values[f"wait_{name}_monitor"] = functools.partial(float, longest)
    return values


def _balked_share(station: ImpatientStation, indices: tuple[int, ...]) -> Callable[[], float]:
    """The share who balked of those who came to ``station`` in the run's slots ``indices``."""
    came = sum(station.came_by_slot[i] for i in indices)
    balked = sum(station.balked_by_slot[i] for i in indices)
    return lambda: balked / came if came else math.nan


def _station_row(station: Station, hours: float, waiting: tuple[np.ndarray, np.ndarray],
                 plan: Layout, impatient: bool, on_call: bool = False,
                 refuses: bool = False, unreliable: bool = False,
                 ledger: Ledger = NO_LEDGER) -> dict[str, float]:
    available = station.capacity_level.area
    scalars = _flow_values(station, station.waits, hours, waiting[0].size)
    scalars.update({
        "queue_mean": station.queue_level.time_average,
        "queue_max": lambda: float(station.queue_level.maximum),
        "utilisation": lambda: (station.busy_level.area / available if available > 0
                                else math.nan),
        "servers_mean": station.servers_level.time_average,
        **ledger_values(station, ledger, on_call),
    })
    clocks = {name: float(np.mean([station.queue_samples[sample] for sample in samples]))
              for name, samples in plan.clock_samples.items()}
    families: dict[str, tuple[Tally, np.ndarray | None]] = {"wait": (station.waits, waiting[0])}
    if hasattr(station, "abandon_waits"):  # an ImpatientStation, or the fast path's like it
        gives_up = cast(ImpatientStation, station)
        scalars.update(_gave_up_values(gives_up, gives_up.balked, gives_up.abandoned))
        scalars["retried"] = lambda: float(gives_up.retried)
        families["abandoned_wait"] = (gives_up.abandon_waits, None)
        if refuses:
            for name in plan.slots + plan.day_slots:
                scalars[f"balked_{name}_share"] = _balked_share(gives_up,
                                                                plan.slot_index[name])
    if on_call:
        scalars["on_call_mean"] = station.on_call_level.time_average
    if hasattr(station, "broken_level"):  # an UnreliableStation, or the fast path's like it
        down = cast(UnreliableStation, station)
        scalars.update({
            "broken_mean": down.broken_level.time_average,
            "out_of_order_share": down.out_of_order_level.time_average,
            "interrupted": lambda: float(down.interrupted),
            "diverted": lambda: float(down.diverted),
        })
    kpis = catalogue.station_kpis(plan.slots + plan.day_slots, plan.clocks, impatient, on_call,
                                  refuses, unreliable, "cost" in scalars, plan.longest)
    return _row(kpis, scalars, families, _slot_summaries(station.slots, waiting, plan), clocks)


def _system_row(state: FinishedReplication, end: float, hours: float, waiting: _Waiting,
                ledger: dict[str, float]) -> dict[str, float]:
    in_span = end - state.in_start
    system_waits, system_sojourns = state.system_waits, state.system_sojourns
    if not state.system_tallies:  # one class: its tallies are the system's (see Replication)
        (kind,) = state.classes.values()
        system_waits, system_sojourns = kind.waits, kind.sojourns
    censored = waiting.all_class_waits()
    scalars: Values = {
        "arrivals": lambda: float(state.arrivals),
        "completions": lambda: float(state.completions),
        "in_system_start": lambda: float(state.in_system_start),
        "in_system_end": lambda: float(state.in_count),
        "in_system_mean": lambda: ((state.in_area + end * state.in_count) / in_span
                                   if in_span > 0 else float(state.in_count)),
        "arrival_rate_per_hour": lambda: state.arrivals / hours,
        "throughput_per_hour": lambda: state.completions / hours,
        "sojourn_mean": lambda: system_sojourns.mean,
        "wait_mean": lambda: system_waits.mean,
        "wait_sla_share": (system_waits.with_values(censored) if censored.size
                           else system_waits).share_within,
        "waiting_end": lambda: float(censored.size),
        **{key: functools.partial(float, value) for key, value in ledger.items()},
    }
    return _row(_system_kpis(state.model), scalars, {}, {}, {})


def _series(state: FinishedReplication) -> Series:
    return Series(
        bin_minutes=state.bin_width,
        arrivals={n: k.arrival_series for n, k in state.classes.items()},
        completions={n: k.completion_series for n, k in state.classes.items()},
        queue_mean={n: (np.asarray(s.queue_level.bins) / state.bin_width).tolist()
                    for n, s in state.stations.items()},
    )


def _histogram(tally: Tally) -> Histogram:
    tally.flush()
    nonzero = np.flatnonzero(tally.histogram)
    return Histogram(tally.zeros, nonzero.tolist(), tally.histogram[nonzero].tolist(),
                     tally.maximum)


__all__ = ["FinishedReplication", "Layout", "clock_samples", "collect", "kpi_names", "layout"]
