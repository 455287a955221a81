"""Run a holiday calendar (see :mod:`portsim.scenario.holiday`): the baseline and each variant
as one continuous run of the eve and every day, both directions, on the same seed (common
random numbers), and read from each replication the pledge KPI day by day, hour by hour and
direction by direction, the flow of travellers per day, and the officers moved.

Whom the KPIs count: the scenario's pledge classes (its travellers) in each direction, their
waits at the pledge's stations, filed under the hour of their arrival; those still queueing at
the end count with their wait so far. Each cell's interval is Student-t over replications.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from portsim.engine.model import MINUTES_PER_DAY, Model
from portsim.engine.result import ReplicationResult
from portsim.experiment.options import RunOptions
from portsim.experiment.pledge import BROKEN, MET, THIN, UNCERTAIN, judge
from portsim.experiment.runner import Job, job_inputs, run_jobs
from portsim.scenario.holiday import DIRECTIONS, Calendar
from portsim.stats.kpi_keys import slot_name
from portsim.stats.summary import Interval, t_interval

FORMAT = "portsim-holiday/1"
BASELINE = "baseline"
HOURS = 24
SHARE_BOUNDS = (0.0, 1.0)


@dataclass
class Flow:
    """A direction's travellers on one day of one replication."""

    arrived: int
    cleared: int
    in_port_at_end: int  # arrived by the day's end and not yet cleared (queueing, walking...)


@dataclass
class Replicated:
    """What one replication of one run says, by direction: per day and hour the travellers
    counted and those within the standard, and per day the flow."""

    counted: dict[str, np.ndarray]  # direction -> (days, 24)
    within: dict[str, np.ndarray]
    flows: dict[str, list[Flow]]    # direction -> per day of the run (the eve first)


def travellers(model: Model, direction: str) -> list[str]:
    """The classes the pledge counts in ``direction`` (every class of it if the file's pledge
    names none)."""
    mine = [spec.name for spec in model.classes if spec.name.startswith(f"{direction}_")]
    chosen = model.sla_classes
    return [name for name in mine if chosen is None or name in chosen]


def read(model: Model, result: ReplicationResult, holiday_days: int) -> Replicated:
    """The day × hour pledge counts and the daily flows of one replication."""
    counted: dict[str, np.ndarray] = {}
    within: dict[str, np.ndarray] = {}
    flows: dict[str, list[Flow]] = {}
    bins_per_day = round(MINUTES_PER_DAY / result.series.bin_minutes)
    for direction in DIRECTIONS:
        names = travellers(model, direction)
        count = np.zeros((holiday_days, HOURS))
        inside = np.zeros((holiday_days, HOURS))
        for name in names:
            kpis = result.kpis["classes"][name]
            for day in range(holiday_days):
                for hour in range(HOURS):
                    key = slot_name(hour * 60.0, day + 2)  # run day 1 is the eve
                    n = kpis.get(f"wait_{key}_count", 0.0)
                    if n:
                        count[day, hour] += n
                        inside[day, hour] += n * (1.0 - kpis[f"wait_{key}_beyond_share"])
        counted[direction], within[direction] = count, inside
        flows[direction] = _flows(result, names, 1 + holiday_days, bins_per_day)
    return Replicated(counted, within, flows)


def _flows(result: ReplicationResult, names: list[str], days: int,
           bins_per_day: int) -> list[Flow]:
    arrived = np.zeros(days * bins_per_day, dtype=np.int64)
    cleared = np.zeros(days * bins_per_day, dtype=np.int64)
    for name in names:
        a = result.series.arrivals[name][: days * bins_per_day]
        c = result.series.completions[name][: days * bins_per_day]
        arrived[: len(a)] += a
        cleared[: len(c)] += c
    by_day_in = arrived.reshape(days, bins_per_day).sum(axis=1)
    by_day_out = cleared.reshape(days, bins_per_day).sum(axis=1)
    inside = np.cumsum(by_day_in) - np.cumsum(by_day_out)
    return [Flow(int(a), int(c), int(i)) for a, c, i in zip(by_day_in, by_day_out, inside,
                                                             strict=True)]


@dataclass
class RunResults:
    """One run (the baseline or a variant) over its replications."""

    name: str
    rule: str
    scenario_variant: str | None
    model: Model
    replications: list[Replicated]
    moved: dict[str, list[tuple[int, float]]]  # station -> per run day (most, officer-hours)
    engine: str
    seconds: float
    #: Intervals already worked out, by (what, direction, day, hour): every report reads
    #: each cell several times.
    _known: dict[tuple[str, str, int, int | None], Interval] = field(
        default_factory=dict, repr=False, compare=False)

    def share(self, direction: str, day: int, hour: int | None = None) -> Interval:
        """The share within the standard of ``direction``'s travellers arriving on holiday
        ``day`` (0-based), in ``hour`` or over the whole day; its interval over
        replications."""
        key = ("share", direction, day, hour)
        if key not in self._known:
            self._known[key] = self._share(direction, day, hour)
        return self._known[key]

    def _share(self, direction: str, day: int, hour: int | None) -> Interval:
        values = []
        for rep in self.replications:
            count = rep.counted[direction][day] if hour is None else rep.counted[direction][
                day, hour]
            inside = rep.within[direction][day] if hour is None else rep.within[direction][
                day, hour]
            total = float(np.sum(count))
            values.append(float(np.sum(inside)) / total if total > 0 else math.nan)
        return t_interval(values, bounds=SHARE_BOUNDS)

    def counted(self, direction: str, day: int, hour: int | None = None) -> Interval:
        """The travellers counted (mean and interval over replications)."""
        key = ("counted", direction, day, hour)
        if key in self._known:
            return self._known[key]
        values = [float(np.sum(rep.counted[direction][day] if hour is None
                               else rep.counted[direction][day, hour]))
                  for rep in self.replications]
        self._known[key] = t_interval(values, bounds=(0.0, math.inf))
        return self._known[key]

    def moved_on(self, day: int) -> dict[str, tuple[int, float]]:
        """On run ``day``, by resource (``officer``, ``lane``...): the most moved away from
        their own direction at once (the shared stations' peaks added) and the hours they
        worked there."""
        found: dict[str, tuple[int, float]] = {}
        for station, by_day in self.moved.items():
            resource = self.model.station(f"outbound_{station}").resource
            most, hours = found.get(resource, (0, 0.0))
            found[resource] = (most + by_day[day][0], hours + by_day[day][1])
        return found


@dataclass
class HolidayResults:
    """Every run of a calendar."""

    calendar: Calendar
    replications: int
    runs: list[RunResults]

    @property
    def baseline(self) -> RunResults:
        return self.runs[0]

    @property
    def share_target(self) -> float:
        return self.baseline.model.sla_share_target

    def status(self, run: RunResults, direction: str, day: int, hour: int) -> str:
        """The pledge in one hour: met, broken, uncertain, or too few arrivals."""
        within = run.share(direction, day, hour)
        if not math.isfinite(within.mean) or run.counted(direction, day, hour).mean <= 0:
            return THIN
        beyond = Interval(1.0 - within.mean, 1.0 - within.high, 1.0 - within.low,
                          within.half_width, within.n, within.level)
        return judge(beyond, 1.0 - self.share_target)

    def broken_hours(self, run: RunResults) -> list[tuple[str, int, int, str]]:
        """(direction, day, hour, status) of every hour the pledge is broken or uncertain."""
        found = []
        for direction in DIRECTIONS:
            for day in range(len(self.calendar.labels)):
                for hour in range(HOURS):
                    status = self.status(run, direction, day, hour)
                    if status in (BROKEN, UNCERTAIN):
                        found.append((direction, day, hour, status))
        return found

    def difference(self, run: RunResults, direction: str, day: int) -> Interval:
        """The paired difference (run − baseline) of a day's share within the standard in
        ``direction``, over replications on the same random numbers."""
        values = []
        for mine, theirs in zip(run.replications, self.baseline.replications, strict=True):
            a = _day_share(mine, direction, day)
            b = _day_share(theirs, direction, day)
            values.append(a - b)
        return t_interval(values, bounds=(-1.0, 1.0))

    def cells(self) -> list[dict[str, Any]]:
        """One row per run, day, hour and direction: the share within the standard with its
        interval, the travellers counted and the verdict (pledge.csv)."""
        rows = []
        for run in self.runs:
            for day, label in enumerate(self.calendar.labels):
                for hour in range(HOURS):
                    for direction in DIRECTIONS:
                        share = run.share(direction, day, hour)
                        rows.append({
                            "run": run.name, "day": day + 1, "label": label,
                            "hour": f"{hour:02d}:00", "direction": direction,
                            "within_share": _number(share.mean), "low": _number(share.low),
                            "high": _number(share.high),
                            "travellers": _number(run.counted(direction, day, hour).mean),
                            "pledge": self.status(run, direction, day, hour)})
        return rows

    def daily(self) -> list[dict[str, Any]]:
        """One row per run, day of the run (the eve first) and direction: travellers
        arrived, cleared and still in the port at the day's end (means over replications),
        the day's share within the standard, and the officers moved (officers.csv)."""
        rows = []
        labels = ["eve", *self.calendar.labels]
        for run in self.runs:
            for day, label in enumerate(labels):
                moves = run.moved_on(day)
                for direction in DIRECTIONS:
                    flows = [rep.flows[direction][day] for rep in run.replications]
                    share = (run.share(direction, day - 1) if day else None)
                    rows.append({
                        "run": run.name, "day": day, "label": label, "direction": direction,
                        "arrived": float(np.mean([f.arrived for f in flows])),
                        "cleared": float(np.mean([f.cleared for f in flows])),
                        "in_port_at_end": float(np.mean([f.in_port_at_end for f in flows])),
                        "within_share": _number(share.mean) if share else None,
                        **{f"{resource}s_moved_most": most
                           for resource, (most, _) in moves.items()},
                        **{f"{resource}_hours_moved": round(hours, 2)
                           for resource, (_, hours) in moves.items()}})
        return rows

    def to_dict(self) -> dict[str, Any]:
        """What results.json holds."""
        document = self.calendar.document
        return {
            "format": FORMAT,
            "calendar": {"name": document.name, "file": str(self.calendar.source_file),
                         "description": document.description,
                         "scenario": document.scenario,
                         "days": self.calendar.labels,
                         "factors": {t: [getattr(day, t) for day in (document.eve,
                                                                        *document.days)]
                                     for t in DIRECTIONS},
                         "hourly": (None if document.hourly is None
                                    else document.hourly.model_dump())},
            "seed": self.calendar.seed,
            "replications": self.replications,
            "standard_minutes": self.baseline.model.sla,
            "share_target": self.share_target,
            "counts": ("the pledge classes of each direction (their waits at the pledge's "
                       "stations, by the hour of arrival; those still queueing at the end "
                       "with their wait so far); intervals Student-t 95 % over replications"),
            "runs": {run.name: {
                "rule": run.rule, "scenario_variant": run.scenario_variant,
                "engine": run.engine,
                "pledge_broken": [{"direction": t, "day": day + 1, "hour": f"{hour:02d}:00",
                                   "status": status}
                                  for t, day, hour, status in self.broken_hours(run)],
                "days": {t: [{**_interval(run.share(t, day)),
                              **({"difference": _interval(self.difference(run, t, day))}
                                 if run is not self.baseline else {})}
                             for day in range(len(self.calendar.labels))]
                         for t in DIRECTIONS},
                "moved": [{"day": day, **{resource: {"most": most, "hours": round(h, 2)}
                                          for resource, (most, h) in run.moved_on(day).items()}}
                          for day in range(self.calendar.days)],
            } for run in self.runs},
            "daily": self.daily(),
        }


def _day_share(rep: Replicated, direction: str, day: int) -> float:
    total = float(np.sum(rep.counted[direction][day]))
    return float(np.sum(rep.within[direction][day])) / total if total > 0 else math.nan


def _interval(value: Interval) -> dict[str, float | None]:
    return {"mean": _number(value.mean), "low": _number(value.low),
            "high": _number(value.high), "n": value.n}


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def run_holiday(calendar: Calendar, options: RunOptions | None = None) -> HolidayResults:
    """Run the baseline and every variant for ``options.replications`` (default: the
    calendar's), all on the calendar's seed."""
    options = options if options is not None else RunOptions()
    count = options.replications or calendar.document.replications
    seed = calendar.seed
    jobs = [Job(name, model, seed, count, job_inputs(model, {"calendar": calendar.name}))
            for name, model in calendar.models.items()]
    runs = run_jobs(jobs, options)
    holiday_days = len(calendar.labels)
    found = []
    for name, model in calendar.models.items():
        entry = calendar.document.variants.get(name)
        done = runs[name]
        found.append(RunResults(
            name=name, rule=calendar.rule(None if name == BASELINE else name),
            scenario_variant=(entry.variant if entry and entry.variant
                              else calendar.document.variant),
            model=model, replications=[read(model, r, holiday_days) for r in done],
            moved={station: rosters.moved_by_day(calendar.days)
                   for station, rosters in calendar.rosters[name].items()},
            engine=" and ".join(sorted({r.engine for r in done})),
            seconds=float(sum(r.wall_seconds for r in done))))
    return HolidayResults(calendar, count, found)


__all__ = [
    "BASELINE",
    "FORMAT",
    "MET",
    "Flow",
    "HolidayResults",
    "RunResults",
    "read",
    "run_holiday",
    "travellers",
]
