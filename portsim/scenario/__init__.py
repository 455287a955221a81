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

import importlib
from typing import TYPE_CHECKING, Any

from portsim.scenario.schema import ScenarioDocument

if TYPE_CHECKING:
    from portsim.scenario.loader import Scenario, compile_model, load_scenario

__all__ = ["Scenario", "ScenarioDocument", "compile_model", "load_scenario",
           "scenario_json_schema"]

_LOADER_NAMES = ("Scenario", "compile_model", "load_scenario")


def __getattr__(name: str) -> Any:
    if name in _LOADER_NAMES:
        value = getattr(importlib.import_module("portsim.scenario.loader"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'portsim.scenario' has no attribute {name!r}")


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files, with a description for every field."""
    schema = ScenarioDocument.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "portsim scenario",
        **{key: value for key, value in schema.items() if key != "title"},
    }
