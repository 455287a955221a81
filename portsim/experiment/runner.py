"""Run replications of a model, serially or in a local process pool.

Replication ``i`` of a run seeded ``s`` always draws from the streams keyed ``(s, i, ...)``, so
results do not depend on how many workers ran them or in which order they finished.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from portsim.engine.load import overload_warnings
from portsim.engine.model import Model
from portsim.engine.simulation import ReplicationResult, run_replication
from portsim.experiment.results import Results

if TYPE_CHECKING:
    pass

Progress = Callable[[ReplicationResult], None]


def _replicate(model: Model, seed: int, replication: int) -> ReplicationResult:
    return run_replication(model, seed=seed, replication=replication)


def run_replications(model: Model, seed: int, indices: Iterable[int], workers: int = 1,
                     progress: Progress | None = None) -> list[ReplicationResult]:
    """Run the given replication indices of ``model``; ``workers > 1`` uses a process pool."""
    indices = list(indices)
    results: list[ReplicationResult] = []
    if workers <= 1 or len(indices) <= 1:
        for index in indices:
            result = _replicate(model, seed, index)
            results.append(result)
            if progress is not None:
                progress(result)
        return results
    with ProcessPoolExecutor(max_workers=min(workers, len(indices))) as pool:
        futures = [pool.submit(_replicate, model, seed, index) for index in indices]
        for future in futures:
            result = future.result()
            results.append(result)
            if progress is not None:
                progress(result)
    return results


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


def simulate(source: Any, *, replications: int | None = None, seed: int | None = None,
             variant: str | None = None, workers: int = 1,
             progress: Progress | None = None) -> Results:
    """Simulate a scenario (path, mapping, loaded scenario) or a :class:`Model`.

    ``replications`` and ``seed`` default to the scenario's own (10 and 0 for a bare model).
    """
    model, provenance, scenario = resolve(source, variant)
    if replications is None:
        replications = scenario.replications if scenario is not None else 10
    if seed is None:
        seed = scenario.seed if scenario is not None else 0
    if replications < 1:
        raise ValueError("replications must be at least 1")
    runs = run_replications(model, seed, range(replications), workers, progress)
    return Results(name=model.name, variant=variant, seed=seed, replications=runs,
                   provenance=provenance, warnings=overload_warnings(model))


def default_workers() -> int:
    return os.cpu_count() or 1


__all__ = ["default_workers", "resolve", "run_replications", "scenario_hash", "simulate"]
