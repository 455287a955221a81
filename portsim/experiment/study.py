"""Run a study (several ports, see :mod:`portsim.scenario.study`) and pool its pledge KPIs.

Every copy of every port is one job of the runner (:func:`~portsim.experiment.runner.run_jobs`),
so ports × replications are the tasks of one local process pool or one Dask cluster, each port
on the engine its model allows (the runner chooses per job).

The pledge KPIs of a port pool the crossings of its traveller classes over its copies,
replication by replication; the national KPIs pool every port's crossings the same way
(replication r of every port), and each KPI has its Student-t 95 % interval over the
replications. The crossings counted are those the share within the standard counts: travellers
who left after the warm-up and those still queueing at the end (with their wait so far).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from portsim.engine.fast import choose_engine
from portsim.engine.fast_plan import FastPathUnavailable
from portsim.engine.result import Histogram, ReplicationResult
from portsim.experiment.options import RunOptions
from portsim.experiment.results import Results
from portsim.experiment.runner import Job, job_inputs, resolve, results_of, run_jobs
from portsim.scenario.study import Port, Study, describe
from portsim.stats.accumulators import HIST_BINS, histogram_quantile
from portsim.stats.summary import Interval, t_interval

FORMAT = "portsim-study/1"
NATIONAL = "national"
#: The pledge KPIs of a port and of the nation, in the order reports show them.
KPIS = ("crossings", "within_share", "wait_mean", "wait_p95", "throughput_per_hour",
        "waiting_end")
#: The KPIs that are shares (in [0, 1]); the others are never negative.
SHARES = frozenset({"within_share"})
LABELS = {"crossings": "crossings counted", "within_share": "share cleared within {standard}",
          "wait_mean": "mean wait (min)", "wait_p95": "95th percentile wait (min)",
          "throughput_per_hour": "cleared per hour", "waiting_end": "still queueing at the end"}
POOLING = ("per replication r, the crossings of replication r of every copy of every port are "
           "pooled (counts added, shares and means weighted by crossings, the 95th percentile "
           "read from the merged wait histograms); the interval is Student-t over replications")


@dataclass
class Pool:
    """The crossings of one or more ports in one replication, added up."""

    counted: float = 0.0      # left after the warm-up, or still queueing at the end
    within: float = 0.0       # of those, waited at most the standard
    left: float = 0.0         # left after the warm-up (the mean wait's count)
    wait_total: float = 0.0   # their waits added
    waiting_end: float = 0.0
    per_hour: float = 0.0
    zeros: int = 0
    bins: np.ndarray = field(default_factory=lambda: np.zeros(HIST_BINS, dtype=np.int64))
    longest: float = 0.0

    def add_class(self, kpis: Mapping[str, float], waits: Histogram) -> None:
        """One traveller class of one port's replication."""
        waiting = kpis["waiting_end"]
        left = kpis["completions"]
        counted = left + waiting
        self.counted += counted
        if counted:
            self.within += kpis["wait_sla_share"] * counted
        if left:
            self.left += left
            self.wait_total += kpis["wait_mean"] * left
        self.waiting_end += waiting
        self.per_hour += kpis["throughput_per_hour"]
        self.zeros += waits.zeros
        np.add.at(self.bins, waits.bins, waits.counts)
        self.longest = max(self.longest, waits.max if waits.bins or waits.zeros else 0.0)

    def add(self, other: Pool) -> None:
        self.counted += other.counted
        self.within += other.within
        self.left += other.left
        self.wait_total += other.wait_total
        self.waiting_end += other.waiting_end
        self.per_hour += other.per_hour
        self.zeros += other.zeros
        self.bins += other.bins
        self.longest = max(self.longest, other.longest)

    def p95(self) -> float:
        """The 95th percentile wait, those still queueing at the end ranked above every wait
        that ended (their waits so far are not kept): when the percentile falls among them,
        the longest wait that ended (a lower bound)."""
        ended = self.zeros + int(self.bins.sum())
        rank = 0.95 * (ended + self.waiting_end)
        if ended == 0:
            return math.nan
        if rank > ended:
            return self.longest
        return histogram_quantile(self.zeros, self.bins, rank / ended, self.longest)

    def kpis(self) -> dict[str, float]:
        return {
            "crossings": self.counted,
            "within_share": self.within / self.counted if self.counted else math.nan,
            "wait_mean": self.wait_total / self.left if self.left else math.nan,
            "wait_p95": self.p95(),
            "throughput_per_hour": self.per_hour,
            "waiting_end": self.waiting_end,
        }


def port_pool(result: ReplicationResult, travellers: Iterable[str]) -> Pool:
    """The traveller classes of one replication of one port's copy."""
    pool = Pool()
    for name in travellers:
        pool.add_class(result.kpis["classes"][name], result.histograms["classes"][name])
    return pool


@dataclass
class PortResults:
    """A port's copies (each a :class:`Results`) and its pooled pledge KPIs per replication."""

    port: Port
    copies: dict[str, Results]  # by job label: ``name``, or ``name #k`` for copy k
    values: dict[str, list[float]]

    @property
    def engine(self) -> str:
        return " and ".join(sorted({copy.engine for copy in self.copies.values()}))

    @property
    def seconds(self) -> float:
        return float(sum(copy.timings["total_seconds"] for copy in self.copies.values()))


@dataclass
class StudyResults:
    """Every port's results and the national pooled KPIs."""

    study: Study
    replications: int
    ports: list[PortResults]
    national: dict[str, list[float]]

    def summary(self, values: Mapping[str, Sequence[float]], kpi: str) -> Interval:
        """The KPI's mean over replications and its interval, cut to its physical range (a
        share within [0, 1], every other KPI never below 0)."""
        return t_interval(np.asarray(values[kpi], dtype=float),
                          bounds=(0.0, 1.0) if kpi in SHARES else (0.0, math.inf))

    def rows(self) -> list[dict[str, Any]]:
        """One row per (port or national, KPI): mean and interval (study.csv)."""
        rows = []
        places = [(p.port.name, p.port.entry.kind, p.values) for p in self.ports]
        for name, kind, values in [*places, (NATIONAL, "all", self.national)]:
            for kpi in KPIS:
                rows.append({"port": name, "kind": kind, "kpi": kpi,
                             **self.summary(values, kpi).as_dict()})
        return rows

    def to_dict(self) -> dict[str, Any]:
        """What study.json holds: inputs, every port's and the national KPIs, with the values
        of every replication."""
        def block(values: Mapping[str, Sequence[float]]) -> dict[str, Any]:
            return {kpi: {**self.summary(values, kpi).as_dict(),
                          "values": [_number(v) for v in values[kpi]]} for kpi in KPIS}

        document = self.study.document
        inputs = describe(self.study)
        return {
            "format": FORMAT,
            "study": {"name": document.name, "file": str(self.study.source_file),
                      "description": document.description, "standard": document.standard},
            "replications": self.replications,
            "pooling": POOLING,
            "ports": {p.port.name: {**inputs[p.port.name], "kpis": block(p.values)}
                      for p in self.ports},
            "national": block(self.national),
        }

    @property
    def timings(self) -> dict[str, Any]:
        seconds = {p.port.name: p.seconds for p in self.ports}
        total = sum(seconds.values())
        return {"port_seconds": seconds, "total_seconds": total,
                "seconds_per_replication": total / self.replications}


def jobs(study: Study, replications: int,
         provenances: Mapping[str, dict[str, Any]]) -> list[tuple[Port, Job]]:
    """One job per copy of every port, labelled ``name`` or ``name #k``."""
    found = []
    for port in study.ports:
        provenance = provenances[port.name]
        for copy, seed in enumerate(port.seeds):
            label = port.name if port.entry.copies == 1 else f"{port.name} #{copy + 1}"
            found.append((port, Job(label, port.model, seed, replications,
                                    job_inputs(port.model, provenance))))
    return found


def run_study(study: Study, options: RunOptions | None = None) -> StudyResults:
    """Run every port's copies for ``options.replications`` (default: the study file's) and
    pool their pledge KPIs."""
    options = options if options is not None else RunOptions()
    replications = options.replications or study.document.replications
    provenances = {port.name: _provenance(port) for port in study.ports}
    planned = jobs(study, replications, provenances)
    for port in study.ports:
        try:
            choose_engine(port.model, options.engine)
        except FastPathUnavailable as error:  # named by port, before anything runs
            raise FastPathUnavailable(f"--engine fast, {port.name}: {error}") from None
    runs = run_jobs([job for _, job in planned], options)
    ports: list[PortResults] = []
    national = [Pool() for _ in range(replications)]
    for port in study.ports:
        labelled = [job for owner, job in planned if owner is port]
        copies = {job.label: results_of(port.model, provenances[port.name], port.entry.variant,
                                        job.seed, runs[job.label]) for job in labelled}
        pools = [Pool() for _ in range(replications)]
        for job in labelled:
            for index, result in enumerate(runs[job.label]):
                pools[index].add(port_pool(result, port.travellers))
        for index, pool in enumerate(pools):
            national[index].add(pool)
        ports.append(PortResults(port, copies, _values(pools)))
    return StudyResults(study, replications, ports, _values(national))


def _values(pools: Sequence[Pool]) -> dict[str, list[float]]:
    per_replication = [pool.kpis() for pool in pools]
    return {kpi: [values[kpi] for values in per_replication] for kpi in KPIS}


def _provenance(port: Port) -> dict[str, Any]:
    return resolve(port.scenario, port.entry.variant)[1]


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


__all__ = ["FORMAT", "KPIS", "LABELS", "NATIONAL", "POOLING", "Pool", "PortResults",
           "StudyResults", "jobs", "port_pool", "run_study"]
