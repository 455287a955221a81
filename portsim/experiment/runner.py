"""Run replications of one or more models: serially, in a local process pool or on Dask.

Replication ``i`` of a run seeded ``s`` always draws from the streams keyed ``(s, i, ...)``, so
results do not depend on how many workers ran them or in which order they finished, and variants
run with the same seed share their random numbers (common random numbers).

:func:`run_jobs` is the one path every command takes: it pools the replications of several
labelled models (a baseline and its variants, or the points of a sweep) into one task list, keeps
each finished replication on disk when given a :class:`PartialStore`, and on ``resume`` runs only
the replications not stored yet.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Unpack

from portsim import limits
from portsim.engine.fast import Engine, choose_engine
from portsim.engine.fast_plan import FastPathUnavailable
from portsim.engine.load import overload_warnings
from portsim.engine.model import Model
from portsim.engine.result import ReplicationResult
from portsim.experiment.executors import Task, default_workers, execute
from portsim.experiment.forecast import Forecast
from portsim.experiment.options import RunOptions, RunSettings, run_options
from portsim.experiment.precision import Precision, next_count, parse_items
from portsim.experiment.results import Results


@dataclass(frozen=True)
class Job:
    """``replications`` replications (indices 0..n-1) of one labelled model."""

    label: str
    model: Model
    seed: int
    replications: int
    inputs: Mapping[str, Any] = field(default_factory=dict)  # what a stored result must match


def run_jobs(jobs: Sequence[Job], options: RunOptions | None = None, *,
             trace_label: str | None = None,
             have: Mapping[str, Sequence[ReplicationResult]] | None = None,
             ) -> dict[str, list[ReplicationResult]]:
    """Run every job; the replications of each label, in replication order.

    ``options.trace`` writes the event log of replication 0 of the job labelled
    ``trace_label`` (the first job if not given); ``options.resumed(n)`` is told how many
    replications were taken from ``options.store``. Replications in ``have`` (by label) are
    not run again.
    """
    options = options if options is not None else RunOptions()
    if options.trace is not None and trace_label is None and jobs:
        trace_label = jobs[0].label
    _check_jobs(jobs)
    done: dict[str, dict[int, ReplicationResult]] = {
        job.label: {r.replication: r for r in (have or {}).get(job.label, ())
                    if r.replication < job.replications}
        for job in jobs}
    # Each job on the engine its own model allows: jobs run together are compared (variants,
    # sweep points), and the two engines give the same waits customer by customer on the same
    # streams (tests/scenarios/test_engines.py), so their paired differences stay paired.
    engines = {job.label: _engine(job, options.engine) for job in jobs}
    _reuse_stored(jobs, options, done)
    tasks = [task for job in jobs
             for task in _job_tasks(job, engines[job.label],
                                    options.trace if trace_label == job.label else None,
                                    done[job.label])]
    reused = sum(len(results) for results in done.values()) - sum(
        len(results) for results in (have or {}).values())
    if options.resumed is not None and reused:
        options.resumed(reused)
    for task, result in execute(tasks, workers=options.workers, scheduler=options.scheduler):
        if options.store is not None:
            options.store.save(task.label, result)
        done[task.label][task.replication] = result
        if options.progress is not None:
            options.progress(result)
    return {label: [results[i] for i in sorted(results)] for label, results in done.items()}


def _check_jobs(jobs: Sequence[Job]) -> None:
    """Labels are unique and no job asks for more replications than the limits allow."""
    labels = [job.label for job in jobs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"job labels must be unique: {labels}")
    for job in jobs:
        # The file's own count is checked when it loads; this catches --replications and the
        # Python API.
        limits.check_replications(job.replications)
    if len(jobs) > 1:
        limits.check_tasks(sum(job.replications for job in jobs),
                           f"{len(jobs):,} models (variants, sweep points or study ports) "
                           "with their replications")


def _reuse_stored(jobs: Sequence[Job], options: RunOptions,
                  done: dict[str, dict[int, ReplicationResult]]) -> None:
    """Prepare the store for every job and, on resume, add its stored replications to
    ``done``."""
    store = options.store
    if store is None:
        return
    for job in jobs:
        store.prepare(job.label, {**job.inputs, "label": job.label, "seed": job.seed},
                      resume=options.resume)
        if options.resume:
            stored = store.load(job.label)
            done[job.label].update((i, r) for i, r in stored.items() if i < job.replications)


def _job_tasks(job: Job, engine: Engine, trace: str | None,
               done: Mapping[int, ReplicationResult]) -> list[Task]:
    """The replications of ``job`` still to run (replication 0 again when it is traced)."""
    tasks = []
    for index in range(job.replications):
        trace_path = trace if index == 0 else None
        if index in done and trace_path is None:
            continue
        tasks.append(Task(job.label, job.model, job.seed, index, trace_path, engine))
    return tasks


def _engine(job: Job, requested: str) -> Engine:
    try:
        return choose_engine(job.model, requested)
    except FastPathUnavailable as error:
        raise FastPathUnavailable(f"--engine fast, {job.label}: {error}") from None


def scenario_hash(document: Mapping[str, Any]) -> str:
    """SHA-256 of the resolved scenario in canonical JSON: traces a result to its input."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def resolve(source: Any, variant: str | None = None,
            forecast: Forecast | None = None) -> tuple[Model, dict[str, Any], Any]:
    """Turn a path, a mapping, a loaded scenario or a model into (model, provenance, scenario);
    ``forecast`` makes it a warm start or adds a snapshot (recorded under ``"forecast"``)."""
    model, provenance, scenario = _resolve(source, variant)
    if forecast is not None:
        model = forecast.apply(model)
        provenance["forecast"] = forecast.provenance()
    return model, provenance, scenario


def _resolve(source: Any, variant: str | None) -> tuple[Model, dict[str, Any], Any]:
    from portsim.scenario import Scenario, compile_model, load_scenario
    from portsim.version import __version__

    if isinstance(source, Model):
        if variant is not None:
            raise ValueError("a Model has no variants; compile the variant you want instead")
        provenance = {"portsim_version": __version__, "scenario": {"name": source.name}}
        return source, provenance, None
    scenario = source if isinstance(source, Scenario) else load_scenario(source)
    model = compile_model(scenario, variant)
    resolved = scenario.resolved(variant)
    provenance = {
        "portsim_version": __version__,
        "scenario": {
            "name": scenario.name,
            "file": str(scenario.source_file) if scenario.source_file else None,
            "sha256": scenario_hash(resolved),
            "resolved": resolved,
        },
    }
    return model, provenance, scenario


def job_inputs(model: Model, provenance: Mapping[str, Any]) -> dict[str, Any]:
    """What stored replications must have been made from to be reused on resume."""
    digest = provenance.get("scenario", {}).get("sha256")
    if digest is None:  # a bare Model: its dataclass repr describes it completely
        digest = hashlib.sha256(repr(model).encode("utf-8")).hexdigest()
    inputs = {"portsim_version": provenance.get("portsim_version"), "model_sha256": digest}
    if "forecast" in provenance:
        inputs["forecast"] = provenance["forecast"]
    return inputs


def results_of(model: Model, provenance: dict[str, Any], variant: str | None, seed: int,
               runs: list[ReplicationResult]) -> Results:
    """Wrap one model's replications as :class:`Results`, with what plots need to read them."""
    from portsim.document.durations import long_durations

    resolved = provenance.get("scenario", {}).get("resolved")
    warnings = overload_warnings(model) + (long_durations(resolved) if resolved else [])
    return Results(name=model.name, variant=variant, seed=seed, replications=runs,
                   provenance=provenance, warnings=warnings,
                   horizon=model.horizon, warmup=model.warmup, sla=model.sla,
                   pledge_share=model.sla_share_target, pledge_classes=model.sla_classes,
                   pledge_measure=("monitor" if model.monitor_every is not None
                                   else "longest" if model.slot_longest else "share"),
                   pledge_slot=model.slot_minutes)


@dataclass(frozen=True)
class Prepared:
    """A model to replicate under a label: a scenario's baseline, a variant, a sweep point."""

    label: str
    variant: str | None
    model: Model
    provenance: dict[str, Any]


def prepare(source: Any, variant: str | None = None, label: str | None = None,
            forecast: Forecast | None = None) -> tuple[Prepared, Any]:
    """The model of ``source``'s ``variant`` ready to run, and the loaded scenario (or None)."""
    model, provenance, scenario = resolve(source, variant, forecast)
    return Prepared(label or variant or "baseline", variant, model, provenance), scenario


def run_prepared(prepared: Sequence[Prepared], options: RunOptions, scenario: Any = None,
                 *, trace_label: str | None = None) -> dict[str, Results]:
    """Replicate every prepared model with the same seed (common random numbers), pooled
    into one task list; the results by label, in the order given.

    With ``options.precision``, rounds of replications are added until the watched KPIs of
    every model are precise enough or the cap is reached (see :mod:`.precision`).
    """
    replications = options.replications_for(scenario)
    seed = options.seed_for(scenario)
    precision = options.precision if options.precision is not None else file_precision(scenario)
    if precision is not None:
        replications = min(precision.most, max(replications, precision.first))
    warmup_choice = None
    if scenario is not None and scenario.warmup_auto:
        prepared, warmup_choice = auto_warmup(prepared, options, seed, replications)
    runs: dict[str, list[ReplicationResult]] = {}
    while True:
        jobs = [Job(item.label, item.model, seed, replications,
                    job_inputs(item.model, item.provenance)) for item in prepared]
        runs = run_jobs(jobs, options, trace_label=trace_label, have=runs)
        results = {item.label: results_of(item.model, item.provenance, item.variant, seed,
                                          runs[item.label])
                   for item in prepared}
        for result in results.values():
            result.warmup_choice = warmup_choice
        if precision is None:
            return results
        needed = precision.shortfall(results.values())
        if needed <= replications or replications >= precision.most:
            for result in results.values():
                result.precision = precision.report(result)
            return results
        replications = next_count(replications, needed, precision.most)
        # Later rounds add to what is stored and trace nothing again.
        options = options.replace(resume=True, trace=None, resumed=None)


def auto_warmup(prepared: Sequence[Prepared], options: RunOptions, seed: int,
                replications: int) -> tuple[list[Prepared], dict[str, Any]]:
    """``warmup: auto``: run the pilot (see :mod:`.autowarmup`) and give every prepared model
    the warm-up it chose; also what results.json records of the choice."""
    from portsim.experiment.autowarmup import decide, pilot_count, pilot_model

    quiet = options.replace(store=None, resume=False, trace=None, progress=None, resumed=None,
                            precision=None)
    count = pilot_count(replications)
    jobs = [Job(f"{item.label} (warm-up pilot)", pilot_model(item.model), seed, count)
            for item in prepared]
    runs = run_jobs(jobs, quiet)
    record = decide({item.label: item.model for item in prepared},
                    {item.label: runs[job.label] for item, job in zip(prepared, jobs, strict=True)})
    return [dataclasses.replace(item, model=dataclasses.replace(item.model,
                                                                 warmup=record["minutes"]))
            for item in prepared], record


def file_precision(scenario: Any) -> Precision | None:
    """The scenario file's ``precision:`` block as a :class:`Precision` (None without one)."""
    settings = getattr(scenario, "precision", None)
    if settings is None:
        return None
    return Precision(settings.target, parse_items(settings.kpis), settings.max_replications)


def simulate(source: Any, options: RunOptions | None = None, *, variant: str | None = None,
             forecast: Forecast | None = None, **settings: Unpack[RunSettings]) -> Results:
    """Simulate a scenario (path, mapping, loaded scenario) or a :class:`Model`.

    Run settings come as ``options`` or as keywords (the fields of :class:`RunOptions`):
    ``replications`` and ``seed`` default to the scenario's own (10 and 0 for a bare model);
    ``store`` keeps each finished replication on disk and ``resume`` reuses them; ``trace``
    writes the event log of replication 0 to a trace file (see experiment.trace). ``forecast`` runs
    from a state (a warm start) or records one (a snapshot).
    """
    options = run_options(options, settings)
    prepared, scenario = prepare(source, variant, forecast=forecast)
    return run_prepared([prepared], options, scenario)[prepared.label]


__all__ = ["Job", "Prepared", "RunOptions", "auto_warmup", "default_workers", "file_precision",
           "job_inputs", "prepare",
           "resolve", "results_of", "run_jobs", "run_prepared", "scenario_hash", "simulate"]
