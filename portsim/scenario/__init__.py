"""The scenario layer: YAML files validated by pydantic and compiled to the engine's model.

``load_scenario`` reads, validates and compiles a file (or a mapping) with every variant;
``compile_model`` gives the base's or one variant's :class:`portsim.engine.model.Model`.

The package holds two layers: the schema side (units, parts, policy blocks, schema), which the
policies build on, and the compiler and loader, which apply the policies. A package runs its
``__init__`` before any of its modules, so this one imports only the schema side; the loader's
names are imported on first use (as in :mod:`portsim`), or the policies, importing the schema
side, would import the compiler that imports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portsim.lazy import lazy_exports
from portsim.scenario.schema import ScenarioDocument

if TYPE_CHECKING:
    from portsim.scenario.json_schema import scenario_json_schema
    from portsim.scenario.loader import Scenario, compile_model, load_scenario

__all__ = ["Scenario", "ScenarioDocument", "compile_model", "load_scenario",
           "scenario_json_schema"]

_EXPORTS = {"Scenario": "portsim.scenario.loader", "compile_model": "portsim.scenario.loader",
            "load_scenario": "portsim.scenario.loader",
            "scenario_json_schema": "portsim.scenario.json_schema"}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
