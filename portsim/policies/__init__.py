"""Clearance policies: domain switches in a scenario's ``policies:`` block, each compiled onto
generic engine mechanisms (stations, priorities, routes, reservations, shifts, reactive staffing).

One module per policy, each with a pydantic block and ``check`` / ``creates`` / ``apply``
functions of one shared signature (:class:`portsim.policies.base.Policy`); the registry chooses
them by name and applies them in a fixed order (:data:`portsim.policies.registry.ORDER`).
"""

from __future__ import annotations

# The policy blocks build on the scenario schema, which in turn holds them: importing the
# scenario layer first settles that cycle in one order, whichever module is imported first.
import portsim.scenario  # noqa: F401  (isort: skip)
