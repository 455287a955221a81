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

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from portsim import limits
from portsim.engine.load import overload_warnings
from portsim.engine.model import Model
from portsim.engine.simulation import ReplicationResult
from portsim.experiment.executors import Task, default_workers, execute
from portsim.experiment.results import Results
from portsim.experiment.store import PartialStore

Progress = Callable[[ReplicationResult], None]
Resumed = Callable[[int], None]


@dataclass(frozen=True)
class Job:
    """``replications`` replications (indices 0..n-1) of one labelled model."""

    label: str
    model: Model
    seed: int
    replications: int
    inputs: Mapping[str, Any] = field(default_factory=dict)  # what a stored result must match


def run_jobs(jobs: Sequence[Job], *, workers: int = 1, scheduler: str | None = None,
             store: PartialStore | None = None, resume: bool = False,
             progress: Progress | None = None, resumed: Resumed | None = None,
             trace: tuple[str, str] | None = None) -> dict[str, list[ReplicationResult]]:
    """Run every job; the replications of each label, in replication order.

    ``trace=(label, path)`` writes the event log of replication 0 of that label to ``path``.
    ``resumed(n)`` is told how many replications were taken from the store.
    """
    labels = [job.label for job in jobs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"job labels must be unique: {labels}")
    most = limits.current().max_replications
    for job in jobs:
        if job.replications > most:
            # The file's own count is checked when it loads; this catches --replications and
            # the Python API.
            raise limits.LimitsError(
                f"{job.replications:,} replications asked for; the limit is {most:,} "
                f"(set {limits.describe('max_replications')} to allow more)")
    done: dict[str, dict[int, ReplicationResult]] = {job.label: {} for job in jobs}
    tasks: list[Task] = []
    for job in jobs:
        if store is not None:
            store.prepare(job.label, {**job.inputs, "label": job.label, "seed": job.seed},
                          resume=resume)
            if resume:
                stored = store.load(job.label)
                done[job.label] = {i: r for i, r in stored.items() if i < job.replications}
        traced = trace is not None and trace[0] == job.label
        for index in range(job.replications):
            trace_path = trace[1] if traced and index == 0 and trace is not None else None
            if index in done[job.label] and trace_path is None:
                continue
            tasks.append(Task(job.label, job.model, job.seed, index, trace_path))
    reused = sum(len(results) for results in done.values())
    if resumed is not None and reused:
        resumed(reused)
    for task, result in execute(tasks, workers=workers, scheduler=scheduler):
        if store is not None:
            store.save(task.label, result)
        done[task.label][task.replication] = result
        if progress is not None:
            progress(result)
    return {label: [results[i] for i in sorted(results)] for label, results in done.items()}


def run_replications(model: Model, seed: int, indices: Iterable[int], workers: int = 1,
                     progress: Progress | None = None,
                     scheduler: str | None = None) -> list[ReplicationResult]:
    """Run the given replication indices of ``model``; ``workers > 1`` uses a process pool."""
    tasks = [Task(model.name, model, seed, index) for index in indices]
    results: dict[int, ReplicationResult] = {}
    for _task, result in execute(tasks, workers=workers, scheduler=scheduler):
        results[result.replication] = result
        if progress is not None:
            progress(result)
    return [results[task.replication] for task in tasks]


def scenario_hash(document: Mapping[str, Any]) -> str:
    """SHA-256 of the resolved scenario in canonical JSON: traces a result to its input."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def resolve(source: Any, variant: str | None = None) -> tuple[Model, dict[str, Any], Any]:
    """Turn a path, a mapping, a loaded scenario or a model into (model, provenance, scenario)."""
    from portsim import __version__
    from portsim.scenario import Scenario, compile_model, load_scenario

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
    return {"portsim_version": provenance.get("portsim_version"), "model_sha256": digest}


def results_of(model: Model, provenance: dict[str, Any], variant: str | None, seed: int,
               runs: list[ReplicationResult]) -> Results:
    """Wrap one model's replications as :class:`Results`, with what plots need to read them."""
    return Results(name=model.name, variant=variant, seed=seed, replications=runs,
                   provenance=provenance, warnings=overload_warnings(model),
                   horizon=model.horizon, warmup=model.warmup, sla=model.sla)


def simulate(source: Any, *, replications: int | None = None, seed: int | None = None,
             variant: str | None = None, workers: int = 1,
             progress: Progress | None = None, scheduler: str | None = None,
             store: PartialStore | None = None, resume: bool = False,
             resumed: Resumed | None = None, trace: str | None = None) -> Results:
    """Simulate a scenario (path, mapping, loaded scenario) or a :class:`Model`.

    ``replications`` and ``seed`` default to the scenario's own (10 and 0 for a bare model).
    ``store`` keeps each finished replication on disk; with ``resume`` the stored ones are reused.
    ``trace`` writes the event log of replication 0 to a .csv (or .parquet) file.
    """
    model, provenance, scenario = resolve(source, variant)
    if replications is None:
        replications = scenario.replications if scenario is not None else 10
    if seed is None:
        seed = scenario.seed if scenario is not None else 0
    if replications < 1:
        raise ValueError("replications must be at least 1")
    label = variant or "baseline"
    job = Job(label, model, seed, replications, job_inputs(model, provenance))
    runs = run_jobs([job], workers=workers, scheduler=scheduler, store=store, resume=resume,
                    progress=progress, resumed=resumed,
                    trace=(label, trace) if trace is not None else None)
    return results_of(model, provenance, variant, seed, runs[label])


__all__ = ["Job", "default_workers", "job_inputs", "resolve", "results_of", "run_jobs",
           "run_replications", "scenario_hash", "simulate"]
