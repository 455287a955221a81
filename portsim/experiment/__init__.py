"""Experiments: replications (local pool or Dask), policy comparisons and parameter sweeps.

::

    import portsim.experiment as ex
    comparison = ex.compare("port.yaml", variants=["egates"], replications=20, workers=4)
    comparison.difference("egates", "classes", "foreigner", "wait_p95")   # paired interval
    parts = ex.decompose("port.yaml", "egates", replications=20)   # each change alone, together
    sweep = ex.sweep("port.yaml", [ex.parse_setting("stations.counters.servers=10:30:2")])

Names are imported on first use, like the top-level package.
"""

from __future__ import annotations

from portsim.lazy import lazy_exports

_EXPORTS = {
    "Comparison": "portsim.experiment.comparison",
    "compare": "portsim.experiment.comparison",
    "Decomposition": "portsim.experiment.decomposition",
    "decompose": "portsim.experiment.decomposition",
    "Results": "portsim.experiment.results",
    "simulate": "portsim.experiment.runner",
    "RunOptions": "portsim.experiment.options",
    "run_jobs": "portsim.experiment.runner",
    "Job": "portsim.experiment.runner",
    "default_workers": "portsim.experiment.executors",
    "ReplicationError": "portsim.experiment.executors",
    "PartialStore": "portsim.experiment.store",
    "KPI": "portsim.experiment.sweeps",
    "Setting": "portsim.experiment.sweeps",
    "Sweep": "portsim.experiment.sweeps",
    "parse_kpi": "portsim.experiment.sweeps",
    "parse_setting": "portsim.experiment.sweeps",
    "sweep": "portsim.experiment.sweeps",
    "TraceWriter": "portsim.experiment.trace",
}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
