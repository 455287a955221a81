"""The scenario document: what a scenario file may say, read and checked, before any policy.

Pydantic models of the file format by part (:mod:`~portsim.document.stations`,
:mod:`~portsim.document.classes`, :mod:`~portsim.document.routes`,
:mod:`~portsim.document.settings`, the policy blocks, and :mod:`~portsim.document.root` with its
cross-reference checks) on shared field types and parts; YAML read with line numbers
(:mod:`~portsim.document.yamlsource`), timetable CSV files, pydantic's errors turned into located
problems, the JSON Schema, and the translation of document parts into engine objects that the
policies and the compiler share (:mod:`~portsim.document.convert`).

It sits below :mod:`portsim.policies`, which builds on its policy blocks; the compiler and loader
that apply the policies are :mod:`portsim.scenario`, above both. Import the modules themselves:
this package's face stays empty, so reading YAML does not import pydantic.
"""
