"""portsim's version: one place, read by the package face, the results' provenance and the build
(pyproject.toml's ``[tool.setuptools.dynamic]``)."""

__version__ = "0.1.0"
