"""portsim: discrete-event simulation of port clearance.

The public API::

    import portsim
    scenario = portsim.load_scenario("scenarios/validation/mm1.yaml")
    results = portsim.simulate(scenario, replications=10, seed=1)
    results.summary("classes", "customer", "wait_mean")   # Interval(mean, low, high, ...)
    results.to_dict()                                     # what results.json holds
    portsim.compare(scenario, replications=10)            # the variants against the baseline
    portsim.sweep(scenario, ["stations.server.servers=1:3:1"], replications=5)
    portsim.optimise(scenario, ["stations.server.servers=1:3:1"], minimise="wait_mean",
                     delta="1min")                    # the best design, with a guarantee
    portsim.pareto_front(scenario, ["stations.server.servers=1:3:1"], "officer_hours,wait_mean",
                         replications=10)             # the Pareto set of two objectives

Names are imported on first use, so ``import portsim.engine`` stays free of pydantic and YAML.
"""

from __future__ import annotations

from portsim.lazy import lazy_exports
from portsim.version import __version__

_EXPORTS = {
    "Model": "portsim.engine",
    "run_replication": "portsim.engine",
    "PortsimError": "portsim.errors",
    "ScenarioError": "portsim.errors",
    "Results": "portsim.experiment.results",
    "simulate": "portsim.experiment.runner",
    "RunOptions": "portsim.experiment.options",
    "compare": "portsim.experiment.comparison",
    "Comparison": "portsim.experiment.comparison",
    "sweep": "portsim.experiment.sweeps",
    "Sweep": "portsim.experiment.sweeps",
    "optimise": "portsim.experiment.optimise.api",
    "Optimisation": "portsim.experiment.optimise.search",
    "pareto_front": "portsim.experiment.optimise.api",
    "Front": "portsim.experiment.optimise.front",
    "Scenario": "portsim.scenario.loader",
    "compile_model": "portsim.scenario.loader",
    "load_scenario": "portsim.scenario.loader",
    "Interval": "portsim.stats.summary",
}

__all__ = ["__version__", *_EXPORTS]  # noqa: PLE0604 (the keys are the exported names)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
