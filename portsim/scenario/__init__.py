"""The scenario layer: YAML files validated by pydantic and compiled to the engine's model.

``load_scenario`` reads and validates a file (or a mapping) with every variant;
``compile_model`` turns the base or one variant into a plain :class:`portsim.engine.model.Model`.
"""

from __future__ import annotations

from typing import Any

from portsim.scenario.compile import compile_model
from portsim.scenario.loader import Scenario, load_scenario
from portsim.scenario.schema import ScenarioDocument

__all__ = ["Scenario", "ScenarioDocument", "compile_model", "load_scenario",
           "scenario_json_schema"]


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files, with a description for every field."""
    schema = ScenarioDocument.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "portsim scenario",
        **{key: value for key, value in schema.items() if key != "title"},
    }
