"""Benchmarks of the simulation core, each measured against references in the same run."""
