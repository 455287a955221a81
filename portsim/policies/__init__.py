"""Clearance policies: domain switches in a scenario's ``policies:`` block, each compiled onto
generic engine mechanisms (stations, priorities, routes, reservations, shifts, reactive staffing).

One module per policy, each with ``check`` / ``creates`` / ``apply`` functions of one shared
signature (:class:`portsim.policies.base.Policy`) over the engine's model; their pydantic blocks
are part of the file format (:mod:`portsim.document.policy_blocks`). The registry chooses them
by name and applies them in a fixed order (:data:`portsim.policies.registry.ORDER`).
"""
