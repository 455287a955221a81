"""The scenario compiler and loader: a validated document compiled, with the policies, to the
engine's model.

``load_scenario`` reads, validates and compiles a file (or a mapping) with every variant;
``compile_model`` gives the base's or one variant's :class:`portsim.engine.model.Model`. The
document itself (its models, YAML reading and error messages) is :mod:`portsim.document`, below
the policies.
"""

from __future__ import annotations

from portsim.scenario.loader import Scenario, compile_model, load_scenario

__all__ = ["Scenario", "compile_model", "load_scenario"]
